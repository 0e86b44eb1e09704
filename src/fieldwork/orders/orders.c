#include <string.h>
#include "core/base/util.h"
#include "core/base/counter.h"
#include "core/db/qb.h"
#include "core/audit/audit.h"
#include "core/auth/perm.h"
#include "shared/org/scope.h"
#include "core/events/events.h"
#include "fieldwork/interface/work_results.h"
#include "safety/interface/kb.h"
#include "fieldwork/emergency/emergency.h"
#include "shared/org/org.h"
#include "fieldwork/orders/orders.h"

#define ORDER_COLS                                                                                                     \
	"id, number, kind, status, priority, source, title, customer_name, customer_no, site_address, meter_asset_no, " \
	"metering_point_no, description, team_id, due_at, created_by, created_at, updated_at, version, backfill_id, " \
	"contact_name, contact_phone, appointment_from, appointment_to"

json_t *
orders_get(db_t *db, const char *id)
{
	int rc;
	json_t *o = db_one(db_q(db, "SELECT " ORDER_COLS " FROM work_orders WHERE id = $1", "t", id), &rc);
	if (o) { /* the plan it is on, if any: the crew follows an order to its plan */
		json_t *p = db_one(db_q(db, "SELECT plan_id FROM plan_orders po JOIN plans p ON p.id = po.plan_id "
					    "WHERE po.work_order_id = $1 AND p.status <> 'cancelled' ORDER BY p.created_at DESC LIMIT 1",
				       "t", id), &rc);
		json_object_set(o, "plan_id", p ? json_object_get(p, "plan_id") : json_null());
		json_decref(p);
		json_object_set_new(o, "emergency_relaxations", emergency_relaxations_of(db, "work_order_id", id)); /* R1.4 */
	}
	return o;
}

static json_t *
load(db_t *db, const char *id)
{
	return orders_get(db, id);
}

const flow_binding_t orders_flow = {"work_order", "work_orders", "work_order", load, NULL, "orders.read", NULL};

static const char *const priorities[] = {"urgent", "high", "normal", "low", NULL};
static const char *const sources[] = {"customer", "schedule", "alarm", "manager", NULL};

static const char *
str(json_t *in, const char *k)
{
	return json_string_value(json_object_get(in, k));
}

/* Checks shared by create and update; only the fields present are checked. */
static int
check(db_t *db, json_t *in, fg_err_t *err)
{
	if (json_object_get(in, "priority") && !fg_one_of(str(in, "priority"), priorities))
		return fg_err_field(err, "invalid_field", "priority", "urgent, high, normal or low");
	if (json_object_get(in, "source") && !fg_one_of(str(in, "source"), sources))
		return fg_err_field(err, "invalid_field", "source", "customer, schedule, alarm or manager");
	const char *team = str(in, "team_id");
	if (team) {
		json_t *o = org_get(db, team);
		if (!o)
			return fg_err_field(err, "invalid_field", "team_id", "no such org unit");
		json_decref(o);
	}
	json_t *due = json_object_get(in, "due_at");
	if (due && !json_is_null(due) && json_integer_value(due) <= 0)
		return fg_err_field(err, "invalid_field", "due_at", "epoch milliseconds");
	if (json_object_get(in, "title") && !*str(in, "title"))
		return fg_err_field(err, "invalid_field", "title", "must not be empty");
	const char *phone = str(in, "contact_phone");
	if (phone) { /* what a person dials: digits, and + - space ( ) between them */
		size_t digits = 0;
		for (const char *c = phone; *c; c++) {
			if (*c >= '0' && *c <= '9')
				digits++;
			else if (!strchr("+- ()", *c))
				return fg_err_field(err, "invalid_field", "contact_phone", "digits, + - ( ) and spaces");
		}
		if (digits < 5)
			return fg_err_field(err, "invalid_field", "contact_phone", "at least 5 digits");
	}
	static const char *const window[] = {"appointment_from", "appointment_to"};
	for (int i = 0; i < 2; i++) {
		json_t *v = json_object_get(in, window[i]);
		if (v && !json_is_null(v) && json_integer_value(v) <= 0)
			return fg_err_field(err, "invalid_field", window[i], "epoch milliseconds");
	}
	return 0;
}

