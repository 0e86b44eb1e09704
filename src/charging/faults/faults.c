/* Fault cases (故障工单, R4.9, R4.11, R4.16): opened once per (charger, fault key) by an alarm or the service desk,
 * each with a charger_repair work order; severity, urgency and SLA deadlines from data/faults/sla.json; life in
 * data/flows/fault.json (remote-first triage, dispatch, repair, report, callback, close); escalation by the
 * scheduler when the SLA passes. */
#include <stdlib.h>
#include <string.h>
#include "core/base/counter.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/auth/perm.h"
#include "charging/chargers/chargers.h"
#include "shared/notify/notify.h"
#include "fieldwork/interface/work_orders.h"
#include "charging/faults/faults.h"

#define HOUR_MS (3600LL * 1000)

#define F_COLS "f.id, f.number, f.status, f.charger_id, c.charge_point_id, c.vendor, c.model, f.station_id, " \
	       "s.name AS station_name, f.connector_id, f.fault_key, f.title, f.source, f.severity, f.urgency, " \
	       "f.work_order_id, w.number AS work_order_number, w.status AS work_order_status, f.assignee_id, " \
	       "u.display_name AS assignee_name, f.level, f.opened_at, f.response_due_at, f.repair_due_at, f.escalate_at, " \
	       "f.responded_at, f.dispatched_at, f.resolved_at, f.closed_at, f.resolution, f.remote_command_id, " \
	       "f.recovered_at, f.report, f.reporter_name, f.reporter_contact, f.callback_result, f.callback_at, " \
	       "f.reopen_count, f.created_at, f.updated_at, f.version"
#define F_FROM " FROM faults f LEFT JOIN chargers c ON c.id = f.charger_id LEFT JOIN stations s ON s.id = f.station_id " \
	       "JOIN work_order_summaries w ON w.id = f.work_order_id LEFT JOIN users u ON u.id = f.assignee_id "

