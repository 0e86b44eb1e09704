#include <string.h>
#include "core/http/routes.h"
#include "core/flow/flow_api.h"
#include "core/auth/login.h"
#include "core/auth/signing.h"
#include "shared/org/scope.h"
#include "shared/org/scope_api.h"
#include "fieldwork/tickets/tickets.h"

static const jfield_t create_spec[] = {
	{"plan_id", JF_STRING, JF_REQUIRED, 64},
	{"kind", JF_STRING, 0, 8},
	{"planned_start", JF_INT, 0, 0},
	{"planned_end", JF_INT, 0, 0},
	{"outage_scope", JF_STRING, JF_NULLABLE, 1000},
	{"live_parts", JF_STRING, JF_NULLABLE, 1000},
	{NULL, 0, 0, 0},
};

static const jfield_t update_spec[] = {
	{"version", JF_INT, JF_REQUIRED, 0},
	{"place", JF_STRING, 0, 300},
	{"content", JF_STRING, 0, 4000},
	{"outage_scope", JF_STRING, JF_NULLABLE, 1000},
	{"live_parts", JF_STRING, JF_NULLABLE, 1000},
	{"planned_start", JF_INT, 0, 0},
	{"planned_end", JF_INT, 0, 0},
	{NULL, 0, 0, 0},
};

/* One body for every ticket action; each action's guards read what they need. */
static const jfield_t action_spec[] = {
	{"version", JF_INT, 0, 0},
	{"password", JF_STRING, 0, 256},
	{"reason", JF_STRING, JF_NULLABLE, 500},
	{"permit_method", JF_STRING, 0, 16},
	{"hours", JF_INT, 0, 0},
	{"photo_ids", JF_STRINGS, 0, 0},
	{"note", JF_STRING, JF_NULLABLE, 2000},
	{NULL, 0, 0, 0},
};

static const jfield_t measure_spec[] = {
	{"text", JF_STRING, JF_REQUIRED, 500},
	{NULL, 0, 0, 0},
};

/* A risk point confirmed with its measures, at once (issue 14 item 3): every measure listed, a photo for key risks,
 * where it was done. */
static const jfield_t confirm_spec[] = {
	{"measure_ids", JF_STRINGS, 0, 0},
	{"evidence_id", JF_STRING, JF_NULLABLE, 64},
	{"lat", JF_ANY, JF_NULLABLE, 0},
	{"lng", JF_ANY, JF_NULLABLE, 0},
	{"place", JF_STRING, JF_NULLABLE, 200},
	{NULL, 0, 0, 0},
};

static const jfield_t measure_confirm_spec[] = {
	{"lat", JF_ANY, JF_NULLABLE, 0},
	{"lng", JF_ANY, JF_NULLABLE, 0},
	{"place", JF_STRING, JF_NULLABLE, 200},
	{NULL, 0, 0, 0},
};


