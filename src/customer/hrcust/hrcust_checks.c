/* The checks the rules generate (hrcust.h): due dates by rule, one check per customer, rule and due day (unique key:
 * two generators racing make one), each a customer_safety_check work order with its checklist; recording, finishing
 * with the findings published (check_findings.h), escalating overdue ones. */
#include <stdlib.h>
#include <string.h>
#include "core/base/counter.h"
#include "core/base/day.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/auth/perm.h"
#include "core/calendar/calendar.h"
#include "core/events/events.h"
#include "core/flow/flow.h"
#include "shared/notify/notify.h"
#include "fieldwork/interface/work_orders.h"
#include "customer/interface/check_findings.h"
#include "shared/org/scope.h"
#include "customer/customers/customers.h"
#include "customer/hrcust/hrcust.h"
#include "shared/attach/attach.h"

#define C_COLS "k.id, k.number, k.customer_id, c.number AS customer_number, c.name AS customer_name, c.kind AS customer_kind, " \
	       "h.grade, h.voltage_level, k.rule, k.due_on, k.due_at, k.work_order_id, w.number AS work_order_number, " \
	       "w.status AS work_order_status, k.status, k.started_at, k.finished_at, k.finished_by, k.summary, k.findings, " \
	       "k.escalated_at, k.created_at, k.updated_at, k.version"
#define C_FROM " FROM hr_checks k JOIN customers c ON c.id = k.customer_id LEFT JOIN hr_customers h ON h.customer_id = k.customer_id " \
	       "LEFT JOIN work_order_summaries w ON w.id = k.work_order_id "

static const struct {
	const char *rule, *zh, *en;
} rule_names[] = {
    {"grade", "定期用电检查", "Periodic check"},
    {"dual_power", "双电源年度检查", "Dual-power yearly check"},
    {"self_power", "自备电源年度检查", "Self-provided power yearly check"},
    {"suspected", "疑似未登记自备电源检查", "Suspected unregistered power check"},
    {"temporary_before", "临时性重要客户活动前检查", "Before-event check"},
    {"temporary_during", "临时性重要客户活动期间检查", "During-event check"},
};

static const char *
rule_zh(const char *rule, bool en)
{
	for (size_t i = 0; i < sizeof rule_names / sizeof rule_names[0]; i++)
		if (strcmp(rule_names[i].rule, rule) == 0)
			return en ? rule_names[i].en : rule_names[i].zh;
	return rule;
}

/* The last millisecond of a day in Asia/Shanghai (UTC+8, no DST). */
static int64_t
end_of_day(const char *day)
{
	return (int64_t)(day_diff("1970-01-01", day) + 1) * 86400000LL - 8 * 3600000LL - 1;
}

/* ---- due days ---- */

/* A periodic rule's due day as of `day`: the latest check of the rule (its due day), else the entry's last check
 * before the ledger, plus the period; a period wholly past is skipped (one overdue check, not a pile), so the day
 * is the last one due on or before `day`, or the first after it. false when there is none. */
static bool
periodic_due(db_t *db, const char *cid, const char *rule, const char *last_checked, int months, const char *day, char out[11])
{
	if (months <= 0)
		return false;
	int rc;
	json_t *row = db_one(db_q(db, "SELECT MAX(due_on) AS d, MAX(finished_at) AS f FROM hr_checks WHERE customer_id = $1 AND rule = $2",
				      "tt", cid, rule), &rc);
	char anchor[11], done_day[11] = "";
	fg_fmt(anchor, sizeof anchor, "%s", row && fg_jstr(row, "d") ? fg_jstr(row, "d") : last_checked ? last_checked : day);
	/* a check done after its due day: the period counts from the day it was done */
	if (row && json_is_integer(json_object_get(row, "f")))
		cal_local_day(json_integer_value(json_object_get(row, "f")), done_day);
	if (*done_day && strcmp(done_day, anchor) > 0)
		fg_fmt(anchor, sizeof anchor, "%s", done_day);
	json_decref(row);
	if (!day_add_months(anchor, months, out))
		return false;
	char next[11];
	for (int guard = 0; guard < 1000 && day_add_months(out, months, next) && strcmp(next, day) <= 0; guard++)
		fg_fmt(out, 11, "%s", next);
	return true;
}