static int64_t
num(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static bool
is_final(const char *status)
{
	return strcmp(status, "closed") == 0 || strcmp(status, "cancelled") == 0;
}

/* The level's definition in the settings (borrowed from s), or NULL. */
static json_t *
level_def(json_t *s, int64_t level)
{
	size_t i;
	json_t *l;
	json_array_foreach(json_object_get(s, "escalation"), i, l) if (num(l, "level") == level) return l;
	return NULL;
}

/* Derived fields: the report as an object, the level's name, and where the SLA stands (ok | due | overdue while
 * open; met | missed once resolved). */
static void
decorate(json_t *f, json_t *settings)
{
	const char *rep = fg_jstr(f, "report");
	json_object_set_new(f, "report", rep ? json_loads(rep, 0, NULL) : json_null());
	if (!json_object_get(f, "report"))
		json_object_set_new(f, "report", json_null());
	json_t *l = level_def(settings, num(f, "level"));
	json_object_set_new(f, "level_code", json_string(l ? fg_jstr(l, "code") : "engineer"));
	json_object_set_new(f, "level_name_zh", json_string(l ? fg_jstr(l, "name_zh") : ""));
	json_object_set_new(f, "level_name_en", json_string(l ? fg_jstr(l, "name_en") : ""));
	int64_t now = fg_now_ms(), opened = num(f, "opened_at");
	const char *status = fg_jstr(f, "status"), *sla;
	bool responded = json_is_integer(json_object_get(f, "responded_at"));
	int64_t due = responded ? num(f, "repair_due_at") : num(f, "response_due_at");
	if (strcmp(status, "cancelled") == 0)
		sla = "none";
	else if (json_is_integer(json_object_get(f, "resolved_at")))
		sla = num(f, "resolved_at") <= num(f, "repair_due_at") ? "met" : "missed";
	else if (now > due || now > num(f, "repair_due_at"))
		sla = "overdue";
	else if ((due - now) * 4 < (due - opened)) /* the last quarter of the window */
		sla = "due";
	else
		sla = "ok";
	json_object_set_new(f, "sla", json_string(sla));
	json_object_set_new(f, "next_due_at", json_integer(due));
}

json_t *
faults_get(db_t *db, const char *id)
{
	int rc;
	json_t *f = db_one(db_q(db, "SELECT " F_COLS F_FROM "WHERE f.id = $1", "t", id), &rc);
	if (!f)
		return NULL;
	json_t *s = faults_settings(db);
	decorate(f, s);
	json_decref(s);
	json_object_set_new(f, "notes", db_all(db_q(db, "SELECT n.id, n.kind, n.text, n.command_id, n.actor_id, "
							  "u.display_name AS actor_name, n.at FROM fault_notes n LEFT JOIN users u ON "
							  "u.id = n.actor_id WHERE n.fault_id = $1 ORDER BY n.at, n.id", "t", id), &rc));
	json_object_set_new(f, "alarms", db_all(db_q(db, "SELECT id, connector_id, kind, state, occurrences, raised_at, "
							   "cleared_at FROM alarms WHERE fault_id = $1 ORDER BY raised_at", "t", id), &rc));
	return f;
}

/* The flow reads the row without notes (they change inside effects; the audit keeps the row's fields). */
static json_t *
load(db_t *db, const char *id)
{
	int rc;
	json_t *f = db_one(db_q(db, "SELECT " F_COLS F_FROM "WHERE f.id = $1", "t", id), &rc);
	if (f) {
		json_t *s = faults_settings(db);
		decorate(f, s);
		json_decref(s);
		json_object_del(f, "sla"); /* time-dependent: not part of the audited state */
		json_object_del(f, "next_due_at");
	}
	return f;
}

const flow_binding_t faults_flow = {"fault", "faults", "fault", load, NULL, "faults.read", NULL};

int
faults_list(db_t *db, const faults_filter_t *f, json_t **out, fg_err_t *err)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT " F_COLS F_FROM
	    "WHERE (CAST($1 AS TEXT) IS NULL OR f.status = $1) AND (CAST($2 AS TEXT) IS NULL OR f.assignee_id = $2) "
	    "AND (CAST($3 AS TEXT) IS NULL OR f.charger_id = $3) AND ($4 = 0 OR f.status NOT IN ('closed', 'cancelled')) "
	    "AND (CAST($5 AS TEXT) IS NULL OR f.id < $5) "
	    "ORDER BY CASE WHEN f.status IN ('closed', 'cancelled') THEN 1 ELSE 0 END, f.repair_due_at, f.id DESC LIMIT $6",
	    "tttbti", f->status, f->assignee_id, f->charger_id, f->open_only ? 1 : 0, f->cursor, (int64_t)(f->limit + 1)), &rc);
	if (!rows)
		return db_fail(db, err);
	json_t *next = json_null();
	if ((int)json_array_size(rows) > f->limit) {
		json_array_remove(rows, (size_t)f->limit);
		next = json_string(fg_jstr(json_array_get(rows, (size_t)f->limit - 1), "id"));
	}
	json_t *s = faults_settings(db), *r;
	size_t i;
	json_array_foreach(rows, i, r) decorate(r, s);
	json_decref(s);
	*out = json_pack("{s:o, s:o}", "items", rows, "next_cursor", next);
	return 0;
}

int
faults_note(db_t *db, const char *fault_id, const char *kind, const char *text, const char *command_id,
    const char *actor_id, int64_t at)
{
	char id[37];
	fg_uuid7(id);
	return db_run(db_q(db, "INSERT INTO fault_notes (id, fault_id, kind, text, command_id, actor_id, at) "
			       "VALUES ($1, $2, $3, $4, $5, $6, $7)", "tttttti", id, fault_id, kind, text, command_id, actor_id,
			  at)) == DB_DONE ? 0 : -1;
}

static int
notify_role(db_t *db, const char *role, const char *kind, const char *title, const char *body, const char *fault_id,
    const char *dedupe)
{
	int rc;
	json_t *users = db_all(db_q(db, "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role = $1 "
					 "AND u.disabled = 0", "t", role), &rc);
	if (!users)
		return -1;
	size_t i;
	json_t *u;
	json_array_foreach(users, i, u) if (notify_add(db, fg_jstr(u, "id"), kind, title, body, "fault", fault_id, dedupe) < 0) {
		json_decref(users);
		return -1;
	}
	json_decref(users);
	return 0;
}

