/* The work-order module's published API (src/fieldwork/interface/work_orders.h) over its own functions. */
#include <string.h>
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/flow/flow.h"
#include "fieldwork/interface/work_orders.h"
#include "fieldwork/orders/orders.h"

int
work_orders_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	return orders_create(db, actor_id, in, out, err);
}

json_t *
work_orders_get(db_t *db, const char *id)
{
	return orders_get(db, id);
}

int
work_orders_lock(db_t *db, const char *id)
{
	return db_lock_row(db, "work_orders", id);
}

/* A state of the work-order flow (data/flows/work_order.json). */
static bool
known_state(const char *status)
{
	json_t *def = flow_describe("work_order"), *s;
	size_t i;
	bool ok = false;
	json_array_foreach(json_object_get(def, "states"), i, s) ok |= strcmp(json_string_value(json_object_get(s, "code")), status) == 0;
	json_decref(def);
	return ok;
}

int
work_orders_follow(db_t *db, const char *actor_id, const char *id, const char *status, const char *why,
    bool keep_final, fg_err_t *err)
{
	if (!status || !known_state(status))
		return fg_err_field(err, "invalid_field", "status", "a state of the work-order flow");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "work_orders", id) != 0)
		return db_fail(db, err);
	json_t *before = orders_get(db, id), *after = NULL;
	if (!before) {
		fg_err_not_found(err, "work_order", id);
		return db_fail(db, err);
	}
	const char *cur = json_string_value(json_object_get(before, "status"));
	if (strcmp(cur, status) == 0 || (keep_final && (strcmp(cur, "done") == 0 || strcmp(cur, "cancelled") == 0))) {
		json_decref(before);
		return db_commit(db) == 0 ? 0 : db_fail(db, err);
	}
	/* from the state just read under the row lock, like a flow transition */
	if (db_run(db_q(db, "UPDATE work_orders SET status = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND status = $4",
		"titt", status, fg_now_ms(), id, cur)) != DB_DONE ||
	    !(after = orders_get(db, id)) ||
	    /* announced before the audit record: a subscriber locks its rows before this transaction holds the head */
	    (strcmp(status, "done") == 0 && orders_emit_finished(db, actor_id, id, after, cur) != 0) ||
	    audit_write(db, actor_id, why, "work_order", id, before, after) != 0 ||
	    flow_record(db, "work_order", id, why, cur, status, actor_id) != 0 || db_commit(db) != 0) {
		json_decref(before);
		json_decref(after);
		return db_fail(db, err);
	}
	json_decref(before);
	json_decref(after);
	return 0;
}
