/* HTTP glue for the one customer manager (docs/api.md "Customer manager"). The application routes read it
 * through its scope (applications_visible): out of scope reads as missing. */
#include <string.h>
#include "core/http/routes.h"
#include "customer/applications/applications.h"
#include "customer/custmgr/custmgr.h"

static const jfield_t assign_spec[] = {
	{"user_id", JF_STRING, JF_REQUIRED, 64},
	{"reason", JF_STRING, JF_NULLABLE, 1000},
	{NULL, 0, 0, 0},
};

static const jfield_t request_spec[] = {
	{"kind", JF_STRING, JF_REQUIRED, 20},
	{"planned_at", JF_INT, JF_REQUIRED, 0},
	{"reason", JF_STRING, JF_REQUIRED, 1000},
	{NULL, 0, 0, 0},
};

static const jfield_t confirm_spec[] = {
	{"confirmed_by", JF_STRING, JF_REQUIRED, 100},
	{"method", JF_STRING, JF_REQUIRED, 20},
	{"confirmed_at", JF_INT, 0, 0},
	{"attachment_id", JF_STRING, JF_NULLABLE, 64},
	{NULL, 0, 0, 0},
};

static const jfield_t cancel_spec[] = {
	{"reason", JF_STRING, JF_REQUIRED, 1000},
	{NULL, 0, 0, 0},
};

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
assign(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, assign_spec) || !in_scope(r))
		return;
	int rc = custmgr_assign(r->db, &r->user, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
requests(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (!in_scope(r))
		return;
	int rc = custmgr_requests(r->db, r->params[0], &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
request_create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, request_spec) || !in_scope(r))
		return;
	int rc = custmgr_request_create(r->db, &r->user, r->params[0], r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
request_confirm(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, confirm_spec) || !in_scope(r))
		return;
	int rc = custmgr_request_confirm(r->db, &r->user, r->params[0], r->params[1], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
request_cancel(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, cancel_spec) || !in_scope(r))
		return;
	int rc = custmgr_request_cancel(r->db, &r->user, r->params[0], r->params[1], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
queue(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	const char *m = http_query(r, "manager_id");
	if (!m || strcmp(m, "me") == 0)
		m = r->user.id;
	int rc = custmgr_queue(r->db, &r->user, m, &out, &e);
	http_result(r, 200, rc, out, &e);
}

const route_t custmgr_routes[] = {
	{"GET", "/api/v1/customer-manager/queue", queue, "applications.read", 0, .ok = "200"},
	{"PUT", "/api/v1/applications/{id}/customer-manager", assign, "applications.write", 0, .body = assign_spec,
	    .errors = HTTP_ERRORS("application_closed", "customer_manager_role_required")},
	{"GET", "/api/v1/applications/{id}/manager-requests", requests, "applications.read", 0, .resp = "Items"},
	{"POST", "/api/v1/applications/{id}/manager-requests", request_create, "applications.write", 0, .body = request_spec,
	    .ok = "201", .errors = HTTP_ERRORS("application_closed", "not_customer_manager")},
	{"POST", "/api/v1/applications/{id}/manager-requests/{rid}/confirm", request_confirm, "applications.write", 0,
	    .body = confirm_spec, .errors = HTTP_ERRORS("application_closed", "not_customer_manager", "manager_request_closed")},
	{"POST", "/api/v1/applications/{id}/manager-requests/{rid}/cancel", request_cancel, "applications.write", 0,
	    .body = cancel_spec, .errors = HTTP_ERRORS("application_closed", "not_customer_manager", "manager_request_closed")},
	{0},
};
