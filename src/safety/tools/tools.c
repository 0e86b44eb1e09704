#include <ctype.h>
#include <string.h>
#include "core/base/day.h"
#include "core/base/util.h"
#include "core/db/qb.h"
#include "core/audit/audit.h"
#include "core/auth/perm.h"
#include "safety/kb/kb.h"
#include "safety/interface/work.h"
#include "shared/notify/notify.h"
#include "safety/tools/tools.h"

#define TOOL_COLS                                                                                                      \
	"id, asset_no, kind, name, store, location, custody, last_test_date, last_test_result, next_test_due, plan_id, " \
	"holder_id, checked_out_at, checkout_device_at, created_at, updated_at, version"

/* The status people read: custody, unless a tool in store or in use is overdue or due soon. */
static json_t *
shape(json_t *t)
{
	char today[11];
	day_today(today);
	const char *custody = fg_jstr(t, "custody"), *due = fg_jstr(t, "next_test_due"), *status = custody;
	json_t *kind = kb_find("tool_kinds", "code", fg_jstr(t, "kind"));
	json_object_set(t, "kind_name", kind ? json_object_get(kind, "name_zh") : json_null());
	if (due) {
		long days = day_diff(today, due);
		json_object_set_new(t, "days_to_due", json_integer(days));
		if (strcmp(custody, "in_store") == 0 || strcmp(custody, "checked_out") == 0) {
			if (days < 0)
				status = "overdue";
			else if (days <= TOOLS_DUE_SOON_DAYS && strcmp(custody, "in_store") == 0)
				status = "test_due_soon";
		}
	} else {
		json_object_set_new(t, "days_to_due", json_null());
	}
	json_object_set_new(t, "status", json_string(status));
	return t;
}

json_t *
tools_get(db_t *db, const char *id)
{
	int rc;
	json_t *t = db_one(db_q(db, "SELECT " TOOL_COLS " FROM tools WHERE id = $1", "t", id), &rc);
	if (!t)
		return NULL;
	json_t *tests = db_all(db_q(db, "SELECT id, test_date, result, tester, report_no, note, recorded_at FROM tool_tests "
					"WHERE tool_id = $1 ORDER BY test_date DESC, id DESC LIMIT 20", "t", id), &rc);
	json_object_set_new(t, "tests", tests ? tests : json_array());
	return shape(t);
}

json_t *
tools_by_asset(db_t *db, const char *asset_no)
{
	int rc;
	json_t *row = db_one(db_q(db, "SELECT id FROM tools WHERE asset_no = $1", "t", asset_no), &rc);
	json_t *t = row ? tools_get(db, fg_jstr(row, "id")) : NULL;
	json_decref(row);
	return t;
}

static bool
asset_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || n > 40)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '/')
			return false;
	return true;
}

/* next due = last test + the kind's cycle; kinds with no calendar cycle (conductive shoes: by hours) have none */
static bool
due_after(const char *kind, const char *tested, char out[11])
{
	json_t *k = kb_find("tool_kinds", "code", kind);
	json_t *cyc = json_object_get(k, "test_cycle_months");
	if (!tested || !json_is_integer(cyc))
		return false;
	return day_add_months(tested, (int)json_integer_value(cyc), out);
}

static int
check_test(json_t *in, const char *date_key, const char *result_key, fg_err_t *err)
{
	const char *d = fg_jstr(in, date_key), *r = fg_jstr(in, result_key);
	char today[11];
	day_today(today);
	if (d && (!day_valid(d) || day_diff(today, d) > 0))
		return fg_err_field(err, "invalid_field", date_key, "YYYY-MM-DD, not in the future");
	if (r && strcmp(r, "pass") != 0 && strcmp(r, "fail") != 0)
		return fg_err_field(err, "invalid_field", result_key, "pass or fail");
	if ((d != NULL) != (r != NULL))
		return fg_err_field(err, "missing_field", d ? result_key : date_key, "a test has a date and a result");
	return 0;
}

