/* Field work from an application (appjobs.h): the survey and installation jobs of an application, the stage that
 * follows its job, and the installed meter on the metering point. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/flow/flow.h"
#include "customer/applications/applications.h"
#include "customer/customers/customers.h"
#include "fieldwork/interface/work_orders.h"
#include "fieldwork/interface/work_results.h"
#include "customer/appjobs/appjobs.h"

#define JOB_COLS                                                                                                       \
	"id, application_id, stage, work_order_id, finished_at, result, outcome, created_by, created_at, updated_at, version"

/* The job row as the API shows it: result parsed, the work order as field work shows it (its summary). */
static json_t *
shown(db_t *db, json_t *row)
{
	const char *res = fg_jstr(row, "result");
	json_t *r = res ? json_loads(res, 0, NULL) : NULL;
	json_object_set_new(row, "result", r ? r : json_null());
	json_t *o = work_orders_get(db, fg_jstr(row, "work_order_id")), *wo = json_null();
	if (o) {
		wo = json_object();
		static const char *const keep[] = {"id", "number", "kind", "title", "status", "priority", "due_at", "team_id", "plan_id", NULL};
		for (int i = 0; keep[i]; i++)
			json_object_set(wo, keep[i], json_object_get(o, keep[i]) ? json_object_get(o, keep[i]) : json_null());
		json_decref(o);
	}
	json_object_set_new(row, "work_order", wo);
	return row;
}

static json_t *
job_get(db_t *db, const char *id)
{
	int rc;
	json_t *row = db_one(db_q(db, "SELECT " JOB_COLS " FROM application_jobs WHERE id = $1", "t", id), &rc);
	return row ? shown(db, row) : NULL;
}

json_t *
appjobs_list(db_t *db, const char *application_id)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT " JOB_COLS " FROM application_jobs WHERE application_id = $1 ORDER BY created_at, id",
				  "t", application_id), &rc);
	if (!rows)
		return NULL;
	json_t *row;
	size_t i;
	json_array_foreach(rows, i, row) shown(db, row);
	return json_pack("{s:o}", "items", rows);
}

/* The job of the stage still open (its order neither done nor cancelled), through field work's published view. */
static json_t *
open_job(db_t *db, const char *application_id, const char *stage)
{
	int rc;
	return db_one(db_q(db,
	    "SELECT j.id, j.work_order_id, w.number, w.status FROM application_jobs j JOIN work_order_summaries w "
	    "ON w.id = j.work_order_id WHERE j.application_id = $1 AND j.stage = $2 AND w.status NOT IN ('done', 'cancelled') "
	    "ORDER BY j.created_at LIMIT 1", "tt", application_id, stage), &rc);
}

static int
job_open_err(fg_err_t *e, const char *stage, json_t *open)
{
	fg_err(e, "application_job_open");
	fg_err_detail_str(e, "stage", stage);
	fg_err_detail(e, "work_order_id", json_incref(json_object_get(open, "work_order_id")));
	fg_err_detail(e, "work_order_number", json_incref(json_object_get(open, "number")));
	fg_err_detail(e, "work_order_status", json_incref(json_object_get(open, "status")));
	return -1;
}

/* The work kind of a stage's job on a track: the survey is the light connection_survey (a work card, no work on
 * live parts); the meter goes in with lv_connection_install on LV and hv_metering_install on HV. */
static const char *
kind_for(const char *stage, const char *track)
{
	if (strcmp(stage, "survey") == 0)
		return "connection_survey";
	return track && strncmp(track, "hv_", 3) == 0 ? "hv_metering_install" : "lv_connection_install";
}

/* The end of the stage's own deadline (data/flows/application.json, working days by track) counted from now: what
 * the work order is due by. 0 when the stage declares none for the track. */
