/* Metering field-service cases (meterproc.h): opening a case with its work order, the clocks from the flow's
 * limits, following field work, the 退补 calculation and its second person. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include "core/base/counter.h"
#include "core/base/day.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/auth/perm.h"
#include "shared/org/scope.h"
#include "fieldwork/interface/work_orders.h"
#include "fieldwork/interface/work_results.h"
#include "metering/meterproc/meterproc.h"
#include "metering/meterproc/meterproc_refund.h"

#define COLS                                                                                                           \
	"id, number, kind, status, point_no, asset_no, customer_name, customer_phone, subject, data, opened_at, due_at, "     \
	"work_order_id, work_order_ids, error_percent, out_of_tolerance, tested_at, fee_refunded, results, refund, "        \
	"calculated_by, calculated_at, approved_by, approved_at, answer, answered_at, closed_at, cancel_reason, created_by, " \
	"created_at, updated_at, version"

static const char *const kinds[] = {"disputed", "install", "fault", "first_inspection", "error", "retrofit", "collection", "periodic", NULL};
/* what a person opens; periodic cases are the daily run's (meterproc_periodic.c) */
static const char *const desk_kinds[] = {"disputed", "install", "fault", "first_inspection", "error", "retrofit", "collection", NULL};

/* ---- the flow's data: limits and work kinds, "by" a field of the case's data ---- */

/* A value of "limits" or "work_kinds" for the key: the value itself, or {by, values, default} picked by the
 * case's data field. Borrowed; NULL when none applies. */
static json_t *
pick(const char *table, const char *key, json_t *data)
{
	json_t *v = json_object_get(json_object_get(flow_def("metering_case"), table), key);
	json_t *by = json_object_get(v, "by");
	if (!json_is_string(by))
		return v;
	json_t *got = json_object_get(json_object_get(v, "values"), fg_jstr(data, json_string_value(by)) ? fg_jstr(data, json_string_value(by)) : "");
	return got ? got : json_object_get(v, "default");
}

int
meterproc_check(void)
{
	for (int i = 0; kinds[i]; i++) {
		json_t *l = json_object_get(json_object_get(flow_def("metering_case"), "limits"), kinds[i]);
		json_t *k = json_object_get(json_object_get(flow_def("metering_case"), "work_kinds"), kinds[i]);
		if (!json_is_object(l) || !k) {
			log_error("data/flows/metering_case.json: limits and work_kinds need %s", kinds[i]);
			return -1;
		}
	}
	return 0;
}

/* The last millisecond of a day in Asia/Shanghai (UTC+8, no DST): what a day's deadline means, as the engine's
 * working-day counts end. */
static int64_t
end_of_day(const char *day)
{
	long d = day_diff("1970-01-01", day);
	return (int64_t)(d + 1) * 86400000LL - 8 * 3600000LL - 1;
}

/* The due instant of `key`'s limit counted from `from`: working days through the engine (flow_deadline_due), or a
 * first inspection's calendar month from the energising day (data.energised_on): the standard's "within one month"
 * is a month of the calendar, so 09-15 → the end of 10-15 (a 31st → the next month's last day). 0 when no limit
 * applies, or the calendar does not know the year yet (the case stands without a due date; logged). -1 on a db
 * error. */