/* characters, as the field specs of the HTTP glue count them */
static size_t
chars(const char *s)
{
	size_t n = 0;
	for (; s && *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static int
issue(tools_issue_t *out, int n, int max, const char *field, const char *code, const char *reason)
{
	if (n < max)
		out[n] = (tools_issue_t){field, code, reason};
	return n + 1;
}

int
tools_check_new(json_t *in, tools_issue_t *out, int max)
{
	static const struct {
		const char *field;
		size_t max;
	} lens[] = {{"name", 100}, {"store", 100}, {"location", 100}};
	const char *asset = fg_jstr(in, "asset_no"), *kind = fg_jstr(in, "kind"), *d = fg_jstr(in, "last_test_date"),
		   *r = fg_jstr(in, "last_test_result");
	char today[11];
	int n = 0;
	day_today(today);
	if (!asset)
		n = issue(out, n, max, "asset_no", "required_missing", "an asset number");
	else if (!asset_ok(asset))
		n = issue(out, n, max, "asset_no", "asset_no_invalid", "2-40 letters, digits, - _ /");
	if (!kind)
		n = issue(out, n, max, "kind", "required_missing", "a tool kind");
	else if (chars(kind) > 40 || !kb_find("tool_kinds", "code", kind))
		n = issue(out, n, max, "kind", "kind_unknown", "a tool kind of data/kb/tool_kinds.json");
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
		if (chars(fg_jstr(in, lens[i].field)) > lens[i].max)
			n = issue(out, n, max, lens[i].field, "value_too_long", "at most 100 characters");
	if (d && !day_valid(d))
		n = issue(out, n, max, "last_test_date", "date_invalid", "YYYY-MM-DD, not in the future");
	else if (d && day_diff(today, d) > 0)
		n = issue(out, n, max, "last_test_date", "date_in_future", "YYYY-MM-DD, not in the future");
	if (r && strcmp(r, "pass") != 0 && strcmp(r, "fail") != 0)
		n = issue(out, n, max, "last_test_result", "result_invalid", "pass or fail");
	if ((d != NULL) != (r != NULL))
		n = issue(out, n, max, d ? "last_test_result" : "last_test_date", "test_incomplete",
		    "a test has a date and a result");
	return n;
}

int
tools_insert(db_t *db, const char *actor_id, json_t *in, json_t **out)
{
	const char *kind = fg_jstr(in, "kind");
	char id[37], due[11] = "";
	int64_t now = fg_now_ms();
	bool has_due = due_after(kind, fg_jstr(in, "last_test_date"), due);
	bool failed = fg_jstr(in, "last_test_result") && strcmp(fg_jstr(in, "last_test_result"), "fail") == 0;
	fg_uuid7(id);
	int rc = db_run(db_q(db,
	    "INSERT INTO tools (id, asset_no, kind, name, store, location, custody, last_test_date, last_test_result, "
	    "next_test_due, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
	    "ttttttttttii", id, fg_jstr(in, "asset_no"), kind, fg_jstr(in, "name"), fg_jstr(in, "store"), fg_jstr(in, "location"),
	    failed ? "under_test" : "in_store", fg_jstr(in, "last_test_date"), fg_jstr(in, "last_test_result"), has_due ? due : NULL, now,
	    now));
	if (rc == DB_DONE && fg_jstr(in, "last_test_date")) { /* the test it arrives with starts its history */
		char tid[37];
		fg_uuid7(tid);
		rc = db_run(db_q(db,
		    "INSERT INTO tool_tests (id, tool_id, test_date, result, note, recorded_by, recorded_at) "
		    "VALUES ($1, $2, $3, $4, '入账时的最近一次试验', $5, $6)",
		    "ttttti", tid, id, fg_jstr(in, "last_test_date"), fg_jstr(in, "last_test_result"), actor_id, now));
	}
	if (rc != DB_DONE)
		return rc;
	json_t *after = tools_get(db, id);
	if (!after || audit_write(db, actor_id, "create", "tool", id, NULL, after) != 0) {
		json_decref(after);
		return DB_ERR;
	}
	*out = after;
	return DB_DONE;
}

int
tools_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	tools_issue_t is[1];
	if (tools_check_new(in, is, 1) > 0) /* the first rule broken, in the order the fields are listed */
		return fg_err_field(err, strcmp(is[0].code, "test_incomplete") == 0 ? "missing_field" : "invalid_field",
		    is[0].field, is[0].reason);
	if (db_begin(db) != 0)
		return db_fail(db, err);
	json_t *after = NULL;
	int rc = tools_insert(db, actor_id, in, &after);
	if (rc == DB_CONFLICT) {
		fg_err_field(err, "asset_no_taken", "asset_no", NULL);
		return db_fail(db, err);
	}
	if (rc != DB_DONE || db_commit(db) != 0) {
		json_decref(after);
		return db_fail(db, err);
	}
	*out = after;
	return 0;
}

int
tools_record_test(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	if (check_test(in, "test_date", "result", err))
		return -1;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "tools", id) != 0)
		return db_fail(db, err);
	json_t *before = tools_get(db, id), *after = NULL;
	if (!before) {
		fg_err_not_found(err, "tool", id);
		return db_fail(db, err);
	}
	const char *custody = fg_jstr(before, "custody");
	if (strcmp(custody, "scrapped") == 0 || strcmp(custody, "lost") == 0) {
		fg_err(err, "tool_not_available");
		fg_err_detail_str(err, "custody", custody);
		goto fail;
	}
	char tid[37], due[11] = "";
	fg_uuid7(tid);
	const char *date = fg_jstr(in, "test_date"), *result = fg_jstr(in, "result");
	if (db_run(db_q(db,
		"INSERT INTO tool_tests (id, tool_id, test_date, result, tester, report_no, note, recorded_by, recorded_at) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
		"tttttttti", tid, id, date, result, fg_jstr(in, "tester"), fg_jstr(in, "report_no"), fg_jstr(in, "note"), actor_id, fg_now_ms())) !=
	    DB_DONE)
		goto fail;
	/* only the newest test speaks for the tool; an older certificate entered late changes nothing */
	const char *last = fg_jstr(before, "last_test_date");
	if (!last || strcmp(date, last) >= 0) {
		bool pass = strcmp(result, "pass") == 0;
		bool has_due = due_after(fg_jstr(before, "kind"), date, due);
		const char *next_custody = !pass ? (strcmp(custody, "checked_out") == 0 ? "checked_out" : "under_test")
		    : (strcmp(custody, "under_test") == 0 ? "in_store" : custody);
		if (db_run(db_q(db,
			"UPDATE tools SET last_test_date = $1, last_test_result = $2, next_test_due = $3, custody = $4, "
			"updated_at = $5, version = version + 1 WHERE id = $6",
			"ttttit", date, result, has_due ? due : NULL, next_custody, fg_now_ms(), id)) != DB_DONE)
			goto fail;
	}
	after = tools_get(db, id);
	if (!after || audit_write(db, actor_id, "test", "tool", id, before, after) != 0 || db_commit(db) != 0)
		goto fail;
	json_decref(before);
	*out = after;
	return 0;