/* The work order follows its fault case, through the work-order module (audited there as fault_sync). */
static int
order_status(db_t *db, const char *actor_id, const char *wo_id, const char *status)
{
	fg_err_t e = FG_ERR_INIT;
	int rc = work_orders_follow(db, actor_id, wo_id, status, "fault_sync", false, &e);
	fg_err_clear(&e);
	return rc;
}

int
faults_open(db_t *db, const char *actor_id, const fault_open_t *in, json_t **out, bool *created, fg_err_t *err)
{
	int rc;
	*created = false;
	if (out)
		*out = NULL;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	json_t *open = in->charger_id ? db_one(db_q(db, "SELECT id FROM faults WHERE charger_id = $1 AND fault_key = $2 AND "
							"status NOT IN ('closed', 'cancelled') ORDER BY opened_at LIMIT 1",
						   "tt", in->charger_id, in->fault_key), &rc)
				      : NULL;
	if (open) { /* never a second case while one is open for this charger and fault */
		char text[400];
		fg_fmt(text, sizeof text, "%s：%s", strcmp(in->source, "alarm") == 0 ? "告警再次出现"
		    : strcmp(in->source, "inspection") == 0 ? "巡检再次发现" : "服务台再次受理",
		    in->description ? in->description : in->fault_key);
		json_t *what = json_pack("{s:s, s:s, s:s}", "note", "repeat", "source", in->source, "text", text);
		int bad = faults_note(db, fg_jstr(open, "id"), "repeat", text, NULL, actor_id, in->at) != 0 ||
			  audit_write(db, actor_id, "repeat", "fault", fg_jstr(open, "id"), NULL, what) != 0;
		json_decref(what);
		if (bad || db_commit(db) != 0) {
			json_decref(open);
			return db_fail(db, err);
		}
		if (out)
			*out = faults_get(db, fg_jstr(open, "id"));
		json_decref(open);
		return 0;
	}
	json_t *s = faults_settings(db);
	int64_t resp_h = num(json_object_get(s, "response_h"), in->urgency), rep_h = num(json_object_get(s, "repair_h"), in->urgency);
	json_decref(s);
	json_t *wo_in = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:I}", "kind", "charger_repair", "priority",
	    strcmp(in->urgency, "urgent") == 0 ? "urgent" : "normal", "source",
	    strcmp(in->source, "service_desk") == 0 ? "customer" : strcmp(in->source, "inspection") == 0 ? "schedule" : "alarm",
	    "title", in->title, "description",
	    in->description, "due_at", (json_int_t)(in->at + rep_h * HOUR_MS));
	if (in->reporter_name)
		json_object_set_new(wo_in, "customer_name", json_string(in->reporter_name));
	json_t *wo = NULL;
	if (work_orders_create(db, actor_id, wo_in, &wo, err) != 0) {
		json_decref(wo_in);
		db_rollback(db);
		return -1;
	}
	json_decref(wo_in);
	char id[37], number[32], cbuf[24];
	fg_uuid7(id);
	int64_t now = fg_now_ms();
	const char *conn = NULL;
	if (in->connector_id >= 0) {
		fg_fmt(cbuf, sizeof cbuf, "%lld", (long long)in->connector_id);
		conn = cbuf;
	}
	int64_t resp_due = in->at + resp_h * HOUR_MS;
	if (counter_number(db, "GZ", number) != 0 ||
	    db_run(db_q(db, "INSERT INTO faults (id, number, status, charger_id, station_id, connector_id, fault_key, title, "
			    "source, severity, urgency, work_order_id, opened_at, response_due_at, repair_due_at, escalate_at, "
			    "reporter_name, reporter_contact, created_at, updated_at) VALUES ($1, $2, 'triage', $3, $4, "
			    "CAST($5 AS INTEGER), $6, $7, $8, $9, $10, $11, $12, $13, $14, $13, $15, $16, $17, $17)",
		"ttttttttttt" "iii" "tti", id, number, in->charger_id, in->station_id, conn, in->fault_key, in->title, in->source,
		in->severity, in->urgency, fg_jstr(wo, "id"), in->at, resp_due, in->at + rep_h * HOUR_MS, in->reporter_name,
		in->reporter_contact, now)) != DB_DONE)
		goto fail;
	char text[700];
	fg_fmt(text, sizeof text, "%s开单：%s", strcmp(in->source, "alarm") == 0 ? "告警自动"
	    : strcmp(in->source, "inspection") == 0 ? "巡检发现" : "服务台派单",
	    in->description ? in->description : in->title);
	json_t *after = faults_get(db, id);
	if (!after || flow_timers_sync(db, &faults_flow, id, true, now) != 0 ||
	    faults_note(db, id, "opened", text, NULL, actor_id, in->at) != 0 ||
	    audit_write(db, actor_id, "create", "fault", id, NULL, after) != 0) {
		json_decref(after);
		goto fail;
	}
	char title[160];
	fg_fmt(title, sizeof title, "新故障工单 %s（%s）", number, strcmp(in->severity, "serious") == 0 ? "严重" : "一般");
	char dk[64];
	fg_fmt(dk, sizeof dk, "fault:%s:opened", id);
	if (notify_role(db, "dispatcher", "fault_opened", title, in->title, id, dk) != 0 || db_commit(db) != 0) {
		json_decref(after);
		goto fail;
	}
	json_decref(wo);
	*created = true;
	if (out)
		*out = after;
	else
		json_decref(after);
	return 0;
