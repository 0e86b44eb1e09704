#ifndef FG_MODULE_H
#define FG_MODULE_H
#include <stdint.h>
#include <jansson.h>
#include "core/db/db.h"
#include "core/auth/session.h"
#include "core/http/http.h"
#include "core/flow/flow.h"
#include "core/events/events.h"

/* A module describes itself once (issue 10, DESIGN.md §3): its routes, the flow guards and effects it registers,
 * its scheduled jobs, the domain events it subscribes to and its start-up and shutdown hooks. The core — router,
 * flow engine, scheduler, event bus — loops over the one table of modules (src/modules.c) and includes no module:
 * adding a module is a folder and one line in that table. */

/* A periodic job of the scheduler thread (core/jobs). Runs on the scheduler's own connection, as the system actor;
 * each run must be idempotent (several nodes may run it) and commit its own transactions. */
typedef struct {
	const char *name;      /* "faults.escalate" (logs, `fieldgrid jobs`) */
	int every_s;           /* period */
	const char *every_env; /* NULL, or an environment variable overriding every_s (tests shorten a period) */
	int first_after_s;     /* first run this long after start (0: at the first tick) */
	/* > 0: how many things it did (logged), 0: nothing to do, < 0: failed (logged with the db error) */
	int (*run)(db_t *db, int64_t now_ms);
} fg_job_t;

typedef struct fg_module {
	const char *name;    /* "plans" */
	const char *context; /* "fieldwork", "safety", "charging", "customer", "shared", "core" */
	/* NULL, or a NULL-terminated list of route tables, each ending with {NULL}; dispatch tries them in order */
	const route_t *const *routes;
	const flow_guard_t *guards;        /* {NULL} terminated, or NULL */
	const flow_effect_t *effects;      /* {NULL} terminated, or NULL */
	const fg_job_t *jobs;              /* {NULL} terminated, or NULL */
	const fg_subscription_t *subscriptions; /* {NULL} terminated, or NULL */
	/* NULL, or run once at start-up (before serving); 0 or -1 (start-up fails) */
	int (*start)(void);
	/* NULL, or run once at shutdown, after the server stopped taking requests */
	void (*stop)(void);
	/* NULL, or run at the start of each request and scheduler tick on that thread's connection (e.g. the
	 * knowledge base picks up admins' edits) */
	void (*request_start)(db_t *db);
	/* NULL, or adds this module's part of GET /me (e.g. the org unit's name) */
	void (*me)(db_t *db, const auth_user_t *u, json_t *me);
} fg_module_t;

/* The one table (src/modules.c), in dispatch order: a route of an earlier module wins over a later one's. */
extern const fg_module_t *const fg_modules[];

/* Loops for the core. */
#define FG_EACH_MODULE(m) for (const fg_module_t *const *m##_p = fg_modules, *m; (m = *m##_p) != NULL; m##_p++)

/* Every module's start hook in table order; on a failure, the ones already started are stopped. */
int module_start_all(void);
void module_stop_all(void);
void module_request_start(db_t *db);
void module_me(db_t *db, const auth_user_t *u, json_t *me);

#endif