/* The n-th working day before `start` (n ≥ 1; n = 0: the day before). -1 with calendar_year_unknown. */
static int
working_days_before(const cal_t *cal, const char *start, int n, char out[11], fg_err_t *err)
{
	char d[11];
	fg_fmt(d, sizeof d, "%s", start);
	int counted = 0;
	for (int guard = 0; guard < 400; guard++) {
		if (!day_add_days(d, -1, d))
			return fg_err_field(err, "invalid_field", "event_start", "YYYY-MM-DD");
		bool w;
		if (cal_is_working_day(cal, d, &w, err) != 0)
			return -1;
		if (n == 0 || (w && ++counted == n)) {
			fg_fmt(out, 11, "%s", d);
			return 0;
		}
	}
	return fg_err(err, "internal");
}

/* The checks an entry calls for as of `day`: [{rule, due_on}] (due or not yet). */
static json_t *
dues_of(db_t *db, const cal_t *cal, json_t *rules, json_t *e, const char *day)
{
	json_t *a = json_array();
	const char *cid = fg_jstr(e, "customer_id"), *last = fg_jstr(e, "last_checked_on"), *grade = fg_jstr(e, "grade");
	char d[11];
	int months = (int)json_integer_value(json_object_get(hrcust_grade(rules, grade), "months"));
	if (periodic_due(db, cid, "grade", last, months, day, d))
		json_array_append_new(a, json_pack("{s:s, s:s}", "rule", "grade", "due_on", d));
	if (json_array_size(json_object_get(e, "dual_power")) &&
	    periodic_due(db, cid, "dual_power", last, (int)json_integer_value(json_object_get(rules, "dual_power_months")), day, d))
		json_array_append_new(a, json_pack("{s:s, s:s}", "rule", "dual_power", "due_on", d));
	if (json_array_size(json_object_get(e, "emergency_power")) &&
	    periodic_due(db, cid, "self_power", last, (int)json_integer_value(json_object_get(rules, "self_power_months")), day, d))
		json_array_append_new(a, json_pack("{s:s, s:s}", "rule", "self_power", "due_on", d));
	if (json_is_true(json_object_get(e, "suspected")) &&
	    periodic_due(db, cid, "suspected", last, (int)json_integer_value(json_object_get(rules, "suspected_months")), day, d))
		json_array_append_new(a, json_pack("{s:s, s:s}", "rule", "suspected", "due_on", d));
	const char *es = fg_jstr(e, "event_start"), *ee = fg_jstr(e, "event_end");
	if (grade && strcmp(grade, "temporary") == 0 && es && ee && strcmp(day, ee) <= 0) {
		fg_err_t err = FG_ERR_INIT;
		if (cal && working_days_before(cal, es, (int)json_integer_value(json_object_get(rules, "temporary_before_working_days")), d, &err) == 0)
			json_array_append_new(a, json_pack("{s:s, s:s}", "rule", "temporary_before", "due_on", d));
		else
			log_warn("hrcust: before-event check of %s not counted: %s", cid, err.code ? err.code : "no calendar");
		fg_err_clear(&err);
		json_array_append_new(a, json_pack("{s:s, s:s}", "rule", "temporary_during", "due_on", es));
	}
	return a;
}

/* ---- the checklist of a check ---- */

static void
add_list(json_t *out, json_t *rules, const char *name)
{
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(json_object_get(rules, "checklists"), name), i, x) {
		bool dup = false;
		size_t j;
		json_t *y;
		json_array_foreach(out, j, y) dup |= strcmp(fg_jstr(y, "code"), fg_jstr(x, "code")) == 0;
		if (!dup)
			json_array_append(out, x);
	}
}

static json_t *
checklist_for(json_t *rules, const char *rule, json_t *e)
{
	json_t *cl = json_array();
	if (strcmp(rule, "suspected") == 0)
		add_list(cl, rules, "suspected");
	if (strncmp(rule, "temporary", 9) == 0)
		add_list(cl, rules, "temporary");
	if (strcmp(rule, "grade") == 0 && hrcust_is_hv35(fg_jstr(e, "voltage_level")))
		add_list(cl, rules, "hv"); /* ≥ 35 kV: supply, receiving equipment, secondary systems, metering, operation */
	add_list(cl, rules, "base");
	return cl;
}