static int
due_for(db_t *db, const char *key, json_t *data, int64_t from, int64_t *due)
{
	*due = 0;
	json_t *lim = json_object_get(json_object_get(flow_def("metering_case"), "limits"), key), *after = NULL;
	json_t *n = json_is_string(json_object_get(lim, "by")) ? pick("limits", key, data) : json_object_get(lim, "working_days");
	if (json_is_string(json_object_get(lim, "data_day"))) { /* a day the case carries: a periodic task's due day */
		const char *on = fg_jstr(data, json_string_value(json_object_get(lim, "data_day")));
		if (on && day_valid(on))
			*due = end_of_day(on);
		return 0;
	}
	if (json_integer_value(json_object_get(lim, "months")) > 0) {
		char day[11];
		const char *on = fg_jstr(data, "energised_on");
		if (on && day_add_months(on, (int)json_integer_value(json_object_get(lim, "months")), day))
			*due = end_of_day(day);
		return 0;
	}
	if (json_integer_value(n) > 0)
		after = json_pack("{s:I}", "working_days", json_integer_value(n));
	if (!after)
		return 0;
	fg_err_t e = FG_ERR_INIT;
	int rc = flow_deadline_due(db, from, after, due, &e);
	json_decref(after);
	if (rc == 0)
		return 0;
	bool unknown = e.code && strcmp(e.code, "calendar_year_unknown") == 0;
	log_warn("meterproc: %s limit from %lld not counted: %s", key, (long long)from, e.code ? e.code : "?");
	fg_err_clear(&e);
	*due = 0;
	return unknown ? 0 : -1;
}

/* ---- reading ---- */

static void
parse_text(json_t *row, const char *k, json_t *dflt)
{
	const char *t = fg_jstr(row, k);
	json_t *v = t ? json_loads(t, 0, NULL) : NULL;
	if (v)
		json_decref(dflt); /* the stored value wins; the default was never needed */
	json_object_set_new(row, k, v ? v : dflt);
}

static json_t *
shown(db_t *db, json_t *row, bool full, int64_t now)
{
	parse_text(row, "data", json_object());
	parse_text(row, "work_order_ids", json_array());
	parse_text(row, "results", json_null());
	parse_text(row, "refund", json_null());
	json_object_set_new(row, "fee_refunded", json_boolean(json_integer_value(json_object_get(row, "fee_refunded"))));
	json_t *due = json_object_get(row, "due_at");
	const char *st = fg_jstr(row, "status");
	bool open = strcmp(st, "closed") != 0 && strcmp(st, "cancelled") != 0;
	bool late = open && json_is_integer(due) && json_integer_value(due) < now;
	/* amber: within a day of the deadline (the states' warning) */
	bool nearly = open && !late && json_is_integer(due) && json_integer_value(due) - now < 24 * 3600000LL;
	json_object_set_new(row, "clock", json_pack("{s:O, s:b, s:b, s:s}", "due_at", due, "late", late, "nearly_late", nearly,
						"color", !open || !json_is_integer(due) ? "grey" : late ? "red" : nearly ? "amber" : "green"));
	if (!full)
		return row;
	/* the work orders as field work shows them (its published view) */
	int rc;
	char *text = json_dumps(json_object_get(row, "work_order_ids"), JSON_COMPACT);
	char sql[256];
	fg_fmt(sql, sizeof sql, "SELECT id, number, kind, title, status, priority, due_at FROM work_order_summaries WHERE id IN %s ORDER BY id",
	    db_in_json(db));
	json_t *wos = db_all(db_q(db, sql, "t", text), &rc);
	free(text);
	json_object_set_new(row, "work_orders", wos ? wos : json_array());
	json_t *h = flow_history(db, "metering_case", fg_jstr(row, "id"));
	json_object_set_new(row, "history", h ? h : json_array());
	json_t *d = flow_deadlines(db, "metering_case", fg_jstr(row, "id"), now);
	json_object_set_new(row, "clocks", d ? d : json_null());
	return row;
}

json_t *
meterproc_get(db_t *db, const char *id)
{
	int rc;
	json_t *row = db_one(db_q(db, "SELECT " COLS " FROM metering_cases WHERE id = $1", "t", id), &rc);
	return row ? shown(db, row, true, fg_now_ms()) : NULL;
}

/* The engine's view: the case as stored (parsed), without the extras; contacts masked (a transition's answer goes
 * to whoever fired it). */
static json_t *
load(db_t *db, const char *id)
{
	int rc;
	json_t *row = db_one(db_q(db, "SELECT " COLS " FROM metering_cases WHERE id = $1", "t", id), &rc);
	if (!row)
		return NULL;
	shown(db, row, false, fg_now_ms());
	meterproc_mask(NULL, row);
	return row;
}

