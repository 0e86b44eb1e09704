/* The evaluation's reading of the database (appeval.h): the applications a period touches, with their flow events,
 * clocks, routing, complaints and feedback, handed to the arithmetic (appeval_calc.c). Read-only: the tables are
 * the applications', the engine's and feedback's; nothing here writes. */
#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"
#include "core/db/qb.h"
#include "core/flow/flow.h"
#include "shared/org/scope.h"
#include "customer/evaluation/appeval.h"

/* a period's applications at most (each with its history in memory): beyond, a shorter period or one unit */
#define MAX_APPS 50000
#define MAX_MONTHS 36

static const char *const kinds[] = {"lv_residential", "lv_non_residential", "hv_single", "hv_dual", "capacity_increase",
    "temporary", NULL};
static const char *const tracks[] = {"lv_residential", "lv_non_residential", "hv_single", "hv_dual", NULL};

static bool
listed(const char *const *list, const char *v)
{
	for (int i = 0; list[i]; i++)
		if (strcmp(list[i], v) == 0)
			return true;
	return false;
}

/* the units at and below one, as a subquery (the same recursion as the applications' list) */
static void
subtree(qb_t *q, const char *unit)
{
	qb_sql(q, "(WITH RECURSIVE down(id) AS (SELECT id FROM org_units WHERE id = ");
	qb_text(q, unit);
	qb_sql(q, " UNION SELECT o.id FROM org_units o JOIN down d ON o.parent_id = d.id) SELECT id FROM down)");
}

static int
check(db_t *db, const appeval_query_t *q, int64_t *lo, int64_t *hi, fg_err_t *err)
{
	if (!q->from || !appeval_month_start(q->from, lo))
		return fg_err_field(err, "invalid_query", "from", "required: a month YYYY-MM");
	if (!q->to || !appeval_month_start(q->to, hi))
		return fg_err_field(err, "invalid_query", "to", "required: a month YYYY-MM");
	int months = (atoi(q->to) - atoi(q->from)) * 12 + atoi(q->to + 5) - atoi(q->from + 5) + 1;
	if (months < 1)
		return fg_err_field(err, "invalid_query", "to", "not before from");
	if (months > MAX_MONTHS)
		return fg_err_field(err, "invalid_query", "to", "at most 36 months from from");
	/* the end: the first instant after the month `to` */
	char next[8];
	int y = atoi(q->to), m = atoi(q->to + 5) + 1;
	fg_fmt(next, sizeof next, "%04u-%02u", (unsigned)(m > 12 ? y + 1 : y) % 10000u, (unsigned)(m > 12 ? 1 : m) % 100u);
	appeval_month_start(next, hi);
	if (q->kind && !listed(kinds, q->kind))
		return fg_err_field(err, "invalid_query", "kind", "lv_residential, lv_non_residential, hv_single, hv_dual, capacity_increase or temporary");
	if (q->track && !listed(tracks, q->track))
		return fg_err_field(err, "invalid_query", "track", "lv_residential, lv_non_residential, hv_single or hv_dual");
	if (q->org_unit_id) {
		int rc;
		json_t *u = db_one(db_q(db, "SELECT id FROM org_units WHERE id = $1", "t", q->org_unit_id), &rc);
		json_decref(u);
		if (!u)
			return rc == DB_DONE ? fg_err_field(err, "invalid_query", "org_unit_id", "no such org unit") : fg_err(err, "internal");
	}
	return 0;
}

/* The applications the period may touch: taken before its end and changed (a transition, a rating, a document)
 * since its start — every event the figures count moves updated_at —, or named by feedback closed in it. A
 * superset: the arithmetic counts only what falls in the period. */