/* ---- generation ---- */

/* One check: 1 made, 0 made already (by this run's predecessor or a racing one), -1 error. Its own transaction. */
static int
make_one(db_t *db, const char *actor_id, json_t *rules, json_t *e, const char *rule, const char *due_on, json_t *items)
{
	const char *cid = fg_jstr(e, "customer_id");
	int rc;
	json_t *have = db_one(db_q(db, "SELECT id FROM hr_checks WHERE customer_id = $1 AND rule = $2 AND due_on = $3", "ttt", cid, rule, due_on), &rc);
	if (have || rc != DB_DONE) {
		json_decref(have);
		return have ? 0 : -1;
	}
	if (db_begin(db) != 0)
		return -1;
	char title[400], number[32], id[37];
	fg_fmt(title, sizeof title, "%s · %s · 到期 %s", rule_zh(rule, false), fg_jstr(e, "customer_name"), due_on);
	int64_t due_at = end_of_day(due_on), now = fg_now_ms();
	json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:I}", "kind", "customer_safety_check", "source", "schedule", "title", title,
	    "description", rule_zh(rule, false), "customer_no", fg_jstr(e, "customer_number"), "team_id", fg_jstr(e, "org_unit_id"), "due_at",
	    (json_int_t)due_at);
	json_object_set_new(in, "customer_name", json_string(fg_jstr(e, "customer_name")));
	json_t *wo = NULL;
	fg_err_t err = FG_ERR_INIT;
	rc = work_orders_create(db, actor_id, in, &wo, &err);
	json_decref(in);
	if (rc != 0 || counter_number(db, "AJ", number) != 0) {
		log_warn("hrcust: check %s/%s/%s: work order not made: %s", cid, rule, due_on, err.code ? err.code : "db");
		fg_err_clear(&err);
		json_decref(wo);
		db_rollback(db);
		return -1;
	}
	fg_uuid7(id);
	json_t *made = db_one(db_q(db, "INSERT INTO hr_checks (id, number, customer_id, rule, due_on, due_at, work_order_id, status, created_by, "
					 "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $9) "
					 "ON CONFLICT (customer_id, rule, due_on) DO NOTHING RETURNING id",
			       "tttttitti", id, number, cid, rule, due_on, due_at, fg_jstr(wo, "id"), actor_id, now), &rc);
	json_decref(wo);
	if (!made) { /* another generator made it first: its check and order stand, ours go */
		db_rollback(db);
		return rc == DB_DONE ? 0 : -1;
	}
	json_decref(made);
	json_t *cl = checklist_for(rules, rule, e), *x, *after = NULL;
	size_t i;
	int bad = 0;
	json_array_foreach(cl, i, x) {
		char iid[37];
		fg_uuid7(iid);
		bad |= db_run(db_q(db, "INSERT INTO hr_check_items (id, check_id, seq, code, area, text_zh, text_en) VALUES ($1, $2, $3, $4, $5, $6, $7)",
				   "ttittt" "t", iid, id, (int64_t)(i + 1), fg_jstr(x, "code"), fg_jstr(x, "area"), fg_jstr(x, "text_zh"),
				   fg_jstr(x, "text_en"))) != DB_DONE;
	}
	json_decref(cl);
	if (bad || !(after = hrcheck_get(db, NULL, id)) || audit_write(db, actor_id, "generate", "hr_check", id, NULL, after) != 0 ||
	    db_commit(db) != 0) {
		json_decref(after);
		db_rollback(db);
		return -1;
	}
	json_array_append_new(items, json_pack("{s:s, s:O, s:s, s:s, s:s}", "check_id", id, "number", json_object_get(after, "number"),
					   "customer_id", cid, "rule", rule, "due_on", due_on));
	json_decref(after);
	return 1;
}