const flow_binding_t meterproc_flow = {"metering_case", "metering_cases", "metering_case", load, NULL, "metering.read", NULL};

int
meterproc_list(db_t *db, const meterproc_filter_t *f, json_t **out, fg_err_t *err)
{
	int64_t now = fg_now_ms();
	int rc;
	const char *where = "($1 = '' OR kind = $1) AND ($2 = '' OR status = $2) AND "
			    "($3 < 0 OR ($3 = 1) = (status NOT IN ('closed', 'cancelled') AND due_at IS NOT NULL AND due_at < $4)) AND "
			    "($5 < 0 OR status NOT IN ('closed', 'cancelled'))";
	char sql[1024];
	fg_fmt(sql, sizeof sql, "SELECT " COLS " FROM metering_cases WHERE %s ORDER BY CASE WHEN due_at IS NULL THEN 1 ELSE 0 END, "
				"due_at, created_at, id LIMIT %d OFFSET %lld", where, f->limit, (long long)f->offset);
	json_t *rows = db_all(db_q(db, sql, "ttiii", f->kind ? f->kind : "", f->status ? f->status : "", (int64_t)f->late, now,
				   (int64_t)f->open), &rc);
	fg_fmt(sql, sizeof sql, "SELECT COUNT(*) AS n FROM metering_cases WHERE %s", where);
	json_t *n = db_one(db_q(db, sql, "ttiii", f->kind ? f->kind : "", f->status ? f->status : "", (int64_t)f->late, now, (int64_t)f->open), &rc);
	if (!rows || !n) {
		json_decref(rows);
		json_decref(n);
		return fg_err(err, "internal");
	}
	json_t *row;
	size_t i;
	json_array_foreach(rows, i, row) shown(db, row, false, now);
	int64_t total = json_integer_value(json_object_get(n, "n"));
	char next[32];
	fg_fmt(next, sizeof next, "%lld", (long long)(f->offset + f->limit));
	*out = json_pack("{s:o, s:o, s:I}", "items", rows, "next_cursor",
	    f->offset + (int64_t)json_array_size(rows) < total ? json_string(next) : json_null(), "total", (json_int_t)total);
	json_decref(n);
	return 0;
}

/* ---- masking ---- */

static void
mask_name(const char *in, char *out, size_t n)
{
	size_t i = 0, o = 0;
	if (!*in) {
		out[0] = 0;
		return;
	}
	do /* the first character, whole */
		out[o++] = in[i++];
	while (in[i] && ((unsigned char)in[i] & 0xC0) == 0x80 && o < n - 1);
	for (; in[i] && o < n - 1; i++)
		if (((unsigned char)in[i] & 0xC0) != 0x80)
			out[o++] = '*';
	out[o] = 0;
}

static void
mask_one(json_t *c)
{
	char buf[160];
	if (fg_jstr(c, "customer_name")) {
		mask_name(fg_jstr(c, "customer_name"), buf, sizeof buf);
		json_object_set_new(c, "customer_name", json_string(buf));
	}
	if (fg_jstr(c, "customer_phone")) {
		scope_mask_phone(fg_jstr(c, "customer_phone"), buf, sizeof buf);
		json_object_set_new(c, "customer_phone", json_string(buf));
	}
}

void
meterproc_mask(const auth_user_t *viewer, json_t *v)
{
	if (!v || (viewer && (perm_allows(viewer->roles, "customers.contact") || perm_allows(viewer->roles, "metering.write"))))
		return;
	json_t *items = json_object_get(v, "items"), *it;
	size_t i;
	if (json_is_array(items))
		json_array_foreach(items, i, it) mask_one(it);
	else
		mask_one(v);
}

/* ---- the work orders ---- */

/* A work order for the case's stage (key: the kind, or "replacement"), due with the stage, carrying the point and
 * the meter; its id becomes the case's open order. In the caller's transaction. */