/* The appointment window as it will be after the change (in over cur): its end not before its start. */
static int
check_window(json_t *cur, json_t *in, fg_err_t *err)
{
	json_t *f = json_object_get(in, "appointment_from"), *t = json_object_get(in, "appointment_to");
	if (!f && cur)
		f = json_object_get(cur, "appointment_from");
	if (!t && cur)
		t = json_object_get(cur, "appointment_to");
	if (json_is_integer(f) && json_is_integer(t) && json_integer_value(t) < json_integer_value(f))
		return fg_err_field(err, "invalid_field", "appointment_to", "not before appointment_from");
	return 0;
}

void
orders_mask(db_t *db, const auth_user_t *u, json_t *o)
{
	if (!o || !u || perm_allows(u->roles, "customers.contact") || perm_allows(u->roles, "orders.write"))
		return;
	const char *name = str(o, "contact_name"), *phone = str(o, "contact_phone");
	if (!name && !phone)
		return;
	json_t *pid = json_object_get(o, "plan_id");
	int rc;
	json_t *row = NULL;
	if (!pid) { /* a list row: the order's plan, if any */
		row = db_one(db_q(db, "SELECT plan_id FROM plan_orders po JOIN plans p ON p.id = po.plan_id "
				      "WHERE po.work_order_id = $1 AND p.status <> 'cancelled' ORDER BY p.created_at DESC LIMIT 1",
				 "t", str(o, "id")), &rc);
		pid = row ? json_object_get(row, "plan_id") : NULL;
	}
	bool crew = json_is_string(pid) && scope_plan_member(db, u->id, json_string_value(pid));
	json_decref(row);
	if (crew) /* the crew on its plan calls the customer */
		return;
	char m[256];
	if (name) {
		scope_mask_name(name, m, sizeof m);
		json_object_set_new(o, "contact_name", json_string(m));
	}
	if (phone) {
		scope_mask_phone(phone, m, sizeof m);
		json_object_set_new(o, "contact_phone", json_string(m));
	}
}