fail:
	json_decref(wo);
	return db_fail(db, err);
}

int
faults_recovered(db_t *db, const char *charger_id, const char *fault_key, const char *what, int64_t at)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT id FROM faults WHERE charger_id = $1 AND (CAST($2 AS TEXT) IS NULL OR fault_key = $2) "
					"AND status NOT IN ('closed', 'cancelled')", "tt", charger_id, fault_key), &rc);
	if (!rows)
		return -1;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		json_t *before = load(db, fg_jstr(r, "id")), *after = NULL;
		char text[200];
		fg_fmt(text, sizeof text, "充电桩已恢复：%s", what);
		int ok = before && faults_note(db, fg_jstr(r, "id"), "recovery", text, NULL, NULL, at) == 0 &&
			 /* no version bump: the charger's own news never makes a person's pending action stale */
			 db_run(db_q(db, "UPDATE faults SET recovered_at = $1, updated_at = $2 WHERE id = $3",
			     "iit", at, fg_now_ms(), fg_jstr(r, "id"))) == DB_DONE &&
			 (after = load(db, fg_jstr(r, "id"))) && audit_write(db, NULL, "recovered", "fault", fg_jstr(r, "id"), before, after) == 0;
		json_decref(before);
		json_decref(after);
		if (!ok) {
			json_decref(rows);
			return -1;
		}
	}
	json_decref(rows);
	return 0;
}

static const char *const remote_ok[] = {"Reset", "ChangeAvailability", "UnlockConnector", "TriggerMessage", NULL};

