/* The register of finished metering jobs, quality samples and re-checks (quality.h). */
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include "core/base/util.h"
#include "core/base/counter.h"
#include "core/base/day.h"
#include "core/base/sample.h"
#include "core/audit/audit.h"
#include "core/db/qb.h"
#include "core/calendar/calendar.h"
#include "shared/org/org.h"
#include "shared/org/scope.h"
#include "fieldwork/interface/work_orders.h"
#include "metering/quality/quality.h"

#define SAMPLE_COLS "id, number, team_id, from_day, to_day, rate, population, created_by, created_at"
#define CHECK_COLS "c.id, c.sample_id, c.work_order_id, c.status, c.checked_by, c.checked_at, c.note, c.version"
/* a sample draws from at most this many jobs: a team's fortnight or month of metering work, far beyond any real
 * one (a rotation crew does a few hundred meters a month); larger draws are split by days */
#define POPULATION_MAX 100000

/* The field-service work of a metering centre (R1.1): installing, changing, rotating, testing and fixing meters,
 * CTs/PTs and collection terminals, as data/kb/work_kinds.json names it. */
static const char *const metering_kinds[] = {"lv_meter_install", "ct_meter_install", "hv_metering_install", "meter_rotation",
    "terminal_install", "collection_fault", "disputed_meter_check", "first_inspection", "metering_error_correction",
    "metering_retrofit", "lv_connection_install", NULL};

bool
quality_metering_kind(const char *kind)
{
	return fg_one_of(kind, metering_kinds);
}

/* ---- the register ---- */

int
quality_on_finished(db_t *db, const fg_event_t *ev, fg_err_t *err)
{
	if (!quality_metering_kind(fg_jstr(ev->data, "kind")))
		return 0;
	json_t *o = work_orders_get(db, ev->entity_id);
	if (!o)
		return -1;
	json_t *due = json_object_get(o, "due_at");
	bool on_time = !json_is_integer(due) || ev->at <= json_integer_value(due);
	char day[11];
	cal_local_day(ev->at, day);
	db_stmt_t *st = db_q(db, "INSERT INTO metering_jobs (work_order_id, number, kind, team_id, due_at, finished_at, finished_day, "
				 "on_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (work_order_id) DO NOTHING",
	    "ttttiitb", ev->entity_id, fg_jstr(o, "number"), fg_jstr(o, "kind"), fg_jstr(o, "team_id"),
	    json_is_integer(due) ? json_integer_value(due) : 0, ev->at, day, (int)on_time);
	if (st && !json_is_integer(due))
		db_bind_null(st, 5);
	json_decref(o);
	int rc = db_run(st);
	if (rc != 0)
		return -1;
	json_t *after = json_pack("{s:s, s:s, s:b}", "work_order_id", ev->entity_id, "finished_day", day, "on_time", on_time);
	rc = audit_write(db, ev->actor_id, "register_job", "metering_job", ev->entity_id, NULL, after);
	json_decref(after); /* audit_write borrows */
	return rc == 0 ? 0 : -1;
}

/* ---- samples ---- */

static json_t *
checks_of(db_t *db, const char *sample_id)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT " CHECK_COLS ", j.number AS work_order_number, j.kind, j.finished_at, j.on_time FROM "
					"quality_checks c JOIN metering_jobs j ON j.work_order_id = c.work_order_id WHERE c.sample_id = $1 "
					"ORDER BY j.finished_at, c.id", "t", sample_id), &rc);
	if (!rows)
		return NULL;
	json_t *c;
	size_t i;
	json_array_foreach(rows, i, c) {
		json_object_set(c, "on_time", json_boolean(json_integer_value(json_object_get(c, "on_time"))));
		json_t *f = db_all(db_q(db, "SELECT severity, category, description FROM quality_findings WHERE check_id = $1 "
					    "ORDER BY position", "t", fg_jstr(c, "id")), &rc);
		if (!f) {
			json_decref(rows);
			return NULL;
		}
		json_object_set_new(c, "findings", f);
	}
	return rows;
}

json_t *
quality_sample_get(db_t *db, const char *id)
{
	int rc;
	json_t *s = db_one(db_q(db, "SELECT " SAMPLE_COLS " FROM quality_samples WHERE id = $1", "t", id), &rc);
	if (!s)
		return NULL;
	json_t *checks = checks_of(db, id);
	if (!checks) {
		json_decref(s);
		return NULL;
	}
	size_t pending = 0, passed = 0, failed = 0, i;
	json_t *c;
	json_array_foreach(checks, i, c) {
		const char *st = fg_jstr(c, "status");
		pending += strcmp(st, "pending") == 0;
		passed += strcmp(st, "passed") == 0;
		failed += strcmp(st, "failed") == 0;
	}
	json_object_set_new(s, "checks", checks);
	json_object_set_new(s, "counts", json_pack("{s:I, s:I, s:I}", "pending", (json_int_t)pending, "passed", (json_int_t)passed,
					      "failed", (json_int_t)failed));
	return s;
}

