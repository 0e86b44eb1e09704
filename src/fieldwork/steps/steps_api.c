#include "core/http/routes.h"
#include "fieldwork/steps/steps.h"
#include "shared/org/scope.h"
#include "shared/org/scope_api.h"

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
	if (scope_http_plan(r))
		return;
	http_entity(r, steps_for_plan(r->db, r->params[0]), "plan", r->params[0]);
}

static void
record(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (scope_http_plan(r) || http_body(r, record_spec))
		return;
	http_device_time(r);
	if (!json_object_get(r->json, "records"))
		json_object_set_new(r->json, "records", json_object());
	int rc = steps_record(r->db, &r->user, r->params[0], r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

const route_t step_routes[] = {
	{"GET", "/api/v1/plans/{id}/steps", list, "plans.read", 0, .ok = "200"},
	{"POST", "/api/v1/plans/{id}/steps", record, "", 0, .body = record_spec, .ok = "201",
	    .errors = HTTP_ERRORS("forbidden", "invalid_transition", "step_done", "step_out_of_order",
		"step_photo_missing")},
	{0},
};
