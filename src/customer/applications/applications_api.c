/* HTTP glue for customers' applications (docs/api.md "Applications"). */
#include <string.h>
#include "core/http/routes.h"
#include "core/auth/perm.h"
#include "core/flow/flow_api.h"
#include "customer/applications/applications.h"
#include "customer/applications/applications_routing.h"
#include "shared/attach/attach.h"

static const jfield_t create_spec[] = {
	{"kind", JF_STRING, JF_REQUIRED, 30},
	{"channel", JF_STRING, JF_REQUIRED, 30},
	{"applicant_name", JF_STRING, JF_REQUIRED, 200},
	{"applicant_phone", JF_STRING, JF_REQUIRED, 20},
	{"id_type", JF_STRING, JF_NULLABLE, 20},
	{"id_number", JF_STRING, JF_NULLABLE, 40},
	{"supply_address", JF_STRING, JF_REQUIRED, 400},
	{"area", JF_STRING, JF_NULLABLE, 200},
	{"org_unit_id", JF_STRING, JF_NULLABLE, 64},
	{"voltage_level", JF_STRING, JF_REQUIRED, 10},
	{"capacity_kva", JF_INT, JF_REQUIRED, 0},
	{"sources", JF_INT, JF_NULLABLE, 0},
	{"purpose", JF_STRING, JF_NULLABLE, 1000},
	{"ev_charger", JF_BOOL, 0, 0},
	{"customer_id", JF_STRING, JF_NULLABLE, 64},
	{"premises_id", JF_STRING, JF_NULLABLE, 64},
	{"fast_path", JF_BOOL, 0, 0},
	{"fast_reason", JF_STRING, JF_NULLABLE, 1000},
	{"customer_manager_id", JF_STRING, JF_NULLABLE, 64},
	{"received_at", JF_INT, 0, 0},
	{"documents", JF_ANY, 0, 0},
	{NULL, 0, 0, 0},
};

/* One spec for every action: a hold, a request for documents, a rejection and a cancellation take a reason, the
 * scheme reply its text. */
static const jfield_t action_spec[] = {
	{"version", JF_INT, 0, 0},
	{"reason", JF_STRING, 0, 1000},
	{"scheme", JF_STRING, 0, 4000},
	/* complete_installation: the meter put in, when its job did not record it or the desk corrects it (appjobs) */
	{"meter_asset_no", JF_STRING, 0, 32},
	{"meter_model", JF_STRING, 0, 100},
	{"install_reading", JF_STRING, 0, 20},
	{NULL, 0, 0, 0},
};

static const jfield_t document_spec[] = {
	{"attachment_id", JF_STRING, JF_REQUIRED, 64},
	{NULL, 0, 0, 0},
};

static const jfield_t check_spec[] = {
	{"result", JF_STRING, JF_REQUIRED, 20},
	{"note", JF_STRING, JF_NULLABLE, 1000},
	{NULL, 0, 0, 0},
};

static const jfield_t routing_spec[] = {
	{"org_unit_id", JF_STRING, JF_REQUIRED, 64},
	{"stage", JF_STRING, JF_REQUIRED, 40},
	{"team_id", JF_STRING, JF_NULLABLE, 64},
	{NULL, 0, 0, 0},
};

static const jfield_t run_spec[] = {
	{"at", JF_INT, 0, 0},
	{"application_id", JF_STRING, 0, 64},
	{NULL, 0, 0, 0},
};

static void
list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int late = http_query_bool(r, "late"), fast = late == -2 ? -2 : http_query_bool(r, "fast_path");
	if (late == -2 || fast == -2)
		return;
	const char *mgr = http_query(r, "customer_manager_id");
	if (mgr && strcmp(mgr, "me") == 0)
		mgr = r->user.id;
	applications_filter_t f = {.status = http_query(r, "status"), .kind = http_query(r, "kind"), .track = http_query(r, "track"),
	    .channel = http_query(r, "channel"), .org_unit_id = http_query(r, "org_unit_id"), .customer_manager_id = mgr,
	    .customer_id = http_query(r, "customer_id"), .q = http_query(r, "q"), .late = late, .fast_path = fast,
	    .viewer = &r->user};
	if (http_paging(r, &f.limit, &f.cursor))
		return;
	int rc = applications_list(r->db, &f, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, create_spec))
		return;
	int rc = applications_create(r->db, &r->user, r->json, &out, &e);
	if (rc == 0) {
		applications_mask(&r->user, out);
		json_object_set_new(out, "actions", flow_actions_for("application", out, r->user.roles));
	}
	http_result(r, 201, rc, out, &e);
}

/* The application as the desk shows it: masked for the viewer, with its clocks, its history and what the viewer
 * may do next. Out of scope reads as missing. */