fail:
	json_decref(before);
	json_decref(after);
	return db_fail(db, err);
}

static bool
on_plan(json_t *plan, const auth_user_t *a)
{
	if (strcmp(fg_jstr(plan, "leader_id"), a->id) == 0)
		return true;
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(plan, "crew"), i, c) if (strcmp(fg_jstr(c, "id"), a->id) == 0) return true;
	return false;
}

/* device_at: the phone's time of the act (X-Device-Time, an offline scan replayed later), 0 when not sent */
static int
movement(db_t *db, const char *tool, const char *action, const char *plan, const char *user, const char *cond,
    const char *note, int64_t device_at)
{
	char id[37];
	fg_uuid7(id);
	return db_run(db_q(db,
		      "INSERT INTO tool_movements (id, tool_id, action, plan_id, user_id, condition, note, at, device_at) "
		      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULLIF(CAST($9 AS BIGINT), 0))",
		      "ttttttti" "i", id, tool, action, plan, user, cond, note, fg_now_ms(), device_at)) == DB_DONE
	    ? 0 : -1;
}

int
tools_checkout(db_t *db, const auth_user_t *actor, const char *id, const char *plan_id, json_t **out, fg_err_t *err)
{
	return tools_checkout_at(db, actor, id, plan_id, 0, out, err);
}

