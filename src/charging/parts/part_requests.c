#include <string.h>
#include "core/base/counter.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/auth/perm.h"
#include "fieldwork/interface/work_orders.h"
#include "charging/parts/parts.h"

#define R_COLS "r.id, r.number, r.status, r.work_order_id, w.number AS work_order_number, w.title AS work_order_title, " \
	       "r.depot_id, d.name AS depot_name, r.requested_by, u.display_name AS requested_by_name, r.note, r.issued_by, " \
	       "r.issued_at, r.settled_at, r.reject_reason, r.created_at, r.updated_at, r.version"
#define R_FROM " FROM part_requests r JOIN work_order_summaries w ON w.id = r.work_order_id JOIN part_depots d ON d.id = r.depot_id " \
	       "LEFT JOIN users u ON u.id = r.requested_by "

#define MAX_LINES 50

static json_t *
lines_of(db_t *db, const char *id, const char *depot_id)
{
	int rc;
	return db_all(db_q(db,
	    "SELECT l.part_id, p.code, p.name, p.unit, l.qty, l.consumed, l.returned, l.removed_serial, l.installed_serial, "
	    "CAST(COALESCE(s.on_hand, 0) AS BIGINT) AS on_hand FROM part_request_lines l JOIN parts p ON p.id = l.part_id "
	    "LEFT JOIN part_stock s ON s.part_id = l.part_id AND s.depot_id = $2 WHERE l.request_id = $1 ORDER BY p.code",
	    "tt", id, depot_id), &rc);
}

json_t *
parts_request_get(db_t *db, const char *id)
{
	int rc;
	json_t *r = db_one(db_q(db, "SELECT " R_COLS R_FROM "WHERE r.id = $1", "t", id), &rc);
	if (r)
		json_object_set_new(r, "lines", lines_of(db, id, fg_jstr(r, "depot_id")));
	return r;
}

static json_t *
load(db_t *db, const char *id)
{
	return parts_request_get(db, id);
}

const flow_binding_t parts_request_flow = {"part_request", "part_requests", "part_request", load, NULL, "parts.read", NULL};

json_t *
parts_requests(db_t *db, const char *status, const char *work_order_id, const char *depot_id, const char *requested_by)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT " R_COLS R_FROM
	    "WHERE (CAST($1 AS TEXT) IS NULL OR r.status = $1) AND (CAST($2 AS TEXT) IS NULL OR r.work_order_id = $2) "
	    "AND (CAST($3 AS TEXT) IS NULL OR r.depot_id = $3) AND (CAST($4 AS TEXT) IS NULL OR r.requested_by = $4) "
	    "ORDER BY r.id DESC LIMIT 500", "tttt", status, work_order_id, depot_id, requested_by), &rc);
	if (!rows)
		return NULL;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) json_object_set_new(r, "lines", lines_of(db, fg_jstr(r, "id"), fg_jstr(r, "depot_id")));
	return json_pack("{s:o}", "items", rows);
}

