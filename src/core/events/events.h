#ifndef FG_EVENTS_H
#define FG_EVENTS_H
#include <stdint.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"

/* Domain events (issue 10 §3): a writer emits an event inside its own transaction; the bus delivers it to the
 * modules that subscribed to its name (fg_module_t.subscriptions), each subscriber in its own savepoint. */
typedef struct {
	const char *id;        /* uuid7 */
	const char *name;      /* "charger.status_changed" */
	const char *entity;    /* "charger" */
	const char *entity_id; /* its id */
	const char *actor_id;  /* the user, or the system actor */
	int64_t at;            /* ms */
	json_t *data;          /* borrowed */
} fg_event_t;

typedef struct {
	const char *event; /* the name subscribed to */
	const char *name;  /* the subscriber's name (logs, parked deliveries): "faults.on_status" */
	int (*fn)(db_t *db, const fg_event_t *ev, fg_err_t *err);
} fg_subscription_t;

#endif
