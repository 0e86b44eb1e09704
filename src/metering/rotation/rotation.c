/* Rotation campaigns (rotation.h): selection, preview, generation, progress. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/audit/audit.h"
#include "core/base/util.h"
#include "core/calendar/calendar.h"
#include "fieldwork/interface/work_orders.h"
#include "fieldwork/interface/work_results.h"
#include "metering/rotation/rotation.h"

#define CAMPAIGN_COLS                                                                                                 \
	"id, number, name, status, criteria, crews, per_crew_day, start_on, due_days, team_id, total, orders, first_day, " \
	"last_day, generated_at, generated_by, finished_at, cancelled_at, cancel_reason, created_by, created_at, "         \
	"updated_at, version"

/* ---- days (pure) ---- */

int64_t
rotation_day_number(const char *day)
{
	int y, m, d;
	if (!day || sscanf(day, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	/* days from civil (H. Hinnant's algorithm) */
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
rotation_day_string(int64_t z, char out[11])
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
	char t[48];
	snprintf(t, sizeof t, "%04d-%02d-%02d", (int)((y + (m <= 2)) % 10000), (int)(m % 100), (int)(d % 100));
	memcpy(out, t, 10);
	out[10] = 0;
}

int
rotation_years_before(const char *day, int years, char out[11])
{
	int y, m, d;
	if (rotation_day_number(day) < 0 || sscanf(day, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return -1;
	y -= years;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		d = 28;
	if (y < 0 || y > 9999)
		return -1;
	char t[48];
	snprintf(t, sizeof t, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
	memcpy(out, t, 10);
	out[10] = 0;
	return 0;
}

/* ---- the selection ---- */

typedef struct {
	char where[2048];
	const char *p[DB_MAX_PARAMS];
	int n;
	char cut[11];
	char *areas;
} crit_t;

/* appends before $N after, N the next parameter, bound to val */
static void
add(crit_t *k, const char *before, const char *after, const char *val)
{
	size_t len = strlen(k->where);
	k->p[k->n] = val;
	k->n++;
	snprintf(k->where + len, sizeof k->where - len, "%s$%d%s", before, k->n, after);
}

/* The WHERE over metering_assets a for the criteria; parameters from $first. */
static int
crit_build(db_t *db, json_t *c, crit_t *k, int first, fg_err_t *err)
{
	memset(k, 0, sizeof *k);
	k->n = first - 1;
	for (int i = 0; i < k->n; i++)
		k->p[i] = NULL;
	if (c && !json_is_object(c))
		return fg_err_field(err, "invalid_field", "criteria", "an object");
	snprintf(k->where, sizeof k->where,
	    "a.kind = 'meter' AND a.status = 'installed' AND NOT EXISTS (SELECT 1 FROM rotation_items i WHERE i.asset_id = a.id "
	    "AND i.status = 'open')");
	json_t *yrs = json_object_get(c, "older_than_years");
	const char *basis = fg_jstr(c, "age_basis") ? fg_jstr(c, "age_basis") : "installed_on";
	if (strcmp(basis, "installed_on") != 0 && strcmp(basis, "produced_on") != 0)
		return fg_err_field(err, "invalid_field", "criteria.age_basis", "installed_on or produced_on");
	bool failed = json_is_true(json_object_get(c, "sampling_failed"));
	if (yrs && !json_is_null(yrs) && (!json_is_integer(yrs) || json_integer_value(yrs) < 0 || json_integer_value(yrs) > 50))
		return fg_err_field(err, "invalid_field", "criteria.older_than_years", "0 to 50");
	if (json_is_integer(yrs)) {
		char today[11];
		const char *as_of = fg_jstr(c, "as_of");
		if (!as_of) {
			cal_local_day(fg_now_ms(), today);
			as_of = today;
		}
		if (rotation_years_before(as_of, (int)json_integer_value(yrs), k->cut) != 0)
			return fg_err_field(err, "invalid_field", "criteria.as_of", "a date YYYY-MM-DD");
		char frag[200];
		snprintf(frag, sizeof frag, " AND (a.%s <= ", basis);
		add(k, frag, failed ? " OR a.sampling = 'failed')" : ")", k->cut);
	} else if (failed) {
		size_t len = strlen(k->where);
		snprintf(k->where + len, sizeof k->where - len, " AND a.sampling = 'failed'");
	}
	static const char *const eq[] = {"batch", "model", "accuracy_class", "subtype", "org_unit_id", NULL};
	for (int i = 0; eq[i]; i++) {
		json_t *v = json_object_get(c, eq[i]);
		if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)))
			continue;
		if (!json_is_string(v)) {
			char f[64];
			fg_fmt(f, sizeof f, "criteria.%s", eq[i]);
			return fg_err_field(err, "invalid_field", f, "a string");
		}
		char frag[80];
		snprintf(frag, sizeof frag, " AND a.%s = ", eq[i]);
		add(k, frag, "", json_string_value(v));
	}
	json_t *areas = json_object_get(c, "areas");
	if (areas && !json_is_null(areas)) {
		size_t i;
		json_t *a;
		bool ok = json_is_array(areas) && json_array_size(areas) <= 10000;
		json_array_foreach(areas, i, a) ok = ok && json_is_string(a);
		if (!ok)
			return fg_err_field(err, "invalid_field", "criteria.areas", "an array of transformer areas");
		if (json_array_size(areas)) {
			k->areas = json_dumps(areas, JSON_COMPACT);
			/* db_in_json's operand names $1: ours is the next number */
			char before[200], after[100];
			const char *in = db_in_json(db), *d = strstr(in, "$1");
			snprintf(before, sizeof before, " AND a.transformer_area IN %.*s", (int)(d - in), in);
			fg_fmt(after, sizeof after, "%s", d + 2);
			add(k, before, after, k->areas);
		}
	}
	return 0;
}

static db_stmt_t *
crit_prepare(db_t *db, const char *sql, crit_t *k, int first)
{
	db_stmt_t *st = db_prepare(db, sql);
	if (!st)
		return NULL;
	for (int i = first - 1; i < k->n; i++)
		db_bind_text(st, i + 1, k->p[i]);
	return st;
}

int
rotation_preview(db_t *db, json_t *criteria, json_t **out, fg_err_t *err)
{
	crit_t k;
	if (crit_build(db, criteria, &k, 1, err) != 0)
		return -1;
	char sql[3000];
	int rc;
	fg_fmt(sql, sizeof sql, "SELECT COALESCE(a.transformer_area, '') AS area, COUNT(*) AS count FROM metering_assets a WHERE %s "
				"GROUP BY COALESCE(a.transformer_area, '') ORDER BY count DESC, area", k.where);
	json_t *areas = db_all(crit_prepare(db, sql, &k, 1), &rc);
	fg_fmt(sql, sizeof sql, "SELECT COALESCE(a.batch, '') AS batch, COUNT(*) AS count FROM metering_assets a WHERE %s "
				"GROUP BY COALESCE(a.batch, '') ORDER BY count DESC, batch LIMIT 200", k.where);
	json_t *batches = areas ? db_all(crit_prepare(db, sql, &k, 1), &rc) : NULL;
	free(k.areas);
	if (!areas || !batches) {
		json_decref(areas);
		return fg_err(err, "internal");
	}
	json_int_t total = 0;
	size_t i;
	json_t *a;
	json_array_foreach(areas, i, a) total += json_integer_value(json_object_get(a, "count"));
	while (json_array_size(areas) > 200)
		json_array_remove(areas, json_array_size(areas) - 1);
	*out = json_pack("{s:I, s:o, s:o, s:s?}", "total", total, "by_area", areas, "by_batch", batches, "cutoff",
	    k.cut[0] ? k.cut : NULL);
	return 0;
}

/* ---- campaigns ---- */

json_t *
rotation_load(db_t *db, const char *id)
{
	int rc;
	json_t *o = db_one(db_q(db, "SELECT " CAMPAIGN_COLS " FROM rotation_campaigns WHERE id = $1", "t", id), &rc);
	if (!o)
		return NULL;
	json_t *c = json_loads(fg_jstr(o, "criteria"), 0, NULL);
	json_object_set_new(o, "criteria", c ? c : json_object());
	return o;
}

static json_t *
progress(db_t *db, const char *id)
{
	int rc;
	/* from the orders' counters (migration 0045): hundreds of rows, not the campaign's items */
	json_t *areas = db_all(db_q(db,
	    "SELECT area, CAST(SUM(meters) AS BIGINT) AS total, CAST(SUM(done) AS BIGINT) AS done FROM rotation_orders "
	    "WHERE campaign_id = $1 GROUP BY area ORDER BY area LIMIT 1000", "t", id), &rc);
	json_t *days = db_all(db_q(db,
	    "SELECT day, CAST(SUM(meters) AS BIGINT) AS total, CAST(SUM(done) AS BIGINT) AS done FROM rotation_orders "
	    "WHERE campaign_id = $1 GROUP BY day ORDER BY day LIMIT 1000", "t", id), &rc);
	json_t *st = db_one(db_q(db, "SELECT CAST(COALESCE(SUM(meters), 0) AS BIGINT) AS total, CAST(COALESCE(SUM(done), 0) AS BIGINT) "
				     "AS done, CAST(COALESCE(SUM(cancelled), 0) AS BIGINT) AS cancelled FROM rotation_orders "
				     "WHERE campaign_id = $1", "t", id), &rc);
	if (!areas || !days || !st) {
		json_decref(areas);
		json_decref(days);
		json_decref(st);
		return NULL;
	}
	json_int_t total = json_integer_value(json_object_get(st, "total")), done = json_integer_value(json_object_get(st, "done")),
		   cancelled = json_integer_value(json_object_get(st, "cancelled"));
	json_decref(st);
	return json_pack("{s:I, s:I, s:I, s:I, s:i, s:o, s:o}", "total", total, "done", done, "open", total - done - cancelled,
	    "cancelled", cancelled, "percent", total ? (int)(done * 100 / total) : 0, "by_area", areas, "by_day", days);
}

json_t *
rotation_get(db_t *db, const char *id)
{
	json_t *o = rotation_load(db, id);
	if (!o)
		return NULL;
	json_t *p = progress(db, id);
	if (!p) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "progress", p);
	return o;
}

int
rotation_list(db_t *db, const char *status, json_t **out, fg_err_t *err)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT " CAMPAIGN_COLS " FROM rotation_campaigns WHERE (CAST($1 AS TEXT) IS NULL OR status = $1) "
				       "ORDER BY created_at DESC, id LIMIT 500", "t", status), &rc), *o;
	if (!rows)
		return fg_err(err, "internal");
	size_t i;
	json_array_foreach(rows, i, o) {
		json_t *c = json_loads(fg_jstr(o, "criteria"), 0, NULL);
		json_object_set_new(o, "criteria", c ? c : json_object());
		json_t *d = db_one(db_q(db, "SELECT CAST(SUM(done) AS BIGINT) AS done FROM rotation_orders WHERE campaign_id = $1", "t",
					 fg_jstr(o, "id")), &rc);
		json_int_t done = json_integer_value(json_object_get(d, "done"));
		json_decref(d);
		json_int_t total = json_integer_value(json_object_get(o, "total"));
		json_object_set_new(o, "done", json_integer(done));
		json_object_set_new(o, "percent", json_integer(total ? (int)(done * 100 / total) : 0));
	}
	*out = json_pack("{s:o}", "items", rows);
	return 0;
}