static int
create_job(db_t *db, const char *actor_id, json_t *c, const char *key, int64_t due, fg_err_t *err)
{
	json_t *data = json_object_get(c, "data");
	const char *kind = json_string_value(pick("work_kinds", key, data));
	if (!kind)
		return fg_err(err, "internal");
	char title[300];
	fg_fmt(title, sizeof title, "%s · %s%s%s", strcmp(key, "replacement") == 0 ? "超差表计更换" : fg_jstr(c, "subject"), fg_jstr(c, "number"),
	    fg_jstr(c, "point_no") ? " · " : "", fg_jstr(c, "point_no") ? fg_jstr(c, "point_no") : "");
	json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", kind, "title", title, "priority",
	    strcmp(key, "replacement") == 0 || strcmp(key, "disputed") == 0 || strcmp(key, "fault") == 0 ? "high" : "normal", "source",
	    strcmp(fg_jstr(c, "kind"), "disputed") == 0 || strcmp(fg_jstr(c, "kind"), "fault") == 0 ? "customer"
	    : fg_jstr(data, "task") ? "schedule" /* generated from the assets (meterproc_periodic.c) */
				: "manager", "description", fg_jstr(c, "subject"));
	static const char *const copy[][2] = {{"point_no", "metering_point_no"}, {"asset_no", "meter_asset_no"}, {"customer_name", "customer_name"}};
	for (size_t i = 0; i < sizeof copy / sizeof copy[0]; i++)
		if (fg_jstr(c, copy[i][0]))
			json_object_set_new(in, copy[i][1], json_string(fg_jstr(c, copy[i][0])));
	if (fg_jstr(data, "site_address"))
		json_object_set_new(in, "site_address", json_string(fg_jstr(data, "site_address")));
	if (fg_jstr(data, "team_id"))
		json_object_set_new(in, "team_id", json_string(fg_jstr(data, "team_id")));
	if (due)
		json_object_set_new(in, "due_at", json_integer(due));
	json_t *wo = NULL;
	int rc = work_orders_create(db, actor_id, in, &wo, err);
	json_decref(in);
	if (rc != 0)
		return -1;
	/* the ids as JSON text: the old list plus the new one */
	json_t *ids = json_deep_copy(json_object_get(c, "work_order_ids"));
	if (!json_is_array(ids)) {
		json_decref(ids);
		ids = json_array();
	}
	json_array_append_new(ids, json_string(fg_jstr(wo, "id")));
	char *t = json_dumps(ids, JSON_COMPACT);
	rc = db_run(db_q(db, "UPDATE metering_cases SET work_order_id = $1, work_order_ids = $2, updated_at = $3 WHERE id = $4", "ttit",
			 fg_jstr(wo, "id"), t, fg_now_ms(), fg_jstr(c, "id")));
	free(t);
	json_decref(ids);
	json_decref(wo);
	return rc == DB_DONE ? 0 : fg_err(err, "internal");
}

/* ---- opening a case ---- */

static bool
phone_ok(const char *p)
{
	size_t n = strlen(p), digits = 0;
	if (n < 3 || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (isdigit((unsigned char)p[i]))
			digits++;
		else if (p[i] != '+' && p[i] != '-' && p[i] != ' ')
			return false;
	}
	return digits >= 3;
}

static json_t *
load_raw(db_t *db, const char *id)
{
	int rc;
	json_t *row = db_one(db_q(db, "SELECT " COLS " FROM metering_cases WHERE id = $1", "t", id), &rc);
	return row ? shown(db, row, false, fg_now_ms()) : NULL;
}

int
meterproc_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	if (fg_jstr(in, "kind") && !fg_one_of(fg_jstr(in, "kind"), desk_kinds))
		return fg_err_field(err, "invalid_field", "kind", "disputed, install, fault, first_inspection, error, retrofit or collection");
	return meterproc_open(db, actor_id, in, out, err);
}

