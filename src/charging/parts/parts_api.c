#include "core/http/routes.h"
#include "core/flow/flow_api.h"
#include "charging/parts/parts.h"

static const jfield_t part_spec[] = {
	{"code", JF_STRING, JF_REQUIRED, 40},
	{"name", JF_STRING, JF_REQUIRED, 100},
	{"category", JF_STRING, JF_REQUIRED, 20},
	{"unit", JF_STRING, JF_REQUIRED, 10},
	{"fits", JF_STRING, JF_NULLABLE, 200},
	{NULL, 0, 0, 0},
};

static const jfield_t part_update_spec[] = {
	{"version", JF_INT, JF_REQUIRED, 0},
	{"code", JF_STRING, 0, 40},
	{"name", JF_STRING, 0, 100},
	{"category", JF_STRING, 0, 20},
	{"unit", JF_STRING, 0, 10},
	{"fits", JF_STRING, JF_NULLABLE, 200},
	{NULL, 0, 0, 0},
};

static const jfield_t depot_spec[] = {
	{"name", JF_STRING, JF_REQUIRED, 100},
	{"org_unit_id", JF_STRING, JF_NULLABLE, 64},
	{"location", JF_STRING, JF_NULLABLE, 200},
	{NULL, 0, 0, 0},
};

static const jfield_t receive_spec[] = {
	{"part_id", JF_STRING, JF_REQUIRED, 64},
	{"qty", JF_INT, JF_REQUIRED, 0},
	{"note", JF_STRING, JF_NULLABLE, 200},
	{NULL, 0, 0, 0},
};

static const jfield_t adjust_spec[] = {
	{"part_id", JF_STRING, JF_REQUIRED, 64},
	{"counted", JF_INT, JF_REQUIRED, 0},
	{"note", JF_STRING, JF_REQUIRED, 200},
	{NULL, 0, 0, 0},
};

static const jfield_t levels_spec[] = {
	{"version", JF_INT, 0, 0},
	{"reorder_point", JF_INT, JF_REQUIRED, 0},
	{"reorder_qty", JF_INT, JF_REQUIRED, 0},
	{NULL, 0, 0, 0},
};

static const jfield_t request_spec[] = {
	{"work_order_id", JF_STRING, JF_REQUIRED, 64},
	{"depot_id", JF_STRING, JF_REQUIRED, 64},
	{"lines", JF_ANY, JF_REQUIRED, 0},
	{"note", JF_STRING, JF_NULLABLE, 500},
	{NULL, 0, 0, 0},
};

/* One spec for every action: issue and cancel take nothing, reject a reason, settle the lines. */
static const jfield_t action_spec[] = {
	{"version", JF_INT, 0, 0},
	{"reason", JF_STRING, JF_NULLABLE, 500},
	{"lines", JF_ANY, 0, 0},
	{NULL, 0, 0, 0},
};

typedef int (*create_fn)(db_t *, const char *, json_t *, json_t **, fg_err_t *);