int
rotation_orders(db_t *db, const char *id, json_t **out, fg_err_t *err)
{
	int rc;
	json_t *rows = db_all(db_q(db,
	    "SELECT o.id, o.area, o.day, o.seq, o.meters, o.work_order_id, w.number AS work_order_number, w.status, w.due_at, "
	    "o.done, o.asset_from, o.asset_to "
	    "FROM rotation_orders o LEFT JOIN work_order_summaries w ON w.id = o.work_order_id WHERE o.campaign_id = $1 "
	    "ORDER BY o.day, o.area, o.seq LIMIT 5000", "t", id), &rc);
	if (!rows)
		return fg_err(err, "internal");
	*out = json_pack("{s:o}", "items", rows);
	return 0;
}

static int
positive(json_t *in, const char *k, int max, fg_err_t *err)
{
	json_t *v = json_object_get(in, k);
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > max) {
		char why[40];
		fg_fmt(why, sizeof why, "1 to %d", max);
		return fg_err_field(err, "invalid_field", k, why);
	}
	return 0;
}

int
rotation_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	crit_t k;
	json_t *crit = json_object_get(in, "criteria");
	if (!crit)
		crit = json_object();
	else
		json_incref(crit);
	int brc = crit_build(db, crit, &k, 1, err);
	free(k.areas);
	if (brc != 0 || positive(in, "crews", 1000, err) || positive(in, "per_crew_day", 1000, err)) {
		json_decref(crit);
		return -1;
	}
	json_t *dd = json_object_get(in, "due_days");
	if (dd && (!json_is_integer(dd) || json_integer_value(dd) < 0 || json_integer_value(dd) > 60)) {
		json_decref(crit);
		return fg_err_field(err, "invalid_field", "due_days", "0 to 60");
	}
	if (rotation_day_number(fg_jstr(in, "start_on")) < 0) {
		json_decref(crit);
		return fg_err_field(err, "invalid_field", "start_on", "a date YYYY-MM-DD");
	}
	char id[37], number[40];
	fg_uuid7(id);
	int64_t now = fg_now_ms();
	char day[11];
	cal_local_day(now, day);
	fg_fmt(number, sizeof number, "LH%.4s%.2s%.2s-%.6s", day, day + 5, day + 8, id + 30);
	char *ctext = json_dumps(crit, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(crit);
	if (db_begin(db) != 0) {
		free(ctext);
		return db_fail(db, err);
	}
	int rc = db_run(db_q(db,
	    "INSERT INTO rotation_campaigns (id, number, name, status, criteria, crews, per_crew_day, start_on, due_days, "
	    "team_id, created_by, created_at, updated_at) VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, $10, $11, $11)",
	    "ttttiititti", id, number, fg_jstr(in, "name"), ctext, (int64_t)json_integer_value(json_object_get(in, "crews")),
	    (int64_t)json_integer_value(json_object_get(in, "per_crew_day")), fg_jstr(in, "start_on"),
	    (int64_t)(dd ? json_integer_value(dd) : 0), fg_jstr(in, "team_id"), actor_id, now));
	free(ctext);
	if (rc != DB_DONE)
		return db_fail(db, err);
	if (flow_timers_sync(db, &rotation_flow, id, true, now) != 0)
		return db_fail(db, err);
	json_t *after = rotation_load(db, id);
	return audit_commit(db, actor_id, "create", "rotation_campaign", id, NULL, after, out, err);
}