static int64_t
stage_due(db_t *db, json_t *app, int64_t now)
{
	json_t *def = flow_describe("application"), *s, *due_after = NULL;
	size_t i;
	json_array_foreach(json_object_get(def, "states"), i, s) {
		if (strcmp(fg_jstr(s, "code"), fg_jstr(app, "status")) != 0)
			continue;
		json_t *wd = json_object_get(json_object_get(json_object_get(s, "deadline"), "after"), "working_days");
		if (json_is_object(wd))
			wd = json_object_get(json_object_get(wd, "values"), fg_jstr(app, fg_jstr(wd, "by")));
		if (json_is_integer(wd) && json_integer_value(wd) > 0)
			due_after = json_pack("{s:I}", "working_days", json_integer_value(wd));
	}
	json_decref(def);
	int64_t due = 0;
	fg_err_t e = FG_ERR_INIT;
	if (due_after && flow_deadline_due(db, now, due_after, &due, &e) != 0)
		due = 0; /* a year the calendar lacks: the order has no due date, the application's clock still runs */
	fg_err_clear(&e);
	json_decref(due_after);
	return due;
}

/* Creates the stage's work order and the job row linking it, in the caller's transaction (app: as loaded, in the
 * stage). What the crew needs on the order: whom, where, what was asked for and, for the installation, the scheme
 * the survey proposed. */
static int
create_job(db_t *db, const char *actor_id, json_t *app, const char *stage, json_t **out, fg_err_t *err)
{
	const char *kind = kind_for(stage, fg_jstr(app, "track"));
	char title[256], desc[1200], id[37];
	int64_t now = fg_now_ms();
	fg_fmt(title, sizeof title, "%s · %s", strcmp(stage, "survey") == 0 ? "业扩现场勘查" : "装表接电", fg_jstr(app, "number"));
	int rc;
	json_t *scheme = NULL;
	if (strcmp(stage, "installation") == 0) { /* the survey's scheme, when its job recorded one */
		json_t *s = db_one(db_q(db, "SELECT result FROM application_jobs WHERE application_id = $1 AND stage = 'survey' AND "
					     "result IS NOT NULL ORDER BY finished_at DESC LIMIT 1", "t", fg_jstr(app, "id")), &rc);
		json_t *r = s ? json_loads(fg_jstr(s, "result"), 0, NULL) : NULL;
		if (fg_jstr(json_object_get(r, "records"), "scheme"))
			scheme = json_string(fg_jstr(json_object_get(r, "records"), "scheme"));
		json_decref(r);
		json_decref(s);
	}
	fg_fmt(desc, sizeof desc, "业扩报装 %s（%s）：%s %lld kVA%s%s", fg_jstr(app, "number"), fg_jstr(app, "kind"), fg_jstr(app, "voltage_level"),
	    (long long)json_integer_value(json_object_get(app, "capacity_kva")), scheme ? "；供电方案：" : "",
	    scheme ? json_string_value(scheme) : "");
	json_decref(scheme);
	int64_t due = stage_due(db, app, now);
	json_t *team = json_object_get(json_object_get(app, "stage"), "team_id");
	json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:O, s:O, s:s, s:O}", "kind", kind, "title", title, "priority",
	    json_is_true(json_object_get(app, "fast_path")) ? "high" : "normal", "source", "customer", "customer_name",
	    json_object_get(app, "applicant_name"), "site_address", json_object_get(app, "supply_address"), "description", desc,
	    "team_id", team ? team : json_null());
	if (json_is_null(team))
		json_object_del(in, "team_id");
	if (due)
		json_object_set_new(in, "due_at", json_integer(due));
	json_t *wo = NULL;
	rc = work_orders_create(db, actor_id, in, &wo, err);
	json_decref(in);
	if (rc != 0)
		return -1;
	fg_uuid7(id);
	if (db_run(db_q(db, "INSERT INTO application_jobs (id, application_id, stage, work_order_id, created_by, created_at, updated_at) "
			    "VALUES ($1, $2, $3, $4, $5, $6, $6)", "ttttti", id, fg_jstr(app, "id"), stage, fg_jstr(wo, "id"), actor_id, now)) !=
	    DB_DONE) {
		json_decref(wo);
		return fg_err(err, "internal");
	}
	json_decref(wo);
	json_t *after = job_get(db, id);
	if (!after || audit_write(db, actor_id, "create", "application_job", id, NULL, after) != 0) {
		json_decref(after);
		return fg_err(err, "internal");
	}
	if (out)
		*out = after;
	else
		json_decref(after);
	return 0;
}

