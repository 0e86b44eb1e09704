/* The ledger of high-risk and important customers (hrcust.h): one entry per customer of the registry, its flags
 * judged when read against the rules in force. */
#include <stdlib.h>
#include <string.h>
#include "core/base/day.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/auth/perm.h"
#include "core/calendar/calendar.h"
#include "shared/org/scope.h"
#include "customer/customers/customers.h"
#include "customer/hrcust/hrcust.h"
#include "customer/interface/hazards.h"

#define COLS "h.customer_id, c.number AS customer_number, c.name AS customer_name, c.kind AS customer_kind, " \
	     "c.org_unit_id, h.grade, h.voltage_level, h.industry, h.sources, h.emergency_power, h.security_load_kw, " \
	     "h.dual_power, h.electricians, h.emergency_plan_id, h.suspected, h.suspected_reason, h.suspected_by, " \
	     "h.event_start, h.event_end, h.last_checked_on, h.note, h.created_by, h.created_at, h.updated_at, h.version"
#define FROM " FROM hr_customers h JOIN customers c ON c.id = h.customer_id "

static const char *const json_cols[] = {"sources", "emergency_power", "dual_power", "electricians", NULL};

static void
today(char out[11])
{
	cal_local_day(fg_now_ms(), out);
}

/* ---- judging an entry against the rules ---- */

static void
flag(json_t *flags, const char *code, json_t *detail)
{
	json_array_append_new(flags, json_pack("{s:s, s:o}", "code", code, "detail", detail ? detail : json_object()));
}

/* Adds supply, emergency and flags to the entry (parsed). */
static void
judge(json_t *e, json_t *rules, const char *day)
{
	json_t *g = hrcust_grade(rules, fg_jstr(e, "grade")), *flags = json_array(), *src = json_object_get(e, "sources"),
	       *ep = json_object_get(e, "emergency_power"), *x;
	size_t i, j;
	/* distinct substations among the sources */
	int subs = 0, sources = (int)json_array_size(src), mobile = 0;
	json_array_foreach(src, i, x) {
		bool seen = false;
		for (j = 0; j < i && !seen; j++)
			seen = fg_jstr(json_array_get(src, j), "substation") && fg_jstr(x, "substation") &&
			    strcmp(fg_jstr(json_array_get(src, j), "substation"), fg_jstr(x, "substation")) == 0;
		subs += !seen && fg_jstr(x, "substation");
	}
	json_int_t total = 0;
	json_array_foreach(ep, i, x) {
		total += json_integer_value(json_object_get(x, "capacity_kw"));
		mobile += fg_jstr(x, "kind") && strcmp(fg_jstr(x, "kind"), "mobile_generator") == 0;
	}
	if (json_is_true(json_object_get(g, "mobile_generator_counts")))
		sources += mobile;
	int min_s = (int)json_integer_value(json_object_get(g, "min_sources")), min_sub = (int)json_integer_value(json_object_get(g, "min_substations"));
	bool met = sources >= min_s && subs >= min_sub;
	json_object_set_new(e, "supply", json_pack("{s:i, s:i, s:i, s:i, s:b}", "sources", sources, "substations", subs, "min_sources", min_s,
					      "min_substations", min_sub, "met", met));
	if (!met)
		flag(flags, "supply_rule_unmet", json_pack("{s:i, s:i, s:i, s:i}", "sources", sources, "min_sources", min_s, "substations", subs,
						    "min_substations", min_sub));
	json_t *load = json_object_get(e, "security_load_kw");
	json_int_t min_pct = json_integer_value(json_object_get(rules, "emergency_share_min_percent"));
	json_t *share = json_integer_value(load) > 0 ? json_integer(total * 100 / json_integer_value(load)) : json_null();
	bool low = json_is_integer(share) && json_array_size(ep) > 0 && json_integer_value(share) < min_pct;
	json_object_set_new(e, "emergency", json_pack("{s:I, s:O, s:O, s:I, s:b}", "total_kw", total, "security_load_kw", load ? load : json_null(),
						 "share_percent", share, "min_percent", min_pct, "short", low));
	if (json_is_true(json_object_get(g, "needs_emergency_power")) && json_array_size(ep) == 0)
		flag(flags, "emergency_power_missing", NULL);
	if (low)
		flag(flags, "emergency_share_low", json_pack("{s:O, s:I}", "share_percent", share, "min_percent", min_pct));
	json_decref(share);
	json_array_foreach(json_object_get(e, "electricians"), i, x) {
		const char *vu = fg_jstr(x, "valid_until");
		if (vu && strcmp(vu, day) < 0)
			flag(flags, "electrician_certificate_expired", json_pack("{s:i, s:s}", "index", (int)i, "valid_until", vu));
	}
	const char *gr = fg_jstr(e, "grade");
	if (gr && strcmp(gr, "hv35") != 0 && strcmp(gr, "hv10") != 0 && !fg_jstr(e, "emergency_plan_id"))
		flag(flags, "emergency_plan_missing", NULL);
	if (json_is_true(json_object_get(e, "suspected")))
		flag(flags, "suspected_unregistered", json_pack("{s:s?}", "reason", fg_jstr(e, "suspected_reason")));
	json_object_set_new(e, "flags", flags);
	json_object_set_new(e, "grade_name_zh", json_string(fg_jstr(g, "name_zh") ? fg_jstr(g, "name_zh") : ""));
	json_object_set_new(e, "grade_name_en", json_string(fg_jstr(g, "name_en") ? fg_jstr(g, "name_en") : ""));
}