int
meterproc_open(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	const char *kind = fg_jstr(in, "kind"), *phone = fg_jstr(in, "customer_phone");
	int64_t now = fg_now_ms();
	json_t *oa = json_object_get(in, "opened_at"), *data = json_object_get(in, "data");
	int64_t opened = json_is_integer(oa) ? json_integer_value(oa) : now;
	if (!fg_one_of(kind, kinds))
		return fg_err_field(err, "invalid_field", "kind", "disputed, install, fault, first_inspection, error, retrofit or collection");
	if (fg_blank(fg_jstr(in, "subject")))
		return fg_err_field(err, "invalid_field", "subject", "not empty");
	if (phone && !phone_ok(phone))
		return fg_err_field(err, "invalid_field", "customer_phone", "a phone number");
	if (opened > now + 60000 || opened < 946684800000LL)
		return fg_err_field(err, "invalid_field", "opened_at", "when it was received: not in the future");
	if (data && !json_is_object(data) && !json_is_null(data))
		return fg_err_field(err, "invalid_field", "data", "an object");
	data = json_is_object(data) ? json_deep_copy(data) : json_object();
	static const char *const itypes[] = {"lv", "ct", "hv", NULL}, *const wirings[] = {"direct", "ct", NULL},
				 *const grades[] = {"major", "general", "minor", NULL};
	int rc = -1;
	if (fg_jstr(data, "install_type") && !fg_one_of(fg_jstr(data, "install_type"), itypes)) {
		fg_err_field(err, "invalid_field", "data.install_type", "lv, ct or hv");
		goto out;
	}
	if (fg_jstr(data, "wiring") && !fg_one_of(fg_jstr(data, "wiring"), wirings)) {
		fg_err_field(err, "invalid_field", "data.wiring", "direct or ct");
		goto out;
	}
	if (strcmp(kind, "first_inspection") == 0) {
		const char *on = fg_jstr(data, "energised_on");
		char today[11];
		day_today(today);
		if (!on) {
			fg_err_field(err, "missing_field", "data.energised_on", "the day the HV metering was energised (YYYY-MM-DD)");
			goto out;
		}
		if (!day_valid(on) || strcmp(on, today) > 0) {
			fg_err_field(err, "invalid_field", "data.energised_on", "YYYY-MM-DD, not in the future");
			goto out;
		}
	}
	if (strcmp(kind, "error") == 0 && !fg_one_of(fg_jstr(data, "grade"), grades)) {
		fg_err_field(err, fg_jstr(data, "grade") ? "invalid_field" : "missing_field", "data.grade", "major (重大), general (一般) or minor (轻微)");
		goto out;
	}
	int64_t due;
	if (due_for(db, kind, data, opened, &due) != 0) {
		fg_err(err, "internal");
		goto out;
	}
	char id[37], number[32];
	fg_uuid7(id);
	if (counter_number(db, "JL", number) != 0) {
		fg_err(err, "internal");
		goto out;
	}
	char *dtext = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
	int q = db_run(db_q(db, "INSERT INTO metering_cases (id, number, kind, status, point_no, asset_no, customer_name, customer_phone, "
				"subject, data, opened_at, due_at, created_by, created_at, updated_at) VALUES ($1, $2, $3, 'field', $4, $5, $6, $7, "
				"$8, $9, $10, NULLIF(CAST($11 AS BIGINT), 0), $12, $13, $13)", "tttttttttiiti", id, number, kind, fg_jstr(in, "point_no"),
			      fg_jstr(in, "asset_no"), fg_jstr(in, "customer_name"), phone, fg_jstr(in, "subject"), dtext, opened, due, actor_id, opened));
	free(dtext);
	json_t *c = q == DB_DONE ? load_raw(db, id) : NULL;
	if (!c || create_job(db, actor_id, c, kind, due, err) != 0 || flow_timers_sync(db, &meterproc_flow, id, true, now) != 0) {
		json_decref(c);
		if (!err->code)
			fg_err(err, "internal");
		goto out;
	}
	json_decref(c);
	json_t *after = meterproc_get(db, id);
	if (!after || audit_write(db, actor_id, "create", "metering_case", id, NULL, after) != 0) {
		json_decref(after);
		fg_err(err, "internal");
		goto out;
	}
	*out = after;
	rc = 0;
out:
	json_decref(data);
	return rc;
}