/* ---- the flow's guards and effects ---- */

/* generate needs at least one meter: one indexed probe, not the preview's counts (a million rows scanned twice) */
static int
g_has_meters(flow_ctx_t *c, fg_err_t *gate)
{
	crit_t k;
	fg_err_t e = FG_ERR_INIT;
	if (crit_build(c->db, json_object_get(c->row, "criteria"), &k, 1, &e) != 0) {
		free(k.areas);
		fg_err_clear(&e);
		return fg_err(gate, "internal");
	}
	char sql[2400];
	int rc;
	fg_fmt(sql, sizeof sql, "SELECT 1 AS one FROM metering_assets a WHERE %s LIMIT 1", k.where);
	json_t *one = db_one(crit_prepare(c->db, sql, &k, 1), &rc);
	free(k.areas);
	json_decref(one);
	if (one)
		return 0;
	return fg_err(gate, rc == DB_DONE ? "rotation_no_meters" : "internal");
}

static int
g_all_done(flow_ctx_t *c, fg_err_t *gate)
{
	int rc;
	json_t *o = db_one(db_q(c->db, "SELECT CAST(COALESCE(SUM(meters - done - cancelled), 0) AS BIGINT) AS n FROM rotation_orders "
				    "WHERE campaign_id = $1", "t", c->id), &rc);
	json_int_t n = json_integer_value(json_object_get(o, "n"));
	json_decref(o);
	if (!o)
		return fg_err(gate, "internal");
	if (n == 0)
		return 0;
	fg_err(gate, "rotation_items_open");
	fg_err_detail_int(gate, "open", n);
	return -1;
}

