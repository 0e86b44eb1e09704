/* Company-level emergency mode (R1.4): declaring, ending and reviewing an emergency, the scope it covers, the
 * relaxation it records on the work it touched, and the tools and parts its expected faults call for. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "core/audit/audit.h"
#include "core/base/counter.h"
#include "core/base/embed.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "shared/org/org.h"
#include "safety/interface/kb.h"
#include "fieldwork/emergency/emergency.h"

#define DAY_MS (24LL * 3600 * 1000)
#define EM_COLS                                                                                                        \
	"id, number, kind, title, note, fault_kinds, status, declared_by, declared_at, ended_by, ended_at, end_note, "  \
	"review_due_at, findings, lessons, reviewed_by, reviewed_at, created_at, updated_at, version"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static json_t *kinds_doc, *kits_doc;

static json_t *
load_file(const char *path)
{
	const embed_file_t *f = embed_find(path);
	json_t *j = f ? json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, NULL) : NULL;
	if (!j) {
		log_error("%s: missing or invalid", path);
		abort();
	}
	return j;
}

static void
load(void)
{
	kinds_doc = load_file("data/emergency/kinds.json");
	kits_doc = load_file("data/emergency/fault_kits.json");
}

json_t *
emergency_kinds(void)
{
	pthread_once(&once, load);
	return json_object_get(kinds_doc, "items");
}

json_t *
emergency_fault_kits(void)
{
	pthread_once(&once, load);
	return json_object_get(kits_doc, "items");
}

static json_t *
find(json_t *items, const char *code)
{
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) if (code && strcmp(fg_jstr(it, "code"), code) == 0) return it;
	return NULL;
}

/* The tools (safety tool kinds) and the parts to prepare for the expected faults, each once, with the faults that
 * call for it. */
static json_t *
prepare(json_t *fault_kinds)
{
	json_t *tools = json_array(), *parts = json_array(), *fk;
	size_t i, j;
	json_array_foreach(fault_kinds, i, fk) {
		json_t *kit = find(emergency_fault_kits(), json_string_value(fk)), *t, *p;
		if (!kit)
			continue;
		json_array_foreach(json_object_get(kit, "tools"), j, t) {
			json_t *have = NULL, *x;
			size_t k;
			json_array_foreach(tools, k, x) if (strcmp(fg_jstr(x, "kind"), json_string_value(t)) == 0) have = x;
			if (!have) {
				json_t *tk = kb_find("tool_kinds", "code", json_string_value(t));
				have = json_pack("{s:O, s:O, s:[]}", "kind", t, "name_zh",
				    tk ? json_object_get(tk, "name_zh") : t, "for");
				json_array_append_new(tools, have);
			}
			json_array_append(json_object_get(have, "for"), fk);
		}
		json_array_foreach(json_object_get(kit, "parts"), j, p) {
			json_t *c = json_deep_copy(p);
			json_object_set(c, "for", fk);
			json_array_append_new(parts, c);
		}
	}
	return json_pack("{s:o, s:o}", "tools", tools, "parts", parts);
}

json_t *
emergency_get(db_t *db, const char *id)
{
	int rc;
	json_t *e = db_one(db_q(db, "SELECT " EM_COLS " FROM emergencies WHERE id = $1", "t", id), &rc);
	if (!e)
		return NULL;
	json_t *fk = json_loads(fg_jstr(e, "fault_kinds") ? fg_jstr(e, "fault_kinds") : "[]", 0, NULL);
	json_object_set_new(e, "fault_kinds", fk ? fk : json_array());
	json_t *kind = find(emergency_kinds(), fg_jstr(e, "kind"));
	json_object_set(e, "kind_name", kind ? json_object_get(kind, "name_zh") : json_null());
	json_t *areas = db_all(db_q(db,
	    "SELECT o.id, o.name, o.kind FROM emergency_areas a JOIN org_units o ON o.id = a.org_unit_id "
	    "WHERE a.emergency_id = $1 ORDER BY o.name, o.id", "t", id), &rc);
	json_object_set_new(e, "areas", areas ? areas : json_array());
	json_t *wk = db_all(db_q(db, "SELECT work_kind FROM emergency_work_kinds WHERE emergency_id = $1 ORDER BY work_kind",
				"t", id), &rc), *w, *codes = json_array();
	size_t i;
	json_array_foreach(wk, i, w) json_array_append(codes, json_object_get(w, "work_kind"));
	json_decref(wk);
	json_object_set_new(e, "work_kinds", codes);
	json_object_set_new(e, "prepare", prepare(json_object_get(e, "fault_kinds")));
	json_t *rel = db_all(db_q(db,
	    "SELECT r.id, r.relaxation, r.plan_id, p.number AS plan_number, r.ticket_id, t.number AS ticket_number, "
	    "r.work_order_id, w.number AS work_order_number, r.created_at FROM emergency_relaxations r "
	    "LEFT JOIN plans p ON p.id = r.plan_id LEFT JOIN tickets t ON t.id = r.ticket_id "
	    "LEFT JOIN work_orders w ON w.id = r.work_order_id WHERE r.emergency_id = $1 ORDER BY r.created_at, r.id",
	    "t", id), &rc);
	json_object_set_new(e, "relaxations", rel ? rel : json_array());
	json_t *due = json_object_get(e, "review_due_at");
	json_object_set_new(e, "review_overdue", json_boolean(strcmp(fg_jstr(e, "status"), "review_due") == 0 &&
							       json_is_integer(due) && json_integer_value(due) < fg_now_ms()));
	return e;
}