static json_t *
entries(db_t *db)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT h.customer_id, c.number AS customer_number, c.name AS customer_name, c.org_unit_id, h.grade, "
					"h.voltage_level, h.emergency_power, h.dual_power, h.suspected, h.event_start, h.event_end, h.last_checked_on "
					"FROM hr_customers h JOIN customers c ON c.id = h.customer_id ORDER BY h.customer_id", ""), &rc);
	size_t i;
	json_t *e;
	json_array_foreach(rows, i, e) {
		static const char *const k[] = {"emergency_power", "dual_power"};
		for (int j = 0; j < 2; j++) {
			json_t *v = fg_jstr(e, k[j]) ? json_loads(fg_jstr(e, k[j]), 0, NULL) : NULL;
			json_object_set_new(e, k[j], v ? v : json_array());
		}
		json_object_set_new(e, "suspected", json_boolean(json_integer_value(json_object_get(e, "suspected"))));
	}
	return rows;
}

int
hrcust_generate(db_t *db, const char *actor_id, const char *day, json_t **out, fg_err_t *err)
{
	if (!day || !day_valid(day))
		return fg_err_field(err, "invalid_field", "on", "YYYY-MM-DD");
	json_t *rows = entries(db), *rules = hrcust_rules(db);
	if (!rows) {
		json_decref(rules);
		return fg_err(err, "internal");
	}
	fg_err_t ce = FG_ERR_INIT;
	cal_t *cal = cal_get(db, &ce);
	fg_err_clear(&ce);
	long lead = (long)json_integer_value(json_object_get(rules, "lead_days"));
	json_t *items = json_array(), *e, *d;
	size_t i, j;
	int failed = 0;
	json_array_foreach(rows, i, e) {
		json_t *dues = dues_of(db, cal, rules, e, day);
		json_array_foreach(dues, j, d) {
			const char *due = fg_jstr(d, "due_on");
			if (day_diff(day, due) <= lead && make_one(db, actor_id, rules, e, fg_jstr(d, "rule"), due, items) < 0)
				failed++;
		}
		json_decref(dues);
	}
	if (cal)
		cal_release(cal);
	json_decref(rows);
	json_decref(rules);
	*out = json_pack("{s:s, s:I, s:i, s:o}", "day", day, "created", (json_int_t)json_array_size(items), "failed", failed, "items", items);
	return 0;
}

int
hrcust_generate_job(db_t *db, int64_t now_ms)
{
	char day[11];
	cal_local_day(now_ms, day);
	json_t *out = NULL;
	fg_err_t e = FG_ERR_INIT;
	int rc = hrcust_generate(db, FLOW_SYSTEM_ID, day, &out, &e);
	int made = rc == 0 ? (int)json_integer_value(json_object_get(out, "created")) : -1;
	json_decref(out);
	fg_err_clear(&e);
	return made;
}

json_t *
hrcheck_next(db_t *db, json_t *rules, const cal_t *cal, json_t *e, const char *today)
{
	int rc;
	json_t *row = db_one(db_q(db, "SELECT id, number, rule, due_on FROM hr_checks WHERE customer_id = $1 AND status <> 'done' "
				      "ORDER BY due_on, id LIMIT 1", "t", fg_jstr(e, "customer_id")), &rc);
	if (row) {
		json_object_set_new(row, "overdue", json_boolean(strcmp(fg_jstr(row, "due_on"), today) < 0));
		json_object_set_new(row, "planned", json_false());
		return row;
	}
	/* none open: the earliest the rules will make */
	json_t *best = NULL, *dues = dues_of(db, cal, rules, e, today), *d;
	size_t i;
	json_array_foreach(dues, i, d) if (!best || strcmp(fg_jstr(d, "due_on"), fg_jstr(best, "due_on")) < 0) best = d;
	if (best)
		best = json_pack("{s:n, s:n, s:O, s:O, s:b, s:b}", "id", "number", "rule", json_object_get(best, "rule"), "due_on",
		    json_object_get(best, "due_on"), "overdue", strcmp(fg_jstr(best, "due_on"), today) < 0, "planned", 1);
	json_decref(dues);
	return best;
}

/* ---- reading ---- */

static json_t *
items_of(db_t *db, const char *id)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT it.id, it.seq, it.code, it.area, it.text_zh, it.text_en, it.result, it.note, it.photos, "
					"it.recorded_by, u.display_name AS recorded_by_name, it.recorded_at, it.version FROM hr_check_items it "
					"LEFT JOIN users u ON u.id = it.recorded_by WHERE it.check_id = $1 ORDER BY it.seq", "t", id), &rc);
	size_t i;
	json_t *it;
	json_array_foreach(rows, i, it) {
		const char *p = fg_jstr(it, "photos");
		json_t *ph = p ? json_loads(p, 0, NULL) : NULL;
		json_object_set_new(it, "photos", ph ? ph : json_array());
	}
	return rows;
}