int
tools_checkout_at(db_t *db, const auth_user_t *actor, const char *id, const char *plan_id, int64_t device_at,
    json_t **out, fg_err_t *err)
{
	json_t *before = NULL, *plan = NULL, *after = NULL;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "tools", id) != 0)
		goto fail;
	before = tools_get(db, id);
	if (!before) {
		fg_err_not_found(err, "tool", id);
		goto fail;
	}
	plan = work_plan_get(db, plan_id);
	if (!plan) {
		fg_err_field(err, "invalid_field", "plan_id", "no such plan");
		goto fail;
	}
	const char *pst = fg_jstr(plan, "status");
	if (strcmp(pst, "cancelled") == 0 || strcmp(pst, "finished") == 0) {
		fg_err_field(err, "invalid_field", "plan_id", "the plan is cancelled or finished");
		goto fail;
	}
	if (!on_plan(plan, actor) && !(actor->roles & (ROLE_ADMIN | ROLE_TOOL_KEEPER))) {
		fg_err(err, "forbidden");
		fg_err_detail_str(err, "permission", "people on the plan, or a tool keeper");
		goto fail;
	}
	/* the rules of R3.6, in the order a keeper would check them */
	if (strcmp(fg_jstr(before, "custody"), "in_store") != 0) {
		fg_err(err, "tool_not_available");
		fg_err_detail(err, "custody", json_copy(json_object_get(before, "custody")));
		goto fail;
	}
	if (fg_jstr(before, "last_test_result") && strcmp(fg_jstr(before, "last_test_result"), "fail") == 0) {
		fg_err(err, "tool_test_failed");
		fg_err_detail(err, "last_test_date", json_copy(json_object_get(before, "last_test_date")));
		goto fail;
	}
	json_t *days = json_object_get(before, "days_to_due");
	json_t *kind = kb_find("tool_kinds", "code", fg_jstr(before, "kind"));
	bool cycled = json_is_integer(json_object_get(kind, "test_cycle_months"));
	if ((cycled && json_is_null(days)) || (json_is_integer(days) && json_integer_value(days) < 0)) {
		fg_err(err, "tool_test_overdue");
		fg_err_detail(err, "next_test_due", json_copy(json_object_get(before, "next_test_due")));
		goto fail;
	}
	if (db_run(db_q(db,
		"UPDATE tools SET custody = 'checked_out', plan_id = $1, holder_id = $2, checked_out_at = $3, updated_at = $3, "
		"checkout_device_at = NULLIF(CAST($5 AS BIGINT), 0), version = version + 1 WHERE id = $4", "ttiti", plan_id,
		actor->id, fg_now_ms(), id, device_at)) != DB_DONE ||
	    movement(db, id, "checkout", plan_id, actor->id, NULL, NULL, device_at) != 0)
		goto fail;
	after = tools_get(db, id);
	if (!after || audit_write(db, actor->id, "checkout", "tool", id, before, after) != 0 || db_commit(db) != 0)
		goto fail;
	json_t *warnings = json_array();
	if (json_is_integer(days) && json_integer_value(days) <= TOOLS_DUE_SOON_DAYS)
		json_array_append_new(warnings, json_pack("{s:s, s:O, s:O}", "code", "tool_test_due_soon", "days", days,
							 "next_test_due", json_object_get(before, "next_test_due")));
	json_decref(before);
	json_decref(plan);
	*out = json_pack("{s:o, s:o}", "tool", after, "warnings", warnings);
	return 0;