int
faults_remote_command(db_t *db, const char *actor_id, const char *id, const char *action, json_t *payload,
    json_t **out, fg_err_t *err)
{
	int i;
	for (i = 0; remote_ok[i] && (!action || strcmp(remote_ok[i], action) != 0); i++)
		;
	if (!remote_ok[i])
		return fg_err_field(err, "invalid_field", "action", "Reset, ChangeAvailability, UnlockConnector or TriggerMessage");
	json_t *f = load(db, id);
	if (!f)
		return fg_err_not_found(err, "fault", id);
	const char *st = fg_jstr(f, "status");
	if (is_final(st) || strcmp(st, "resolved") == 0 || !fg_jstr(f, "charger_id")) {
		fg_err(err, "invalid_transition");
		fg_err_detail_str(err, "state", st);
		fg_err_detail_str(err, "action", "remote_command");
		json_decref(f);
		return -1;
	}
	char charger[40];
	fg_fmt(charger, sizeof charger, "%s", fg_jstr(f, "charger_id"));
	json_decref(f);
	json_t *cmd = NULL;
	if (chargers_command_send(db, actor_id, charger, action, payload, 30, &cmd, err) != 0)
		return -1;
	if (db_begin(db) != 0) {
		json_decref(cmd);
		return db_fail(db, err);
	}
	if (db_lock_row(db, "faults", id) != 0) {
		json_decref(cmd);
		return db_fail(db, err);
	}
	json_t *before = load(db, id), *after = NULL;
	char text[200], *p = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
	fg_fmt(text, sizeof text, "远程指令 %s %s", action, p ? p : "{}");
	free(p);
	int64_t now = fg_now_ms();
	if (!before || faults_note(db, id, "remote_command", text, fg_jstr(cmd, "id"), actor_id, now) != 0 ||
	    db_run(db_q(db, "UPDATE faults SET responded_at = COALESCE(responded_at, $1), escalate_at = CASE WHEN level = 0 AND "
			    "responded_at IS NULL THEN repair_due_at ELSE escalate_at END, updated_at = $1, version = version + 1 "
			    "WHERE id = $2", "it", now, id)) != DB_DONE || flow_timers_sync(db, &faults_flow, id, false, now) != 0 ||
	    !(after = load(db, id)) || audit_write(db, actor_id, "remote_command", "fault", id, before, after) != 0 ||
	    db_commit(db) != 0) {
		json_decref(before);
		json_decref(after);
		json_decref(cmd);
		return db_fail(db, err);
	}
	json_decref(before);
	json_decref(after);
	*out = cmd;
	return 0;
}

/* One level up (engineer → technical department → vendor); the level's roles and the assignee are told. */
static int
escalate_one(db_t *db, const char *actor_id, json_t *f, int64_t now, const char *why)
{
	json_t *s = faults_settings(db);
	int64_t level = num(f, "level") + 1;
	json_t *def = level_def(s, level);
	if (!def) { /* already at the last level */
		json_decref(s);
		return db_run(db_q(db, "UPDATE faults SET escalate_at = NULL WHERE id = $1", "t", fg_jstr(f, "id"))) == DB_DONE ? 0 : -1;
	}
	json_t *next_h = json_object_get(def, "next_h");
	char nbuf[24];
	const char *next = NULL;
	if (json_is_integer(next_h) && level_def(s, level + 1)) {
		fg_fmt(nbuf, sizeof nbuf, "%lld", (long long)(now + json_integer_value(next_h) * HOUR_MS));
		next = nbuf;
	}
	const char *id = fg_jstr(f, "id");
	char text[240], title[200], dk[80];
	fg_fmt(text, sizeof text, "%s，升级至%s", why, fg_jstr(def, "name_zh"));
	fg_fmt(title, sizeof title, "故障工单 %s 已升级至%s", fg_jstr(f, "number"), fg_jstr(def, "name_zh"));
	fg_fmt(dk, sizeof dk, "fault:%s:level:%lld", id, (long long)level);
	json_t *before = load(db, id), *after = NULL;
	int ok = before && db_run(db_q(db, "UPDATE faults SET level = $1, escalate_at = CAST($2 AS BIGINT), updated_at = $3, "
					   "version = version + 1 WHERE id = $4", "itit", level, next, now, id)) == DB_DONE &&
		 faults_note(db, id, "escalation", text, NULL, actor_id, now) == 0 && (after = load(db, id)) &&
		 audit_write(db, actor_id, "escalate", "fault", id, before, after) == 0;
	size_t i;
	json_t *role;
	json_array_foreach(json_object_get(def, "notify_roles"), i, role) if (ok) ok = notify_role(db, json_string_value(role),
	    "fault_escalated", title, fg_jstr(f, "title"), id, dk) == 0;
	if (ok && fg_jstr(f, "assignee_id"))
		ok = notify_add(db, fg_jstr(f, "assignee_id"), "fault_escalated", title, fg_jstr(f, "title"), "fault", id, dk) >= 0;
	json_decref(before);
	json_decref(after);
	json_decref(s);
	return ok ? 0 : -1;
}

/* The SLA deadline is the fault flow's (data/flows/fault.json: escalate_at fires "escalate"); this runs its due
 * timers, all or one fault's. */
int
faults_escalate_due(db_t *db, int64_t now, const char *fault_id)
{
	return flow_timers_run(db, now, "fault", fault_id);
}

/* ---- the flow's guards (data/flows/fault.json) ---- */