json_t *
emergency_list(db_t *db, const char *status, bool overdue)
{
	int rc;
	json_t *rows = db_all(db_q(db,
	    "SELECT id FROM emergencies WHERE (CAST($1 AS TEXT) IS NULL OR status = $1) AND ($2 = 0 OR (status = 'review_due' AND "
	    "review_due_at < $3)) ORDER BY declared_at DESC, id LIMIT 200",
	    "tbi", status, overdue, fg_now_ms()), &rc);
	if (!rows)
		return NULL;
	json_t *items = json_array(), *r;
	size_t i;
	json_array_foreach(rows, i, r) {
		json_t *e = emergency_get(db, fg_jstr(r, "id"));
		if (e)
			json_array_append_new(items, e);
	}
	json_decref(rows);
	return json_pack("{s:o}", "items", items);
}

/* A non-empty array of distinct strings, each passing ok(). */
static int
codes(json_t *in, const char *field, bool (*ok)(db_t *, const char *), db_t *db, fg_err_t *err)
{
	json_t *a = json_object_get(in, field), *v;
	size_t i, j;
	if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > 100)
		return fg_err_field(err, "invalid_field", field, "a non-empty list");
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) || !ok(db, json_string_value(v))) {
			fg_err_field(err, "invalid_field", field, "an unknown entry");
			fg_err_detail(err, "value", json_copy(v));
			return -1;
		}
		for (j = 0; j < i; j++)
			if (json_equal(json_array_get(a, j), v))
				return fg_err_field(err, "invalid_field", field, "an entry given twice");
	}
	return 0;
}

static bool
ok_area(db_t *db, const char *id)
{
	json_t *o = org_get(db, id);
	json_decref(o);
	return o != NULL;
}

static bool
ok_work_kind(db_t *db, const char *code)
{
	return kb_find("work_kinds", "code", code) != NULL;
}

static bool
ok_fault_kind(db_t *db, const char *code)
{
	return find(emergency_fault_kits(), code) != NULL;
}

static bool
areas_overlap(db_t *db, json_t *a, json_t *b)
{
	size_t i, j;
	json_t *x, *y;
	json_array_foreach(a, i, x) json_array_foreach(b, j, y) {
		const char *u = json_string_value(x) ? json_string_value(x) : fg_jstr(x, "id");
		const char *v = json_string_value(y) ? json_string_value(y) : fg_jstr(y, "id");
		if (org_within(db, u, v) || org_within(db, v, u))
			return true;
	}
	return false;
}

static bool
kinds_share(json_t *a, json_t *b)
{
	size_t i, j;
	json_t *x, *y;
	json_array_foreach(a, i, x) json_array_foreach(b, j, y) if (json_equal(x, y)) return true;
	return false;
}

