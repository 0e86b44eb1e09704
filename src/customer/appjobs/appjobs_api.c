/* HTTP glue for field work from an application (docs/api.md "Field work from an application"). */
#include "core/http/routes.h"
#include "customer/applications/applications.h"
#include "customer/appjobs/appjobs.h"

/* Out of the viewer's scope reads as missing, as the application itself does. */
static void
list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	if (!applications_visible(r->db, &r->user, r->params[0])) {
		fg_err_not_found(&e, "application", r->params[0]);
		http_error(r, &e);
		return;
	}
	json_t *out = appjobs_list(r->db, r->params[0]);
	if (!out) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, out);
}

static void
create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (!applications_visible(r->db, &r->user, r->params[0])) {
		fg_err_not_found(&e, "application", r->params[0]);
		http_error(r, &e);
		return;
	}
	int rc = appjobs_create(r->db, &r->user, r->params[0], &out, &e);
	http_result(r, 201, rc, out, &e);
}

const route_t appjobs_routes[] = {
	{"GET", "/api/v1/applications/{id}/jobs", list, "applications.read", 0, .resp = "ApplicationJobs"},
	{"POST", "/api/v1/applications/{id}/jobs", create, "applications.write", 0, .ok = "201", .resp = "ApplicationJob",
	    .errors = HTTP_ERRORS("application_not_in_field_stage", "application_job_open"),
	    .doc = "A new work order for the stage the application is in (survey or installation) when it has none open."},
	{0},
};
