#include <stdlib.h>
#include <string.h>
#include "core/base/day.h"
#include "core/base/util.h"
#include "core/http/routes.h"
#include "core/flow/flow_api.h"
#include "safety/interface/kb.h"
#include "charging/chargers/chargers.h"
#include "charging/inspections/inspections.h"

static const jfield_t equipment_spec[] = {
	{"kind", JF_STRING, JF_REQUIRED, 40},
	{"name", JF_STRING, JF_REQUIRED, 100},
	{"model", JF_STRING, JF_NULLABLE, 100},
	{"serial", JF_STRING, JF_NULLABLE, 100},
	{"installed_on", JF_STRING, JF_NULLABLE, 10},
	{"last_check", JF_STRING, JF_NULLABLE, 10},
	{"status", JF_STRING, 0, 20},
	{"note", JF_STRING, JF_NULLABLE, 500},
	{NULL, 0, 0, 0},
};

static const jfield_t equipment_update_spec[] = {
	{"version", JF_INT, JF_REQUIRED, 0},
	{"kind", JF_STRING, 0, 40},
	{"name", JF_STRING, 0, 100},
	{"model", JF_STRING, JF_NULLABLE, 100},
	{"serial", JF_STRING, JF_NULLABLE, 100},
	{"installed_on", JF_STRING, JF_NULLABLE, 10},
	{"last_check", JF_STRING, JF_NULLABLE, 10},
	{"status", JF_STRING, 0, 20},
	{"note", JF_STRING, JF_NULLABLE, 500},
	{NULL, 0, 0, 0},
};

static const jfield_t defect_spec[] = {
	{"station_id", JF_STRING, JF_NULLABLE, 64},
	{"equipment_id", JF_STRING, JF_NULLABLE, 64},
	{"charger_id", JF_STRING, JF_NULLABLE, 64},
	{"description", JF_STRING, JF_REQUIRED, 1000},
	{"severity", JF_STRING, JF_REQUIRED, 20},
	{"found_at", JF_INT, 0, 0},
	{"due_at", JF_INT, 0, 0},
	{"photos", JF_STRINGS, JF_NULLABLE, 64},
	{"needs_fault_order", JF_BOOL, 0, 0},
	{NULL, 0, 0, 0},
};

static const jfield_t defect_action_spec[] = {
	{"version", JF_INT, 0, 0},
	{"resolution", JF_STRING, JF_NULLABLE, 1000},
	{"reason", JF_STRING, JF_NULLABLE, 500},
	{"note", JF_STRING, JF_NULLABLE, 500},
	{NULL, 0, 0, 0},
};

static const jfield_t plan_spec[] = {
	{"kind", JF_STRING, JF_REQUIRED, 40},
	{"checklist", JF_ANY, JF_NULLABLE, 0},
	{"team_id", JF_STRING, JF_NULLABLE, 64},
	{"due_days", JF_INT, 0, 0},
	{"active", JF_BOOL, 0, 0},
	{"note", JF_STRING, JF_NULLABLE, 500},
	{NULL, 0, 0, 0},
};

static const jfield_t plan_update_spec[] = {
	{"version", JF_INT, JF_REQUIRED, 0},
	{"checklist", JF_ANY, 0, 0},
	{"team_id", JF_STRING, JF_NULLABLE, 64},
	{"due_days", JF_INT, 0, 0},
	{"active", JF_BOOL, 0, 0},
	{"note", JF_STRING, JF_NULLABLE, 500},
	{NULL, 0, 0, 0},
};

static const jfield_t record_spec[] = {
	{"version", JF_INT, 0, 0},
	{"result", JF_STRING, JF_REQUIRED, 10},
	{"reading", JF_STRING, JF_NULLABLE, 100},
	{"note", JF_STRING, JF_NULLABLE, 1000},
	{"photos", JF_STRINGS, JF_NULLABLE, 64},
	{"severity", JF_STRING, 0, 20},
	{"needs_fault_order", JF_BOOL, 0, 0},
	{"repair_order", JF_BOOL, 0, 0},
	{NULL, 0, 0, 0},
};