/* ---- the test's verdict ---- */

/* A decimal text or JSON number as thousandths (|v| < 10^9); false when it is not one. */
static bool
milli(json_t *v, int64_t *out)
{
	char buf[64];
	const char *s = json_string_value(v);
	if (json_is_integer(v))
		fg_fmt(buf, sizeof buf, "%lld", (long long)json_integer_value(v)), s = buf;
	else if (json_is_real(v))
		fg_fmt(buf, sizeof buf, "%.3f", json_real_value(v)), s = buf; /* the crew's number: 3 decimals are all it has */
	if (!s || !*s)
		return false;
	bool neg = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	int64_t ip = 0, fp = 0;
	int ints = 0, decs = 0;
	for (; isdigit((unsigned char)*s) && ints < 9; s++, ints++)
		ip = ip * 10 + (*s - '0');
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++, decs++)
			if (decs < 3)
				fp = fp * 10 + (*s - '0');
	if (*s || !ints)
		return false;
	for (int d = decs < 3 ? decs : 3; d < 3; d++)
		fp *= 10;
	*out = (neg ? -1 : 1) * (ip * 1000 + fp);
	return true;
}

/* The class's limit in thousandths of a percent: "0.2S" → 200, "2.0" → 2000. Unknown → 2.0, the class of most meters
 * (REFERENCE.md §4.1: V and IV). */
static int64_t
class_limit(const char *cls)
{
	int64_t v;
	char buf[16];
	if (cls) {
		fg_fmt(buf, sizeof buf, "%s", cls);
		size_t n = strlen(buf);
		if (n && (buf[n - 1] == 'S' || buf[n - 1] == 's'))
			buf[n - 1] = 0;
		json_t *j = json_string(buf);
		bool ok = milli(j, &v);
		json_decref(j);
		if (ok && v > 0)
			return v;
	}
	return 2000;
}

/* Stores a test: the error as recorded, whether it is beyond the meter's class (or the crew's "fail"), when. A
 * disputed meter found out of tolerance gets the customer's test fee back (供电营业规则 art. 79). */
static int
store_test(db_t *db, json_t *c, json_t *error, const char *verdict, const char *cls, int64_t at, fg_err_t *err)
{
	int64_t e;
	if (!milli(error, &e))
		return fg_err_field(err, "invalid_field", "error_percent", "the measured error in %, a decimal number");
	json_t *data = json_object_get(c, "data");
	int64_t lim = class_limit(cls ? cls : fg_jstr(data, "accuracy_class"));
	bool oot = (e < 0 ? -e : e) > lim || (verdict && strcmp(verdict, "fail") == 0);
	char text[32];
	fg_fmt(text, sizeof text, "%s%lld.%03lld", e < 0 ? "-" : "", (long long)((e < 0 ? -e : e) / 1000), (long long)((e < 0 ? -e : e) % 1000));
	bool fee = oot && strcmp(fg_jstr(c, "kind"), "disputed") == 0;
	if (db_run(db_q(db, "UPDATE metering_cases SET error_percent = $1, out_of_tolerance = $2, tested_at = $3, fee_refunded = $4 WHERE id = $5",
		       "tiiit", text, (int64_t)oot, at, (int64_t)fee, fg_jstr(c, "id"))) != DB_DONE)
		return fg_err(err, "internal");
	return 0;
}

/* ---- guards and effects (data/flows/metering_case.json) ---- */

static json_t *
open_job(db_t *db, json_t *row)
{
	int rc;
	if (!fg_jstr(row, "work_order_id"))
		return NULL;
	return db_one(db_q(db, "SELECT id, number, status FROM work_order_summaries WHERE id = $1 AND status NOT IN ('done', 'cancelled')",
			   "t", fg_jstr(row, "work_order_id")), &rc);
}