static json_t *
full(req_t *r, const char *id)
{
	if (!applications_visible(r->db, &r->user, id))
		return NULL;
	json_t *a = applications_load(r->db, id);
	if (!a)
		return NULL;
	json_object_set_new(a, "actions", flow_actions_for("application", a, r->user.roles));
	json_t *clocks = flow_deadlines(r->db, "application", id, fg_now_ms());
	json_object_set_new(a, "clocks", clocks ? clocks : json_null());
	json_t *hist = flow_history(r->db, "application", id);
	json_object_set_new(a, "history", hist ? hist : json_array());
	json_object_set_new(a, "missing_documents", applications_documents_missing(r->db, id));
	applications_mask(&r->user, a);
	return a;
}

static void
get(req_t *r)
{
	http_entity(r, full(r, r->params[0]), "application", r->params[0]);
}

static void
action(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, action_spec))
		return;
	if (!applications_visible(r->db, &r->user, r->params[0])) {
		fg_err_not_found(&e, "application", r->params[0]);
		http_error(r, &e);
		return;
	}
	int rc = flow_fire(r->db, &applications_flow, r->params[0], r->params[1], &r->user, r->json, &out, &e);
	json_decref(out);
	http_result(r, 200, rc, rc == 0 ? full(r, r->params[0]) : NULL, &e);
}

static void
document_put(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, document_spec))
		return;
	int rc = applications_document_put(r->db, &r->user, r->params[0], r->params[1],
	    json_string_value(json_object_get(r->json, "attachment_id")), false, &out, &e);
	if (rc == 0)
		applications_mask(&r->user, out);
	http_result(r, 200, rc, out, &e);
}

static void
document_check(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, check_spec))
		return;
	int rc = applications_document_check(r->db, &r->user, r->params[0], r->params[1],
	    json_string_value(json_object_get(r->json, "result")), json_string_value(json_object_get(r->json, "note")), &out, &e);
	if (rc == 0)
		applications_mask(&r->user, out);
	http_result(r, 200, rc, out, &e);
}

static void
routing_list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = applications_routing_list(r->db, http_query(r, "org_unit_id"), &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
routing_put(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, routing_spec))
		return;
	int rc = applications_routing_put(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

/* A file of the application (a checklist document or a shared-space file: attachments the application holds), for
 * whoever may read the application — the counter and the customer managers included, who hold no plans.read for
 * GET /attachments/{id}/content. Another application's file, or one of anything else, does not exist here. */
static void
attachment_content(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	if (!applications_visible(r->db, &r->user, r->params[0])) {
		fg_err_not_found(&e, "application", r->params[0]);
		http_error(r, &e);
		return;
	}
	json_t *a = attach_get(r->db, r->params[1]);
	const char *ent = json_string_value(json_object_get(a, "entity")), *eid = json_string_value(json_object_get(a, "entity_id"));
	if (!a || !ent || !eid || strcmp(ent, "application") != 0 || strcmp(eid, r->params[0]) != 0) {
		json_decref(a);
		fg_err_not_found(&e, "attachment", r->params[1]);
		http_error(r, &e);
		return;
	}
	attach_respond(r, r->db, a);
	json_decref(a);
}

/* The scheduler's step now (admins; tests): fire the application deadlines due by "at" (now or later). */
static void
run(req_t *r)
{
	flow_api_run_timers(r, run_spec, "application", "application_id");
}

const route_t applications_routes[] = {
	{"GET", "/api/v1/applications", list, "applications.read", 0, .resp = "list:", .cache = true},
	{"POST", "/api/v1/applications", create, "applications.write", 0, .body = create_spec, .ok = "201"},
	{"GET", "/api/v1/applications/routing", routing_list, "applications.read", 0, .resp = "Items"},
	{"PUT", "/api/v1/applications/routing", routing_put, "applications.admin", 0, .body = routing_spec},
	{"POST", "/api/v1/applications/actions/run", run, "applications.admin", 0, .body = run_spec},
	{"GET", "/api/v1/applications/{id}", get, "applications.read", 0, .ok = "200"},
	{"POST", "/api/v1/applications/{id}/actions/{action}", action, "applications.write", 0, .body = action_spec,
	    .errors = HTTP_ERRORS("invalid_transition", "reason_required", "application_documents_missing", "application_on_hold",
		"application_not_on_hold", "version_conflict",
		/* the guards of joint acceptance and the customer manager (src/customer/acceptance, src/customer/custmgr) */
		"acceptance_missing", "acceptance_unsigned", "acceptance_failed", "application_hazards_open",
		"application_manager_required", "power_on_not_confirmed",
		/* field work from the application (src/customer/appjobs) */
		"application_job_open", "application_meter_missing",
		/* a seal on the customer's equipment (src/customer/seals) */
		"equipment_sealed")},
	{"GET", "/api/v1/applications/{id}/attachments/{attachment_id}/content", attachment_content, "applications.read", 0,
	    .resp = "*/*", .doc = "A file the application holds (a checklist document, a shared-space file)."},
	{"PUT", "/api/v1/applications/{id}/documents/{type}", document_put, "applications.write", 0, .body = document_spec,
	    .errors = HTTP_ERRORS("application_closed", "application_document_accepted")},
	{"POST", "/api/v1/applications/{id}/documents/{type}/check", document_check, "applications.write", 0, .body = check_spec,
	    .errors = HTTP_ERRORS("application_document_missing")},
	{0},
};