static json_t *
shape(db_t *db, json_t *k, const char *today)
{
	json_object_set_new(k, "rule_name_zh", json_string(rule_zh(fg_jstr(k, "rule"), false)));
	json_object_set_new(k, "rule_name_en", json_string(rule_zh(fg_jstr(k, "rule"), true)));
	json_object_set_new(k, "overdue", json_boolean(strcmp(fg_jstr(k, "status"), "done") != 0 && strcmp(fg_jstr(k, "due_on"), today) < 0));
	const char *f = fg_jstr(k, "findings");
	json_t *fv = f ? json_loads(f, 0, NULL) : NULL;
	json_object_set_new(k, "findings", fv ? fv : json_null());
	int rc;
	json_t *c = db_one(db_q(db, "SELECT COUNT(*) AS total, COUNT(result) AS recorded, "
				    "COALESCE(SUM(CASE WHEN result = 'hazard' THEN 1 ELSE 0 END), 0) AS hazards FROM hr_check_items "
				    "WHERE check_id = $1", "t", fg_jstr(k, "id")), &rc);
	if (c)
		json_object_set_new(k, "counts", c);
	return k;
}

static bool
sees_name(const auth_user_t *u)
{
	return !u || perm_allows(u->roles, "customers.contact");
}

static void
mask(const auth_user_t *u, json_t *k)
{
	if (sees_name(u) || !fg_jstr(k, "customer_kind") || strcmp(fg_jstr(k, "customer_kind"), "resident") != 0)
		return;
	char m[256];
	customers_mask_name(fg_jstr(k, "customer_name"), m, sizeof m);
	json_object_set_new(k, "customer_name", json_string(m));
}

#define SCOPE_SQL(a, b)                                                                                                 \
	" AND (" a " = 1 OR c.org_unit_id IS NULL OR c.org_unit_id IN (WITH RECURSIVE down(id) AS (SELECT id FROM org_units " \
	"WHERE id = " b " UNION SELECT o.id FROM org_units o JOIN down d ON o.parent_id = d.id) SELECT id FROM down))"

json_t *
hrcheck_get(db_t *db, const auth_user_t *viewer, const char *id)
{
	int rc;
	bool all = !viewer || scope_company_wide(viewer);
	json_t *k = db_one(db_q(db, "SELECT " C_COLS C_FROM "WHERE k.id = $1" SCOPE_SQL("$2", "$3"), "tit", id, (int64_t)all,
				viewer ? viewer->org_unit_id : ""), &rc);
	if (!k)
		return NULL;
	char today[11];
	cal_local_day(fg_now_ms(), today);
	shape(db, k, today);
	json_t *items = items_of(db, id);
	json_object_set_new(k, "items", items ? items : json_array());
	mask(viewer, k);
	return k;
}

int
hrcheck_list(db_t *db, const hrcheck_filter_t *f, json_t **out, fg_err_t *err)
{
	char today[11];
	cal_local_day(fg_now_ms(), today);
	bool all = !f->viewer || scope_company_wide(f->viewer);
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT " C_COLS C_FROM "WHERE ($1 = '' OR k.customer_id = $1) AND ($2 = '' OR k.status = $2) AND "
					"($3 = '' OR k.rule = $3) AND ($4 = 0 OR (k.status <> 'done' AND k.due_on < $5))" SCOPE_SQL("$6", "$7")
					" ORDER BY k.due_on, k.id LIMIT 2000",
				   "tttit" "it", f->customer_id ? f->customer_id : "", f->status ? f->status : "", f->rule ? f->rule : "",
				   (int64_t)(f->overdue == 1), today, (int64_t)all, f->viewer ? f->viewer->org_unit_id : ""), &rc);
	if (!rows)
		return fg_err(err, "internal");
	size_t i;
	json_t *k;
	json_array_foreach(rows, i, k) {
		shape(db, k, today);
		mask(f->viewer, k);
	}
	*out = json_pack("{s:o, s:n, s:I}", "items", rows, "next_cursor", "total", (json_int_t)json_array_size(rows));
	return 0;
}

