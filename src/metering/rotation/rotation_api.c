/* HTTP glue of rotation campaigns (docs/api.md "Rotation campaigns"). */
#include "core/http/routes.h"
#include "core/flow/flow_api.h"
#include "metering/rotation/rotation.h"

static const jfield_t preview_spec[] = {
	{"criteria", JF_OBJECT, 0, 0},
	{NULL, 0, 0, 0},
};

static const jfield_t create_spec[] = {
	{"name", JF_STRING, JF_REQUIRED, 200},
	{"criteria", JF_OBJECT, 0, 0},
	{"crews", JF_INT, JF_REQUIRED, 0},
	{"per_crew_day", JF_INT, JF_REQUIRED, 0},
	{"start_on", JF_STRING, JF_REQUIRED, 10},
	{"due_days", JF_INT, 0, 0},
	{"team_id", JF_STRING, JF_NULLABLE, 64},
	{NULL, 0, 0, 0},
};

static const jfield_t action_spec[] = {
	{"version", JF_INT, 0, 0},
	{"reason", JF_STRING, 0, 1000},
	{NULL, 0, 0, 0},
};

static void
preview(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, preview_spec))
		return;
	int rc = rotation_preview(r->db, json_object_get(r->json, "criteria"), &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, create_spec))
		return;
	int rc = rotation_create(r->db, r->user.id, r->json, &out, &e);
	if (rc == 0)
		flow_api_with_actions(r, out, "rotation_campaign");
	http_result(r, 201, rc, out, &e);
}

static void
list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = rotation_list(r->db, http_query(r, "status"), &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
get(req_t *r)
{
	json_t *c = rotation_get(r->db, r->params[0]);
	if (c)
		flow_api_with_actions(r, c, "rotation_campaign");
	http_entity(r, c, "rotation_campaign", r->params[0]);
}

static void
orders(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL, *c = rotation_load(r->db, r->params[0]);
	if (!c) {
		http_entity(r, NULL, "rotation_campaign", r->params[0]);
		return;
	}
	json_decref(c);
	int rc = rotation_orders(r->db, r->params[0], &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
action(req_t *r)
{
	flow_api_action(r, &rotation_flow, action_spec);
}

static void
summary(req_t *r)
{
	json_t *s = rotation_screen_summary(r->db);
	if (!s) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, s);
}

const route_t rotation_routes[] = {
	{"POST", "/api/v1/rotation/preview", preview, "metering.read", 0, .body = preview_spec, .resp = "RotationPreview",
	    .doc = "How many installed meters the criteria select, by transformer area and batch; creates nothing."},
	{"GET", "/api/v1/rotation/summary", summary, "metering.read", 0, .resp = "RotationSummary",
	    .doc = "The running campaigns' progress, as the large screen shows it."},
	{"GET", "/api/v1/rotation/campaigns", list, "metering.read", 0, .resp = "RotationCampaigns"},
	{"POST", "/api/v1/rotation/campaigns", create, "metering.write", 0, .body = create_spec, .ok = "201",
	    .resp = "RotationCampaign", .doc = "A draft campaign: criteria, capacity (crews × meters per crew per day), first day."},
	{"GET", "/api/v1/rotation/campaigns/{id}", get, "metering.read", 0, .resp = "RotationCampaign"},
	{"GET", "/api/v1/rotation/campaigns/{id}/orders", orders, "metering.read", 0, .resp = "RotationOrders"},
	{"POST", "/api/v1/rotation/campaigns/{id}/actions/{action}", action, "metering.write", 0, .body = action_spec,
	    .resp = "RotationCampaign", .errors = HTTP_ERRORS("invalid_transition", "reason_required", "rotation_no_meters",
		"rotation_items_open", "calendar_year_unknown"),
	    .doc = "generate (draft → running: the work orders and items), complete (running → done, none open), cancel (reason)."},
	{0},
};