static int
g_remote_command_ok(flow_ctx_t *c, fg_err_t *gate)
{
	const char *cmd = fg_jstr(c->body, "command_id");
	if (!cmd || !*cmd) /* the flow declares it required */
		return 0;
	int rc;
	json_t *row = db_one(db_q(c->db, "SELECT charger_id, status, requested_at FROM charger_commands WHERE id = $1", "t", cmd), &rc);
	bool ok = row && fg_jstr(c->row, "charger_id") && strcmp(fg_jstr(row, "charger_id"), fg_jstr(c->row, "charger_id")) == 0 &&
		  strcmp(fg_jstr(row, "status"), "accepted") == 0 && num(row, "requested_at") >= num(c->row, "opened_at");
	if (!ok) {
		fg_err(gate, "fault_remote_command_invalid");
		fg_err_detail_str(gate, "field", "command_id");
		if (row)
			fg_err_detail_str(gate, "command_status", fg_jstr(row, "status"));
	}
	json_decref(row);
	return ok ? 0 : -1;
}

static int
g_assignee_ok(flow_ctx_t *c, fg_err_t *gate)
{
	const char *a = fg_jstr(c->body, "assignee_id");
	if (!a || !*a) /* the flow declares it required */
		return 0;
	int rc;
	json_t *u = db_one(db_q(c->db, "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id WHERE u.id = $1 AND "
					"r.role = 'om_engineer' AND u.disabled = 0", "t", a), &rc);
	if (u) {
		json_decref(u);
		return 0;
	}
	return fg_err_field(gate, "invalid_field", "assignee_id", "an active user with the om_engineer role");
}

static int
g_report_complete(flow_ctx_t *c, fg_err_t *gate)
{
	/* cause, actions and prevention: required fields of the flow; the parts used are free-form */
	json_t *p = json_object_get(c->body, "parts");
	if (p && !json_is_string(p) && !json_is_array(p))
		return fg_err_field(gate, "invalid_field", "parts", "text or a list");
	return 0;
}

static int
g_report_if_serious(flow_ctx_t *c, fg_err_t *gate)
{
	if (strcmp(fg_jstr(c->row, "severity"), "serious") != 0 || json_is_object(json_object_get(c->row, "report")))
		return 0;
	fg_err(gate, "fault_report_missing");
	return -1;
}

static int
g_callback_if_reported(flow_ctx_t *c, fg_err_t *gate)
{
	const char *cb = fg_jstr(c->row, "callback_result");
	if (!fg_jstr(c->row, "reporter_contact") || (cb && strcmp(cb, "satisfied") == 0))
		return 0;
	fg_err(gate, "fault_callback_missing");
	return -1;
}

/* ---- effects ----
 * Every effect stamps the firing's instant (c->now: the clock for a person's action, the deadline's time for a timer,
 * a past instant when the demo replays a month of repairs through flow_fire_tx), never its own clock. */

static int
set(flow_ctx_t *c, const char *sql_set, const char *fmt, const char *a, int64_t b)
{
	char sql[400];
	fg_fmt(sql, sizeof sql, "UPDATE faults SET %s WHERE id = $3", sql_set);
	return db_run(db_q(c->db, sql, fmt, a, b, c->id)) == DB_DONE ? 0 : -1;
}

static int
e_resolved_remote(flow_ctx_t *c, fg_err_t *err)
{
	int64_t now = c->now;
	char text[160];
	fg_fmt(text, sizeof text, "远程处理恢复，未派单%s%s", fg_jstr(c->body, "note") ? "：" : "", fg_jstr(c->body, "note") ? fg_jstr(c->body, "note") : "");
	return set(c, "remote_command_id = $1, resolved_at = $2, responded_at = COALESCE(responded_at, $2), "
		      "resolution = 'remote', escalate_at = NULL", "tit", fg_jstr(c->body, "command_id"), now) ||
	       faults_note(c->db, c->id, "resolved", text, fg_jstr(c->body, "command_id"), c->actor->id, now);
}