/* open: hazards_open_by_customer's map (NULL when it could not be read: the counts are then left out) */
static json_t *
shape(db_t *db, json_t *e, json_t *rules, const cal_t *cal, const char *day, json_t *open)
{
	for (int i = 0; json_cols[i]; i++) {
		const char *t = fg_jstr(e, json_cols[i]);
		json_t *v = t ? json_loads(t, 0, NULL) : NULL;
		json_object_set_new(e, json_cols[i], v ? v : json_array());
	}
	json_object_set_new(e, "suspected", json_boolean(json_integer_value(json_object_get(e, "suspected"))));
	judge(e, rules, day);
	json_t *next = hrcheck_next(db, rules, cal, e, day);
	json_object_set_new(e, "next_check", next ? next : json_null());
	/* overdue: an open check past its day (a planned one past its day is made by the next run, then counted) */
	json_object_set_new(e, "overdue", json_boolean(next && json_is_true(json_object_get(next, "overdue")) &&
							   !json_is_true(json_object_get(next, "planned"))));
	if (open) {
		json_t *n = json_object_get(open, fg_jstr(e, "customer_id"));
		json_object_set_new(e, "open_hazards", json_integer(json_integer_value(json_object_get(n, "open"))));
		json_object_set_new(e, "overdue_hazards", json_integer(json_integer_value(json_object_get(n, "overdue"))));
	}
	return e;
}

/* ---- masking ---- */

static void
mask_key(json_t *o, const char *k, void (*fn)(const char *, char *, size_t))
{
	const char *v = fg_jstr(o, k);
	if (!v)
		return;
	char m[256];
	fn(v, m, sizeof m);
	json_object_set_new(o, k, json_string(m));
}

static void
mask_one(const auth_user_t *u, json_t *e)
{
	bool contact = perm_allows(u->roles, "customers.contact");
	if (!contact && fg_jstr(e, "customer_kind") && strcmp(fg_jstr(e, "customer_kind"), "resident") == 0)
		mask_key(e, "customer_name", customers_mask_name);
	if (contact || perm_allows(u->roles, "hrcust.check"))
		return;
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(e, "electricians"), i, x) {
		mask_key(x, "name", customers_mask_name);
		mask_key(x, "phone", scope_mask_phone);
	}
}

void
hrcust_mask(const auth_user_t *viewer, json_t *v)
{
	if (!viewer || !v)
		return;
	json_t *items = json_object_get(v, "items"), *x;
	size_t i;
	if (json_is_array(items))
		json_array_foreach(items, i, x) mask_one(viewer, x);
	else
		mask_one(viewer, v);
}

/* ---- reading ---- */

/* The registry's scope rule (customers.h), as SQL: $k = 1 for company-wide, $k+1 the viewer's unit ('' none). */
#define SCOPE_SQL(a, b)                                                                                                 \
	" AND (" a " = 1 OR c.org_unit_id IS NULL OR c.org_unit_id IN (WITH RECURSIVE down(id) AS (SELECT id FROM org_units " \
	"WHERE id = " b " UNION SELECT o.id FROM org_units o JOIN down d ON o.parent_id = d.id) SELECT id FROM down))"