fail:
	json_decref(before);
	json_decref(plan);
	json_decref(after);
	return db_fail(db, err);
}

int
tools_return(db_t *db, const auth_user_t *actor, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	const char *cond = fg_jstr(in, "condition");
	if (!cond)
		cond = "good";
	const char *custody = strcmp(cond, "good") == 0 ? "in_store" : strcmp(cond, "damaged") == 0 ? "under_test"
	    : strcmp(cond, "lost") == 0 ? "lost" : NULL;
	if (!custody)
		return fg_err_field(err, "invalid_field", "condition", "good, damaged or lost");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "tools", id) != 0)
		return db_fail(db, err);
	json_t *before = tools_get(db, id), *after = NULL;
	if (!before) {
		fg_err_not_found(err, "tool", id);
		return db_fail(db, err);
	}
	if (strcmp(fg_jstr(before, "custody"), "checked_out") != 0) {
		fg_err(err, "tool_not_checked_out");
		goto fail;
	}
	if (db_run(db_q(db,
		"UPDATE tools SET custody = $1, plan_id = NULL, holder_id = NULL, checked_out_at = NULL, "
		"checkout_device_at = NULL, updated_at = $2, version = version + 1 WHERE id = $3", "tit", custody, fg_now_ms(),
		id)) != DB_DONE ||
	    movement(db, id, "return", fg_jstr(before, "plan_id"), actor->id, cond, fg_jstr(in, "note"),
		(int64_t)json_integer_value(json_object_get(in, "device_at"))) != 0)
		goto fail;
	after = tools_get(db, id);
	if (!after || audit_write(db, actor->id, "return", "tool", id, before, after) != 0 || db_commit(db) != 0)
		goto fail;
	json_decref(before);
	/* the phone's time of a return replayed from its outbox, beside the server's (the movement keeps both) */
	json_object_set_new(after, "return_device_at", json_object_get(in, "device_at") ? json_copy(json_object_get(in, "device_at")) : json_null());
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
	const tools_filter_t *f = filter;
	const char *cols[] = {"kind", "custody", "store", "plan_id"};
	const char *vals[] = {f->kind, f->custody, f->store, f->plan_id};
	char today[11], soon[11];
	for (int i = 0; i < 4; i++) {
		if (vals[i]) {
			qb_sql(q, " AND ");
			qb_sql(q, cols[i]);
			qb_sql(q, " = ");
			qb_text(q, vals[i]);
		}
	}
	day_today(today);
	if (f->status && strcmp(f->status, "overdue") == 0) {
		qb_sql(q, " AND custody IN ('in_store', 'checked_out') AND next_test_due < ");
		qb_text(q, today);
	} else if (f->status && strcmp(f->status, "test_due_soon") != 0 && !f->custody) {
		qb_sql(q, " AND custody = "); /* the other statuses are custodies */
		qb_text(q, f->status);
	} else if (f->status && strcmp(f->status, "test_due_soon") == 0 && day_add_days(today, TOOLS_DUE_SOON_DAYS, soon)) {
		qb_sql(q, " AND custody = 'in_store' AND next_test_due >= ");
		qb_text(q, today);
		qb_sql(q, " AND next_test_due <= ");
		qb_text(q, soon);
	}
	if (f->q && *f->q) {
		char pat[120];
		fg_fmt(pat, sizeof pat, "%%%s%%", f->q);
		qb_sql(q, " AND (asset_no LIKE ");
		qb_text(q, pat);
		qb_sql(q, " OR name LIKE ");
		qb_text(q, pat);
		qb_sql(q, ")");
	}
}

int
tools_list(db_t *db, const tools_filter_t *f, json_t **out, fg_err_t *err)
{
	if (qb_list(db, "SELECT " TOOL_COLS " FROM tools WHERE 1 = 1", "SELECT COUNT(*) AS n FROM tools WHERE 1 = 1", where, f,
		"id", false, f->cursor, f->limit, out) != 0)
		return fg_err(err, "internal");
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(*out, "items"), i, t) shape(t);
	return 0;
}