int
appjobs_create(db_t *db, const auth_user_t *actor, const char *application_id, json_t **out, fg_err_t *err)
{
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "applications", application_id) != 0)
		return db_fail(db, err);
	json_t *app = applications_load(db, application_id), *open = NULL;
	int rc = -1;
	if (!app) {
		fg_err_not_found(err, "application", application_id);
		goto done;
	}
	const char *stage = fg_jstr(app, "status");
	if (strcmp(stage, "survey") != 0 && strcmp(stage, "installation") != 0) {
		fg_err(err, "application_not_in_field_stage");
		fg_err_detail_str(err, "state", stage);
		goto done;
	}
	if ((open = open_job(db, application_id, stage))) {
		job_open_err(err, stage, open);
		goto done;
	}
	rc = create_job(db, actor->id, app, stage, out, err);
	if (rc == 0 && db_commit(db) != 0)
		rc = -1;
done:
	json_decref(app);
	json_decref(open);
	return rc == 0 ? 0 : db_fail(db, err);
}

/* ---- the flow's guards and effects (data/flows/application.json) ---- */

/* accept → survey; complete_survey (residential), request_inspection (LV non-residential), pass_completion (HV) →
 * installation: the stage just entered gets its job. The row is loaded again: the state is the new one here, and
 * the stage's team is the routed team of that stage. */
static int
e_stage_job(flow_ctx_t *c, fg_err_t *err)
{
	json_t *app = applications_load(c->db, c->id);
	if (!app)
		return fg_err(err, "internal");
	int rc = create_job(c->db, c->actor->id, app, fg_jstr(app, "status"), NULL, err);
	json_decref(app);
	return rc;
}

/* complete_survey / complete_installation by hand cannot skip the stage's job while field work still has it. */
static int
g_no_open_job(flow_ctx_t *c, fg_err_t *gate)
{
	const char *stage = fg_jstr(c->row, "status");
	json_t *open = open_job(c->db, c->id, stage);
	if (!open)
		return 0;
	job_open_err(gate, stage, open);
	json_decref(open);
	return -1;
}

/* The meter the installation put in: the body's (the desk's, which wins: a correction, or a job that recorded no
 * steps) field by field over what the latest finished installation job recorded (new_meter_asset_no, meter_model,
 * new_reading_total). A reading is kept as the decimal text the metering point holds. */
static json_t *
meter_of(db_t *db, const char *application_id, json_t *body)
{
	int rc;
	json_t *m = json_object();
	json_t *j = db_one(db_q(db, "SELECT result FROM application_jobs WHERE application_id = $1 AND stage = 'installation' AND "
				     "result IS NOT NULL ORDER BY finished_at DESC LIMIT 1", "t", application_id), &rc);
	json_t *res = j ? json_loads(fg_jstr(j, "result"), 0, NULL) : NULL, *rec = json_object_get(res, "records");
	if (fg_jstr(rec, "new_meter_asset_no"))
		json_object_set(m, "meter_asset_no", json_object_get(rec, "new_meter_asset_no"));
	if (fg_jstr(rec, "meter_model"))
		json_object_set(m, "meter_model", json_object_get(rec, "meter_model"));
	json_t *r = json_object_get(rec, "new_reading_total");
	if (json_is_number(r) && json_number_value(r) >= 0) {
		char buf[64];
		if (json_is_integer(r))
			fg_fmt(buf, sizeof buf, "%lld", (long long)json_integer_value(r));
		else { /* 12345.6700 → 12345.67: the register as read, no float noise */
			fg_fmt(buf, sizeof buf, "%.4f", json_real_value(r));
			size_t n = strlen(buf);
			while (n && buf[n - 1] == '0')
				buf[--n] = 0;
			if (n && buf[n - 1] == '.')
				buf[--n] = 0;
		}
		json_object_set_new(m, "install_reading", json_string(buf));
	}
	json_decref(res);
	json_decref(j);
	static const char *const keys[] = {"meter_asset_no", "meter_model", "install_reading", NULL};
	for (int i = 0; keys[i]; i++)
		if (fg_jstr(body, keys[i]) && *fg_jstr(body, keys[i]))
			json_object_set(m, keys[i], json_object_get(body, keys[i]));
	return m;
}

