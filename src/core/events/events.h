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

/* How the bus reports one delivery (the subscriber's failure policy, one for all):
 * a subscriber that returns -1, or leaves a database error, is rolled back to its savepoint — its writes are
 * undone, the emitter's are not — logged, and recorded in event_deliveries (state retrying, attempts 1). The
 * scheduler's job events.retry tries it again after FG_EVENTS_RETRY_S (default 60) × 2^(attempts-1) seconds, each
 * time in a transaction of its own; after EVENTS_MAX_ATTEMPTS it is parked until an admin retries it by hand
 * (GET /api/v1/events/failed, POST /api/v1/events/failed/{id}/actions/retry). */
#define EVENTS_MAX_ATTEMPTS 5

/* Records the event in domain_events and delivers it synchronously to every subscription to `name` (events_set_subscribers),
 * in table order, each in its own savepoint. Call it inside the writer's transaction, right after the write
 * that made the fact true: the event commits or rolls back with it. data: borrowed, NULL for none. A subscriber's
 * failure never fails the emit. Returns 0, or -1 only when the writer's own transaction failed (no transaction
 * open, or the event row could not be written): the caller fails as for any of its own writes. */
int events_emit(db_t *db, const char *name, const char *entity, const char *entity_id, json_t *data,
    const char *actor_id);

/* The scheduler job: every delivery due (state retrying, next_at <= now), oldest first, at most 100 a run, each in
 * its own transaction. Returns how many were delivered, or -1 on a database error. */
int events_retry_due(db_t *db, int64_t now);

/* Housekeeping (the job events.prune, daily): events older than FG_EVENTS_KEEP_DAYS (default 30) are deleted in
 * audited batches, except those with a delivery on record. Returns how many, or -1. */
int events_prune(db_t *db, int64_t now);

/* Admins' view: failed deliveries with their event, newest first. state: retrying | parked | delivered, NULL for
 * retrying and parked. */
int events_failed_list(db_t *db, const char *state, const char *cursor, int limit, json_t **out, fg_err_t *err);
json_t *events_delivery_get(db_t *db, const char *id);
/* An admin's retry, now, whatever its state but delivered (invalid_transition). out: the delivery after the attempt
 * (state delivered, or retrying/parked with last_error): a failed attempt is an answer, not an error. */
int events_delivery_retry(db_t *db, const char *actor_id, const char *id, json_t **out, fg_err_t *err);

/* Whom the bus delivers to: a NULL-terminated list of {NULL}-terminated subscription tables, in delivery order. The
 * module table gives its modules' .subscriptions at start-up (module_start_all, src/core/module/), before any thread
 * emits; a unit test gives its own. The bus itself knows no module (and does not include the module table). */
void events_set_subscribers(const fg_subscription_t *const *tables);

#endif