static void
create_with(req_t *r, const jfield_t *spec, create_fn fn)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, spec))
		return;
	int rc = fn(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

typedef int (*depot_fn)(db_t *, const char *, const char *, json_t *, json_t **, fg_err_t *);

static void
depot_change(req_t *r, const jfield_t *spec, depot_fn fn)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, spec))
		return;
	int rc = fn(r->db, r->user.id, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
part_list(req_t *r)
{
	http_json(r, 200, parts_list(r->db, http_query(r, "q"), http_query(r, "category")));
}

static void
part_create(req_t *r)
{
	create_with(r, part_spec, parts_create);
}

static void
part_get(req_t *r)
{
	http_entity(r, parts_get(r->db, r->params[0]), "part", r->params[0]);
}

static void
part_update(req_t *r)
{
	depot_change(r, part_update_spec, parts_update);
}

static void
depot_list(req_t *r)
{
	http_json(r, 200, parts_depots(r->db));
}

static void
depot_create(req_t *r)
{
	create_with(r, depot_spec, parts_depot_create);
}

static void
stock(req_t *r)
{
	http_entity(r, parts_stock(r->db, r->params[0]), "part_depot", r->params[0]);
}

static void
receive(req_t *r)
{
	depot_change(r, receive_spec, parts_receive);
}

static void
adjust(req_t *r)
{
	depot_change(r, adjust_spec, parts_adjust);
}

static void
levels(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, levels_spec))
		return;
	int rc = parts_set_levels(r->db, r->user.id, r->params[0], r->params[1], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
movements(req_t *r)
{
	http_json(r, 200, parts_movements(r->db, r->params[0], http_query(r, "part_id")));
}

static void
reorder(req_t *r)
{
	http_json(r, 200, parts_reorder(r->db));
}

static void
request_list(req_t *r)
{
	const char *mine = http_query(r, "mine");
	http_json(r, 200, parts_requests(r->db, http_query(r, "status"), http_query(r, "work_order_id"),
			      http_query(r, "depot_id"), mine && *mine && mine[0] != '0' && mine[0] != 'f' ? r->user.id : NULL));
}

static void
request_create(req_t *r)
{
	create_with(r, request_spec, parts_request_create);
}

static void
request_get(req_t *r)
{
	json_t *ent = parts_request_get(r->db, r->params[0]);
	if (ent)
		flow_api_with_actions(r, ent, "part_request");
	http_entity(r, ent, "part_request", r->params[0]);
}

static void
request_action(req_t *r)
{
	flow_api_action(r, &parts_request_flow, action_spec);
}

const route_t part_routes[] = {
	{"GET", "/api/v1/parts", part_list, "parts.read", 0, .ok = "200"},
	{"POST", "/api/v1/parts", part_create, "parts.write", 0, .body = part_spec, .ok = "201",
	    .errors = HTTP_ERRORS("part_code_taken")},
	{"GET", "/api/v1/parts/reorder", reorder, "parts.read", 0, .ok = "200"},
	{"GET", "/api/v1/parts/{id}", part_get, "parts.read", 0, .ok = "200"},
	{"PATCH", "/api/v1/parts/{id}", part_update, "parts.write", 0, .body = part_update_spec,
	    .errors = HTTP_ERRORS("version_conflict")},
	{"GET", "/api/v1/part-depots", depot_list, "parts.read", 0, .ok = "200"},
	{"POST", "/api/v1/part-depots", depot_create, "parts.write", 0, .body = depot_spec, .ok = "201"},
	{"GET", "/api/v1/part-depots/{id}/stock", stock, "parts.read", 0, .ok = "200"},
	{"PUT", "/api/v1/part-depots/{id}/stock/{id}", levels, "parts.write", 0, .body = levels_spec},
	{"POST", "/api/v1/part-depots/{id}/receipts", receive, "parts.write", 0, .body = receive_spec},
	{"POST", "/api/v1/part-depots/{id}/adjustments", adjust, "parts.write", 0, .body = adjust_spec},
	{"GET", "/api/v1/part-depots/{id}/movements", movements, "parts.read", 0, .ok = "200"},
	{"GET", "/api/v1/part-requests", request_list, "parts.read", 0, .ok = "200"},
	{"POST", "/api/v1/part-requests", request_create, "parts.request", 0, .body = request_spec, .ok = "201",
	    .errors = HTTP_ERRORS("work_order_closed")},
	{"GET", "/api/v1/part-requests/{id}", request_get, "parts.read", 0, .ok = "200"},
	{"POST", "/api/v1/part-requests/{id}/actions/{id}", request_action, "parts.read", 0, .body = action_spec,
	    .errors = HTTP_ERRORS("gate_part_stock_short", "invalid_transition", "part_not_requester",
		"part_settlement_unbalanced")},
	{0},
};
