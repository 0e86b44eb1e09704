/* HTTP glue for alarms, the error-code dictionary, fault cases and the service desk (docs/api.md "Alarms and
 * fault work orders"). */
#include <stdlib.h>
#include <string.h>
#include "core/http/routes.h"
#include "core/flow/flow_api.h"
#include "charging/faults/faults.h"

static const jfield_t ack_spec[] = {
	{"version", JF_INT, 0, 0},
	{NULL, 0, 0, 0},
};

static const jfield_t code_spec[] = {
	{"version", JF_INT, 0, 0},
	{"meaning_zh", JF_STRING, JF_REQUIRED, 200},
	{"meaning_en", JF_STRING, JF_NULLABLE, 200},
	{"severity", JF_STRING, JF_REQUIRED, 10},
	{"urgency", JF_STRING, 0, 10},
	{"alarm", JF_BOOL, 0, 0},
	{"remote_action", JF_STRING, 0, 30},
	{"advice_zh", JF_STRING, JF_NULLABLE, 500},
	{NULL, 0, 0, 0},
};

static const jfield_t settings_spec[] = {
	{"version", JF_INT, JF_REQUIRED, 0},
	{"response_h", JF_OBJECT, 0, 0},
	{"repair_h", JF_OBJECT, 0, 0},
	{"offline_alarm_s", JF_INT, 0, 0},
	{"flap_window_s", JF_INT, 0, 0},
	{NULL, 0, 0, 0},
};

static const jfield_t run_spec[] = {
	{"at", JF_INT, 0, 0},
	{"fault_id", JF_STRING, 0, 64},
	{"charger_id", JF_STRING, 0, 64},
	{NULL, 0, 0, 0},
};

static const jfield_t remote_spec[] = {
	{"action", JF_STRING, JF_REQUIRED, 40},
	{"payload", JF_OBJECT, 0, 0},
	{NULL, 0, 0, 0},
};

static const jfield_t action_spec[] = {
	{"version", JF_INT, 0, 0},
	{"command_id", JF_STRING, 0, 64},
	{"assignee_id", JF_STRING, 0, 64},
	{"note", JF_STRING, JF_NULLABLE, 2000},
	{"cause", JF_STRING, 0, 2000},
	{"actions", JF_STRING, 0, 2000},
	{"parts", JF_ANY, JF_NULLABLE, 0},
	{"prevention", JF_STRING, 0, 2000},
	{"reason", JF_STRING, 0, 1000},
	{"text", JF_STRING, 0, 2000},
	{NULL, 0, 0, 0},
};

static const jfield_t report_spec[] = {
	{"channel", JF_STRING, JF_REQUIRED, 10},
	{"reporter_name", JF_STRING, JF_REQUIRED, 100},
	{"contact", JF_STRING, JF_REQUIRED, 100},
	{"charger_id", JF_STRING, JF_NULLABLE, 64},
	{"station_id", JF_STRING, JF_NULLABLE, 64},
	{"connector_id", JF_INT, JF_NULLABLE, 0},
	{"category", JF_STRING, JF_REQUIRED, 20},
	{"description", JF_STRING, JF_REQUIRED, 2000},
	{NULL, 0, 0, 0},
};

static const jfield_t classify_spec[] = {
	{"version", JF_INT, 0, 0},
	{"classification", JF_STRING, JF_REQUIRED, 20},
	{"resolution", JF_STRING, JF_NULLABLE, 2000},
	{"severity", JF_STRING, 0, 10},
	{"urgency", JF_STRING, 0, 10},
	{NULL, 0, 0, 0},
};

/* ---- alarms ---- */

static void
alarm_list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	alarms_filter_t f = {.state = http_query(r, "state"), .charger_id = http_query(r, "charger_id"),
	    .kind = http_query(r, "kind")};
	if (http_paging(r, &f.limit, &f.cursor))
		return;
	int rc = alarms_list(r->db, &f, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
alarm_get(req_t *r)
{
	http_entity(r, alarms_get(r->db, r->params[0]), "alarm", r->params[0]);
}

static void
alarm_ack(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, ack_spec))
		return;
	int rc = alarms_acknowledge(r->db, r->user.id, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

/* ---- the dictionary ---- */

static void
code_list(req_t *r)
{
	json_t *out = faults_codes(r->db, http_query(r, "vendor"));
	if (!out) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, out);
}

static void
code_get(req_t *r)
{
	http_entity(r, faults_code_find(r->db, r->params[0], r->params[1]), "alarm_code", r->params[1]);
}

static void
code_put(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, code_spec))
		return;
	int rc = faults_code_put(r->db, r->user.id, r->params[0], r->params[1], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
code_delete(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	if (faults_code_delete(r->db, r->user.id, r->params[0], r->params[1], &e) != 0) {
		http_error(r, &e);
		return;
	}
	http_no_content(r);
}

/* ---- settings and the scheduler's step ---- */

static void
settings_get(req_t *r)
{
	http_json(r, 200, faults_settings(r->db));
}

static void
settings_put(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, settings_spec))
		return;
	int rc = faults_settings_put(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

/* The scheduler's step now (admins; tests): the offline scan and SLA escalation, optionally as of a later time
 * "at" and for one fault or charger only. */
static void
run(req_t *r)
{
	if (http_body(r, run_spec))
		return;
	int64_t when;
	if (http_run_when(r, &when))
		return;
	const char *fid = json_string_value(json_object_get(r->json, "fault_id"));
	const char *cid = json_string_value(json_object_get(r->json, "charger_id"));
	int raised = fid ? 0 : faults_offline_scan(r->db, when, cid);
	int moved = cid && !fid ? 0 : faults_escalate_due(r->db, when, fid);
	if (raised < 0 || moved < 0) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, json_pack("{s:i, s:i}", "offline_raised", raised, "escalated", moved));
}

