#ifndef FG_MODULE_H
#define FG_MODULE_H
#include <stdint.h>
#include <jansson.h>
#include "core/db/db.h"
#include "core/db/qb.h"
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

/* The person's queue (GET /api/v1/me/queue, issue 14 item 4): what is waiting for the signed-in user to act on.
 * Each module adds its own kinds from its own tables (fg_module_t.queue), so no module reads another's. */
typedef struct fg_queue {
	json_t *kinds; /* [{kind, module, count, path, items: [{id, title, subtitle, at, path}]}], only kinds with count > 0 */
	int limit;     /* the most items listed per kind (the count is always whole) */
	const char *module; /* the module being asked (set by module_queue) */
} fg_queue_t;

typedef struct fg_module {
	const char *name;    /* "plans" */
	const char *context; /* "fieldwork", "safety", "charging", "customer", "shared", "core" */
	/* NULL, or a NULL-terminated list of route tables, each ending with {NULL}; dispatch tries them in order */
	const route_t *const *routes;
	const flow_guard_t *guards;        /* {NULL} terminated, or NULL */
	const flow_effect_t *effects;      /* {NULL} terminated, or NULL */
	/* NULL, or a NULL-terminated list of the flows this module runs (flow_timers fires their deadlines) */
	const flow_binding_t *const *flows;
	const fg_job_t *jobs;              /* {NULL} terminated, or NULL */
	const fg_subscription_t *subscriptions; /* {NULL} terminated, or NULL */
	/* {NULL} terminated, or NULL: the error codes only this module answers, with status and both languages, so a
	 * new module adds its refusals without editing the core catalog (core/base/errcat.c) */
	const errcat_t *errors;
	/* NULL, or run once at start-up (before serving); 0 or -1 (start-up fails) */
	int (*start)(void);
	/* NULL, or run once at shutdown, after the server stopped taking requests */
	void (*stop)(void);
	/* NULL, or run at the start of each request and scheduler tick on that thread's connection (e.g. the
	 * knowledge base picks up admins' edits) */
	void (*request_start)(db_t *db);
	/* NULL, or adds this module's part of GET /me (e.g. the org unit's name) */
	void (*me)(db_t *db, const auth_user_t *u, json_t *me);
	/* NULL, or adds the kinds of work this module holds waiting for the user (module_queue_add/_qb): only what the
	 * user may act on — the permission and the scope (shared/org/scope.h) the acting route checks — and cheap:
	 * a count and the first q->limit items */
	void (*queue)(db_t *db, const auth_user_t *u, fg_queue_t *q);
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
/* Every module's queue hook: {"kinds": […], "total": sum of the counts, "limit"}. */
json_t *module_queue(db_t *db, const auth_user_t *u, int limit);

/* Adds one kind of waiting work (skipped when count is 0): kind "tickets.issue" (the UI's label queue.<kind>), path
 * the page listing them all, items an array stolen (NULL: none). */
void module_queue_add(fg_queue_t *q, const char *kind, const char *path, int64_t count, json_t *items);
/* The same from one query: qb holds "SELECT <id>, <title>, <subtitle>, <at>, COUNT(*) OVER () AS n FROM … WHERE …
 * ORDER BY …" (the columns named id, title, subtitle, at, n); module_queue_qb appends LIMIT q->limit, makes each
 * item's path from item_path with "{id}" replaced by the row's id (or by its "link" column when selected), and frees
 * qb. Returns the count, or -1 on a database error (logged; the kind is left out). */
int64_t module_queue_qb(fg_queue_t *q, db_t *db, const char *kind, const char *path, const char *item_path, qb_t *qb);

#endif