int
parts_request_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	json_t *lines = json_object_get(in, "lines"), *l;
	size_t n = json_array_size(lines), i, j;
	if (!json_is_array(lines) || n == 0 || n > MAX_LINES)
		return fg_err_field(err, "invalid_field", "lines", "1 to 50 lines of {part_id, qty}");
	json_array_foreach(lines, i, l) {
		json_t *q = json_object_get(l, "qty");
		if (!json_is_object(l) || !json_is_string(json_object_get(l, "part_id")) || !json_is_integer(q) ||
		    json_integer_value(q) <= 0 || json_integer_value(q) > 10000 || json_object_size(l) != 2) {
			fg_err_field(err, "invalid_field", "lines", "each line is {part_id, qty} with qty 1 to 10000");
			fg_err_detail_int(err, "line", (long long)i);
			return -1;
		}
		for (j = 0; j < i; j++)
			if (strcmp(fg_jstr(json_array_get(lines, j), "part_id"), fg_jstr(l, "part_id")) == 0) {
				fg_err_field(err, "invalid_field", "lines", "a part appears once; add up its quantity");
				fg_err_detail_int(err, "line", (long long)i);
				return -1;
			}
	}
	if (db_begin(db) != 0)
		return db_fail(db, err);
	int rc;
	if (work_orders_lock(db, fg_jstr(in, "work_order_id")) != 0)
		return db_fail(db, err);
	json_t *wo = work_orders_get(db, fg_jstr(in, "work_order_id"));
	if (!wo) {
		fg_err_field(err, "invalid_field", "work_order_id", "no such work order");
		return db_fail(db, err);
	}
	const char *st = fg_jstr(wo, "status");
	bool closed = strcmp(st, "done") == 0 || strcmp(st, "cancelled") == 0;
	json_decref(wo);
	if (closed) {
		fg_err_field(err, "work_order_closed", "work_order_id", NULL);
		return db_fail(db, err);
	}
	json_t *d = db_one(db_q(db, "SELECT id FROM part_depots WHERE id = $1", "t", fg_jstr(in, "depot_id")), &rc);
	if (!d) {
		fg_err_field(err, "invalid_field", "depot_id", "no such depot");
		return db_fail(db, err);
	}
	json_decref(d);
	char id[37], number[32];
	fg_uuid7(id);
	int64_t now = fg_now_ms();
	if (counter_number(db, "BJ", number) != 0 ||
	    db_run(db_q(db, "INSERT INTO part_requests (id, number, status, work_order_id, depot_id, requested_by, note, "
			    "created_at, updated_at) VALUES ($1, $2, 'requested', $3, $4, $5, $6, $7, $7)", "tttttti", id, number,
			    fg_jstr(in, "work_order_id"), fg_jstr(in, "depot_id"), actor_id, fg_jstr(in, "note"), now)) != DB_DONE)
		return db_fail(db, err);
	json_array_foreach(lines, i, l) {
		json_t *p = parts_get(db, fg_jstr(l, "part_id"));
		if (!p) {
			fg_err_field(err, "invalid_field", "lines", "no such part");
			fg_err_detail_int(err, "line", (long long)i);
			return db_fail(db, err);
		}
		json_decref(p);
		if (db_run(db_q(db, "INSERT INTO part_request_lines (request_id, part_id, qty) VALUES ($1, $2, $3)", "tti", id,
				fg_jstr(l, "part_id"), json_integer_value(json_object_get(l, "qty")))) != DB_DONE)
			return db_fail(db, err);
	}
	if (flow_timers_sync(db, &parts_request_flow, id, true, now) != 0) /* the keepers' deadline */
		return db_fail(db, err);
	return audit_commit(db, actor_id, "create", "part_request", id, NULL, parts_request_get(db, id), out, err);
}

/* ---- the flow's guards and effects (data/flows/part_request.json) ---- */

/* Every line can be issued from the depot now; the short ones are named with what is there. */
static int
g_stock_short(flow_ctx_t *c, fg_err_t *gate)
{
	json_t *short_lines = json_array(), *l;
	size_t i;
	json_array_foreach(json_object_get(c->row, "lines"), i, l) {
		if (json_integer_value(json_object_get(l, "on_hand")) < json_integer_value(json_object_get(l, "qty")))
			json_array_append_new(short_lines, json_pack("{s:O, s:O, s:O, s:O, s:O}", "part_id", json_object_get(l, "part_id"),
							   "code", json_object_get(l, "code"), "name", json_object_get(l, "name"), "qty",
							   json_object_get(l, "qty"), "on_hand", json_object_get(l, "on_hand")));
	}
	if (json_array_size(short_lines) == 0) {
		json_decref(short_lines);
		return 0;
	}
	fg_err(gate, "gate_part_stock_short");
	fg_err_detail(gate, "lines", short_lines);
	return -1;
}