/* One work order of the campaign: the area's meters ranked from..to on day, asset numbers no_from..no_to. */
static int
make_order(flow_ctx_t *c, cal_t *cal, const char *area, int64_t dn, int64_t from, int64_t to, const char *no_from,
    const char *no_to, int64_t *orders, fg_err_t *err)
{
	char day[11], title[300], desc[600], oid[37];
	rotation_day_string(dn, day);
	json_t *camp = c->row;
	int64_t start = dn * 86400000LL - 8 * 3600000LL, due = 0; /* 00:00 Asia/Shanghai of the day */
	if (cal_add_working_days(cal, start, (int)json_integer_value(json_object_get(camp, "due_days")), &due, err) != 0)
		return -1;
	fg_fmt(title, sizeof title, "电能表轮换 · %s · %s（%lld只）", *area ? area : "未分台区", day, (long long)(to - from + 1));
	fg_fmt(desc, sizeof desc, "轮换计划 %s「%s」：台区 %s，%s 计划更换 %lld 只电能表（清单见轮换计划）", fg_jstr(camp, "number"),
	    fg_jstr(camp, "name"), *area ? area : "-", day, (long long)(to - from + 1));
	json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "kind", "meter_rotation", "title", title, "priority", "normal",
	    "source", "schedule", "description", desc, "due_at", (json_int_t)due);
	if (fg_jstr(camp, "team_id"))
		json_object_set(in, "team_id", json_object_get(camp, "team_id"));
	json_t *wo = NULL;
	int rc = work_orders_create(c->db, c->actor->id, in, &wo, err);
	json_decref(in);
	if (rc != 0)
		return -1;
	fg_uuid7(oid);
	rc = db_run(db_q(c->db, "INSERT INTO rotation_orders (id, campaign_id, area, day, seq, meters, rank_from, rank_to, asset_from, "
				"asset_to, work_order_id) VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $9, $10)", "ttttiiittt", oid, c->id,
	    area, day, to - from + 1, from, to, no_from, no_to, fg_jstr(wo, "id")));
	json_decref(wo);
	(*orders)++;
	return rc == DB_DONE ? 0 : fg_err(err, "internal");
}