static void
sample_where(qb_t *q, const void *filter)
{
	const char *team_id = filter;
	if (team_id) {
		qb_sql(q, " AND team_id = ");
		qb_text(q, team_id);
	}
}

int
quality_sample_list(db_t *db, const char *team_id, const char *cursor, int limit, json_t **out, fg_err_t *err)
{
	if (qb_list(db, "SELECT " SAMPLE_COLS " FROM quality_samples WHERE 1 = 1", "SELECT COUNT(*) AS n FROM quality_samples WHERE 1 = 1",
		sample_where, team_id, "id", true, cursor, limit, out) != 0)
		return fg_err(err, "internal");
	return 0;
}

int
quality_sample_create(db_t *db, const auth_user_t *actor, json_t *in, json_t **out, fg_err_t *err)
{
	const char *team = fg_jstr(in, "team_id"), *from = fg_jstr(in, "from"), *to = fg_jstr(in, "to");
	json_int_t rate = json_integer_value(json_object_get(in, "rate"));
	if (!from || !day_valid(from))
		return fg_err_field(err, "invalid_field", "from", "a day, YYYY-MM-DD");
	if (!to || !day_valid(to) || day_diff(from, to) < 0)
		return fg_err_field(err, "invalid_field", "to", "a day, YYYY-MM-DD, not before from");
	if (day_diff(from, to) > 366)
		return fg_err_field(err, "invalid_field", "to", "at most a year after from");
	if (rate < 1 || rate > 100)
		return fg_err_field(err, "invalid_field", "rate", "a percentage, 1 to 100");
	json_t *unit = team ? org_get(db, team) : NULL;
	if (!unit)
		return fg_err_field(err, "invalid_field", "team_id", "an org unit");
	json_decref(unit);
	if (db_begin(db) != 0)
		return db_fail(db, err);
	/* one draw at a time per team: two racing draws must not put one job in two samples (the UNIQUE on
	 * quality_checks.work_order_id would refuse the second; the lock makes it wait and draw from what is left) */
	if (db_lock_row(db, "org_units", team) != 0)
		return db_fail(db, err);
	int rc;
	json_t *pop = db_all(db_q(db, "SELECT j.work_order_id FROM metering_jobs j WHERE j.team_id = $1 AND j.finished_day >= $2 AND "
				     "j.finished_day <= $3 AND NOT EXISTS (SELECT 1 FROM quality_checks c WHERE c.work_order_id = "
				     "j.work_order_id) ORDER BY j.work_order_id LIMIT $4", "ttti", team, from, to,
				 (int64_t)POPULATION_MAX + 1), &rc);
	if (!pop)
		return db_fail(db, err);
	size_t n = json_array_size(pop);
	if (n == 0 || n > POPULATION_MAX) {
		json_decref(pop);
		if (n == 0) {
			fg_err(err, "quality_sample_empty");
			fg_err_detail_str(err, "team_id", team);
		} else
			fg_err_field(err, "invalid_field", "to", "too many jobs in the days: draw a shorter period");
		return db_fail(db, err);
	}
	char id[37], number[32];
	fg_uuid7(id);
	const char **codes = malloc(n * sizeof *codes);
	bool *pick = malloc(n * sizeof *pick);
	int ok = codes && pick;
	for (size_t i = 0; ok && i < n; i++)
		codes[i] = fg_jstr(json_array_get(pop, i), "work_order_id");
	ok = ok && sample_pick(id, codes, n, (int)rate, pick) == 0;
	int64_t now = fg_now_ms();
	ok = ok && counter_number(db, "ZJ", number) == 0 &&
	     db_run(db_q(db, "INSERT INTO quality_samples (id, number, team_id, from_day, to_day, rate, population, created_by, "
			     "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", "tttttiiti", id, number, team, from, to,
			 (int64_t)rate, (int64_t)n, actor->id, now)) == 0;
	for (size_t i = 0; ok && i < n; i++) {
		if (!pick[i])
			continue;
		char cid[37];
		fg_uuid7(cid);
		ok = db_run(db_q(db, "INSERT INTO quality_checks (id, sample_id, work_order_id, status) VALUES ($1, $2, $3, 'pending')",
				"ttt", cid, id, codes[i])) == 0;
	}
	free(codes);
	free(pick);
	json_decref(pop);
	json_t *after = ok ? quality_sample_get(db, id) : NULL;
	if (!after)
		return db_fail(db, err);
	return audit_commit(db, actor->id, "draw_sample", "quality_sample", id, NULL, after, out, err);
}

/* ---- re-checks ---- */

