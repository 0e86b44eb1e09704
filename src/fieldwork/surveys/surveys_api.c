#include <string.h>
#include "core/http/routes.h"
#include "fieldwork/surveys/surveys.h"
#include "shared/org/scope.h"
#include "shared/org/scope_api.h"

static const jfield_t put_spec[] = {
	{"version", JF_INT, 0, 0},
	{"place", JF_STRING, JF_REQUIRED, 300},
	{"content", JF_STRING, JF_REQUIRED, 4000},
	{"outage_scope", JF_STRING, JF_NULLABLE, 1000},
	{"live_parts", JF_STRING, JF_NULLABLE, 1000},
	{"risks", JF_ANY, 0, 0},
	{"measures", JF_STRINGS, 0, 0},
	{"notes", JF_STRING, JF_NULLABLE, 4000},
	{NULL, 0, 0, 0},
};

static void
get(req_t *r)
{
	if (scope_http_plan(r))
		return;
	json_t *o = surveys_get(r->db, r->params[0]);
	const char *opt = http_query(r, "optional");
	if (!o && opt && strcmp(opt, "1") == 0) { /* none yet is a normal state, not an error (issue 14 item 5) */
		http_no_content(r);
		return;
	}
	http_entity(r, o, "survey", r->params[0]);
}

static void
put(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (scope_http_plan(r) || http_body(r, put_spec))
		return;
	http_device_time(r);
	json_t *risks = json_object_get(r->json, "risks");
	if (risks && !json_is_array(risks)) {
		fg_err_field(&e, "invalid_field", "risks", "a list of {hazard, level, measures}");
		http_error(r, &e);
		return;
	}
	int rc = surveys_put(r->db, &r->user, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

const route_t survey_routes[] = {
	{"GET", "/api/v1/plans/{id}/survey", get, "plans.read", 0, .ok = "200 204",
	    .doc = "?optional=1: 204 instead of 404 when the plan has none yet"},
	{"PUT", "/api/v1/plans/{id}/survey", put, "", 0, .body = put_spec,
	    .errors = HTTP_ERRORS("forbidden", "version_conflict")},
	{0},
};