static int
g_no_open_job(flow_ctx_t *c, fg_err_t *gate)
{
	json_t *o = open_job(c->db, c->row);
	if (!o)
		return 0;
	fg_err(gate, "metering_case_job_open");
	fg_err_detail(gate, "work_order_id", json_incref(json_object_get(o, "id")));
	fg_err_detail(gate, "work_order_number", json_incref(json_object_get(o, "number")));
	fg_err_detail(gate, "work_order_status", json_incref(json_object_get(o, "status")));
	json_decref(o);
	return -1;
}

static int
g_tested(flow_ctx_t *c, fg_err_t *gate)
{
	if (json_is_integer(json_object_get(c->row, "out_of_tolerance")))
		return 0;
	return fg_err(gate, "metering_case_untested");
}

/* The approver (or rejecter) of a 退补 is never the one who calculated it. */
static int
g_second_person(flow_ctx_t *c, fg_err_t *gate)
{
	const char *by = fg_jstr(c->row, "calculated_by");
	if (!by || strcmp(by, c->actor->id) != 0)
		return 0;
	fg_err(gate, "metering_refund_same_person");
	fg_err_detail_str(gate, "calculated_by", by);
	return -1;
}

static int
e_record_test(flow_ctx_t *c, fg_err_t *err)
{
	/* when the test was done (the desk records it afterwards): not in the future; the replacement's clock runs from it */
	json_t *ta = json_object_get(c->body, "tested_at");
	int64_t at = json_is_integer(ta) ? json_integer_value(ta) : c->now;
	if (at > c->now + 60000 || at < json_integer_value(json_object_get(c->row, "opened_at")))
		return fg_err_field(err, "invalid_field", "tested_at", "when the test was done: after the case was opened, not in the future");
	return store_test(c->db, c->row, json_object_get(c->body, "error_percent"), fg_jstr(c->body, "result"),
	    fg_jstr(c->body, "accuracy_class"), at, err);
}

/* Entering the replacement: 3 working days from the test (REFERENCE.md §4.2), a work order to replace the meter. */
static int
e_replacement_job(flow_ctx_t *c, fg_err_t *err)
{
	json_t *row = load_raw(c->db, c->id);
	if (!row)
		return fg_err(err, "internal");
	json_t *ta = json_object_get(row, "tested_at");
	int64_t due, from = json_is_integer(ta) ? json_integer_value(ta) : c->now;
	int rc = due_for(c->db, "replacement", json_object_get(row, "data"), from, &due);
	if (rc == 0 && db_run(db_q(c->db, "UPDATE metering_cases SET due_at = NULLIF(CAST($1 AS BIGINT), 0) WHERE id = $2", "it", due, c->id)) != DB_DONE)
		rc = -1;
	if (rc == 0)
		rc = create_job(c->db, c->actor->id, row, "replacement", due, err);
	json_decref(row);
	return rc == 0 ? 0 : err->code ? -1 : fg_err(err, "internal");
}

static int
e_calculate(flow_ctx_t *c, fg_err_t *err)
{
	json_t *w = NULL;
	if (meterproc_refund_calc(c->body, &w, err) != 0)
		return -1;
	char *t = json_dumps(w, JSON_COMPACT);
	json_decref(w);
	int rc = db_run(db_q(c->db, "UPDATE metering_cases SET refund = $1 WHERE id = $2", "tt", t, c->id));
	free(t);
	return rc == DB_DONE ? 0 : fg_err(err, "internal");
}

/* Cancelling the case cancels its open work order (field work keeps one that is done). */
static int
e_cancel_jobs(flow_ctx_t *c, fg_err_t *err)
{
	const char *wo = fg_jstr(c->row, "work_order_id");
	if (!wo)
		return 0;
	return work_orders_follow(c->db, c->actor->id, wo, "cancelled", "metering_case_cancel", true, err);
}

const flow_guard_t meterproc_guards[] = {
	{"meterproc_no_open_job", g_no_open_job},
	{"meterproc_tested", g_tested},
	{"meterproc_second_person", g_second_person},
	{NULL, NULL},
};