static int64_t
next_working(cal_t *cal, int64_t dn, fg_err_t *err)
{
	for (int guard = 0; guard < 400; guard++, dn++) {
		char day[11];
		bool w;
		rotation_day_string(dn, day);
		if (cal_is_working_day(cal, day, &w, err) != 0)
			return -1;
		if (w)
			return dn;
	}
	return fg_err(err, "internal");
}

/* An area of the selection: its name ('' for meters with no area, NULL and '' taken together), its meters and the
 * asset numbers of its first and last (NULL for '': found by at(), which orders them in SQL). */
typedef struct {
	char *name, *lo, *hi;
	int64_t n;
	bool blank;
} area_t;

/* The asset numbers of the area's selected meters at 0-based positions pos and pos + 1 in asset-number order,
 * counted from the meter numbered from on (the last meter of one order and the first of the next where an area is
 * split across days; pos + 1 may be past the end: next is then empty). One probe reading the rotation index
 * (kind, status, transformer_area, asset_no) in order from the order's first meter, so an area split over many days
 * is read once in all, not again from its start for every split. The blank area reads its two parts (no area, and
 * '') merged in order. The criteria are k's, from $2; $1 is the campaign (unused here). */
static int
at(db_t *db, crit_t *k, const area_t *ar, const char *from, int64_t pos, char *cur, char *next, size_t n)
{
	char sql[6000];
	int w = k->n + 1; /* the parameters after the criteria's: [the area,] the first asset number, the offset */
	if (ar->blank)
		fg_fmt(sql, sizeof sql, "SELECT u.asset_no FROM (SELECT a.asset_no FROM metering_assets a WHERE %s AND "
					"CAST($1 AS TEXT) IS NOT NULL AND a.transformer_area IS NULL AND a.asset_no >= $%d UNION ALL "
					"SELECT a.asset_no FROM metering_assets a WHERE %s AND a.transformer_area = '' AND a.asset_no >= $%d) u "
					"ORDER BY u.asset_no LIMIT 2 OFFSET CAST($%d AS BIGINT)", k->where, w, k->where, w, w + 1);
	else
		fg_fmt(sql, sizeof sql, "SELECT a.asset_no FROM metering_assets a WHERE %s AND CAST($1 AS TEXT) IS NOT NULL AND "
					"a.transformer_area = $%d AND a.asset_no >= $%d ORDER BY a.asset_no LIMIT 2 OFFSET CAST($%d AS BIGINT)",
		    k->where, w, w + 1, w + 2);
	db_stmt_t *st = crit_prepare(db, sql, k, 1);
	if (!st)
		return -1;
	if (!ar->blank)
		db_bind_text(st, w++, ar->name);
	db_bind_text(st, w, from);
	db_bind_int(st, w + 1, pos);
	int rc;
	json_t *rows = db_all(st, &rc);
	if (!rows || json_array_size(rows) < 1) {
		json_decref(rows);
		return -1;
	}
	fg_fmt(cur, n, "%s", fg_jstr(json_array_get(rows, 0), "asset_no"));
	fg_fmt(next, n, "%s", json_array_size(rows) > 1 ? fg_jstr(json_array_get(rows, 1), "asset_no") : "");
	json_decref(rows);
	return 0;
}