static json_t *
load(db_t *db, const auth_user_t *viewer, const char *customer_id)
{
	int rc;
	bool all = !viewer || scope_company_wide(viewer);
	return db_one(db_q(db, "SELECT " COLS FROM "WHERE h.customer_id = $1" SCOPE_SQL("$2", "$3"), "tit", customer_id, (int64_t)all,
			  viewer ? viewer->org_unit_id : ""), &rc);
}

json_t *
hrcust_get(db_t *db, const auth_user_t *viewer, const char *customer_id)
{
	json_t *e = load(db, viewer, customer_id);
	if (!e)
		return NULL;
	char day[11];
	today(day);
	json_t *rules = hrcust_rules(db);
	fg_err_t ce = FG_ERR_INIT;
	cal_t *cal = cal_get(db, &ce);
	fg_err_clear(&ce);
	json_t *open = hazards_open_by_customer(db);
	shape(db, e, rules, cal, day, open);
	json_decref(open);
	if (cal)
		cal_release(cal);
	json_decref(rules);
	int rc;
	json_t *checks = db_all(db_q(db, "SELECT id, number, rule, due_on, status, finished_at FROM hr_checks WHERE customer_id = $1 "
					 "ORDER BY due_on DESC, id DESC LIMIT 20", "t", customer_id), &rc);
	json_object_set_new(e, "checks", checks ? checks : json_array());
	hrcust_mask(viewer, e);
	return e;
}

int
hrcust_list(db_t *db, const hrcust_filter_t *f, json_t **out, fg_err_t *err)
{
	char day[11];
	today(day);
	bool all = !f->viewer || scope_company_wide(f->viewer);
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT " COLS FROM "WHERE ($1 = '' OR h.grade = $1) AND ($2 = 0 OR h.suspected = 1) AND "
					"($3 = 0 OR EXISTS (SELECT 1 FROM hr_checks k WHERE k.customer_id = h.customer_id AND k.status <> 'done' "
					"AND k.due_on < $4))" SCOPE_SQL("$5", "$6") " ORDER BY c.number LIMIT 2000",
				   "tiiti" "t", f->grade ? f->grade : "", (int64_t)(f->suspected == 1), (int64_t)(f->overdue == 1), day,
				   (int64_t)all, f->viewer ? f->viewer->org_unit_id : ""), &rc);
	if (!rows)
		return fg_err(err, "internal");
	json_t *rules = hrcust_rules(db), *e;
	fg_err_t ce = FG_ERR_INIT;
	cal_t *cal = cal_get(db, &ce);
	fg_err_clear(&ce);
	size_t i;
	json_t *open = hazards_open_by_customer(db);
	json_array_foreach(rows, i, e) shape(db, e, rules, cal, day, open);
	json_decref(open);
	if (cal)
		cal_release(cal);
	json_decref(rules);
	*out = json_pack("{s:o, s:n, s:I}", "items", rows, "next_cursor", "total", (json_int_t)json_array_size(rows));
	hrcust_mask(f->viewer, *out);
	return 0;
}

/* ---- writing ---- */

static bool
day_ok(json_t *v)
{
	return json_is_string(v) && day_valid(json_string_value(v));
}