static json_t *
load_apps(db_t *db, const appeval_query_t *q, int64_t lo, int64_t hi, fg_err_t *err)
{
	qb_t b;
	qb_init(&b, "SELECT a.id, a.number, a.kind, a.track, a.status, a.org_unit_id, o.name AS org_unit_name, a.created_at, "
		    "a.rating, a.rated_at FROM applications a LEFT JOIN org_units o ON o.id = a.org_unit_id WHERE a.created_at < ");
	qb_int(&b, hi);
	qb_sql(&b, " AND (a.updated_at >= ");
	qb_int(&b, lo);
	qb_sql(&b, " OR a.number IN (SELECT application_no FROM feedback_items WHERE satisfaction IS NOT NULL AND closed_at >= ");
	qb_int(&b, lo);
	qb_sql(&b, " AND closed_at < ");
	qb_int(&b, hi);
	qb_sql(&b, "))");
	if (q->kind) {
		qb_sql(&b, " AND a.kind = ");
		qb_text(&b, q->kind);
	}
	if (q->track) {
		qb_sql(&b, " AND a.track = ");
		qb_text(&b, q->track);
	}
	if (q->org_unit_id) {
		qb_sql(&b, " AND a.org_unit_id IN ");
		subtree(&b, q->org_unit_id);
	}
	/* scope, as applications_visible: company-wide roles everything, others their unit and below (and the
	 * applications no unit serves yet) */
	if (q->viewer && !scope_company_wide(q->viewer)) {
		qb_sql(&b, " AND (a.org_unit_id IS NULL");
		if (q->viewer->org_unit_id[0]) {
			qb_sql(&b, " OR a.org_unit_id IN ");
			subtree(&b, q->viewer->org_unit_id);
		}
		qb_sql(&b, ")");
	}
	qb_sql(&b, " ORDER BY a.created_at, a.id LIMIT ");
	qb_int(&b, MAX_APPS + 1);
	int rc;
	json_t *apps = db_all(qb_prepare(db, &b), &rc);
	qb_free(&b);
	if (!apps) {
		fg_err(err, "internal");
		return NULL;
	}
	if (json_array_size(apps) > MAX_APPS) {
		json_decref(apps);
		fg_err_field(err, "invalid_query", "from", "more than 50000 applications: a shorter period, one unit or one kind");
		return NULL;
	}
	return apps;
}

/* rows of sql ($1: a JSON array of keys) grouped by the text of column key: {key: [row, ...]} */
static json_t *
grouped(db_t *db, const char *sql, json_t *keys, const char *key)
{
	char *kj = json_dumps(keys, JSON_COMPACT);
	int rc;
	json_t *rows = db_all(db_q(db, sql, "t", kj), &rc);
	free(kj);
	if (!rows)
		return NULL;
	json_t *by = fg_json_group_by(rows, key);
	json_decref(rows);
	return by;
}

/* Adds to each application its events, timers, complaints, feedback in the period and its units' routing. */
static int
attach_history(db_t *db, json_t *apps, int64_t lo, int64_t hi)
{
	json_t *ids = json_array(), *numbers = json_array(), *a;
	size_t i;
	json_array_foreach(apps, i, a) {
		json_array_append(ids, json_object_get(a, "id"));
		if (fg_jstr(a, "number"))
			json_array_append(numbers, json_object_get(a, "number"));
	}
	char sql[600], fb[600], cp[600];
	const char *in = db_in_json(db);
	fg_fmt(sql, sizeof sql, "SELECT entity_id, action, from_state, to_state, at FROM flow_events WHERE flow = 'application' AND "
				"entity_id IN %s ORDER BY entity_id, at, id", in);
	json_t *events = grouped(db, sql, ids, "entity_id");
	fg_fmt(sql, sizeof sql, "SELECT id, entity_id, kind, state, due_at, fired_at, ended_at, paused_at, created_at FROM flow_timers "
				"WHERE flow = 'application' AND entity_id IN %s ORDER BY entity_id, created_at, id", in);
	json_t *timers = grouped(db, sql, ids, "entity_id");
	fg_fmt(cp, sizeof cp, "SELECT application_no FROM feedback_items WHERE kind = 'complaint' AND application_no IN %s", in);
	json_t *complaints = grouped(db, cp, numbers, "application_no");
	fg_fmt(fb, sizeof fb, "SELECT application_no, closed_at, satisfaction FROM feedback_items WHERE satisfaction IS NOT NULL "
			      "AND closed_at >= %lld AND closed_at < %lld AND application_no IN %s ORDER BY closed_at, id",
	    (long long)lo, (long long)hi, in);
	json_t *feedback = grouped(db, fb, numbers, "application_no");
	int rc;
	json_t *routing = db_all(db_prepare(db, "SELECT r.org_unit_id, r.stage, r.team_id, t.name AS team_name FROM application_routing r "
						"JOIN org_units t ON t.id = r.team_id"), &rc);
	json_decref(ids);
	json_decref(numbers);
	int ok = events && timers && complaints && feedback && routing ? 0 : -1;
	json_t *teams = json_object(), *r;
	json_array_foreach(routing, i, r) {
		json_t *u = json_object_get(teams, fg_jstr(r, "org_unit_id"));
		if (!u) {
			u = json_object();
			json_object_set_new(teams, fg_jstr(r, "org_unit_id"), u);
		}
		json_object_set_new(u, fg_jstr(r, "stage"), json_pack("{s:O, s:O}", "team_id", json_object_get(r, "team_id"), "team_name",
							    json_object_get(r, "team_name")));
	}
	if (ok == 0) {
		json_array_foreach(apps, i, a) {
			const char *id = fg_jstr(a, "id"), *no = fg_jstr(a, "number"), *unit = fg_jstr(a, "org_unit_id");
			json_t *e = json_object_get(events, id), *t = json_object_get(timers, id), *f = no ? json_object_get(feedback, no) : NULL;
			json_t *tm = unit ? json_object_get(teams, unit) : NULL;
			json_object_set_new(a, "events", e ? json_incref(e) : json_array());
			json_object_set_new(a, "timers", t ? json_incref(t) : json_array());
			json_object_set_new(a, "feedback", f ? json_incref(f) : json_array());
			json_object_set_new(a, "complaints", json_integer(no ? (json_int_t)json_array_size(json_object_get(complaints, no)) : 0));
			json_object_set_new(a, "teams", tm ? json_incref(tm) : json_object());
		}
	}
	json_decref(events);
	json_decref(timers);
	json_decref(complaints);
	json_decref(feedback);
	json_decref(routing);
	json_decref(teams);
	return ok;
}

