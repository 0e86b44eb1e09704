#include <stdlib.h>
#include <string.h>
#include "core/http/routes.h"
#include "shared/org/scope.h"
#include "safety/tools/tools.h"

static const jfield_t create_spec[] = {
	{"asset_no", JF_STRING, JF_REQUIRED, 40},
	{"kind", JF_STRING, JF_REQUIRED, 40},
	{"name", JF_STRING, JF_NULLABLE, 100},
	{"store", JF_STRING, JF_NULLABLE, 100},
	{"location", JF_STRING, JF_NULLABLE, 100},
	{"last_test_date", JF_STRING, JF_NULLABLE, 10},
	{"last_test_result", JF_STRING, JF_NULLABLE, 4},
	{NULL, 0, 0, 0},
};

static const jfield_t test_spec[] = {
	{"test_date", JF_STRING, JF_REQUIRED, 10},
	{"result", JF_STRING, JF_REQUIRED, 4},
	{"tester", JF_STRING, JF_NULLABLE, 100},
	{"report_no", JF_STRING, JF_NULLABLE, 50},
	{"note", JF_STRING, JF_NULLABLE, 1000},
	{NULL, 0, 0, 0},
};

static const jfield_t checkout_spec[] = {
	{"plan_id", JF_STRING, JF_REQUIRED, 64},
	{NULL, 0, 0, 0},
};

static const jfield_t return_spec[] = {
	{"condition", JF_STRING, 0, 10},
	{"note", JF_STRING, JF_NULLABLE, 1000},
	{NULL, 0, 0, 0},
};

static void
create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, create_spec))
		return;
	int rc = tools_create(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	const char *asset = http_query(r, "asset_no");
	if (asset) { /* what a scanned label asks for */
		json_t *t = tools_by_asset(r->db, asset);
		http_json(r, 200, json_pack("{s:[o?], s:n, s:i}", "items", t, "next_cursor", "total", t ? 1 : 0));
		return;
	}
	tools_filter_t f = {.kind = http_query(r, "kind"), .custody = http_query(r, "custody"), .status = http_query(r, "status"),
	    .store = http_query(r, "store"), .plan_id = http_query(r, "plan_id"), .q = http_query(r, "q")};
	if (http_paging(r, &f.limit, &f.cursor))
		return;
	int rc = tools_list(r->db, &f, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
get(req_t *r)
{
	http_entity(r, tools_get(r->db, r->params[0]), "tool", r->params[0]);
}

static void
record_test(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, test_spec))
		return;
	int rc = tools_record_test(r->db, r->user.id, r->params[0], r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
checkout(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, checkout_spec))
		return;
	int rc = tools_checkout_at(r->db, &r->user, r->params[0], json_string_value(json_object_get(r->json, "plan_id")),
	    r->device_at, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
do_return(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, return_spec))
		return;
	http_device_time(r);
	int rc = tools_return(r->db, &r->user, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
qr(req_t *r)
{
	json_t *t = tools_get(r->db, r->params[0]);
	if (!t) {
		http_entity(r, NULL, "tool", r->params[0]);
		return;
	}
	char *svg = tools_qr_svg(json_string_value(json_object_get(t, "asset_no")));
	json_decref(t);
	if (!svg) {
		http_error_code(r, "internal");
		return;
	}
	http_bytes(r, 200, "image/svg+xml", (unsigned char *)svg, strlen(svg));
}

static const jfield_t labels_spec[] = {
	{"tool_ids", JF_STRINGS, JF_REQUIRED, 0},
	{NULL, 0, 0, 0},
};

/* POST /api/v1/tools/labels {"tool_ids":[…]} → the label sheet to print */
static void
labels(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	unsigned char *buf = NULL;
	size_t len = 0;
	if (http_body(r, labels_spec))
		return;
	if (tools_labels_pdf(r->db, json_object_get(r->json, "tool_ids"), &buf, &len, &e) != 0) {
		http_error(r, &e);
		return;
	}
	http_bytes(r, 200, "application/pdf", buf, len);
}

static void
for_plan(req_t *r)
{
	/* out of scope (docs/api.md "Scope") reads as missing */
	http_entity(r, scope_plan_visible(r->db, &r->user, r->params[0]) ? tools_for_plan(r->db, r->params[0]) : NULL, "plan",
	    r->params[0]);
}

static void
due(req_t *r)
{
	const char *d = http_query(r, "days");
	int days = d ? atoi(d) : TOOLS_DUE_SOON_DAYS;
	if (days < 0 || days > 3650) {
		fg_err_t e = FG_ERR_INIT;
		fg_err_field(&e, "invalid_query", "days", "0 to 3650");
		http_error(r, &e);
		return;
	}
	json_t *items = tools_due(r->db, days);
	if (!items) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, json_pack("{s:i, s:o}", "days", days, "items", items));
}

const route_t tool_routes[] = {
	{"GET", "/api/v1/tools", list, "tools.read", 0, .ok = "200 304", .resp = "list:Tool", .cache = true},
	{"POST", "/api/v1/tools", create, "tools.write", 0, .body = create_spec, .ok = "201", .resp = "Tool",
	    .errors = HTTP_ERRORS("asset_no_taken")},
	{"GET", "/api/v1/tools/due", due, "tools.read", 0, .ok = "200"},
	{"POST", "/api/v1/tools/labels", labels, "tools.read", 0, .body = labels_spec, .resp = "application/pdf"},
	{"GET", "/api/v1/tools/{id}", get, "tools.read", 0, .resp = "Tool"},
	{"GET", "/api/v1/tools/{id}/qr", qr, "tools.read", 0, .resp = "image/svg+xml"},
	{"POST", "/api/v1/tools/{id}/tests", record_test, "tools.write", 0, .body = test_spec, .ok = "201"},
	{"POST", "/api/v1/tools/{id}/actions/checkout", checkout, "tools.read", 0, .body = checkout_spec,
	    .errors = HTTP_ERRORS("tool_not_available", "tool_test_overdue")},
	{"POST", "/api/v1/tools/{id}/actions/return", do_return, "tools.read", 0, .body = return_spec,
	    .errors = HTTP_ERRORS("tool_not_checked_out")},
	{"GET", "/api/v1/plans/{id}/tools", for_plan, "plans.read", 0, .ok = "200"},
	{0},
};