const flow_effect_t meterproc_effects[] = {
	{"meterproc_record_test", e_record_test},
	{"meterproc_replacement_job", e_replacement_job},
	{"meterproc_calculate", e_calculate},
	{"meterproc_cancel_jobs", e_cancel_jobs},
	{NULL, NULL},
};

/* ---- field work finished an order ---- */

/* work_order.finished: the crew's records are kept on the case; a test's error (error_percent, with the crew's
 * result pass/fail and the meter's class) is judged; then the stage completes as the system actor — field_done
 * from the field stage, replaced from the replacement — in a savepoint: a refusal (a test with no error recorded)
 * leaves the case for the desk. Only a database failure fails the delivery. */
int
meterproc_on_finished(db_t *db, const fg_event_t *ev, fg_err_t *err)
{
	int rc;
	json_t *hit = db_one(db_q(db, "SELECT id FROM metering_cases WHERE work_order_id = $1", "t", ev->entity_id), &rc);
	if (!hit)
		return rc == DB_DONE ? 0 : -1;
	char id[64];
	fg_fmt(id, sizeof id, "%s", fg_jstr(hit, "id"));
	json_decref(hit);
	if (db_lock_row(db, "metering_cases", id) != 0)
		return fg_err(err, "internal");
	json_t *c = load_raw(db, id), *res = work_order_results(db, ev->entity_id);
	int out = -1;
	if (!c || !res)
		goto done;
	json_t *rec = json_object_get(res, "records");
	char *text = json_dumps(res, JSON_COMPACT | JSON_SORT_KEYS);
	rc = db_run(db_q(db, "UPDATE metering_cases SET results = $1, updated_at = $2, version = version + 1 WHERE id = $3", "tit", text, ev->at, id));
	free(text);
	if (rc != DB_DONE)
		goto done;
	const char *st = fg_jstr(c, "status"), *action = NULL;
	if (strcmp(st, "field") == 0) {
		action = "field_done";
		const char *kind = fg_jstr(c, "kind");
		if ((strcmp(kind, "disputed") == 0 || strcmp(kind, "first_inspection") == 0 || strcmp(kind, "periodic") == 0) &&
		    json_object_get(rec, "error_percent")) {
			fg_err_t e = FG_ERR_INIT;
			int src = store_test(db, c, json_object_get(rec, "error_percent"), fg_jstr(rec, "result"), fg_jstr(rec, "meter_class"), ev->at, &e);
			bool bad = src != 0 && e.code && strcmp(e.code, "internal") != 0;
			fg_err_clear(&e);
			if (src != 0 && !bad)
				goto done;
		}
	} else if (strcmp(st, "replacement") == 0)
		action = "replaced";
	if (action) {
		fg_err_t e = FG_ERR_INIT;
		json_t *moved = NULL, *body = json_object();
		int sp = db_savepoint(db);
		if (sp < 0) {
			json_decref(body);
			goto done;
		}
		int frc = flow_fire_tx(db, &meterproc_flow, id, action, &flow_system_actor, body, ev->at, true, &moved, &e);
		json_decref(body);
		json_decref(moved);
		if (frc == 0) {
			if (db_release(db, sp) != 0) {
				fg_err_clear(&e);
				goto done;
			}
		} else {
			db_rollback_to(db, sp);
			bool internal = !e.code || strcmp(e.code, "internal") == 0;
			if (!internal)
				log_info("meterproc: %s of %s left to the desk: %s", action, id, e.code);
			fg_err_clear(&e);
			if (internal)
				goto done;
		}
	}
	json_t *after = meterproc_get(db, id);
	if (!after || audit_write(db, ev->actor_id, "work_finished", "metering_case", id, c, after) != 0) {
		json_decref(after);
		goto done;
	}
	json_decref(after);
	out = 0;
done:
	json_decref(c);
	json_decref(res);
	if (out != 0)
		fg_err(err, "internal");
	return out;
}