static int
e_dispatch(flow_ctx_t *c, fg_err_t *err)
{
	int64_t now = c->now;
	const char *a = fg_jstr(c->body, "assignee_id");
	int rc;
	json_t *u = db_one(db_q(c->db, "SELECT display_name FROM users WHERE id = $1", "t", a), &rc);
	char text[200], title[200], dk[80];
	fg_fmt(text, sizeof text, "派单给 %s%s%s", u ? fg_jstr(u, "display_name") : a, fg_jstr(c->body, "note") ? "：" : "",
	    fg_jstr(c->body, "note") ? fg_jstr(c->body, "note") : "");
	json_decref(u);
	fg_fmt(title, sizeof title, "故障工单 %s 派给您", fg_jstr(c->row, "number"));
	fg_fmt(dk, sizeof dk, "fault:%s:dispatch:%lld", c->id, (long long)now);
	return set(c, "assignee_id = $1, dispatched_at = $2, responded_at = COALESCE(responded_at, $2), "
		      "escalate_at = CASE WHEN level = 0 THEN repair_due_at ELSE escalate_at END", "tit", a, now) ||
	       faults_note(c->db, c->id, "dispatch", text, NULL, c->actor->id, now) ||
	       notify_add(c->db, a, "fault_assigned", title, fg_jstr(c->row, "title"), "fault", c->id, dk) < 0 ||
	       order_status(c->db, c->actor->id, fg_jstr(c->row, "work_order_id"), "planned");
}

static int
e_start(flow_ctx_t *c, fg_err_t *err)
{
	int64_t now = c->now;
	return set(c, "responded_at = COALESCE(responded_at, $2), assignee_id = COALESCE(assignee_id, $1)", "tit",
		   c->actor->id, now) ||
	       faults_note(c->db, c->id, "start", "到达现场，开始抢修", NULL, c->actor->id, now) ||
	       order_status(c->db, c->actor->id, fg_jstr(c->row, "work_order_id"), "in_progress");
}

static int
e_resolved_onsite(flow_ctx_t *c, fg_err_t *err)
{
	int64_t now = c->now;
	const char *note = fg_jstr(c->body, "note");
	return set(c, "resolution = $1, resolved_at = $2, escalate_at = NULL", "tit", "onsite", now) ||
	       faults_note(c->db, c->id, "resolved", note && *note ? note : "现场修复完成", NULL, c->actor->id, now);
}