int
orders_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	const char *kind = str(in, "kind");
	json_t *wk = kb_find("work_kinds", "code", kind);
	char id[37], number[32], title[256];
	int64_t now = fg_now_ms();

	if (!wk) {
		fg_err_field(err, "invalid_field", "kind", "not a work kind of data/kb/work_kinds.json");
		fg_err_detail_str(err, "value", kind);
		return -1;
	}
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (check(db, in, err) || check_window(NULL, in, err) || counter_number(db, "GD", number) != 0)
		return db_fail(db, err);
	if (str(in, "title"))
		fg_fmt(title, sizeof title, "%s", str(in, "title"));
	else /* a readable default: what and for whom */
		fg_fmt(title, sizeof title, "%s%s%s", json_string_value(json_object_get(wk, "name_zh")),
		    str(in, "customer_name") ? " · " : "", str(in, "customer_name") ? str(in, "customer_name") : "");
	json_t *due = json_object_get(in, "due_at");
	fg_uuid7(id);
	if (db_run(db_q(db,
		"INSERT INTO work_orders (id, number, kind, status, priority, source, title, customer_name, customer_no, "
		"site_address, meter_asset_no, metering_point_no, description, team_id, due_at, created_by, created_at, "
		"updated_at) VALUES ($1, $2, $3, 'new', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
		"tttttttttttttntii", id, number, kind, str(in, "priority") ? str(in, "priority") : "normal",
		str(in, "source") ? str(in, "source") : "manager", title, str(in, "customer_name"), str(in, "customer_no"),
		str(in, "site_address"), str(in, "meter_asset_no"), str(in, "metering_point_no"), str(in, "description"),
		str(in, "team_id"), actor_id, now, now)) != DB_DONE)
		return db_fail(db, err);
	if (due && !json_is_null(due) &&
	    db_run(db_q(db, "UPDATE work_orders SET due_at = $1 WHERE id = $2", "it", (int64_t)json_integer_value(due), id)) !=
		DB_DONE)
		return db_fail(db, err);
	if ((str(in, "contact_name") || str(in, "contact_phone")) &&
	    db_run(db_q(db, "UPDATE work_orders SET contact_name = $1, contact_phone = $2 WHERE id = $3", "ttt",
		str(in, "contact_name"), str(in, "contact_phone"), id)) != DB_DONE)
		return db_fail(db, err);
	static const char *const window_sql[] = {"UPDATE work_orders SET appointment_from = $1 WHERE id = $2",
	    "UPDATE work_orders SET appointment_to = $1 WHERE id = $2"};
	for (int i = 0; i < 2; i++) {
		json_t *v = json_object_get(in, i ? "appointment_to" : "appointment_from");
		if (json_is_integer(v) && db_run(db_q(db, window_sql[i], "it", (int64_t)json_integer_value(v), id)) != DB_DONE)
			return db_fail(db, err);
	}
	json_t *after = orders_get(db, id);
	if (!after || flow_timers_sync(db, &orders_flow, id, true, now) != 0 || /* due_at: the flow's deadline */
	    audit_write(db, actor_id, "create", "work_order", id, NULL, after) != 0 || db_commit(db) != 0) {
		json_decref(after);
		return db_fail(db, err);
	}
	*out = after;
	return 0;
}

static const char *const text_fields[] = {"title", "priority", "customer_name", "customer_no", "site_address",
    "meter_asset_no", "metering_point_no", "description", "team_id", "contact_name", "contact_phone", NULL};

int
orders_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "work_orders", id) != 0)
		return db_fail(db, err);
	json_t *before = orders_get(db, id), *after = NULL;
	if (!before) {
		fg_err_not_found(err, "work_order", id);
		return db_fail(db, err);
	}
	const char *status = str(before, "status");
	if (db_check_version(before, in, err))
		goto fail;
	if (strcmp(status, "new") != 0 && strcmp(status, "planned") != 0) {
		fg_err(err, "invalid_transition");
		fg_err_detail_str(err, "state", status);
		fg_err_detail_str(err, "action", "update");
		goto fail;
	}
	if (check(db, in, err) || check_window(before, in, err))
		goto fail;
	qb_t q;
	qb_init(&q, "UPDATE work_orders SET version = version + 1, updated_at = ");
	qb_int(&q, fg_now_ms());
	for (int i = 0; text_fields[i]; i++) {
		json_t *v = json_object_get(in, text_fields[i]);
		if (!v)
			continue;
		qb_sql(&q, ", ");
		qb_sql(&q, text_fields[i]);
		qb_sql(&q, " = ");
		qb_text(&q, json_string_value(v)); /* null clears */
	}
	static const char *const int_fields[] = {"due_at", "appointment_from", "appointment_to", NULL};
	for (int i = 0; int_fields[i]; i++) {
		json_t *v = json_object_get(in, int_fields[i]);
		if (!v)
			continue;
		qb_sql(&q, ", ");
		qb_sql(&q, int_fields[i]);
		qb_sql(&q, " = ");
		if (json_is_null(v))
			qb_sql(&q, "NULL");
		else
			qb_int(&q, json_integer_value(v));
	}
	json_t *due = json_object_get(in, "due_at");
	qb_sql(&q, " WHERE id = ");
	qb_text(&q, id);
	int rc = db_run(qb_prepare(db, &q));
	qb_free(&q);
	if (rc == DB_DONE && due && flow_timers_sync(db, &orders_flow, id, false, fg_now_ms()) != 0) /* the deadline moves */
		rc = -1;
	if (rc != DB_DONE)
		goto fail;
	after = orders_get(db, id);
	if (!after || audit_write(db, actor_id, "update", "work_order", id, before, after) != 0 || db_commit(db) != 0)
		goto fail;
	json_decref(before);
	*out = after;
	return 0;
