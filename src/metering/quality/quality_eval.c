/* The month's evaluation of metering field work per team (quality.h, R1.2 "evaluation"): from the register of
 * finished jobs and the re-checks of their samples.
 *   on-time rate     jobs finished by their work order's due instant / jobs finished
 *   first-pass rate  re-checked jobs that passed / re-checked jobs (a re-check is recorded once: a failed one stays
 *                    failed, so "passed" is passed the first time)
 *   findings         the errors found after the fact, by severity, counted against the month the job finished
 *   processes        the metering cases (src/metering/meterproc, metering_cases) closed in the month, per process
 *                    (the case's kind): on time when closed by the case's due instant — the deadline of the stage it
 *                    closed from, as the process counted it (due_at stays as it was at the close); a case with no
 *                    due instant counts as on time, as a job does. Cancelled cases are not counted. The team: the team
 *                    of the case's last work order (metering_cases.work_order_id) as this module registered it when
 *                    it finished — the crew whose work closed the case; none registered: unassigned.
 *   collection       collected / expected of the collection system's daily figures (collection_daily, the
 *                    collection module's) of the month's days, over the transformer areas the team answers for
 *                    (metering_area_teams, migration 0043); an area with no team is counted as unassigned.
 * The unassigned row is the team entry with team_id null: jobs without a team, cases whose closing order is not
 * registered, areas without a team. Reading the other modules' tables in SQL stays inside the metering context
 * (the rotation module does the same with the assets); nothing here writes them.
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

/* collected / expected as a percentage to two decimals (a collection rate lives in the last tenths: 99.87 %), or
 * null */
static json_t *
rate2(json_int_t part, json_int_t whole)
{
	if (whole <= 0)
		return json_null();
	return json_real((double)((part * 10000 * 2 + whole) / (whole * 2)) / 100.0);
}

static json_t *
cases_fig(json_int_t closed, json_int_t on_time)
{
	return json_pack("{s:I, s:I, s:o}", "closed", closed, "on_time", on_time, "on_time_rate", rate(on_time, closed));
}

static json_t *
collection_fig(json_int_t areas, json_int_t expected, json_int_t collected)
{
	return json_pack("{s:I, s:I, s:I, s:o}", "areas", areas, "expected", expected, "collected", collected, "success_rate",
	    rate2(collected, expected));
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
	t = json_pack("{s:O, s:O, s:[], s:{s:i, s:i, s:i}, s:I, s:I, s:I, s:I, s:[], s:I, s:I, s:o}", "team_id",
	    json_object_get(row, "team_id"), "team_name", json_object_get(row, "team_name"), "kinds", "findings", "major", 0, "general",
	    0, "minor", 0, "n_finished", (json_int_t)0, "n_on_time", (json_int_t)0, "n_checked", (json_int_t)0, "n_passed", (json_int_t)0,
	    "processes", "n_closed", (json_int_t)0, "n_closed_on_time", (json_int_t)0, "collection", collection_fig(0, 0, 0));
	json_array_append_new(teams, t);
	json_object_set(index, id, t);
	return t;
}

static void
add(json_t *o, const char *k, json_int_t v)
{
	json_object_set_new(o, k, json_integer(num(o, k) + v));
}

/* The first millisecond of a day in Asia/Shanghai (UTC+8, no daylight saving) */
static int64_t
day_start_ms(const char *day)
{
	return (int64_t)day_diff("1970-01-01", day) * 86400000LL - 8 * 3600000LL;
}

/* at most this many unassigned areas are named in the answer (the count is whole) */
#define UNASSIGNED_MAX 200