/* Each list's items: their shape, dates and numbers. */
static int
check_lists(db_t *db, json_t *in, const char *day, fg_err_t *err)
{
	static const char *const src_kinds[] = {"main", "backup", "temporary", NULL};
	static const char *const ep_kinds[] = {"diesel_generator", "gas_generator", "ups", "eps", "storage", "mobile_generator", NULL};
	json_t *a, *x;
	size_t i;
	if ((a = json_object_get(in, "sources"))) {
		if (!json_is_array(a) || json_array_size(a) > 10)
			return fg_err_field(err, "invalid_field", "sources", "up to 10 {name, substation, line?, kind main|backup|temporary}");
		json_array_foreach(a, i, x) if (fg_blank(fg_jstr(x, "name")) || fg_blank(fg_jstr(x, "substation")) ||
						(fg_jstr(x, "kind") && !fg_one_of(fg_jstr(x, "kind"), src_kinds)))
			return fg_err_field(err, "invalid_field", "sources", "up to 10 {name, substation, line?, kind main|backup|temporary}");
	}
	if ((a = json_object_get(in, "emergency_power"))) {
		const char *why = "up to 10 {kind diesel_generator|gas_generator|ups|eps|storage|mobile_generator, capacity_kw > 0, "
				  "last_start_test YYYY-MM-DD (not in the future)}";
		if (!json_is_array(a) || json_array_size(a) > 10)
			return fg_err_field(err, "invalid_field", "emergency_power", why);
		json_array_foreach(a, i, x) {
			json_t *t = json_object_get(x, "last_start_test");
			if (!fg_one_of(fg_jstr(x, "kind"), ep_kinds) || json_integer_value(json_object_get(x, "capacity_kw")) <= 0 ||
			    json_integer_value(json_object_get(x, "capacity_kw")) > 10000000 ||
			    (t && !json_is_null(t) && (!day_ok(t) || strcmp(json_string_value(t), day) > 0)))
				return fg_err_field(err, "invalid_field", "emergency_power", why);
		}
	}
	if ((a = json_object_get(in, "dual_power"))) {
		if (!json_is_array(a) || json_array_size(a) > 10)
			return fg_err_field(err, "invalid_field", "dual_power", "up to 10 {registered_on YYYY-MM-DD, second_source, note?}");
		json_array_foreach(a, i, x) if (!day_ok(json_object_get(x, "registered_on")) || fg_blank(fg_jstr(x, "second_source")))
			return fg_err_field(err, "invalid_field", "dual_power", "up to 10 {registered_on YYYY-MM-DD, second_source, note?}");
	}
	if ((a = json_object_get(in, "electricians"))) {
		const char *why = "up to 50 {name, phone?, qualification, certificate_no?, valid_until YYYY-MM-DD}";
		if (!json_is_array(a) || json_array_size(a) > 50)
			return fg_err_field(err, "invalid_field", "electricians", why);
		json_array_foreach(a, i, x) if (fg_blank(fg_jstr(x, "name")) || fg_blank(fg_jstr(x, "qualification")) ||
						!day_ok(json_object_get(x, "valid_until")))
			return fg_err_field(err, "invalid_field", "electricians", why);
	}
	json_t *v = json_object_get(in, "security_load_kw");
	if (v && !json_is_null(v) && (json_integer_value(v) <= 0 || json_integer_value(v) > 10000000))
		return fg_err_field(err, "invalid_field", "security_load_kw", "the 保安 load in kW, > 0");
	const char *plan = fg_jstr(in, "emergency_plan_id");
	if (plan) {
		int rc;
		json_t *a2 = db_one(db_q(db, "SELECT id FROM attachments WHERE id = $1", "t", plan), &rc);
		if (!a2)
			return fg_err_field(err, "invalid_field", "emergency_plan_id", "an uploaded attachment (POST /api/v1/attachments)");
		json_decref(a2);
	}
	v = json_object_get(in, "last_checked_on");
	if (v && (!day_ok(v) || strcmp(json_string_value(v), day) > 0))
		return fg_err_field(err, "invalid_field", "last_checked_on", "YYYY-MM-DD, not in the future");
	return 0;
}

/* The whole entry after the change (merged), checked: grade, voltage, the event window, the suspected flag. */
static int
check_entry(json_t *m, json_t *rules, fg_err_t *err)
{
	if (!hrcust_grade(rules, fg_jstr(m, "grade")))
		return fg_err_field(err, "invalid_field", "grade", "special, first, second, temporary, hv35 or hv10");
	if (fg_blank(fg_jstr(m, "voltage_level")))
		return fg_err_field(err, "missing_field", "voltage_level", "the supply voltage, e.g. 10kV, 35kV, 110kV");
	if (strcmp(fg_jstr(m, "grade"), "hv35") == 0 && !hrcust_is_hv35(fg_jstr(m, "voltage_level")))
		return fg_err_field(err, "invalid_field", "voltage_level", "35kV or above for grade hv35");
	if (strcmp(fg_jstr(m, "grade"), "temporary") == 0) {
		json_t *s = json_object_get(m, "event_start"), *e = json_object_get(m, "event_end");
		if (!s || json_is_null(s))
			return fg_err_field(err, "hrcust_event_required", "event_start", "a temporary customer's event: event_start and event_end");
		if (!e || json_is_null(e))
			return fg_err_field(err, "hrcust_event_required", "event_end", "a temporary customer's event: event_start and event_end");
	}
	json_t *s = json_object_get(m, "event_start"), *e = json_object_get(m, "event_end");
	if (s && !json_is_null(s) && !day_ok(s))
		return fg_err_field(err, "invalid_field", "event_start", "YYYY-MM-DD");
	if (e && !json_is_null(e) && (!day_ok(e) || (day_ok(s) && strcmp(json_string_value(e), json_string_value(s)) < 0)))
		return fg_err_field(err, "invalid_field", "event_end", "YYYY-MM-DD, not before event_start");
	return 0;
}