fail:
	json_decref(before);
	json_decref(after);
	return db_fail(db, err);
}

static void
where(qb_t *q, const void *filter)
{
	const orders_filter_t *f = filter;
	const char *cols[] = {"status", "kind", "team_id"};
	const char *vals[] = {f->status, f->kind, f->team_id};
	for (int i = 0; i < 3; i++) {
		if (vals[i]) {
			qb_sql(q, " AND ");
			qb_sql(q, cols[i]);
			qb_sql(q, " = ");
			qb_text(q, vals[i]);
		}
	}
	if (f->due_before) {
		qb_sql(q, " AND due_at < ");
		qb_int(q, f->due_before);
	}
	if (f->due_after) {
		qb_sql(q, " AND due_at >= ");
		qb_int(q, f->due_after);
	}
	if (f->q && *f->q) {
		char pat[300];
		fg_fmt(pat, sizeof pat, "%%%s%%", f->q);
		qb_sql(q, " AND (number LIKE ");
		qb_text(q, pat);
		qb_sql(q, " OR title LIKE ");
		qb_text(q, pat);
		qb_sql(q, " OR customer_no LIKE ");
		qb_text(q, pat);
		qb_sql(q, " OR customer_name LIKE ");
		qb_text(q, pat);
		qb_sql(q, ")");
	}
}

int
orders_list(db_t *db, const orders_filter_t *f, json_t **out, fg_err_t *err)
{
	/* newest first: the dispatcher's inbox */
	return qb_list(db, "SELECT " ORDER_COLS " FROM work_orders WHERE 1 = 1", "SELECT COUNT(*) AS n FROM work_orders WHERE 1 = 1",
		   where, f, "id", true, f->cursor, f->limit, out) == 0 ? 0 : fg_err(err, "internal");
}

int
orders_lock_for_plan(db_t *db, const char *plan_id)
{
	int rc;
	json_t *ids = db_all(db_q(db, "SELECT work_order_id AS id FROM plan_orders WHERE plan_id = $1 ORDER BY work_order_id", "t",
				 plan_id), &rc);
	if (!ids)
		return -1;
	size_t i;
	json_t *row;
	json_array_foreach(ids, i, row) if (db_lock_row(db, "work_orders", json_string_value(json_object_get(row, "id"))) != 0) {
		json_decref(ids);
		return -1;
	}
	json_decref(ids);
	return 0;
}

int
orders_emit_finished(db_t *db, const char *actor_id, const char *id, json_t *order, const char *from)
{
	json_t *d = json_pack("{s:O, s:O, s:O, s:s}", "number", json_object_get(order, "number"), "kind",
	    json_object_get(order, "kind"), "plan_id", json_object_get(order, "plan_id") ? json_object_get(order, "plan_id") : json_null(),
	    "from", from ? from : "");
	int rc = d ? events_emit(db, WORK_ORDER_FINISHED, "work_order", id, d, actor_id) : -1;
	json_decref(d);
	return rc;
}