/* The selection's areas in name order, '' first (NULL and '' merged). NULL on a failure. */
static area_t *
areas_of(db_t *db, crit_t *k, size_t *count)
{
	char sql[3000];
	int rc;
	/* grouped by the area itself: the rotation index (kind, status, transformer_area, asset_no) gives the groups and
	 * each one's first and last asset number in order, with no sort */
	fg_fmt(sql, sizeof sql, "SELECT a.transformer_area AS area, COUNT(*) AS n, MIN(a.asset_no) AS lo, MAX(a.asset_no) AS hi "
				"FROM metering_assets a WHERE %s AND CAST($1 AS TEXT) IS NOT NULL GROUP BY a.transformer_area "
				"ORDER BY COALESCE(a.transformer_area, '')", k->where);
	json_t *rows = db_all(crit_prepare(db, sql, k, 1), &rc), *o;
	if (!rows)
		return NULL;
	area_t *v = fg_calloc(json_array_size(rows) + 1, sizeof *v);
	size_t m = 0, i;
	json_array_foreach(rows, i, o) {
		const char *name = fg_jstr(o, "area");
		int64_t n = json_integer_value(json_object_get(o, "n"));
		if (!name || !*name) { /* '' sorts first: NULL and '' (adjacent) are one area */
			if (m == 0 || !v[0].blank) {
				v[m++] = (area_t){.name = fg_strdup(""), .blank = true};
			}
			v[0].n += n;
			continue;
		}
		v[m++] = (area_t){.name = fg_strdup(name), .lo = fg_strdup(fg_jstr(o, "lo")), .hi = fg_strdup(fg_jstr(o, "hi")), .n = n};
	}
	json_decref(rows);
	*count = m;
	return v;
}

static void
areas_free(area_t *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].name);
		free(v[i].lo);
		free(v[i].hi);
	}
	free(v);
}

/* generate: the areas in name order fill working days from start_on, crews × per_crew_day meters a day; one
 * order per area and day, each taking a range of the area's asset numbers; then every item in one INSERT … SELECT
 * reading each order's range from the rotation index. */