int
emergency_declare(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	const char *kind = fg_jstr(in, "kind"), *title = fg_jstr(in, "title");
	json_t *k = find(emergency_kinds(), kind);
	if (!k)
		return fg_err_field(err, "invalid_field", "kind", "a kind of data/emergency/kinds.json");
	if (fg_blank(title))
		return fg_err_field(err, "invalid_field", "title", "required");
	if (codes(in, "area_ids", ok_area, db, err) || codes(in, "work_kinds", ok_work_kind, db, err))
		return -1;
	json_t *fk = json_object_get(in, "fault_kinds");
	if (fk && !json_is_null(fk) && codes(in, "fault_kinds", ok_fault_kind, db, err))
		return -1;
	if (!fk || json_is_null(fk))
		fk = json_object_get(k, "default_fault_kinds");
	json_t *areas = json_object_get(in, "area_ids"), *wks = json_object_get(in, "work_kinds"), *act = NULL;
	char id[37], number[32];
	int64_t now = fg_now_ms();
	int rc;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	/* every declaration takes this one row first: a racing declaration reads the other's result below */
	if (db_lock_row(db, "emergency_locks", "declare") != 0)
		goto fail;
	act = db_all(db_q(db, "SELECT id, number FROM emergencies WHERE status = 'active' ORDER BY declared_at", ""), &rc);
	if (!act)
		goto fail;
	size_t i;
	json_t *a;
	json_array_foreach(act, i, a) {
		json_t *other = emergency_get(db, fg_jstr(a, "id"));
		bool clash = other && kinds_share(wks, json_object_get(other, "work_kinds")) &&
			     areas_overlap(db, areas, json_object_get(other, "areas"));
		json_decref(other);
		if (clash) {
			fg_err(err, "emergency_scope_overlap");
			fg_err_detail(err, "emergency_id", json_copy(json_object_get(a, "id")));
			fg_err_detail(err, "number", json_copy(json_object_get(a, "number")));
			goto fail;
		}
	}
	fg_uuid7(id);
	char *fks = json_dumps(fk, JSON_COMPACT);
	rc = counter_number(db, "YJ", number) == 0 &&
		     db_run(db_q(db,
			 "INSERT INTO emergencies (id, number, kind, title, note, fault_kinds, status, declared_by, declared_at, "
			 "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $8, $8)",
			 "ttttttti", id, number, kind, title, fg_jstr(in, "note"), fks, actor_id, now)) == DB_DONE
		 ? 0
		 : -1;
	free(fks);
	if (rc)
		goto fail;
	json_t *v;
	json_array_foreach(areas, i, v) if (db_run(db_q(db, "INSERT INTO emergency_areas (emergency_id, org_unit_id) VALUES ($1, $2)",
						    "tt", id, json_string_value(v))) != DB_DONE) goto fail;
	json_array_foreach(wks, i, v) if (db_run(db_q(db, "INSERT INTO emergency_work_kinds (emergency_id, work_kind) VALUES ($1, $2)",
						  "tt", id, json_string_value(v))) != DB_DONE) goto fail;
	json_decref(act);
	return audit_commit(db, actor_id, "declare", "emergency", id, NULL, emergency_get(db, id), out, err);
fail:
	json_decref(act);
	return db_fail(db, err);
}

/* A transition from one status to the next, by a conditional UPDATE: of two racing, the second finds the state
 * moved and is refused. */
static int
transition(db_t *db, const char *actor_id, const char *id, const char *from, const char *action, json_t *in,
    json_t **out, fg_err_t *err)
{
	json_t *before = NULL;
	int64_t now = fg_now_ms();
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "emergency_locks", "declare") != 0 || db_lock_row(db, "emergencies", id) != 0)
		goto fail;
	before = emergency_get(db, id);
	if (!before) {
		fg_err_not_found(err, "emergency", id);
		goto fail;
	}
	if (json_is_integer(json_object_get(in, "version")) && db_check_version(before, in, err)) /* version: optional */
		goto fail;
	if (strcmp(fg_jstr(before, "status"), from) != 0) {
		fg_err(err, "invalid_transition");
		fg_err_detail_str(err, "state", fg_jstr(before, "status"));
		fg_err_detail_str(err, "action", action);
		goto fail;
	}
	int rc;
	if (strcmp(action, "end") == 0)
		rc = db_run(db_q(db,
		    "UPDATE emergencies SET status = 'review_due', ended_by = $1, ended_at = $2, end_note = $3, review_due_at = $4, "
		    "updated_at = $2, version = version + 1 WHERE id = $5 AND status = 'active'",
		    "titit", actor_id, now, fg_jstr(in, "note"), now + EMERGENCY_REVIEW_DAYS * DAY_MS, id));
	else {
		if (fg_blank(fg_jstr(in, "findings")) || fg_blank(fg_jstr(in, "lessons"))) {
			fg_err_field(err, "invalid_field", fg_blank(fg_jstr(in, "findings")) ? "findings" : "lessons", "required");
			goto fail;
		}
		rc = db_run(db_q(db,
		    "UPDATE emergencies SET status = 'closed', findings = $1, lessons = $2, reviewed_by = $3, reviewed_at = $4, "
		    "updated_at = $4, version = version + 1 WHERE id = $5 AND status = 'review_due'",
		    "tttit", fg_jstr(in, "findings"), fg_jstr(in, "lessons"), actor_id, now, id));
	}
	if (rc != DB_DONE)
		goto fail;
	return audit_commit(db, actor_id, action, "emergency", id, before, emergency_get(db, id), out, err);
fail:
	json_decref(before);
	return db_fail(db, err);
}

int
emergency_end(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	return transition(db, actor_id, id, "active", "end", in, out, err);
}

int
emergency_review(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	return transition(db, actor_id, id, "review_due", "review", in, out, err);
}