static const jfield_t finish_spec[] = {
	{"version", JF_INT, 0, 0},
	{"staff", JF_STRING, JF_REQUIRED, 200},
	{"summary", JF_STRING, JF_NULLABLE, 2000},
	{NULL, 0, 0, 0},
};

static const jfield_t run_spec[] = {
	{"at", JF_INT, 0, 0},
	{NULL, 0, 0, 0},
};

static const jfield_t campaign_spec[] = {
	{"name", JF_STRING, JF_NULLABLE, 100},
	{"location", JF_STRING, JF_REQUIRED, 500},
	{"retrieve_at", JF_INT, JF_REQUIRED, 0},
	{"charger_ids", JF_STRINGS, 0, 64},
	{"vendor", JF_STRING, 0, 100},
	{"model", JF_STRING, 0, 100},
	{"station_id", JF_STRING, 0, 64},
	{"batch_size", JF_INT, 0, 0},
	{NULL, 0, 0, 0},
};

typedef int (*param_fn)(db_t *, const char *, const char *, json_t *, json_t **, fg_err_t *);

static void
with_param(req_t *r, const jfield_t *spec, int status, param_fn fn)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, spec))
		return;
	int rc = fn(r->db, r->user.id, r->params[0], r->json, &out, &e);
	http_result(r, status, rc, out, &e);
}

/* ---- equipment ---- */

static void
equipment_list_h(req_t *r)
{
	json_t *s = chargers_station_get(r->db, r->params[0]);
	if (!s) {
		http_entity(r, NULL, "station", r->params[0]);
		return;
	}
	json_decref(s);
	http_json(r, 200, equipment_list(r->db, r->params[0]));
}

static void
equipment_create_h(req_t *r)
{
	with_param(r, equipment_spec, 201, equipment_create);
}

static void
equipment_get_h(req_t *r)
{
	http_entity(r, equipment_get(r->db, r->params[0]), "station_equipment", r->params[0]);
}

static void
equipment_update_h(req_t *r)
{
	with_param(r, equipment_update_spec, 200, equipment_update);
}

/* ---- defects ---- */

static void
defect_list_h(req_t *r)
{
	const char *y = http_query(r, "year");
	int year = y ? atoi(y) : 0;
	if (y && (year < 2000 || year > 2100)) {
		fg_err_t e = FG_ERR_INIT;
		fg_err_field(&e, "invalid_query", "year", "2000 to 2100");
		http_error(r, &e);
		return;
	}
	http_json(r, 200, defects_list(r->db, http_query(r, "status"), http_query(r, "station_id"), http_query(r, "severity"),
			      http_query(r, "target_id"), year));
}

static void
defect_create_h(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, defect_spec))
		return;
	int rc = defects_create(r->db, r->user.id, r->json, &out, &e);
	if (rc == 0)
		flow_api_with_actions(r, out, "defect");
	http_result(r, 201, rc, out, &e);
}

static void
defect_analysis_h(req_t *r)
{
	const char *y = http_query(r, "year");
	int year = y ? atoi(y) : 0;
	if (!y) {
		char today[11];
		day_today(today);
		year = atoi(today);
	}
	if (year < 2000 || year > 2100) {
		fg_err_t e = FG_ERR_INIT;
		fg_err_field(&e, "invalid_query", "year", "2000 to 2100");
		http_error(r, &e);
		return;
	}
	json_t *a = defects_analysis(r->db, year, http_query(r, "station_id"));
	if (!a) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, a);
}

static void
defect_get_h(req_t *r)
{
	json_t *d = defects_get(r->db, r->params[0]);
	if (d)
		flow_api_with_actions(r, d, "defect");
	http_entity(r, d, "defect", r->params[0]);
}

static void
defect_action_h(req_t *r)
{
	flow_api_action(r, &defects_flow, defect_action_spec);
}

