/* HTTP glue shared by every entity with a flow: the POST …/actions/{action} handler and the "actions" a screen
 * can offer next. */
#include "core/http/routes.h"
#include "core/flow/flow_api.h"

void
flow_api_with_actions(req_t *r, json_t *ent, const char *flow)
{
	if (ent)
		json_object_set_new(ent, "actions", flow_actions(flow, json_string_value(json_object_get(ent, "status")), r->user.roles));
}

/* GET /api/v1/flows/{name}: states (with deadlines), transitions with what they need (roles, who, fields,
 * reason, stamps, pause/resume), for any signed-in user: the screens read names and actions from it. */
static void
describe(req_t *r)
{
	http_entity(r, flow_describe(r->params[0]), "flow", r->params[0]);
}

const route_t flow_routes[] = {
	{"GET", "/api/v1/flows/{name}", describe, "", 0},
	{NULL, NULL, NULL, NULL, 0},
};

void
flow_api_action(req_t *r, const flow_binding_t *b, const jfield_t *spec)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, spec))
		return;
	int rc = flow_fire(r->db, b, r->params[0], r->params[1], &r->user, r->json, &out, &e);
	if (rc == 0) /* what can come next, so the screen needs no second request */
		flow_api_with_actions(r, out, b->flow);
	http_result(r, 200, rc, out, &e);
}