/* The tools a finished job held when it finished, from the movement history (checked out for the plan and not
 * returned by then): for jobs finished before job_records existed. Status is read as of today. */
static json_t *
held_at_finish(db_t *db, const char *plan_id, int64_t finished_at)
{
	int rc;
	json_t *rows = db_all(db_q(db,
	    "SELECT t.id, t.asset_no, t.kind, t.name, t.store, t.location, 'checked_out' AS custody, t.last_test_date, "
	    "t.last_test_result, t.next_test_due, m.plan_id, m.user_id AS holder_id, m.at AS checked_out_at, t.created_at, "
	    "t.updated_at, t.version FROM tool_movements m JOIN tools t ON t.id = m.tool_id "
	    "WHERE m.plan_id = $1 AND m.action = 'checkout' AND m.at <= $2 AND NOT EXISTS (SELECT 1 FROM tool_movements r "
	    "WHERE r.tool_id = m.tool_id AND r.action = 'return' AND r.at >= m.at AND r.at <= $2) ORDER BY t.id",
	    "ti", plan_id, finished_at), &rc);
	size_t i;
	json_t *t;
	json_array_foreach(rows, i, t) shape(t);
	return rows;
}

json_t *
tools_for_plan(db_t *db, const char *plan_id)
{
	/* a finished job shows what it held when it finished, whatever happened to the tools since */
	json_t *rec = work_plan_record_part(db, plan_id, "tools");
	if (rec)
		return rec;
	json_t *plan = work_plan_get(db, plan_id), *o, *n, *need = json_array(), *seen = json_object();
	if (!plan)
		return NULL;
	json_t *finished = json_object_get(plan, "finished_at");
	bool history = strcmp(fg_jstr(plan, "status"), "finished") == 0 && json_is_integer(finished);
	int64_t finished_at = history ? json_integer_value(finished) : 0;
	size_t i, j;
	/* the matching table: each work kind lists the tool kinds it needs (data/kb/work_kinds.json) */
	json_array_foreach(json_object_get(plan, "work_orders"), i, o) {
		json_t *wk = kb_find("work_kinds", "code", fg_jstr(o, "kind"));
		json_array_foreach(json_object_get(wk, "tool_kinds"), j, n) {
			json_t *tk = NULL, *k;
			size_t x;
			json_array_foreach(kb_items("tool_kinds"), x, k) if (strcmp(fg_jstr(k, "name_zh"), json_string_value(n)) == 0) tk = k;
			if (tk && !json_object_get(seen, fg_jstr(tk, "code"))) {
				json_object_set_new(seen, fg_jstr(tk, "code"), json_true());
				json_array_append_new(need, json_pack("{s:O, s:O}", "kind", json_object_get(tk, "code"), "name",
								json_object_get(tk, "name_zh")));
			}
		}
	}
	json_decref(seen);
	json_decref(plan);
	json_t *have;
	if (history) {
		have = held_at_finish(db, plan_id, finished_at);
	} else {
		tools_filter_t f = {.plan_id = plan_id, .limit = 200};
		json_t *out = NULL;
		fg_err_t e = FG_ERR_INIT;
		if (tools_list(db, &f, &out, &e) != 0) {
			json_decref(need);
			return NULL;
		}
		have = json_incref(json_object_get(out, "items"));
		json_decref(out);
	}
	if (!have) {
		json_decref(need);
		return NULL;
	}
	/* who holds each tool, by name: what the job's record keeps */
	json_t *t0;
	json_array_foreach(have, i, t0) {
		int urc;
		json_t *u = fg_jstr(t0, "holder_id") ? db_one(db_q(db, "SELECT display_name FROM users WHERE id = $1", "t",
							fg_jstr(t0, "holder_id")), &urc) : NULL;
		json_object_set(t0, "holder_name", u ? json_object_get(u, "display_name") : json_null());
		json_decref(u);
	}
	/* propose, for each kind not yet in hand, in-store tools that pass the check-out rules, soonest due first */
	json_t *propose = json_array(), *nd;
	char today[11];
	day_today(today);
	json_array_foreach(need, i, nd) {
		bool in_hand = false;
		json_t *t;
		json_array_foreach(have, j, t) in_hand |= strcmp(fg_jstr(t, "kind"), fg_jstr(nd, "kind")) == 0;
		json_object_set_new(nd, "in_hand", json_boolean(in_hand));
		if (in_hand || history)
			continue;
		int rc;
		json_t *rows = db_all(db_q(db,
		    "SELECT " TOOL_COLS " FROM tools WHERE kind = $1 AND custody = 'in_store' AND "
		    "(last_test_result IS NULL OR last_test_result = 'pass') AND (next_test_due IS NULL OR next_test_due >= $2) "
		    "ORDER BY next_test_due, asset_no LIMIT 3", "tt", fg_jstr(nd, "kind"), today), &rc);
		json_array_foreach(rows, j, t) json_array_append(propose, shape(t));
		json_decref(rows);
	}
	return json_pack("{s:o, s:o, s:o}", "needed", need, "checked_out", have, "proposed", propose);
}