/* the stage's names from the flow, for the desk and the workbook */
static void
name_stages(json_t *def, json_t *rows)
{
	size_t i, j;
	json_t *r, *s;
	json_array_foreach(rows, i, r) {
		json_object_set_new(r, "stage_name_zh", json_null());
		json_object_set_new(r, "stage_name_en", json_null());
		json_array_foreach(json_object_get(def, "states"), j, s) {
			if (fg_jstr(r, "stage") && fg_jstr(s, "code") && strcmp(fg_jstr(r, "stage"), fg_jstr(s, "code")) == 0) {
				json_object_set(r, "stage_name_zh", json_object_get(s, "name_zh"));
				json_object_set(r, "stage_name_en", json_object_get(s, "name_en"));
			}
		}
	}
}

int
appeval_table(db_t *db, const appeval_query_t *q, json_t **out, fg_err_t *err)
{
	int64_t lo = 0, hi = 0;
	if (check(db, q, &lo, &hi, err) != 0)
		return -1;
	json_t *def = flow_def("application");
	if (!def)
		return fg_err(err, "internal");
	json_t *apps = load_apps(db, q, lo, hi, err);
	if (!apps)
		return -1;
	if (attach_history(db, apps, lo, hi) != 0) {
		json_decref(apps);
		return fg_err(err, "internal");
	}
	fg_err_t e = FG_ERR_INIT;
	cal_t *cal = cal_get(db, &e);
	if (!cal) {
		json_decref(apps);
		*err = e;
		return -1;
	}
	json_t *t = appeval_compute(cal, def, apps, q->from, q->to);
	cal_release(cal);
	json_decref(apps);
	name_stages(def, json_object_get(t, "stages"));
	name_stages(def, json_object_get(t, "by_stage"));
	json_object_set_new(t, "org_unit_id", q->org_unit_id ? json_string(q->org_unit_id) : json_null());
	json_object_set_new(t, "kind", q->kind ? json_string(q->kind) : json_null());
	json_object_set_new(t, "track", q->track ? json_string(q->track) : json_null());
	*out = t;
	return 0;
}

int
appeval_xlsx(db_t *db, const appeval_query_t *q, unsigned char **buf, size_t *len, fg_err_t *err)
{
	json_t *t = NULL;
	if (appeval_table(db, q, &t, err) != 0)
		return -1;
	int rc = appeval_xlsx_of(t, buf, len, err);
	json_decref(t);
	return rc;
}