static const char *const severities[] = {"major", "general", "minor", NULL};
static const char *const categories[] = {"wiring", "seal", "reading", "asset_record", "safety", "site", "other", NULL};

static int
findings_valid(json_t *findings, fg_err_t *err)
{
	if (findings && !json_is_array(findings))
		return fg_err_field(err, "invalid_field", "findings", "a list of findings");
	if (json_array_size(findings) > 50)
		return fg_err_field(err, "invalid_field", "findings", "at most 50");
	json_t *f;
	size_t i;
	json_array_foreach(findings, i, f) {
		char field[48];
		fg_fmt(field, sizeof field, "findings[%zu].severity", i);
		if (!json_is_object(f) || !fg_one_of(fg_jstr(f, "severity"), severities))
			return fg_err_field(err, "invalid_field", field, "major, general or minor");
		fg_fmt(field, sizeof field, "findings[%zu].category", i);
		if (!fg_one_of(fg_jstr(f, "category"), categories))
			return fg_err_field(err, "invalid_field", field, "wiring, seal, reading, asset_record, safety, site or other");
		fg_fmt(field, sizeof field, "findings[%zu].description", i);
		const char *d = fg_jstr(f, "description");
		if (fg_blank(d) || strlen(d) > 2000)
			return fg_err_field(err, "invalid_field", field, "what was found, 1 to 2000 bytes");
	}
	return 0;
}

static json_t *
check_get(db_t *db, const char *id)
{
	int rc;
	json_t *c = db_one(db_q(db, "SELECT " CHECK_COLS ", j.number AS work_order_number, j.kind, j.finished_at, j.on_time FROM "
				    "quality_checks c JOIN metering_jobs j ON j.work_order_id = c.work_order_id WHERE c.id = $1", "t", id), &rc);
	if (!c)
		return NULL;
	json_object_set(c, "on_time", json_boolean(json_integer_value(json_object_get(c, "on_time"))));
	json_t *f = db_all(db_q(db, "SELECT severity, category, description FROM quality_findings WHERE check_id = $1 ORDER BY position",
				"t", id), &rc);
	json_object_set_new(c, "findings", f ? f : json_array());
	return c;
}

int
quality_check_record(db_t *db, const auth_user_t *actor, const char *check_id, json_t *in, json_t **out, fg_err_t *err)
{
	const char *result = fg_jstr(in, "result"), *note = fg_jstr(in, "note");
	json_t *findings = json_object_get(in, "findings");
	if (!fg_one_of(result, (const char *const[]){"passed", "failed", NULL}))
		return fg_err_field(err, "invalid_field", "result", "passed or failed");
	if (findings_valid(findings, err) != 0)
		return -1;
	if (strcmp(result, "failed") == 0 && json_array_size(findings) == 0)
		return fg_err(err, "quality_finding_required");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "quality_checks", check_id) != 0)
		return db_fail(db, err);
	json_t *before = check_get(db, check_id);
	if (!before) {
		fg_err_not_found(err, "quality_check", check_id);
		return db_fail(db, err);
	}
	if (strcmp(fg_jstr(before, "status"), "pending") != 0) {
		fg_err(err, "quality_check_recorded");
		fg_err_detail_str(err, "status", fg_jstr(before, "status"));
		json_decref(before);
		return db_fail(db, err);
	}
	/* a re-check is a second pair of eyes: nobody re-checks a job they were on */
	json_t *o = work_orders_get(db, fg_jstr(before, "work_order_id"));
	const char *plan = o ? fg_jstr(o, "plan_id") : NULL;
	bool on_job = plan && scope_plan_member(db, actor->id, plan);
	json_decref(o);
	if (on_job) {
		json_decref(before);
		fg_err(err, "quality_checker_on_job");
		return db_fail(db, err);
	}
	int64_t now = fg_now_ms();
	int ok = db_run(db_q(db, "UPDATE quality_checks SET status = $1, checked_by = $2, checked_at = $3, note = $4, version = "
				  "version + 1 WHERE id = $5", "ttitt", result, actor->id, now, note, check_id)) == 0;
	json_t *f;
	size_t i;
	json_array_foreach(findings, i, f) {
		char fid[37];
		fg_uuid7(fid);
		ok = ok && db_run(db_q(db, "INSERT INTO quality_findings (id, check_id, position, severity, category, description) VALUES "
					   "($1, $2, $3, $4, $5, $6)", "ttitt" "t", fid, check_id, (int64_t)i, fg_jstr(f, "severity"),
				       fg_jstr(f, "category"), fg_jstr(f, "description"))) == 0;
	}
	json_t *after = ok ? check_get(db, check_id) : NULL;
	if (!after) {
		json_decref(before);
		return db_fail(db, err);
	}
	return audit_commit(db, actor->id, "record_check", "quality_check", check_id, before, after, out, err);
}