/* complete_installation needs the meter: its asset number and its start reading, from the job or the body. */
static int
g_meter_known(flow_ctx_t *c, fg_err_t *gate)
{
	json_t *m = meter_of(c->db, c->id, c->body), *missing = json_array();
	if (!fg_jstr(m, "meter_asset_no"))
		json_array_append_new(missing, json_string("meter_asset_no"));
	if (!fg_jstr(m, "install_reading"))
		json_array_append_new(missing, json_string("install_reading"));
	json_decref(m);
	if (!json_array_size(missing)) {
		json_decref(missing);
		return 0;
	}
	fg_err(gate, "application_meter_missing");
	fg_err_detail(gate, "missing", missing);
	return -1;
}

/* complete_installation: the meter on the application's metering point, installed now. An application with
 * premises but no metering point takes the point planned on the premises (the oldest one still waiting for its
 * meter), else gets a new billing point there, and names it from then on; without premises there is nowhere to
 * put it: the meter stays on the job's record. The customers module writes the point (its checks, its audit), as an
 * internal caller: the desk's scope was checked on the application. */
static int
e_meter_installed(flow_ctx_t *c, fg_err_t *err)
{
	json_t *app = applications_load(c->db, c->id);
	if (!app)
		return fg_err(err, "internal");
	json_t *m = meter_of(c->db, c->id, c->body), *out = NULL;
	json_object_set_new(m, "status", json_string("installed"));
	json_object_set_new(m, "installed_at", json_integer(c->now));
	const char *premises = fg_jstr(app, "premises_id");
	int rc = 0, qrc;
	json_t *waiting = NULL;
	char point[40] = "";
	if (fg_jstr(app, "metering_point_id"))
		fg_fmt(point, sizeof point, "%s", fg_jstr(app, "metering_point_id"));
	else if (premises && (waiting = db_one(db_q(c->db, "SELECT id FROM metering_points WHERE premises_id = $1 AND status = 'planned' "
							     "AND meter_asset_no IS NULL ORDER BY created_at, id LIMIT 1", "t", premises), &qrc)))
		fg_fmt(point, sizeof point, "%s", fg_jstr(waiting, "id"));
	json_decref(waiting);
	if (*point) {
		json_t *cur = db_one(db_q(c->db, "SELECT version FROM metering_points WHERE id = $1", "t", point), &qrc);
		json_object_set(m, "version", cur ? json_object_get(cur, "version") : json_integer(0));
		json_decref(cur);
		rc = customers_point_update(c->db, NULL, point, m, &out, err);
	} else if (premises) {
		json_object_set_new(m, "purpose", json_string("billing"));
		rc = customers_point_create(c->db, NULL, premises, m, &out, err);
	}
	/* the application names the point it was installed on */
	if (rc == 0 && out && !fg_jstr(app, "metering_point_id")) {
		if (db_run(db_q(c->db, "UPDATE applications SET metering_point_id = $1 WHERE id = $2", "tt", fg_jstr(out, "id"),
				   c->id)) != DB_DONE)
			rc = fg_err(err, "internal");
	}
	json_decref(out);
	json_decref(m);
	json_decref(app);
	return rc;
}

const flow_guard_t appjobs_guards[] = {
	{"application_no_open_job", g_no_open_job},
	{"application_meter_known", g_meter_known},
	{NULL, NULL},
};