/* ---- recording and finishing ---- */

static int
follow(db_t *db, const char *actor_id, const char *wo, const char *status)
{
	if (!wo)
		return 0;
	fg_err_t e = FG_ERR_INIT;
	int rc = work_orders_follow(db, actor_id, wo, status, strcmp(status, "done") == 0 ? "customer_check_done" : "customer_check_start", true, &e);
	if (rc != 0)
		log_warn("hrcust: work order %s not moved to %s: %s", wo, status, e.code ? e.code : "?");
	fg_err_clear(&e);
	return rc;
}

static json_t *
item_row(db_t *db, const char *check_id, const char *code)
{
	int rc;
	return db_one(db_q(db, "SELECT id, check_id, code, area, text_zh, result, note, photos, recorded_by, recorded_at, version "
			       "FROM hr_check_items WHERE check_id = $1 AND code = $2", "tt", check_id, code), &rc);
}

int
hrcheck_record(db_t *db, const auth_user_t *actor, const char *id, const char *code, json_t *in, json_t **out, fg_err_t *err)
{
	static const char *const results[] = {"ok", "hazard", "na", NULL};
	const char *result = fg_jstr(in, "result"), *note = fg_jstr(in, "note");
	if (!fg_one_of(result, results))
		return fg_err_field(err, "invalid_field", "result", "ok, hazard or na");
	if (strcmp(result, "hazard") == 0 && fg_blank(note))
		return fg_err_field(err, "hrcheck_hazard_note_required", "note", "what the hazard is: it goes to the hazard record");
	json_t *k = NULL, *before = NULL, *photos = json_object_get(in, "photos");
	if (db_begin(db) != 0 || db_lock_row(db, "hr_checks", id) != 0)
		goto fail;
	k = hrcheck_get(db, actor, id);
	if (!k) {
		fg_err_not_found(err, "hr_check", id);
		goto fail;
	}
	if (strcmp(fg_jstr(k, "status"), "done") == 0) {
		fg_err(err, "hrcheck_done");
		goto fail;
	}
	before = item_row(db, id, code);
	if (!before) {
		fg_err_not_found(err, "hr_check_item", code);
		goto fail;
	}
	if (json_object_get(in, "version") && db_check_version(before, in, err))
		goto fail;
	if (attach_ids_check(db, photos, "photos", 20, NULL, err) != 0)
		goto fail;
	char *ph = photos && json_is_array(photos) ? json_dumps(photos, JSON_COMPACT) : NULL;
	int64_t now = fg_now_ms();
	int rc = db_run(db_q(db, "UPDATE hr_check_items SET result = $1, note = $2, photos = CASE WHEN $3 = 1 THEN $4 ELSE photos END, "
				 "recorded_by = $5, recorded_at = $6, version = version + 1 WHERE check_id = $7 AND code = $8",
			     "ttbttitt", result, note, photos != NULL, ph, actor->id, now, id, code));
	free(ph);
	if (rc != DB_DONE)
		goto fail;
	if (strcmp(fg_jstr(k, "status"), "open") == 0 &&
	    (db_run(db_q(db, "UPDATE hr_checks SET status = 'in_progress', started_at = $1, updated_at = $1, version = version + 1 WHERE id = $2",
			 "it", now, id)) != DB_DONE ||
		follow(db, actor->id, fg_jstr(k, "work_order_id"), "in_progress") != 0))
		goto fail;
	json_t *after = item_row(db, id, code);
	if (!after || audit_write(db, actor->id, "record", "hr_check_item", fg_jstr(before, "id"), before, after) != 0) {
		json_decref(after);
		goto fail;
	}
	json_decref(after);
	json_t *res = hrcheck_get(db, actor, id);
	if (!res || db_commit(db) != 0) {
		json_decref(res);
		goto fail;
	}
	json_decref(k);
	json_decref(before);
	*out = res;
	return 0;
fail:
	json_decref(k);
	json_decref(before);
	return db_fail(db, err);
}