/* ---- fault cases ---- */

static void
fault_list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	const char *assignee = http_query(r, "assignee");
	faults_filter_t f = {.status = http_query(r, "status"), .charger_id = http_query(r, "charger_id"),
	    .assignee_id = assignee && strcmp(assignee, "me") == 0 ? r->user.id : assignee};
	int open = http_query_bool(r, "open");
	if (open == -2 || http_paging(r, &f.limit, &f.cursor))
		return;
	f.open_only = open == 1;
	int rc = faults_list(r->db, &f, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
fault_flow(req_t *r)
{
	http_entity(r, flow_describe("fault"), "flow", "fault");
}

static void
fault_get(req_t *r)
{
	json_t *f = faults_get(r->db, r->params[0]);
	flow_api_with_actions(r, f, "fault");
	http_entity(r, f, "fault", r->params[0]);
}

static void
fault_remote(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, remote_spec))
		return;
	json_t *p = json_object_get(r->json, "payload");
	p = p ? json_incref(p) : json_object();
	int rc = faults_remote_command(r->db, r->user.id, r->params[0], json_string_value(json_object_get(r->json, "action")),
	    p, &out, &e);
	json_decref(p);
	http_result(r, 202, rc, out, &e);
}

static void
fault_action(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, action_spec))
		return;
	int rc = flow_fire(r->db, &faults_flow, r->params[0], r->params[1], &r->user, r->json, &out, &e);
	if (rc == 0) { /* the whole case (notes, alarms) and what can come next */
		json_decref(out);
		out = faults_get(r->db, r->params[0]);
		flow_api_with_actions(r, out, "fault");
	}
	http_result(r, 200, rc, out, &e);
}

/* ---- service desk ---- */

static void
report_list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int limit;
	const char *cursor;
	if (http_paging(r, &limit, &cursor))
		return;
	int rc = desk_list(r->db, http_query(r, "status"), cursor, limit, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
report_create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, report_spec))
		return;
	int rc = desk_create(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
report_get(req_t *r)
{
	http_entity(r, desk_get(r->db, r->params[0]), "service_report", r->params[0]);
}

static void
report_classify(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, classify_spec))
		return;
	int rc = desk_classify(r->db, r->user.id, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

const route_t fault_routes[] = {
	{"GET", "/api/v1/alarms", alarm_list, "alarms.read", 0, .resp = "list:"},
	{"GET", "/api/v1/alarms/{id}", alarm_get, "alarms.read", 0, .ok = "200"},
	{"POST", "/api/v1/alarms/{id}/actions/acknowledge", alarm_ack, "alarms.write", 0, .body = ack_spec,
	    .errors = HTTP_ERRORS("invalid_transition")},
	{"GET", "/api/v1/alarm-codes", code_list, "alarms.read", 0, .ok = "200"},
	{"GET", "/api/v1/alarm-codes/{vendor}/{code}", code_get, "alarms.read", 0, .ok = "200"},
	{"PUT", "/api/v1/alarm-codes/{vendor}/{code}", code_put, "faults.admin", 0, .body = code_spec,
	    .errors = HTTP_ERRORS("version_conflict")},
	{"DELETE", "/api/v1/alarm-codes/{vendor}/{code}", code_delete, "faults.admin", 0, .ok = "204",
	    .errors = HTTP_ERRORS("alarm_code_not_edited")},
	{"GET", "/api/v1/faults", fault_list, "faults.read", 0, .resp = "list:"},
	{"GET", "/api/v1/faults/flow", fault_flow, "faults.read", 0, .ok = "200"},
	{"GET", "/api/v1/faults/settings", settings_get, "faults.read", 0, .ok = "200"},
	{"PUT", "/api/v1/faults/settings", settings_put, "faults.admin", 0, .body = settings_spec,
	    .errors = HTTP_ERRORS("version_conflict")},
	{"POST", "/api/v1/faults/actions/run", run, "faults.admin", 0, .body = run_spec},
	{"GET", "/api/v1/faults/{id}", fault_get, "faults.read", 0, .ok = "200"},
	{"POST", "/api/v1/faults/{id}/actions/remote-command", fault_remote, "chargers.command", 0, .body = remote_spec, .ok = "202"},
	{"POST", "/api/v1/faults/{id}/actions/{action}", fault_action, "faults.read", 0, .body = action_spec,
	    .errors = HTTP_ERRORS("invalid_transition", "fault_callback_missing", "fault_not_assignee", "fault_remote_command_invalid",
		"fault_report_missing")},
	{"GET", "/api/v1/service-desk/reports", report_list, "desk.read", 0, .resp = "list:"},
	{"POST", "/api/v1/service-desk/reports", report_create, "desk.write", 0, .body = report_spec, .ok = "201"},
	{"GET", "/api/v1/service-desk/reports/{id}", report_get, "desk.read", 0, .ok = "200"},
	{"POST", "/api/v1/service-desk/reports/{id}/actions/classify", report_classify, "desk.write", 0, .body = classify_spec,
	    .errors = HTTP_ERRORS("desk_charger_required", "invalid_transition")},
	{0},
};
