#include "http/routes.h"
#include "modules/steps/steps.h"
#include "auth/scope.h"

/* The plan (params[0]) out of the caller's scope answers 404 for reads and writes alike (docs/api.md "Scope"),
 * before the body is looked at. */
static bool
out_of_scope(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	if (scope_plan_check(r->db, &r->user, r->params[0], "plan", r->params[0], &e) == 0)
		return false;
	http_error(r, &e);
	return true;
}

static const jfield_t record_spec[] = {
	{"work_order_id", JF_STRING, JF_REQUIRED, 64},
	{"step_no", JF_INT, JF_REQUIRED, 0},
	{"result", JF_STRING, JF_REQUIRED, 16},
	{"records", JF_OBJECT, 0, 0},
	{"note", JF_STRING, JF_NULLABLE, 2000},
	{"photo_ids", JF_STRINGS, 0, 0},
	{NULL, 0, 0, 0},
};

static void
list(req_t *r)
{
	if (out_of_scope(r))
		return;
	http_entity(r, steps_for_plan(r->db, r->params[0]), "plan", r->params[0]);
}

static void
record(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (out_of_scope(r) || http_body(r, record_spec))
		return;
	if (!json_object_get(r->json, "records"))
		json_object_set_new(r->json, "records", json_object());
	int rc = steps_record(r->db, &r->user, r->params[0], r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

const route_t step_routes[] = {
	{"GET", "/api/v1/plans/{id}/steps", list, "plans.read", 0},
	{"POST", "/api/v1/plans/{id}/steps", record, "", 0},
	{NULL, NULL, NULL, NULL, 0},
};
