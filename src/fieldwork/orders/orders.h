#ifndef FG_ORDERS_H
#define FG_ORDERS_H
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/flow/flow.h"
#include "core/auth/session.h"

/* Field work orders (现场作业工单, R3.2): a unit of work requested by a customer, a schedule, an alarm or a
 * manager. Their kinds are the metering field processes of data/kb/work_kinds.json. */

extern const flow_binding_t orders_flow;

json_t *orders_get(db_t *db, const char *id);
int orders_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
/* in: "version" plus any of the editable fields; only new/planned orders change. */
int orders_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err);

typedef struct {
	const char *status, *kind, *team_id, *cursor, *q;
	int64_t due_before, due_after; /* 0: no bound */
	int limit;
} orders_filter_t;
int orders_list(db_t *db, const orders_filter_t *f, json_t **out, fg_err_t *err);
/* The customer's contact (contact_name, contact_phone) masked in place for a viewer who does not need it: in full
 * for holders of customers.contact or orders.write (they keep the order) and for the people of the order's plan
 * (the crew calls the customer); masked (张*明, 138****5678) for every other reader. */
void orders_mask(db_t *db, const auth_user_t *u, json_t *o);

/* Moves every order of a plan to `status` (plan effects), auditing each. */
/* Locks the work orders on a plan, in id order (one order for every transaction that takes several): the plan
 * flow's lock_related, so a plan's transition sees and changes its orders as locked. 0 or -1. */
int orders_lock_for_plan(db_t *db, const char *plan_id);
int orders_set_status_for_plan(db_t *db, const char *actor_id, const char *plan_id, const char *status);
/* The order reached done (from `from`): emits WORK_ORDER_FINISHED (fieldwork/interface/work_results.h) in the
 * caller's transaction, right after the write and before its audit record (subscribers lock their rows before the
 * transaction holds the audit chain's head). 0 or -1. */
int orders_emit_finished(db_t *db, const char *actor_id, const char *id, json_t *order, const char *from);
/* A cancelled plan gives its planned orders back: each goes back to new, audited as "release". 0 or -1. */
int orders_release_for_plan(db_t *db, const char *actor_id, const char *plan_id);

#endif