static int
e_save_report(flow_ctx_t *c, fg_err_t *err)
{
	json_t *p = json_object_get(c->body, "parts");
	json_t *rep = json_pack("{s:s, s:s, s:O, s:s, s:s, s:I}", "cause", fg_jstr(c->body, "cause"), "actions",
	    fg_jstr(c->body, "actions"), "parts", p ? p : json_null(), "prevention", fg_jstr(c->body, "prevention"), "by", c->actor->id,
	    "at", (json_int_t)c->now);
	char *t = json_dumps(rep, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(rep);
	int rc = set(c, "report = $1, updated_at = $2", "tit", t, c->now) ||
		 faults_note(c->db, c->id, "report", "填写故障报告", NULL, c->actor->id, c->now);
	free(t);
	return rc;
}

static int
e_callback_ok(flow_ctx_t *c, fg_err_t *err)
{
	int64_t now = c->now;
	char text[300];
	fg_fmt(text, sizeof text, "回访：满意%s%s", fg_jstr(c->body, "note") ? "。" : "", fg_jstr(c->body, "note") ? fg_jstr(c->body, "note") : "");
	return set(c, "callback_result = $1, callback_at = $2", "tit", "satisfied", now) ||
	       faults_note(c->db, c->id, "callback", text, NULL, c->actor->id, now);
}

static int
e_callback_bad(flow_ctx_t *c, fg_err_t *err)
{
	int64_t now = c->now;
	json_t *s = faults_settings(c->db);
	int64_t resp_h = num(json_object_get(s, "response_h"), fg_jstr(c->row, "urgency"));
	json_decref(s);
	char text[300];
	fg_fmt(text, sizeof text, "回访：不满意，重新处理%s%s", fg_jstr(c->body, "note") ? "。" : "", fg_jstr(c->body, "note") ? fg_jstr(c->body, "note") : "");
	return set(c, "callback_result = $1, callback_at = $2, reopen_count = reopen_count + 1, resolved_at = NULL, "
		      "resolution = NULL, remote_command_id = NULL", "tit", "unsatisfied", now) ||
	       db_run(db_q(c->db, "UPDATE faults SET escalate_at = $1 WHERE id = $2", "it", now + resp_h * HOUR_MS, c->id)) != DB_DONE ||
	       faults_note(c->db, c->id, "callback", text, NULL, c->actor->id, now) ||
	       order_status(c->db, c->actor->id, fg_jstr(c->row, "work_order_id"), "new");
}

static int
e_close(flow_ctx_t *c, fg_err_t *err)
{
	int64_t now = c->now;
	return db_run(db_q(c->db, "UPDATE faults SET closed_at = $1, escalate_at = NULL WHERE id = $2", "it", now, c->id)) != DB_DONE ||
	       faults_note(c->db, c->id, "closed", "工单关闭", NULL, c->actor->id, now) ||
	       order_status(c->db, c->actor->id, fg_jstr(c->row, "work_order_id"), "done");
}

static int
e_cancel(flow_ctx_t *c, fg_err_t *err)
{
	int64_t now = c->now;
	char text[300];
	fg_fmt(text, sizeof text, "撤销：%s", fg_jstr(c->body, "reason"));
	return db_run(db_q(c->db, "UPDATE faults SET closed_at = $1, escalate_at = NULL WHERE id = $2", "it", now, c->id)) != DB_DONE ||
	       faults_note(c->db, c->id, "cancelled", text, NULL, c->actor->id, now) ||
	       order_status(c->db, c->actor->id, fg_jstr(c->row, "work_order_id"), "cancelled");
}

/* By a person (with their reason), or by the SLA deadline (escalate_at) as the system actor. */
static int
e_escalate(flow_ctx_t *c, fg_err_t *err)
{
	const char *why = fg_jstr(c->body, "reason");
	char text[200];
	if (c->by_deadline)
		fg_fmt(text, sizeof text, "%s", !json_is_integer(json_object_get(c->row, "responded_at")) ? "超过响应时限" : "超过修复时限");
	else
		fg_fmt(text, sizeof text, "人工升级%s%s", why ? "：" : "", why ? why : "");
	return escalate_one(c->db, c->actor->id, c->row, c->now, text);
}

/* Waiting on the customer (no access to the site, a part they supply …): the SLA clock stops (the flow's pause). */
static int
e_note_wait(flow_ctx_t *c, fg_err_t *err)
{
	char text[300];
	fg_fmt(text, sizeof text, "等待客户，时限暂停：%s", fg_jstr(c->body, "reason"));
	return faults_note(c->db, c->id, "note", text, NULL, c->actor->id, c->now);
}

static int
e_note_back(flow_ctx_t *c, fg_err_t *err)
{
	return faults_note(c->db, c->id, "note", "客户已回复，时限继续", NULL, c->actor->id, c->now);
}

static int
e_note(flow_ctx_t *c, fg_err_t *err)
{
	return faults_note(c->db, c->id, "note", fg_jstr(c->body, "text"), NULL, c->actor->id, c->now);
}

const flow_guard_t fault_guards[] = {
	{"fault_remote_command_ok", g_remote_command_ok},
	{"fault_assignee_ok", g_assignee_ok},
	{"fault_report_complete", g_report_complete},
	{"fault_report_if_serious", g_report_if_serious},
	{"fault_callback_if_reported", g_callback_if_reported},
	{NULL, NULL},
};

const flow_effect_t fault_effects[] = {
	{"fault_resolved_remote", e_resolved_remote},
	{"fault_dispatch", e_dispatch},
	{"fault_start", e_start},
	{"fault_resolved_onsite", e_resolved_onsite},
	{"fault_save_report", e_save_report},
	{"fault_callback_ok", e_callback_ok},
	{"fault_callback_bad", e_callback_bad},
	{"fault_close", e_close},
	{"fault_cancel", e_cancel},
	{"fault_escalate", e_escalate},
	{"fault_note", e_note},
	{"fault_note_wait", e_note_wait},
	{"fault_note_back", e_note_back},
	{NULL, NULL},
};