/* ---- plans and inspections ---- */

static void
kinds_h(req_t *r)
{
	http_json(r, 200, json_pack("{s:O}", "items", kb_items("inspection_kinds")));
}

static void
plan_list_h(req_t *r)
{
	json_t *s = chargers_station_get(r->db, r->params[0]);
	if (!s) {
		http_entity(r, NULL, "station", r->params[0]);
		return;
	}
	json_decref(s);
	http_json(r, 200, inspections_plans(r->db, r->params[0]));
}

static void
plan_all_h(req_t *r)
{
	http_json(r, 200, inspections_plans(r->db, http_query(r, "station_id")));
}

static void
plan_create_h(req_t *r)
{
	with_param(r, plan_spec, 201, inspections_plan_create);
}

static void
plan_get_h(req_t *r)
{
	http_entity(r, inspections_plan_get(r->db, r->params[0]), "inspection_plan", r->params[0]);
}

static void
plan_update_h(req_t *r)
{
	with_param(r, plan_update_spec, 200, inspections_plan_update);
}

static void
inspection_list_h(req_t *r)
{
	const char *o = http_query(r, "overdue");
	http_json(r, 200, inspections_list(r->db, http_query(r, "status"), http_query(r, "station_id"),
			      o && (strcmp(o, "1") == 0 || strcmp(o, "true") == 0)));
}

static void
inspection_run_h(req_t *r)
{
	if (http_body(r, run_spec))
		return;
	json_t *at = json_object_get(r->json, "at");
	int made = inspections_generate(r->db, r->user.id, at ? json_integer_value(at) : fg_now_ms());
	if (made < 0) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, json_pack("{s:i}", "generated", made));
}

static void
inspection_get_h(req_t *r)
{
	http_entity(r, inspections_get(r->db, r->params[0]), "inspection", r->params[0]);
}

static void
inspection_record_h(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, record_spec))
		return;
	int rc = inspections_record(r->db, r->user.id, r->params[0], r->params[1], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
inspection_finish_h(req_t *r)
{
	with_param(r, finish_spec, 200, inspections_finish);
}

/* ---- firmware campaigns ---- */

static void
campaign_list_h(req_t *r)
{
	http_json(r, 200, firmware_campaigns(r->db));
}

static void
campaign_create_h(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, campaign_spec))
		return;
	int rc = firmware_campaign_create(r->db, r->user.id, r->json, &out, &e);
	if (rc == 0) { /* the first batch leaves now; the scheduler sends the rest as chargers finish */
		char id[40];
		fg_fmt(id, sizeof id, "%s", json_string_value(json_object_get(out, "id")));
		firmware_advance(r->db, r->user.id);
		json_decref(out);
		out = firmware_campaign_get(r->db, id);
	}
	http_result(r, 201, rc, out, &e);
}

static void
campaign_get_h(req_t *r)
{
	http_entity(r, firmware_campaign_get(r->db, r->params[0]), "firmware_campaign", r->params[0]);
}

static void
campaign_advance_h(req_t *r)
{
	json_t *c = firmware_campaign_get(r->db, r->params[0]);
	if (!c) {
		http_entity(r, NULL, "firmware_campaign", r->params[0]);
		return;
	}
	json_decref(c);
	int sent = firmware_advance(r->db, r->user.id);
	json_t *out = firmware_campaign_get(r->db, r->params[0]);
	if (sent < 0 || !out) {
		json_decref(out);
		http_error_code(r, "internal");
		return;
	}
	json_object_set_new(out, "sent", json_integer(sent));
	http_json(r, 200, out);
}

static void
campaign_cancel_h(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = firmware_campaign_cancel(r->db, r->user.id, r->params[0], &out, &e);
	http_result(r, 200, rc, out, &e);
}