/* The suspected flag: set by hand (with a reason), or by rule from the industry — an industry that commonly keeps
 * standby generators and no emergency power registered — unless a person decided it (suspected_by 'hand'). */
static int
suspected_of(json_t *in, json_t *m, json_t *rules, fg_err_t *err)
{
	json_t *s = json_object_get(in, "suspected");
	if (s && !json_is_null(s)) {
		if (json_is_true(s) && fg_blank(fg_jstr(in, "suspected_reason")))
			return fg_err_field(err, "hrcust_suspected_reason_required", "suspected_reason",
			    "why the customer may have unregistered self-provided power");
		json_object_set_new(m, "suspected", json_integer(json_is_true(s)));
		json_object_set(m, "suspected_reason", json_is_true(s) ? json_object_get(in, "suspected_reason") : json_null());
		json_object_set_new(m, "suspected_by", json_string("hand"));
		return 0;
	}
	if (fg_jstr(m, "suspected_by") && strcmp(fg_jstr(m, "suspected_by"), "hand") == 0)
		return 0;
	const char *ind = fg_jstr(m, "industry");
	json_t *hit = NULL, *x;
	size_t i;
	json_array_foreach(json_object_get(rules, "suspected_industries"), i, x) if (ind && strcmp(fg_jstr(x, "code"), ind) == 0) hit = x;
	bool yes = hit && json_array_size(json_object_get(m, "emergency_power")) == 0;
	json_object_set_new(m, "suspected", json_integer(yes));
	if (yes) {
		char why[200];
		fg_fmt(why, sizeof why, "行业：%s（常配自备电源，未登记）", fg_jstr(hit, "name_zh"));
		json_object_set_new(m, "suspected_reason", json_string(why));
	} else
		json_object_set_new(m, "suspected_reason", json_null());
	json_object_set_new(m, "suspected_by", yes ? json_string("rule") : json_null());
	return 0;
}

static char *
dump(json_t *m, const char *k)
{
	json_t *v = json_object_get(m, k);
	return json_is_array(v) ? json_dumps(v, JSON_COMPACT) : strdup("[]");
}

static const char *const fields[] = {"grade", "voltage_level", "industry", "sources", "emergency_power", "security_load_kw", "dual_power",
    "electricians", "emergency_plan_id", "event_start", "event_end", "last_checked_on", "note", NULL};

/* Writes the merged entry m (insert or update) and audits before → after; in the open transaction. */
static int
save(db_t *db, const auth_user_t *actor, const char *cid, json_t *before, json_t *m, json_t **out, fg_err_t *err)
{
	char *t[4];
	for (int i = 0; i < 4; i++)
		t[i] = dump(m, json_cols[i]);
	int64_t now = fg_now_ms();
	json_t *load_kw = json_object_get(m, "security_load_kw");
	int rc;
	if (!before)
		rc = db_run(db_q(db, "INSERT INTO hr_customers (customer_id, grade, voltage_level, industry, sources, emergency_power, "
				     "security_load_kw, dual_power, electricians, emergency_plan_id, suspected, suspected_reason, suspected_by, "
				     "event_start, event_end, last_checked_on, note, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, "
				     "$6, NULLIF(CAST($7 AS BIGINT), 0), $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19)",
				 "ttttttittt" "ittttttti", cid, fg_jstr(m, "grade"), fg_jstr(m, "voltage_level"), fg_jstr(m, "industry"), t[0], t[1],
				 (int64_t)json_integer_value(load_kw), t[2], t[3], fg_jstr(m, "emergency_plan_id"),
				 (int64_t)json_integer_value(json_object_get(m, "suspected")), fg_jstr(m, "suspected_reason"), fg_jstr(m, "suspected_by"),
				 fg_jstr(m, "event_start"), fg_jstr(m, "event_end"), fg_jstr(m, "last_checked_on"), fg_jstr(m, "note"),
				 actor ? actor->id : NULL, now));
	else
		rc = db_run(db_q(db, "UPDATE hr_customers SET grade = $2, voltage_level = $3, industry = $4, sources = $5, emergency_power = $6, "
				     "security_load_kw = NULLIF(CAST($7 AS BIGINT), 0), dual_power = $8, electricians = $9, emergency_plan_id = $10, "
				     "suspected = $11, suspected_reason = $12, suspected_by = $13, event_start = $14, event_end = $15, "
				     "last_checked_on = $16, note = $17, updated_at = $18, version = version + 1 WHERE customer_id = $1",
				 "ttttttittt" "itttttti", cid, fg_jstr(m, "grade"), fg_jstr(m, "voltage_level"), fg_jstr(m, "industry"), t[0], t[1],
				 (int64_t)json_integer_value(load_kw), t[2], t[3], fg_jstr(m, "emergency_plan_id"),
				 (int64_t)json_integer_value(json_object_get(m, "suspected")), fg_jstr(m, "suspected_reason"), fg_jstr(m, "suspected_by"),
				 fg_jstr(m, "event_start"), fg_jstr(m, "event_end"), fg_jstr(m, "last_checked_on"), fg_jstr(m, "note"), now));
	for (int i = 0; i < 4; i++)
		free(t[i]);
	json_t *after = rc == DB_DONE ? hrcust_get(db, NULL, cid) : NULL;
	if (!after || audit_write(db, actor ? actor->id : NULL, before ? "update" : "create", "hr_customer", cid, before, after) != 0 ||
	    db_commit(db) != 0) {
		json_decref(after);
		return db_fail(db, err);
	}
	*out = after;
	return 0;
}