int
quality_evaluation(db_t *db, const char *month, const char *team_id, json_t **out, fg_err_t *err)
{
	char first[16], next[11];
	if (!month || strlen(month) != 7 || !fg_fmt(first, sizeof first, "%s-01", month) || !day_valid(first) ||
	    !day_add_months(first, 1, next))
		return fg_err_field(err, "invalid_query", "month", "a month, YYYY-MM");
	const char *team = team_id ? team_id : "";
	int64_t filtered = team_id != NULL, from_ms = day_start_ms(first), to_ms = day_start_ms(next);
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT j.team_id, o.name AS team_name, j.kind, COUNT(*) AS finished, SUM(j.on_time) AS on_time, "
				      "SUM(CASE WHEN c.status IN ('passed', 'failed') THEN 1 ELSE 0 END) AS checked, "
				      "SUM(CASE WHEN c.status = 'passed' THEN 1 ELSE 0 END) AS passed FROM metering_jobs j "
				      "LEFT JOIN quality_checks c ON c.work_order_id = j.work_order_id LEFT JOIN org_units o ON o.id = j.team_id "
				      "WHERE j.finished_day >= $1 AND j.finished_day < $2 AND (j.team_id = $3 OR $4 = 0) "
				      "GROUP BY j.team_id, o.name, j.kind ORDER BY o.name, j.team_id, j.kind",
				  "ttti", first, next, team, filtered), &rc);
	json_t *found = rows ? db_all(db_q(db, "SELECT j.team_id, o.name AS team_name, f.severity, COUNT(*) AS n FROM quality_findings f "
					       "JOIN quality_checks c ON c.id = f.check_id JOIN metering_jobs j ON j.work_order_id = "
					       "c.work_order_id LEFT JOIN org_units o ON o.id = j.team_id WHERE j.finished_day >= $1 AND "
					       "j.finished_day < $2 AND (j.team_id = $3 OR $4 = 0) GROUP BY j.team_id, o.name, f.severity",
					   "ttti", first, next, team, filtered), &rc)
			     : NULL;
	/* the cases closed in the month, by the team of their last work order */
	json_t *cases = found ? db_all(db_q(db, "SELECT j.team_id, o.name AS team_name, m.kind, COUNT(*) AS closed, SUM(CASE WHEN "
						"m.due_at IS NULL OR m.closed_at <= m.due_at THEN 1 ELSE 0 END) AS on_time FROM "
						"metering_cases m LEFT JOIN metering_jobs j ON j.work_order_id = m.work_order_id LEFT JOIN "
						"org_units o ON o.id = j.team_id WHERE m.status = 'closed' AND m.closed_at >= $1 AND "
						"m.closed_at < $2 AND (j.team_id = $3 OR $4 = 0) GROUP BY j.team_id, o.name, m.kind "
						"ORDER BY o.name, j.team_id, m.kind",
					    "iiti", from_ms, to_ms, team, filtered), &rc)
			      : NULL;
	/* the collection system's figures of the month's days, by the team of each area */
	json_t *coll = cases ? db_all(db_q(db, "SELECT a.team_id, o.name AS team_name, COUNT(DISTINCT d.transformer_area) AS areas, "
					       "CAST(SUM(d.expected) AS BIGINT) AS expected, CAST(SUM(d.collected) AS BIGINT) AS collected "
					       "FROM collection_daily d LEFT JOIN metering_area_teams a ON a.transformer_area = "
					       "d.transformer_area LEFT JOIN org_units o ON o.id = a.team_id WHERE d.day >= $1 AND d.day < $2 "
					       "AND (a.team_id = $3 OR $4 = 0) GROUP BY a.team_id, o.name ORDER BY o.name, a.team_id",
					   "ttti", first, next, team, filtered), &rc)
			     : NULL;
	json_t *loose = coll && !team_id ? db_all(db_q(db, "SELECT DISTINCT d.transformer_area FROM collection_daily d LEFT JOIN "
							   "metering_area_teams a ON a.transformer_area = d.transformer_area WHERE "
							   "d.day >= $1 AND d.day < $2 AND a.team_id IS NULL ORDER BY d.transformer_area "
							   "LIMIT $3", "tti", first, next, (int64_t)UNASSIGNED_MAX), &rc)
				       : coll ? json_array() : NULL;
	if (!rows || !found || !cases || !coll || !loose) {
		json_decref(rows);
		json_decref(found);
		json_decref(cases);
		json_decref(coll);
		return fg_err(err, "internal");
	}
	json_t *teams = json_array(), *index = json_object(), *r;
	size_t i;
	json_int_t tf = 0, to = 0, tc = 0, tp = 0, cc = 0, co = 0, ca = 0, ce = 0, cg = 0, unassigned_areas = 0;
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
	json_array_foreach(cases, i, r) {
		json_t *t = team_of(teams, index, r), *k = cases_fig(num(r, "closed"), num(r, "on_time"));
		json_object_set(k, "kind", json_object_get(r, "kind"));
		json_array_append_new(json_object_get(t, "processes"), k);
		add(t, "n_closed", num(r, "closed"));
		add(t, "n_closed_on_time", num(r, "on_time"));
	}
	json_array_foreach(coll, i, r) {
		json_t *t = team_of(teams, index, r);
		json_object_set_new(t, "collection", collection_fig(num(r, "areas"), num(r, "expected"), num(r, "collected")));
		ca += num(r, "areas"), ce += num(r, "expected"), cg += num(r, "collected");
		if (!fg_jstr(r, "team_id"))
			unassigned_areas = num(r, "areas");
	}
	json_t *t;
	json_array_foreach(teams, i, t) {
		json_int_t f = num(t, "n_finished"), o = num(t, "n_on_time"), c = num(t, "n_checked"), p = num(t, "n_passed");
		json_int_t nc = num(t, "n_closed"), no = num(t, "n_closed_on_time");
		json_t *fig = figures(f, o, c, p);
		json_object_update(t, fig);
		json_decref(fig);
		json_object_set_new(t, "cases", cases_fig(nc, no));
		static const char *const scratch[] = {"n_finished", "n_on_time", "n_checked", "n_passed", "n_closed", "n_closed_on_time"};
		for (size_t s = 0; s < sizeof scratch / sizeof scratch[0]; s++)
			json_object_del(t, scratch[s]);
		tf += f, to += o, tc += c, tp += p, cc += nc, co += no;
	}
	json_t *names = json_array();
	json_array_foreach(loose, i, r) json_array_append(names, json_object_get(r, "transformer_area"));
	json_decref(rows);
	json_decref(found);
	json_decref(cases);
	json_decref(coll);
	json_decref(loose);
	json_decref(index);
	json_t *totals = figures(tf, to, tc, tp);
	json_object_set_new(totals, "cases", cases_fig(cc, co));
	json_object_set_new(totals, "collection", collection_fig(ca, ce, cg));
	*out = json_pack("{s:s, s:o, s:o, s:{s:I, s:o}}", "month", month, "teams", teams, "totals", totals, "unassigned_areas", "count",
	    unassigned_areas, "names", names);
	return 0;
}