/* The finish, by actor_id, read as viewer (NULL: the system, in full). */
static int
finish_as(db_t *db, const char *actor_id, const auth_user_t *viewer, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	json_t *before = NULL, *findings = NULL, *after = NULL;
	if (db_begin(db) != 0 || db_lock_row(db, "hr_checks", id) != 0)
		goto fail;
	before = hrcheck_get(db, viewer, id);
	if (!before) {
		fg_err_not_found(err, "hr_check", id);
		goto fail;
	}
	if (strcmp(fg_jstr(before, "status"), "done") == 0) {
		fg_err(err, "hrcheck_done");
		goto fail;
	}
	if (json_object_get(in, "version") && db_check_version(before, in, err))
		goto fail;
	json_t *counts = json_object_get(before, "counts");
	json_int_t total = json_integer_value(json_object_get(counts, "total")), rec = json_integer_value(json_object_get(counts, "recorded"));
	if (rec < total) {
		fg_err(err, "hrcheck_items_open");
		fg_err_detail_int(err, "open", (long long)(total - rec));
		goto fail;
	}
	findings = json_array();
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(before, "items"), i, it) {
		if (!fg_jstr(it, "result") || strcmp(fg_jstr(it, "result"), "hazard") != 0)
			continue;
		char desc[1200];
		fg_fmt(desc, sizeof desc, "%s：%s", fg_jstr(it, "text_zh"), fg_jstr(it, "note") ? fg_jstr(it, "note") : "");
		json_array_append_new(findings, json_pack("{s:O, s:s, s:O, s:O, s:s, s:O}", "customer_id", json_object_get(before, "customer_id"),
						    "check_id", id, "item_code", json_object_get(it, "code"), "area", json_object_get(it, "area"),
						    "description", desc, "photo_ids", json_object_get(it, "photos")));
	}
	char summary[2100];
	if (!fg_blank(fg_jstr(in, "summary")))
		fg_fmt(summary, sizeof summary, "%s", fg_jstr(in, "summary"));
	else
		fg_fmt(summary, sizeof summary, "%s：检查 %lld 项，发现隐患 %zu 项", rule_zh(fg_jstr(before, "rule"), false), (long long)total,
		    json_array_size(findings));
	int64_t now = fg_now_ms();
	char *ft = json_dumps(findings, JSON_COMPACT);
	int rc = db_run(db_q(db, "UPDATE hr_checks SET status = 'done', started_at = COALESCE(started_at, $1), finished_at = $1, finished_by = $2, "
				 "summary = $3, findings = $4, updated_at = $1, version = version + 1 WHERE id = $5",
			     "itttt", now, actor_id, summary, ft, id));
	free(ft);
	char day[11];
	cal_local_day(now, day);
	/* the customer's last check is this one: the next periodic checks count from their own due days, this is for people */
	if (rc != DB_DONE ||
	    db_run(db_q(db, "UPDATE hr_customers SET last_checked_on = $1 WHERE customer_id = $2 AND last_checked_on < $1", "tt", day,
			fg_jstr(before, "customer_id"))) != DB_DONE)
		goto fail;
	const char *wo = fg_jstr(before, "work_order_id");
	if (wo && (follow(db, actor_id, wo, "in_progress") != 0 || follow(db, actor_id, wo, "done") != 0))
		goto fail;
	json_t *ev = json_pack("{s:s, s:O, s:O, s:O, s:I, s:O}", "check_id", id, "number", json_object_get(before, "number"), "customer_id",
	    json_object_get(before, "customer_id"), "rule", json_object_get(before, "rule"), "finished_at", (json_int_t)now, "findings", findings);
	rc = events_emit(db, CHECK_FINDINGS, "customer_check", id, ev, actor_id);
	json_decref(ev);
	if (rc != 0 || !(after = hrcheck_get(db, viewer, id)))
		goto fail;
	json_t *ba = json_deep_copy(before), *aa = json_deep_copy(after);
	json_object_del(ba, "items");
	json_object_del(aa, "items");
	rc = audit_write(db, actor_id, "finish", "hr_check", id, ba, aa);
	json_decref(ba);
	json_decref(aa);
	if (rc != 0 || db_commit(db) != 0)
		goto fail;
	json_decref(before);
	json_decref(findings);
	*out = after;
	return 0;