static int
e_generate(flow_ctx_t *c, fg_err_t *err)
{
	json_t *camp = c->row;
	crit_t k;
	if (crit_build(c->db, json_object_get(camp, "criteria"), &k, 2, err) != 0)
		return -1;
	k.p[0] = c->id;
	char sql[4000];
	int rc = -1;
	cal_t *cal = NULL;
	size_t na = 0;
	area_t *areas = areas_of(c->db, &k, &na);
	bool blank = false;
	if (!areas) {
		fg_err(err, "internal");
		goto done;
	}
	if (!(cal = cal_get(c->db, err)))
		goto done;
	int64_t cap = json_integer_value(json_object_get(camp, "crews")) * json_integer_value(json_object_get(camp, "per_crew_day"));
	int64_t dn = next_working(cal, rotation_day_number(fg_jstr(camp, "start_on")), err), left = cap, total = 0, orders = 0;
	int64_t first = dn;
	if (dn < 0)
		goto done;
	for (size_t i = 0; i < na; i++) {
		area_t *a = &areas[i];
		int64_t n = a->n, rank = 1;
		char from[256], to[256], next[256];
		blank = blank || a->blank;
		/* the blank area's ends, like every split, come from the probe (its members are ordered in SQL) */
		if (a->blank ? at(c->db, &k, a, "", 0, from, next, sizeof from) != 0 : (fg_fmt(from, sizeof from, "%s", a->lo), 0)) {
			fg_err(err, "internal");
			goto done;
		}
		while (n > 0) {
			int64_t take = n < left ? n : left;
			if (take == n && !a->blank)
				fg_fmt(to, sizeof to, "%s", a->hi);
			else if (at(c->db, &k, a, from, take - 1, to, next, sizeof to) != 0) {
				fg_err(err, "internal");
				goto done;
			}
			if (make_order(c, cal, a->name, dn, rank, rank + take - 1, from, to, &orders, err) != 0)
				goto done;
			fg_fmt(from, sizeof from, "%s", next);
			rank += take;
			n -= take;
			left -= take;
			total += take;
			if (left == 0 && (n > 0 || i + 1 < na)) {
				if ((dn = next_working(cal, dn + 1, err)) < 0)
					goto done;
				left = cap;
			}
		}
	}
	/* The orders first, each meter's row looked up in the order's range of the rotation index (CROSS JOIN: SQLite
	 * keeps that nesting). Meters with no area are the blank area's, whose orders hold both them and those with ''. */
	for (int pass = 0; pass < (blank ? 2 : 1); pass++) {
		fg_fmt(sql, sizeof sql,
		    "INSERT INTO rotation_items (order_id, asset_id, status) SELECT o.id, a.id, 'open' FROM rotation_orders o "
		    "CROSS JOIN metering_assets a WHERE o.campaign_id = $1 AND %s AND a.asset_no BETWEEN o.asset_from AND o.asset_to "
		    "AND %s",
		    pass == 0 ? "a.transformer_area = o.area" : "o.area = '' AND a.transformer_area IS NULL", k.where);
		if (db_run(crit_prepare(c->db, sql, &k, 1)) != DB_DONE) {
			fg_err(err, "internal");
			goto done;
		}
	}
	/* PostgreSQL plans the next campaign's "in no open item" from the items' statistics: refreshed now, inside the
	 * transaction (ANALYZE counts the transaction's own rows), not when autovacuum comes by — with the table's
	 * statistics still saying empty, the planner scanned every open item once per meter (minutes, not seconds). */
	if (db_kind(c->db) == DB_PG && db_exec(c->db, "ANALYZE rotation_items") != 0) {
		fg_err(err, "internal");
		goto done;
	}
	char d1[11], d2[11];
	rotation_day_string(first, d1);
	rotation_day_string(dn, d2);
	if (db_run(db_q(c->db, "UPDATE rotation_campaigns SET total = $1, orders = $2, first_day = $3, last_day = $4 WHERE id = $5",
		"iittt", total, orders, total ? d1 : NULL, total ? d2 : NULL, c->id)) != DB_DONE) {
		fg_err(err, "internal");
		goto done;
	}
	rc = 0;
done:
	cal_release(cal);
	areas_free(areas, na);
	free(k.areas);
	return rc;
}

/* cancel: the open items and the open work orders go with the campaign (the done ones stay done). */
static int
e_cancel(flow_ctx_t *c, fg_err_t *err)
{
	int rc;
	json_t *rows = db_all(db_q(c->db, "SELECT work_order_id FROM rotation_orders WHERE campaign_id = $1 AND work_order_id IS NOT NULL",
				      "t", c->id), &rc), *o;
	if (!rows)
		return fg_err(err, "internal");
	size_t i;
	json_array_foreach(rows, i, o) {
		if (work_orders_follow(c->db, c->actor->id, fg_jstr(o, "work_order_id"), "cancelled", "rotation_cancel", true, err) != 0) {
			json_decref(rows);
			return -1;
		}
	}
	json_decref(rows);
	if (db_run(db_q(c->db, "UPDATE rotation_orders SET cancelled = meters - done WHERE campaign_id = $1", "t", c->id)) != DB_DONE ||
	    db_run(db_q(c->db, "UPDATE rotation_items SET status = 'cancelled' WHERE order_id IN (SELECT id FROM rotation_orders WHERE "
			      "campaign_id = $1) AND status = 'open'", "t", c->id)) !=
	    DB_DONE)
		return fg_err(err, "internal");
	return 0;
}

const flow_guard_t rotation_guards[] = {
	{"rotation_has_meters", g_has_meters},
	{"rotation_all_done", g_all_done},
	{NULL, NULL},
};