const route_t inspection_routes[] = {
	{"GET", "/api/v1/stations/{id}/equipment", equipment_list_h, "chargers.read", 0, .ok = "200"},
	{"POST", "/api/v1/stations/{id}/equipment", equipment_create_h, "chargers.write", 0, .body = equipment_spec, .ok = "201"},
	{"GET", "/api/v1/equipment/{id}", equipment_get_h, "chargers.read", 0, .ok = "200"},
	{"PATCH", "/api/v1/equipment/{id}", equipment_update_h, "chargers.write", 0, .body = equipment_update_spec,
	    .errors = HTTP_ERRORS("version_conflict")},
	{"GET", "/api/v1/defects", defect_list_h, "chargers.read", 0, .ok = "200"},
	{"POST", "/api/v1/defects", defect_create_h, "chargers.write", 0, .body = defect_spec, .ok = "201",
	    .errors = HTTP_ERRORS("defect_target_required")},
	{"GET", "/api/v1/defects/analysis", defect_analysis_h, "chargers.read", 0, .ok = "200"},
	{"GET", "/api/v1/defects/{id}", defect_get_h, "chargers.read", 0, .ok = "200"},
	{"POST", "/api/v1/defects/{id}/actions/{id}", defect_action_h, "chargers.read", 0, .body = defect_action_spec,
	    .errors = HTTP_ERRORS("defect_resolution_required", "invalid_transition")},
	{"GET", "/api/v1/inspection-kinds", kinds_h, "chargers.read", 0, .ok = "200"},
	{"GET", "/api/v1/inspection-plans", plan_all_h, "chargers.read", 0, .ok = "200"},
	{"GET", "/api/v1/stations/{id}/inspection-plans", plan_list_h, "chargers.read", 0, .ok = "200"},
	{"POST", "/api/v1/stations/{id}/inspection-plans", plan_create_h, "chargers.write", 0, .body = plan_spec, .ok = "201",
	    .errors = HTTP_ERRORS("inspection_plan_exists")},
	{"GET", "/api/v1/inspection-plans/{id}", plan_get_h, "chargers.read", 0, .ok = "200"},
	{"PATCH", "/api/v1/inspection-plans/{id}", plan_update_h, "chargers.write", 0, .body = plan_update_spec,
	    .errors = HTTP_ERRORS("version_conflict")},
	{"GET", "/api/v1/inspections", inspection_list_h, "chargers.read", 0, .ok = "200"},
	{"POST", "/api/v1/inspections/actions/run", inspection_run_h, "reminders.run", 0, .body = run_spec},
	{"GET", "/api/v1/inspections/{id}", inspection_get_h, "chargers.read", 0, .ok = "200"},
	{"PUT", "/api/v1/inspections/{id}/items/{id}", inspection_record_h, "chargers.write", 0, .body = record_spec,
	    .errors = HTTP_ERRORS("inspection_done", "inspection_fail_note_required", "version_conflict")},
	{"POST", "/api/v1/inspections/{id}/actions/finish", inspection_finish_h, "chargers.write", 0, .body = finish_spec,
	    .errors = HTTP_ERRORS("inspection_done", "inspection_items_open")},
	{"GET", "/api/v1/firmware-campaigns", campaign_list_h, "chargers.read", 0, .ok = "200"},
	{"POST", "/api/v1/firmware-campaigns", campaign_create_h, "chargers.command", 0, .body = campaign_spec, .ok = "201",
	    .errors = HTTP_ERRORS("firmware_campaign_overlap", "firmware_no_chargers")},
	{"GET", "/api/v1/firmware-campaigns/{id}", campaign_get_h, "chargers.read", 0, .ok = "200"},
	{"POST", "/api/v1/firmware-campaigns/{id}/actions/advance", campaign_advance_h, "chargers.command", 0, .ok = "200"},
	{"POST", "/api/v1/firmware-campaigns/{id}/actions/cancel", campaign_cancel_h, "chargers.command", 0, .ok = "200",
	    .errors = HTTP_ERRORS("invalid_transition")},
	{0},
};