/* Whether an emergency's scope holds the team and every kind of work. */
static bool
covers(db_t *db, const char *eid, const char *team_id, json_t *work_kinds)
{
	int rc;
	size_t i;
	json_t *k;
	json_array_foreach(work_kinds, i, k) {
		json_t *r = db_one(db_q(db, "SELECT 1 AS x FROM emergency_work_kinds WHERE emergency_id = $1 AND work_kind = $2",
				       "tt", eid, json_string_value(k)), &rc);
		json_decref(r);
		if (!r)
			return false;
	}
	json_t *areas = db_all(db_q(db, "SELECT org_unit_id FROM emergency_areas WHERE emergency_id = $1", "t", eid), &rc), *a;
	bool in = false;
	json_array_foreach(areas, i, a) if (org_within(db, team_id, fg_jstr(a, "org_unit_id"))) in = true;
	json_decref(areas);
	return in;
}

int
emergency_cover(db_t *db, const char *team_id, json_t *work_kinds, char id_out[37], fg_err_t *err)
{
	int rc;
	if (db_lock_row(db, "emergency_locks", "declare") != 0)
		return -1;
	json_t *rows = db_all(db_q(db,
	    "SELECT id, number, status, ended_at FROM emergencies ORDER BY CASE WHEN status = 'active' THEN 0 ELSE 1 END, "
	    "ended_at DESC, id LIMIT 500", ""), &rc), *r;
	if (!rows)
		return -1;
	size_t i;
	json_array_foreach(rows, i, r) {
		if (!team_id || !covers(db, fg_jstr(r, "id"), team_id, work_kinds))
			continue;
		if (strcmp(fg_jstr(r, "status"), "active") == 0) {
			fg_fmt(id_out, 37, "%s", fg_jstr(r, "id"));
			json_decref(rows);
			return 0;
		}
		fg_err(err, "emergency_ended"); /* the latest emergency over this work has ended */
		fg_err_detail(err, "emergency_id", json_copy(json_object_get(r, "id")));
		fg_err_detail(err, "number", json_copy(json_object_get(r, "number")));
		fg_err_detail(err, "ended_at", json_copy(json_object_get(r, "ended_at")));
		json_decref(rows);
		return -1;
	}
	json_decref(rows);
	fg_err(err, "emergency_out_of_scope");
	fg_err_detail_str(err, "team_id", team_id);
	fg_err_detail(err, "work_kinds", json_copy(work_kinds));
	return -1;
}

int
emergency_relax(db_t *db, const char *actor_id, const char *emergency_id, const char *relaxation,
    const char *plan_id, const char *ticket_id, json_t *work_orders)
{
	int64_t now = fg_now_ms();
	size_t i, n = json_array_size(work_orders);
	for (i = 0; i < (n ? n : 1); i++) {
		const char *wo = n ? fg_jstr(json_array_get(work_orders, i), "id") : NULL;
		char id[37];
		fg_uuid7(id);
		if (db_run(db_q(db,
			"INSERT INTO emergency_relaxations (id, emergency_id, relaxation, plan_id, ticket_id, work_order_id, "
			"created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
			"ttttttti", id, emergency_id, relaxation, plan_id, ticket_id, wo, actor_id, now)) != DB_DONE)
			return -1;
		json_t *after = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s?, s:I}", "id", id, "emergency_id", emergency_id,
		    "relaxation", relaxation, "plan_id", plan_id, "ticket_id", ticket_id, "work_order_id", wo, "created_at",
		    (json_int_t)now);
		int rc = audit_write(db, actor_id, "create", "emergency_relaxation", id, NULL, after);
		json_decref(after);
		if (rc != 0)
			return -1;
	}
	return 0;
}

#define RELAX_SQL(col)                                                                                                 \
	"SELECT r.emergency_id, e.number AS emergency_number, e.kind AS emergency_kind, e.title AS emergency_title, "    \
	"r.relaxation, MIN(r.created_at) AS created_at FROM emergency_relaxations r JOIN emergencies e ON e.id = "       \
	"r.emergency_id WHERE r." col " = $1 GROUP BY r.emergency_id, e.number, e.kind, e.title, r.relaxation "          \
	"ORDER BY MIN(r.created_at)"

json_t *
emergency_relaxations_of(db_t *db, const char *col, const char *id)
{
	int rc;
	/* a plan's or a ticket's relaxation is recorded once per work order: one row per emergency and relaxation */
	db_stmt_t *st = strcmp(col, "plan_id") == 0	    ? db_q(db, RELAX_SQL("plan_id"), "t", id)
			: strcmp(col, "ticket_id") == 0	    ? db_q(db, RELAX_SQL("ticket_id"), "t", id)
			: strcmp(col, "work_order_id") == 0 ? db_q(db, RELAX_SQL("work_order_id"), "t", id)
							    : NULL;
	if (!st)
		abort();
	json_t *a = db_all(st, &rc);
	return a ? a : json_array();
}