fail:
	json_decref(before);
	json_decref(findings);
	json_decref(after);
	return db_fail(db, err);
}

int
hrcheck_finish(db_t *db, const auth_user_t *actor, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	return finish_as(db, actor->id, actor, id, in, out, err);
}

/* work_order.finished: field work finished a check's order itself (its plan ended) — the check follows when every
 * item is recorded, as the one who finished the order; otherwise it stays open for the checker (logged). Only a
 * database failure fails the delivery. */
int
hrcheck_on_order_finished(db_t *db, const fg_event_t *ev, fg_err_t *err)
{
	int rc;
	json_t *k = db_one(db_q(db, "SELECT k.id, (SELECT COUNT(*) FROM hr_check_items i WHERE i.check_id = k.id AND i.result IS NULL) AS open "
				    "FROM hr_checks k WHERE k.work_order_id = $1 AND k.status <> 'done'", "t", ev->entity_id), &rc);
	if (!k)
		return rc == DB_DONE ? 0 : fg_err(err, "internal");
	int out_rc = 0;
	if (json_integer_value(json_object_get(k, "open")) > 0)
		log_info("hrcust: work order %s finished with check %s still open: left to the checker", ev->entity_id, fg_jstr(k, "id"));
	else {
		json_t *in = json_object(), *out = NULL;
		out_rc = finish_as(db, ev->actor_id, NULL, fg_jstr(k, "id"), in, &out, err);
		json_decref(in);
		json_decref(out);
	}
	json_decref(k);
	return out_rc;
}

/* ---- escalation ---- */

int
hrcust_escalate(db_t *db, int64_t now_ms)
{
	char today[11];
	cal_local_day(now_ms, today);
	int rc, n = 0;
	json_t *rows = db_all(db_q(db, "SELECT k.id, k.number, k.rule, k.due_on, c.name AS customer_name FROM hr_checks k JOIN customers c ON "
					"c.id = k.customer_id WHERE k.status <> 'done' AND k.due_on < $1 AND k.escalated_at IS NULL ORDER BY k.due_on",
				   "t", today), &rc);
	if (!rows)
		return -1;
	json_t *managers = notify_role_users(db, "manager"), *cms = notify_role_users(db, "customer_manager"), *k;
	if (managers && cms)
		json_array_extend(managers, cms);
	size_t i, j;
	json_array_foreach(rows, i, k) {
		const char *id = fg_jstr(k, "id");
		if (db_begin(db) != 0 || db_lock_row(db, "hr_checks", id) != 0) {
			db_rollback(db);
			break;
		}
		json_t *before = hrcheck_get(db, NULL, id), *after = NULL, *u;
		/* finished or escalated by another server since the list was read: a finished check is history */
		if (!before || strcmp(fg_jstr(before, "status"), "done") == 0 || json_is_integer(json_object_get(before, "escalated_at"))) {
			json_decref(before);
			db_rollback(db);
			continue;
		}
		char title[300], body[300], key[80];
		fg_fmt(title, sizeof title, "用电检查逾期：%s", fg_jstr(k, "number"));
		fg_fmt(body, sizeof body, "%s · %s，应于 %s 前完成", fg_jstr(k, "customer_name"), rule_zh(fg_jstr(k, "rule"), false), fg_jstr(k, "due_on"));
		fg_fmt(key, sizeof key, "hr_check.overdue:%s", id);
		int bad = 0;
		json_array_foreach(managers, j, u) if (!bad && notify_add(db, fg_jstr(u, "id"), "hr_check_overdue", title, body, "hr_check", id, key) < 0)
			bad = 1;
		bad = bad || db_run(db_q(db, "UPDATE hr_checks SET escalated_at = $1 WHERE id = $2 AND escalated_at IS NULL AND status <> 'done'", "it", now_ms, id)) != DB_DONE ||
		      !(after = hrcheck_get(db, NULL, id)) || audit_write(db, FLOW_SYSTEM_ID, "escalate", "hr_check", id, before, after) != 0 ||
		      db_commit(db) != 0;
		json_decref(before);
		json_decref(after);
		if (bad) {
			db_rollback(db);
			continue;
		}
		n++;
	}
	json_decref(rows);
	json_decref(managers);
	json_decref(cms);
	return n;
}