/* The settlement accounts for every issued unit: per line, consumed + returned = qty. */
static int
g_settlement_balanced(flow_ctx_t *c, fg_err_t *gate)
{
	json_t *given = json_object_get(c->body, "lines"), *l, *g, *bad = json_array();
	size_t i, j;
	json_array_foreach(json_object_get(c->row, "lines"), i, l) {
		json_t *hit = NULL;
		json_array_foreach(given, j, g) if (json_is_object(g) && fg_jstr(g, "part_id") && strcmp(fg_jstr(g, "part_id"), fg_jstr(l, "part_id")) == 0) hit = g;
		json_t *cj = json_object_get(hit, "consumed"), *rj = json_object_get(hit, "returned");
		json_int_t qty = json_integer_value(json_object_get(l, "qty"));
		bool serials_ok = true;
		for (int k = 0; hit && k < 2; k++) {
			json_t *s = json_object_get(hit, k ? "installed_serial" : "removed_serial");
			serials_ok &= !s || json_is_null(s) || (json_is_string(s) && json_string_length(s) <= 60);
		}
		if (!hit || !serials_ok || !json_is_integer(cj) || !json_is_integer(rj) || json_integer_value(cj) < 0 ||
		    json_integer_value(rj) < 0 || json_integer_value(cj) + json_integer_value(rj) != qty)
			json_array_append_new(bad, json_pack("{s:O, s:O, s:I}", "part_id", json_object_get(l, "part_id"), "code",
							   json_object_get(l, "code"), "qty", qty));
	}
	if (json_array_size(given) != json_array_size(json_object_get(c->row, "lines")) && json_array_size(bad) == 0)
		json_array_append_new(bad, json_pack("{s:s}", "reason", "lines that are not on the request"));
	if (json_array_size(bad) == 0) {
		json_decref(bad);
		return 0;
	}
	fg_err(gate, "part_settlement_unbalanced");
	fg_err_detail(gate, "lines", bad);
	return -1;
}

static int
e_issue(flow_ctx_t *c, fg_err_t *err)
{
	json_t *l;
	size_t i;
	const char *depot = fg_jstr(c->row, "depot_id");
	json_array_foreach(json_object_get(c->row, "lines"), i, l) {
		if (parts_move(c->db, c->actor->id, depot, fg_jstr(l, "part_id"), "issue", -json_integer_value(json_object_get(l, "qty")),
			       c->id, err) < 0)
			return -1;
		if (parts_reorder_alert(c->db, depot, fg_jstr(l, "part_id")) != 0)
			return -1;
	}
	return db_run(db_q(c->db, "UPDATE part_requests SET issued_by = $1, issued_at = $2 WHERE id = $3", "tit", c->actor->id,
			   fg_now_ms(), c->id)) == DB_DONE ? 0 : -1;
}

/* What was used stays on the lines (with the serials out and in); what was not goes back to stock. */
static int
e_settle(flow_ctx_t *c, fg_err_t *err)
{
	json_t *g;
	size_t i;
	const char *depot = fg_jstr(c->row, "depot_id");
	json_array_foreach(json_object_get(c->body, "lines"), i, g) {
		json_int_t back = json_integer_value(json_object_get(g, "returned"));
		if (back > 0 && parts_move(c->db, c->actor->id, depot, fg_jstr(g, "part_id"), "return", back, c->id, err) < 0)
			return -1;
		if (db_run(db_q(c->db, "UPDATE part_request_lines SET consumed = $1, returned = $2, removed_serial = $3, "
				       "installed_serial = $4 WHERE request_id = $5 AND part_id = $6", "iitttt",
				json_integer_value(json_object_get(g, "consumed")), back, fg_jstr(g, "removed_serial"),
				fg_jstr(g, "installed_serial"), c->id, fg_jstr(g, "part_id"))) != DB_DONE)
			return -1;
	}
	return db_run(db_q(c->db, "UPDATE part_requests SET settled_at = $1 WHERE id = $2", "it", fg_now_ms(), c->id)) == DB_DONE
	    ? 0 : -1;
}

const flow_guard_t part_guards[] = {
	{"part_stock_short", g_stock_short},
	{"part_settlement_balanced", g_settlement_balanced},
	{NULL, NULL},
};

const flow_effect_t part_effects[] = {
	{"part_issue", e_issue},
	{"part_settle", e_settle},
	{NULL, NULL},
};