json_t *
tools_due(db_t *db, int days)
{
	char today[11], until[11];
	int rc;
	day_today(today);
	if (!day_add_days(today, days, until))
		return NULL;
	json_t *rows = db_all(db_q(db,
	    "SELECT " TOOL_COLS " FROM tools WHERE custody IN ('in_store', 'checked_out') AND next_test_due IS NOT NULL "
	    "AND next_test_due <= $1 ORDER BY next_test_due, asset_no LIMIT 1000", "t", until), &rc);
	if (!rows)
		return NULL;
	size_t i;
	json_t *t;
	json_array_foreach(rows, i, t) shape(t);
	return rows;
}

/* Tools overdue or due within 30 and 7 days → every tool keeper, once per tool, due date and stage. */
static int
remind(db_t *db)
{
	int added = 0;
	json_t *keepers = notify_role_users(db, "tool_keeper"), *tools = tools_due(db, TOOLS_DUE_SOON_DAYS), *t, *k;
	size_t i, j;
	if (!keepers || !tools) {
		added = -1;
		goto out;
	}
	json_array_foreach(tools, i, t) {
		const char *kind = json_string_value(json_object_get(t, "kind_name")) ? json_string_value(json_object_get(t, "kind_name"))
										      : json_string_value(json_object_get(t, "kind"));
		const char *asset = json_string_value(json_object_get(t, "asset_no")), *due = json_string_value(json_object_get(t, "next_test_due"));
		const char *id = json_string_value(json_object_get(t, "id"));
		json_int_t days = json_integer_value(json_object_get(t, "days_to_due"));
		/* three moments worth a message: 30 days before, 7 days before, and overdue */
		const char *stage = days < 0 ? "overdue" : days <= 7 ? "due7" : "due30";
		char title[256], key[160];
		if (days < 0)
			fg_fmt(title, sizeof title, "工器具 %s（%s）已超过试验有效期（%s），禁止使用", asset, kind, due);
		else
			fg_fmt(title, sizeof title, "工器具 %s（%s）将于 %s 到期送检（剩余 %lld 天）", asset, kind, due, (long long)days);
		fg_fmt(key, sizeof key, "tool:%s:%s:%s", id, due, stage);
		json_array_foreach(keepers, j, k) {
			int r = notify_add(db, json_string_value(json_object_get(k, "id")), days < 0 ? "tool_overdue" : "tool_due", title,
			    NULL, "tool", id, key);
			if (r < 0) {
				added = -1;
				goto out;
			}
			added += r;
		}
	}
out:
	json_decref(keepers);
	json_decref(tools);
	return added;
}

int
tools_reminders(db_t *db)
{
	return notify_run_reminders(db, "tools", remind);
}