int
hrcust_create(db_t *db, const auth_user_t *actor, json_t *in, json_t **out, fg_err_t *err)
{
	char day[11];
	today(day);
	const char *cid = fg_jstr(in, "customer_id");
	json_t *rules = hrcust_rules(db), *m = NULL;
	if (db_begin(db) != 0)
		goto fail;
	json_t *c = customers_get(db, actor, cid);
	if (!c) {
		fg_err_not_found(err, "customer", cid);
		goto fail;
	}
	json_decref(c);
	if (db_lock_row(db, "customers", cid) != 0)
		goto fail;
	int rc;
	json_t *have = db_one(db_q(db, "SELECT customer_id FROM hr_customers WHERE customer_id = $1", "t", cid), &rc);
	if (have) {
		json_decref(have);
		fg_err_field(err, "hrcust_exists", "customer_id", "the customer is in the ledger already: edit its entry");
		goto fail;
	}
	m = json_object();
	for (int i = 0; fields[i]; i++)
		if (json_object_get(in, fields[i]))
			json_object_set(m, fields[i], json_object_get(in, fields[i]));
	if (!fg_jstr(m, "last_checked_on"))
		json_object_set_new(m, "last_checked_on", json_string(day));
	if (check_lists(db, in, day, err) || check_entry(m, rules, err) || suspected_of(in, m, rules, err))
		goto fail;
	rc = save(db, actor, cid, NULL, m, out, err);
	json_decref(m);
	json_decref(rules);
	return rc;
fail:
	json_decref(m);
	json_decref(rules);
	return db_fail(db, err);
}

int
hrcust_update(db_t *db, const auth_user_t *actor, const char *cid, json_t *in, json_t **out, fg_err_t *err)
{
	char day[11];
	today(day);
	json_t *rules = hrcust_rules(db), *m = NULL, *before = NULL;
	if (db_begin(db) != 0 || db_lock_row(db, "customers", cid) != 0)
		goto fail;
	before = hrcust_get(db, NULL, cid);
	json_t *visible = before ? load(db, actor, cid) : NULL;
	if (!visible) {
		fg_err_not_found(err, "hr_customer", cid);
		goto fail;
	}
	json_decref(visible);
	if (db_check_version(before, in, err))
		goto fail;
	m = json_object();
	for (int i = 0; fields[i]; i++)
		json_object_set(m, fields[i], json_object_get(in, fields[i]) ? json_object_get(in, fields[i]) : json_object_get(before, fields[i]));
	json_object_set_new(m, "suspected", json_integer(json_is_true(json_object_get(before, "suspected"))));
	json_object_set(m, "suspected_reason", json_object_get(before, "suspected_reason"));
	json_object_set(m, "suspected_by", json_object_get(before, "suspected_by"));
	if (check_lists(db, in, day, err) || check_entry(m, rules, err) || suspected_of(in, m, rules, err))
		goto fail;
	int rc = save(db, actor, cid, before, m, out, err);
	json_decref(m);
	json_decref(rules);
	json_decref(before);
	return rc;
fail:
	json_decref(m);
	json_decref(rules);
	json_decref(before);
	return db_fail(db, err);
}