const flow_effect_t appjobs_effects[] = {
	{"application_stage_job", e_stage_job},
	{"application_meter_installed", e_meter_installed},
	{NULL, NULL},
};

/* ---- field work finished a job ---- */

/* work_order.finished: the job's record is kept (what the crew recorded), then the stage completes — the system
 * actor fires complete_survey with the recorded scheme, or complete_installation (the meter from the record) — in a
 * savepoint of its own: a refusal (the application on hold, a residential survey with no scheme recorded, a reading
 * the metering point refuses) leaves the application in its stage for the desk to complete by hand, the job
 * saying why in `outcome`. Only a database failure fails the delivery (the bus retries it). */
int
appjobs_on_finished(db_t *db, const fg_event_t *ev, fg_err_t *err)
{
	int rc;
	json_t *job = db_one(db_q(db, "SELECT " JOB_COLS " FROM application_jobs WHERE work_order_id = $1", "t", ev->entity_id), &rc);
	if (!job)
		return rc == DB_DONE ? 0 : -1; /* not an application's job */
	const char *id = fg_jstr(job, "id"), *app_id = fg_jstr(job, "application_id"), *stage = fg_jstr(job, "stage");
	json_t *before = shown(db, json_deep_copy(job)), *res = work_order_results(db, ev->entity_id), *app = NULL, *after = NULL;
	char refused[64];
	char *text = res ? json_dumps(res, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	int out = -1;
	if (!res || !text ||
	    db_run(db_q(db, "UPDATE application_jobs SET finished_at = $1, result = $2, updated_at = $1, version = version + 1 WHERE id = $3",
		"itt", ev->at, text, id)) != DB_DONE)
		goto done;
	if (db_lock_row(db, "applications", app_id) != 0 || !(app = applications_load(db, app_id)))
		goto done;
	const char *outcome = "stage_left"; /* the application was no longer in the job's stage (cancelled, completed) */
	if (strcmp(fg_jstr(app, "status"), stage) == 0) {
		const char *action = strcmp(stage, "survey") == 0 ? "complete_survey" : "complete_installation";
		json_t *body = json_object(), *moved = NULL;
		const char *scheme = fg_jstr(json_object_get(res, "records"), "scheme");
		if (strcmp(stage, "survey") == 0 && scheme)
			json_object_set_new(body, "scheme", json_string(scheme));
		fg_err_t e = FG_ERR_INIT;
		int sp = db_savepoint(db);
		if (sp < 0) {
			json_decref(body);
			goto done;
		}
		int frc = flow_fire_tx(db, &applications_flow, app_id, action, &flow_system_actor, body, 0, true, &moved, &e);
		json_decref(body);
		json_decref(moved);
		if (frc == 0) {
			if (db_release(db, sp) != 0) {
				fg_err_clear(&e);
				goto done;
			}
			outcome = "stage_completed";
		} else {
			db_rollback_to(db, sp);
			if (!e.code || strcmp(e.code, "internal") == 0) {
				fg_err_clear(&e);
				goto done;
			}
			/* the refusal's first gate names what is wrong better than the summary code */
			json_t *gates = json_object_get(e.details, "gates");
			const char *code = json_array_size(gates) ? fg_jstr(json_array_get(gates, 0), "code") : e.code;
			fg_fmt(refused, sizeof refused, "%s", code ? code : e.code);
			outcome = refused;
		}
		fg_err_clear(&e);
	}
	if (db_run(db_q(db, "UPDATE application_jobs SET outcome = $1 WHERE id = $2", "tt", outcome, id)) != DB_DONE ||
	    !(after = job_get(db, id)) || audit_write(db, ev->actor_id, "finish", "application_job", id, before, after) != 0)
		goto done;
	out = 0;
done:
	free(text);
	json_decref(job);
	json_decref(before);
	json_decref(res);
	json_decref(app);
	json_decref(after);
	if (out != 0)
		fg_err(err, "internal");
	return out;
}