static void
create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	const char *plan = json_string_value(json_object_get(r->json, "plan_id"));
	if (plan && scope_plan_check(r->db, &r->user, plan, "plan", plan, &e) != 0) {
		http_error(r, &e);
		return;
	}
	if (http_body(r, create_spec))
		return;
	int rc = tickets_create(r->db, &r->user, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	tickets_filter_t f = {.status = http_query(r, "status"), .plan_id = http_query(r, "plan_id"),
	    .leader_id = http_query(r, "leader_id")};
	f.viewer = &r->user;
	if (http_paging(r, &f.limit, &f.cursor))
		return;
	int rc = tickets_list(r->db, &f, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
get(req_t *r)
{
	if (scope_http_ticket(r))
		return;
	json_t *t = tickets_get(r->db, r->params[0]);
	flow_api_with_actions(r, t, "ticket");
	http_entity(r, t, "ticket", r->params[0]);
}

static void
update(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (scope_http_ticket(r) || http_body(r, update_spec))
		return;
	int rc = tickets_update(r->db, r->user.id, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

/* A signing action first re-authenticates the signer (step-up): the password is checked outside the
 * transition's transaction, so a wrong one counts toward the lock even though nothing else happens. */
static void
action(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	if (scope_http_ticket(r) || http_body(r, action_spec))
		return;
	json_t *t = flow_transition("ticket", r->params[1]);
	if (t && json_object_get(t, "signs") &&
	    login_reauth(r->db, r->user.id, json_string_value(json_object_get(r->json, "password")), &e) != 0) {
		http_error(r, &e);
		return;
	}
	flow_api_action(r, &tickets_flow, action_spec);
}

static void
verify(req_t *r)
{
	if (scope_http_ticket(r))
		return;
	json_t *v = tickets_verification(r->db, r->params[0]);
	if (!v) {
		http_entity(r, NULL, "ticket", r->params[0]);
		return;
	}
	http_json(r, 200, v);
}

static void
pdf(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	unsigned char *buf = NULL;
	size_t len = 0;
	if (scope_http_ticket(r))
		return;
	if (tickets_pdf(r->db, r->params[0], r->lang, &buf, &len, &e) != 0) {
		http_error(r, &e);
		return;
	}
	http_bytes(r, 200, "application/pdf", buf, len);
	char disp[128];
	fg_fmt(disp, sizeof disp, "inline; filename=\"ticket-%s.pdf\"", r->params[0]);
	http_header(r, "Content-Disposition", disp);
}

static void
add_measure(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (scope_http_ticket(r) || http_body(r, measure_spec))
		return;
	int rc = tickets_add_measure(r->db, &r->user, r->params[0], json_string_value(json_object_get(r->json, "text")), &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
confirm_measure(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (scope_http_ticket(r) || http_body(r, measure_confirm_spec))
		return;
	http_device_time(r);
	int rc = tickets_confirm_measure(r->db, &r->user, r->params[0], r->params[1], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
confirm_risk(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (scope_http_ticket(r) || http_body(r, confirm_spec))
		return;
	http_device_time(r);
	int rc = tickets_confirm_risk(r->db, &r->user, r->params[0], r->params[1], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

const route_t ticket_routes[] = {
	{"GET", "/api/v1/tickets", list, "plans.read", 0, .resp = "list:"},
	{"POST", "/api/v1/tickets", create, "", 0, .body = create_spec, .ok = "201",
	    .errors = HTTP_ERRORS("forbidden", "not_found", "ticket_exists", "emergency_out_of_scope", "emergency_ended")},
	{"GET", "/api/v1/tickets/{id}", get, "plans.read", 0, .ok = "200"},
	{"PATCH", "/api/v1/tickets/{id}", update, "tickets.write", 0, .body = update_spec},
	{"GET", "/api/v1/tickets/{id}/verify", verify, "plans.read", 0, .ok = "200"},
	{"GET", "/api/v1/tickets/{id}/pdf", pdf, "plans.read", 0, .resp = "application/pdf"},
	{"POST", "/api/v1/tickets/{id}/actions/{action}", action, "", 0, .body = action_spec,
	    .errors = HTTP_ERRORS("invalid_transition", "forbidden", "gate_single_person", "reason_required", "reauth_failed",
		"signer_conflict", "ticket_end_photo_missing", "ticket_measures_open", "ticket_not_extendable")},
	{"POST", "/api/v1/tickets/{id}/measures", add_measure, "", 0, .body = measure_spec, .ok = "201"},
	{"POST", "/api/v1/tickets/{id}/measures/{mid}/actions/confirm", confirm_measure, "", 0, .body = measure_confirm_spec},
	{"POST", "/api/v1/tickets/{id}/risks/{rid}/actions/confirm", confirm_risk, "", 0, .body = confirm_spec,
	    .errors = HTTP_ERRORS("not_the_leader", "risk_measure_left_out", "risk_photo_required", "risk_already_confirmed")},
	{0},
};