const flow_effect_t rotation_effects[] = {
	{"rotation_generate", e_generate},
	{"rotation_cancel", e_cancel},
	{NULL, NULL},
};

const flow_binding_t rotation_flow = {"rotation_campaign", "rotation_campaigns", "rotation_campaign", rotation_load, NULL,
	"metering.read", NULL};

/* ---- field work finished an order ---- */

int
rotation_on_finished(db_t *db, const fg_event_t *ev, fg_err_t *err)
{
	int rc;
	json_t *o = db_one(db_q(db, "SELECT o.id, o.campaign_id, c.status FROM rotation_orders o JOIN rotation_campaigns c ON "
				    "c.id = o.campaign_id WHERE o.work_order_id = $1", "t", ev->entity_id), &rc);
	if (!o)
		return rc == DB_DONE ? 0 : -1; /* not a rotation order */
	int out = -1;
	const char *cid = fg_jstr(o, "campaign_id");
	if (strcmp(fg_jstr(o, "status"), "running") != 0) {
		out = 0;
		goto done;
	}
	if (db_run(db_q(db, "UPDATE rotation_items SET status = 'done', done_at = $1 WHERE order_id = $2 AND status = 'open'", "it",
		ev->at, fg_jstr(o, "id"))) != DB_DONE ||
	    db_run(db_q(db, "UPDATE rotation_orders SET done = (SELECT COUNT(*) FROM rotation_items i WHERE i.order_id = $1 AND "
			    "i.status = 'done') WHERE id = $1", "t", fg_jstr(o, "id"))) != DB_DONE)
		goto done;
	json_t *n = db_one(db_q(db, "SELECT CAST(COALESCE(SUM(meters - done - cancelled), 0) AS BIGINT) AS n FROM rotation_orders "
				    "WHERE campaign_id = $1", "t", cid), &rc);
	if (!n)
		goto done;
	json_int_t open = json_integer_value(json_object_get(n, "n"));
	json_decref(n);
	json_t *audit = json_pack("{s:s, s:s}", "work_order_id", ev->entity_id, "order_id", fg_jstr(o, "id"));
	if (audit_write(db, ev->actor_id, "items_done", "rotation_campaign", cid, NULL, audit) != 0) {
		json_decref(audit);
		goto done;
	}
	json_decref(audit);
	if (open == 0) {
		json_t *moved = NULL;
		if (flow_fire_tx(db, &rotation_flow, cid, "complete", &flow_system_actor, NULL, 0, true, &moved, err) != 0)
			goto done;
		json_decref(moved);
	}
	out = 0;
done:
	json_decref(o);
	return out;
}

/* ---- the large screen ---- */

json_t *
rotation_screen_summary(db_t *db)
{
	int rc;
	json_t *camps = db_all(db_q(db,
	    "SELECT c.id, c.name, c.status, c.total, CAST((SELECT COALESCE(SUM(o.done), 0) FROM rotation_orders o WHERE "
	    "o.campaign_id = c.id) AS BIGINT) AS done FROM rotation_campaigns c WHERE c.status = 'running' ORDER BY c.created_at, c.id LIMIT 50", ""),
	    &rc);
	json_t *areas = camps ? db_all(db_q(db,
	    "SELECT o.area, CAST(SUM(o.meters - o.cancelled) AS BIGINT) AS total, CAST(SUM(o.done) AS BIGINT) AS done FROM "
	    "rotation_orders o JOIN rotation_campaigns c ON c.id = o.campaign_id WHERE c.status = 'running' "
	    "GROUP BY o.area ORDER BY o.area LIMIT 200", ""), &rc) : NULL;
	if (!camps || !areas) {
		json_decref(camps);
		return NULL;
	}
	size_t i;
	json_t *o;
	json_array_foreach(camps, i, o) {
		json_int_t t = json_integer_value(json_object_get(o, "total")), d = json_integer_value(json_object_get(o, "done"));
		json_object_set_new(o, "percent", json_integer(t ? (int)(d * 100 / t) : 0));
	}
	json_array_foreach(areas, i, o) if (json_is_null(json_object_get(o, "done"))) json_object_set_new(o, "done", json_integer(0));
	return json_pack("{s:o, s:o}", "campaigns", camps, "by_area", areas);
}
