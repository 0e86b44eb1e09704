#include <stdlib.h>
#include "core/http/routes.h"
#include "core/flow/flow_api.h"
#include "fieldwork/orders/orders.h"

static const jfield_t create_spec[] = {
	{"kind", JF_STRING, JF_REQUIRED, 64},
	{"title", JF_STRING, 0, 200},
	{"priority", JF_STRING, 0, 16},
	{"source", JF_STRING, 0, 16},
	{"customer_name", JF_STRING, JF_NULLABLE, 100},
	{"customer_no", JF_STRING, JF_NULLABLE, 50},
	{"site_address", JF_STRING, JF_NULLABLE, 300},
	{"meter_asset_no", JF_STRING, JF_NULLABLE, 50},
	{"metering_point_no", JF_STRING, JF_NULLABLE, 50},
	{"description", JF_STRING, JF_NULLABLE, 4000},
	{"team_id", JF_STRING, JF_NULLABLE, 64},
	{"due_at", JF_INT, JF_NULLABLE, 0},
	{"contact_name", JF_STRING, JF_NULLABLE, 100},
	{"contact_phone", JF_STRING, JF_NULLABLE, 20},
	{"appointment_from", JF_INT, JF_NULLABLE, 0},
	{"appointment_to", JF_INT, JF_NULLABLE, 0},
	{NULL, 0, 0, 0},
};

static const jfield_t update_spec[] = {
	{"version", JF_INT, JF_REQUIRED, 0},
	{"title", JF_STRING, 0, 200},
	{"priority", JF_STRING, 0, 16},
	{"customer_name", JF_STRING, JF_NULLABLE, 100},
	{"customer_no", JF_STRING, JF_NULLABLE, 50},
	{"site_address", JF_STRING, JF_NULLABLE, 300},
	{"meter_asset_no", JF_STRING, JF_NULLABLE, 50},
	{"metering_point_no", JF_STRING, JF_NULLABLE, 50},
	{"description", JF_STRING, JF_NULLABLE, 4000},
	{"team_id", JF_STRING, JF_NULLABLE, 64},
	{"due_at", JF_INT, JF_NULLABLE, 0},
	{"contact_name", JF_STRING, JF_NULLABLE, 100},
	{"contact_phone", JF_STRING, JF_NULLABLE, 20},
	{"appointment_from", JF_INT, JF_NULLABLE, 0},
	{"appointment_to", JF_INT, JF_NULLABLE, 0},
	{NULL, 0, 0, 0},
};

static const jfield_t action_spec[] = {
	{"version", JF_INT, 0, 0},
	{"reason", JF_STRING, JF_NULLABLE, 500},
	{NULL, 0, 0, 0},
};

static void
create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, create_spec))
		return;
	int rc = orders_create(r->db, r->user.id, r->json, &out, &e);
	orders_mask(r->db, &r->user, out);
	http_result(r, 201, rc, out, &e);
}

static int
ms_query(req_t *r, const char *name, int64_t *v)
{
	const char *s = http_query(r, name);
	*v = 0;
	if (!s)
		return 0;
	char *end;
	*v = strtoll(s, &end, 10);
	if (!*s || *end || *v <= 0) {
		fg_err_t e = FG_ERR_INIT;
		fg_err_field(&e, "invalid_query", name, "epoch milliseconds");
		http_error(r, &e);
		return -1;
	}
	return 0;
}

static void
list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	orders_filter_t f = {.status = http_query(r, "status"), .kind = http_query(r, "kind"),
	    .team_id = http_query(r, "team_id"), .q = http_query(r, "q")};
	if (http_paging(r, &f.limit, &f.cursor) || ms_query(r, "due_before", &f.due_before) ||
	    ms_query(r, "due_after", &f.due_after))
		return;
	int rc = orders_list(r->db, &f, &out, &e);
	size_t i;
	json_t *o;
	json_array_foreach(rc == 0 ? json_object_get(out, "items") : NULL, i, o) orders_mask(r->db, &r->user, o);
	http_result(r, 200, rc, out, &e);
}

static void
get(req_t *r)
{
	json_t *o = orders_get(r->db, r->params[0]);
	orders_mask(r->db, &r->user, o);
	flow_api_with_actions(r, o, "work_order");
	http_entity(r, o, "work_order", r->params[0]);
}

static void
update(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, update_spec))
		return;
	int rc = orders_update(r->db, r->user.id, r->params[0], r->json, &out, &e);
	orders_mask(r->db, &r->user, out);
	http_result(r, 200, rc, out, &e);
}

static void
action(req_t *r)
{
	flow_api_action(r, &orders_flow, action_spec);
}

const route_t order_routes[] = {
	{"GET", "/api/v1/work-orders", list, "orders.read", 0, .ok = "200 304", .resp = "list:WorkOrder", .cache = true},
	{"POST", "/api/v1/work-orders", create, "orders.write", 0, .body = create_spec, .ok = "201", .resp = "WorkOrder"},
	{"GET", "/api/v1/work-orders/{id}", get, "orders.read", 0, .resp = "WorkOrder"},
	{"PATCH", "/api/v1/work-orders/{id}", update, "orders.write", 0, .body = update_spec, .resp = "WorkOrder",
	    .errors = HTTP_ERRORS("version_conflict")},
	{"POST", "/api/v1/work-orders/{id}/actions/{action}", action, "", 0, .body = action_spec, .resp = "WorkOrder",
	    .errors = HTTP_ERRORS("invalid_transition", "order_in_active_plan")},
	{0},
};
