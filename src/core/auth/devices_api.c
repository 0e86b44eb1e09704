#include "core/http/routes.h"
#include "core/auth/perm.h"
#include "core/auth/devices.h"

static const jfield_t empty_spec[] = {{NULL, 0, 0, 0}};
static const jfield_t register_spec[] = {
	{"name", JF_STRING, JF_REQUIRED, 100},
	{"platform", JF_STRING, JF_REQUIRED, 50},
	{NULL, 0, 0, 0},
};

static void
register_device(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, register_spec))
		return;
	int rc = devices_register(r->db, &r->user, json_string_value(json_object_get(r->json, "name")),
	    json_string_value(json_object_get(r->json, "platform")), &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
my_devices(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = devices_list(r->db, r->user.id, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
all_devices(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = devices_list(r->db, http_query(r, "user_id"), &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
revoke_device(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, empty_spec))
		return;
	int rc = devices_revoke(r->db, &r->user, perm_allows(r->user.roles, "devices.manage"), r->params[0], &out, &e);
	http_result(r, 200, rc, out, &e);
}

const route_t device_routes[] = {
	{"POST", "/api/v1/me/devices", register_device, "", 0, .body = register_spec, .ok = "201"},
	{"GET", "/api/v1/me/devices", my_devices, "", 0, .ok = "200"},
	{"GET", "/api/v1/devices", all_devices, "devices.manage", 0, .ok = "200"},
	{"POST", "/api/v1/devices/{id}/actions/revoke", revoke_device, "", 0, .ok = "200",
	    .errors = HTTP_ERRORS("unknown_field")},
	{0},
};
