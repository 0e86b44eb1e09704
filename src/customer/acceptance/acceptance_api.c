/* HTTP glue for joint acceptance and hazards (docs/api.md "Joint acceptance"). Every route reads the application
 * through its scope (applications_visible): out of scope reads as missing. */
#include <string.h>
#include "core/http/routes.h"
#include "customer/applications/applications.h"
#include "customer/acceptance/acceptance.h"

static const jfield_t open_spec[] = {
	{"stage", JF_STRING, JF_REQUIRED, 30},
	{"sample_rate", JF_INT, JF_NULLABLE, 0},
	{"first_inspector_id", JF_STRING, JF_NULLABLE, 64},
	{"note", JF_STRING, JF_NULLABLE, 2000},
	{NULL, 0, 0, 0},
};

static const jfield_t check_spec[] = {
	{"result", JF_STRING, JF_REQUIRED, 10},
	{"note", JF_STRING, JF_NULLABLE, 2000},
	{NULL, 0, 0, 0},
};

static const jfield_t sign_spec[] = {
	{"department", JF_STRING, JF_REQUIRED, 40},
	{"note", JF_STRING, JF_NULLABLE, 2000},
	{NULL, 0, 0, 0},
};

static const jfield_t hazard_spec[] = {
	{"description", JF_STRING, JF_REQUIRED, 2000},
	{"deadline", JF_STRING, JF_REQUIRED, 10},
	{"severity", JF_STRING, JF_NULLABLE, 10},
	{"acceptance_id", JF_STRING, JF_NULLABLE, 64},
	{"department", JF_STRING, JF_NULLABLE, 40},
	{NULL, 0, 0, 0},
};

static const jfield_t close_spec[] = {
	{"note", JF_STRING, JF_REQUIRED, 2000},
	{"evidence_ids", JF_STRINGS, JF_REQUIRED, 0},
	{NULL, 0, 0, 0},
};

/* The application is in the caller's scope; else a 404 is answered and false returned. */
static bool
in_scope(req_t *r)
{
	if (applications_visible(r->db, &r->user, r->params[0]))
		return true;
	fg_err_t e = FG_ERR_INIT;
	fg_err_not_found(&e, "application", r->params[0]);
	http_error(r, &e);
	return false;
}

static void
list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (!in_scope(r))
		return;
	int rc = acceptance_list(r->db, r->params[0], &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
open_record(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, open_spec) || !in_scope(r))
		return;
	int rc = acceptance_open(r->db, &r->user, r->params[0], r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
get(req_t *r)
{
	if (!in_scope(r))
		return;
	http_entity(r, acceptance_get(r->db, r->params[0], r->params[1]), "application_acceptance", r->params[1]);
}

static void
check(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, check_spec) || !in_scope(r))
		return;
	int rc = acceptance_check(r->db, &r->user, r->params[0], r->params[1], r->params[2], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
sign(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, sign_spec) || !in_scope(r))
		return;
	int rc = acceptance_sign(r->db, &r->user, r->params[0], r->params[1], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
hazards(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (!in_scope(r))
		return;
	int rc = acceptance_hazards(r->db, r->params[0], http_query(r, "status"), &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
hazard_create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, hazard_spec) || !in_scope(r))
		return;
	int rc = acceptance_hazard_create(r->db, &r->user, r->params[0], r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
hazard_close(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, close_spec) || !in_scope(r))
		return;
	int rc = acceptance_hazard_close(r->db, &r->user, r->params[0], r->params[1], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

const route_t acceptance_routes[] = {
	{"GET", "/api/v1/applications/{id}/acceptances", list, "applications.read", 0, .resp = "Items"},
	{"POST", "/api/v1/applications/{id}/acceptances", open_record, "applications.write", 0, .body = open_spec, .ok = "201",
	    .errors = HTTP_ERRORS("acceptance_wrong_stage", "acceptance_exists")},
	{"GET", "/api/v1/applications/{id}/acceptances/{aid}", get, "applications.read", 0, .ok = "200"},
	{"PUT", "/api/v1/applications/{id}/acceptances/{aid}/items/{code}", check, "applications.write", 0, .body = check_spec,
	    .errors = HTTP_ERRORS("acceptance_department_role", "acceptance_signed")},
	{"POST", "/api/v1/applications/{id}/acceptances/{aid}/signatures", sign, "applications.write", 0, .body = sign_spec,
	    .errors = HTTP_ERRORS("acceptance_department_role", "acceptance_signed", "acceptance_same_signer",
		"acceptance_items_unchecked")},
	{"GET", "/api/v1/applications/{id}/hazards", hazards, "applications.read", 0, .resp = "Items"},
	{"POST", "/api/v1/applications/{id}/hazards", hazard_create, "applications.write", 0, .body = hazard_spec, .ok = "201",
	    .errors = HTTP_ERRORS("application_closed")},
	{"POST", "/api/v1/applications/{id}/hazards/{hid}/close", hazard_close, "applications.write", 0, .body = close_spec,
	    .errors = HTTP_ERRORS("hazard_closed")},
	{0},
};