int
orders_set_status_for_plan(db_t *db, const char *actor_id, const char *plan_id, const char *status)
{
	int rc;
	/* the orders' rows first (a no-op when the plan's transition locked them already), then the ones to move,
	 * read as locked: an order cancelled meanwhile stays cancelled */
	if (orders_lock_for_plan(db, plan_id) != 0)
		return -1;
	json_t *ids = db_all(db_q(db,
	    "SELECT work_order_id AS id FROM plan_orders po JOIN work_orders w ON w.id = po.work_order_id "
	    "WHERE po.plan_id = $1 AND w.status <> 'cancelled' AND w.status <> $2 ORDER BY po.work_order_id",
	    "tt", plan_id, status), &rc);
	if (!ids)
		return -1;
	size_t i;
	json_t *row;
	rc = 0;
	/* every order moves first, then the finished ones are announced, then all are audited: a subscriber to
	 * work_order.finished (an application completing its stage) locks its own rows before this transaction holds
	 * the audit chain's head, never after (docs/architecture.md, "Storage: concurrency") */
	json_array_foreach(ids, i, row) {
		const char *id = json_string_value(json_object_get(row, "id"));
		json_t *before = orders_get(db, id);
		if (!before || db_run(db_q(db, "UPDATE work_orders SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3",
			"tit", status, fg_now_ms(), id)) != DB_DONE) {
			json_decref(before);
			rc = -1;
			break;
		}
		json_object_set_new(row, "before", before);
		json_object_set_new(row, "after", orders_get(db, id));
		if (json_is_null(json_object_get(row, "after"))) {
			rc = -1;
			break;
		}
	}
	json_array_foreach(ids, i, row) {
		if (rc != 0 || strcmp(status, "done") != 0)
			break;
		rc = orders_emit_finished(db, actor_id, json_string_value(json_object_get(row, "id")), json_object_get(row, "after"),
		    json_string_value(json_object_get(json_object_get(row, "before"), "status")));
	}
	json_array_foreach(ids, i, row) {
		if (rc != 0)
			break;
		rc = audit_write(db, actor_id, status, "work_order", json_string_value(json_object_get(row, "id")),
		    json_object_get(row, "before"), json_object_get(row, "after"));
	}
	json_decref(ids);
	return rc == 0 ? 0 : -1;
}

int
orders_release_for_plan(db_t *db, const char *actor_id, const char *plan_id)
{
	int rc;
	if (orders_lock_for_plan(db, plan_id) != 0)
		return -1;
	json_t *ids = db_all(db_q(db, "SELECT w.id FROM plan_orders po JOIN work_orders w ON w.id = po.work_order_id "
				      "WHERE po.plan_id = $1 AND w.status = 'planned' ORDER BY w.id", "t", plan_id), &rc);
	if (!ids)
		return -1;
	size_t i;
	json_t *row;
	json_array_foreach(ids, i, row) {
		const char *oid = json_string_value(json_object_get(row, "id"));
		json_t *before = orders_get(db, oid);
		rc = db_run(db_q(db, "UPDATE work_orders SET status = 'new', version = version + 1, updated_at = $1 WHERE id = $2",
		    "it", fg_now_ms(), oid));
		json_t *after = orders_get(db, oid);
		int arc = rc == DB_DONE ? audit_write(db, actor_id, "release", "work_order", oid, before, after) : -1;
		json_decref(before);
		json_decref(after);
		if (arc != 0) {
			json_decref(ids);
			return -1;
		}
	}
	json_decref(ids);
	return 0;
}

/* Cancel guard: an order on a published or running plan is the crew's now; take it off the plan first. */
static int
gate_order_in_active_plan(flow_ctx_t *c, fg_err_t *gate)
{
	int rc;
	json_t *row = db_one(db_q(c->db,
	    "SELECT p.id, p.number FROM plan_orders po JOIN plans p ON p.id = po.plan_id "
	    "WHERE po.work_order_id = $1 AND p.status IN ('published', 'working', 'paused') LIMIT 1",
	    "t", c->id), &rc);
	if (rc < 0)
		return fg_err(gate, "internal");
	if (!row)
		return 0;
	fg_err(gate, "order_in_active_plan");
	fg_err_detail(gate, "plan_id", json_copy(json_object_get(row, "id")));
	fg_err_detail(gate, "plan_number", json_copy(json_object_get(row, "number")));
	json_decref(row);
	return -1;
}

const flow_guard_t order_guards[] = {
	{"order_not_in_active_plan", gate_order_in_active_plan},
	{NULL, NULL},
};

const flow_effect_t order_effects[] = {
	{NULL, NULL},
};
