/* The month's evaluation of metering field work per team (quality.h, R1.2 "evaluation"): from the register of
 * finished jobs and the re-checks of their samples.
 *   on-time rate     jobs finished by their work order's due instant / jobs finished
 *   first-pass rate  re-checked jobs that passed / re-checked jobs (a re-check is recorded once: a failed one stays
 *                    failed, so "passed" is passed the first time)
 *   findings         the errors found after the fact, by severity, counted against the month the job finished
 * A rate with nothing to count is null, never 0 or 100. */
#include <string.h>
#include "core/base/util.h"
#include "core/base/day.h"
#include "metering/quality/quality.h"

static json_int_t
num(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* part / whole as a percentage to one decimal, or null */
static json_t *
rate(json_int_t part, json_int_t whole)
{
	if (whole <= 0)
		return json_null();
	return json_real((double)((part * 1000 + whole / 2) / whole) / 10.0);
}

static json_t *
figures(json_int_t finished, json_int_t on_time, json_int_t checked, json_int_t passed)
{
	return json_pack("{s:I, s:I, s:o, s:I, s:I, s:o}", "finished", finished, "on_time", on_time, "on_time_rate",
	    rate(on_time, finished), "checked", checked, "passed", passed, "first_pass_rate", rate(passed, checked));
}

/* the team's object in teams, made on first sight */
static json_t *
team_of(json_t *teams, json_t *index, json_t *row)
{
	const char *id = fg_jstr(row, "team_id") ? fg_jstr(row, "team_id") : "";
	json_t *t = json_object_get(index, id);
	if (t)
		return t;
	t = json_pack("{s:O, s:O, s:[], s:{s:i, s:i, s:i}, s:I, s:I, s:I, s:I}", "team_id", json_object_get(row, "team_id"),
	    "team_name", json_object_get(row, "team_name"), "kinds", "findings", "major", 0, "general", 0, "minor", 0, "n_finished",
	    (json_int_t)0, "n_on_time", (json_int_t)0, "n_checked", (json_int_t)0, "n_passed", (json_int_t)0);
	json_array_append_new(teams, t);
	json_object_set(index, id, t);
	return t;
}

static void
add(json_t *o, const char *k, json_int_t v)
{
	json_object_set_new(o, k, json_integer(num(o, k) + v));
}

int
quality_evaluation(db_t *db, const char *month, const char *team_id, json_t **out, fg_err_t *err)
{
	char first[16], next[11];
	if (!month || strlen(month) != 7 || !fg_fmt(first, sizeof first, "%s-01", month) || !day_valid(first) ||
	    !day_add_months(first, 1, next))
		return fg_err_field(err, "invalid_query", "month", "a month, YYYY-MM");
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT j.team_id, o.name AS team_name, j.kind, COUNT(*) AS finished, SUM(j.on_time) AS on_time, "
				      "SUM(CASE WHEN c.status IN ('passed', 'failed') THEN 1 ELSE 0 END) AS checked, "
				      "SUM(CASE WHEN c.status = 'passed' THEN 1 ELSE 0 END) AS passed FROM metering_jobs j "
				      "LEFT JOIN quality_checks c ON c.work_order_id = j.work_order_id LEFT JOIN org_units o ON o.id = j.team_id "
				      "WHERE j.finished_day >= $1 AND j.finished_day < $2 AND (j.team_id = $3 OR $4 = 0) "
				      "GROUP BY j.team_id, o.name, j.kind ORDER BY o.name, j.team_id, j.kind",
				  "ttti", first, next, team_id ? team_id : "", (int64_t)(team_id != NULL)), &rc);
	json_t *found = rows ? db_all(db_q(db, "SELECT j.team_id, o.name AS team_name, f.severity, COUNT(*) AS n FROM quality_findings f "
					       "JOIN quality_checks c ON c.id = f.check_id JOIN metering_jobs j ON j.work_order_id = "
					       "c.work_order_id LEFT JOIN org_units o ON o.id = j.team_id WHERE j.finished_day >= $1 AND "
					       "j.finished_day < $2 AND (j.team_id = $3 OR $4 = 0) GROUP BY j.team_id, o.name, f.severity",
					   "ttti", first, next, team_id ? team_id : "", (int64_t)(team_id != NULL)), &rc)
			     : NULL;
	if (!rows || !found) {
		json_decref(rows);
		return fg_err(err, "internal");
	}
	json_t *teams = json_array(), *index = json_object(), *r;
	size_t i;
	json_int_t tf = 0, to = 0, tc = 0, tp = 0;
	json_array_foreach(rows, i, r) {
		json_t *t = team_of(teams, index, r), *k = figures(num(r, "finished"), num(r, "on_time"), num(r, "checked"), num(r, "passed"));
		json_object_set(k, "kind", json_object_get(r, "kind"));
		json_array_append_new(json_object_get(t, "kinds"), k);
		add(t, "n_finished", num(r, "finished"));
		add(t, "n_on_time", num(r, "on_time"));
		add(t, "n_checked", num(r, "checked"));
		add(t, "n_passed", num(r, "passed"));
	}
	json_array_foreach(found, i, r) {
		json_t *f = json_object_get(team_of(teams, index, r), "findings");
		add(f, fg_jstr(r, "severity"), num(r, "n"));
	}
	json_t *t;
	json_array_foreach(teams, i, t) {
		json_int_t f = num(t, "n_finished"), o = num(t, "n_on_time"), c = num(t, "n_checked"), p = num(t, "n_passed");
		json_t *fig = figures(f, o, c, p);
		json_object_update(t, fig);
		json_decref(fig);
		json_object_del(t, "n_finished");
		json_object_del(t, "n_on_time");
		json_object_del(t, "n_checked");
		json_object_del(t, "n_passed");
		tf += f, to += o, tc += c, tp += p;
	}
	json_decref(rows);
	json_decref(found);
	json_decref(index);
	*out = json_pack("{s:s, s:o, s:o}", "month", month, "teams", teams, "totals", figures(tf, to, tc, tp));
	return 0;
}
