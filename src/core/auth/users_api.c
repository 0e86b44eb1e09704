#include <stdlib.h>
#include <string.h>
#include "core/http/routes.h"
#include "core/auth/users.h"

static const jfield_t create_spec[] = {
	{"username", JF_STRING, JF_REQUIRED, 64},
	{"password", JF_STRING, JF_REQUIRED, 256},
	{"display_name", JF_STRING, JF_REQUIRED, 64},
	{"roles", JF_STRINGS, JF_REQUIRED, 0},
	{"org_unit_id", JF_STRING, JF_NULLABLE, 64},
	{"phone", JF_STRING, JF_NULLABLE, 32},
	{NULL, 0, 0, 0},
};

static const jfield_t update_spec[] = {
	{"version", JF_INT, JF_REQUIRED, 0},
	{"display_name", JF_STRING, 0, 64},
	{"roles", JF_STRINGS, 0, 0},
	{"org_unit_id", JF_STRING, JF_NULLABLE, 64},
	{"phone", JF_STRING, JF_NULLABLE, 32},
	{"password", JF_STRING, 0, 256},
	{NULL, 0, 0, 0},
};

static const jfield_t empty_spec[] = {{NULL, 0, 0, 0}};

static void
create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, create_spec))
		return;
	int rc = users_create(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	users_filter_t f = {.q = http_query(r, "q"), .role = http_query(r, "role"),
	    .org_unit_id = http_query(r, "org_unit_id")};
	if (http_paging(r, &f.limit, &f.cursor))
		return;
	if (f.cursor && !fg_is_uuid(f.cursor)) { /* cursors are ids: anything else was not made by us */
		fg_err_t e2 = FG_ERR_INIT;
		fg_err_field(&e2, "invalid_query", "cursor", "not a cursor this server made");
		http_error(r, &e2);
		return;
	}
	if ((f.disabled = http_query_bool(r, "disabled")) == -2)
		return;
	int rc = users_list(r->db, &f, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
get(req_t *r)
{
	http_entity(r, users_get(r->db, r->params[0]), "user", r->params[0]);
}

static void
update(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, update_spec))
		return;
	int rc = users_update(r->db, r->user.id, r->user.session_id, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
set_disabled(req_t *r, bool disabled)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, empty_spec))
		return;
	int rc = users_set_disabled(r->db, r->user.id, r->params[0], disabled, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
disable(req_t *r)
{
	set_disabled(r, true);
}

static void
enable(req_t *r)
{
	set_disabled(r, false);
}

static void
unused(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	const char *d = http_query(r, "days");
	long days = 90;
	if (d) {
		char *end;
		days = strtol(d, &end, 10);
		if (!*d || *end || days < 0 || days > 36500) {
			fg_err_field(&e, "invalid_query", "days", "0 to 36500");
			http_error(r, &e);
			return;
		}
	}
	int rc = users_unused(r->db, (int)days, &out, &e);
	http_result(r, 200, rc, out, &e);
}

const route_t user_routes[] = {
	{"GET", "/api/v1/users", list, "users.read", 0, .resp = "list:User"},
	{"POST", "/api/v1/users", create, "users.write", 0, .body = create_spec, .ok = "201", .resp = "User",
	    .errors = HTTP_ERRORS("username_taken", "weak_password")},
	{"GET", "/api/v1/users/unused", unused, "users.read", 0, .ok = "200"},
	{"GET", "/api/v1/users/{id}", get, "users.read", 0, .resp = "User"},
	{"PATCH", "/api/v1/users/{id}", update, "users.write", 0, .body = update_spec, .resp = "User",
	    .errors = HTTP_ERRORS("version_conflict")},
	{"POST", "/api/v1/users/{id}/actions/disable", disable, "users.write", 0, .body = empty_spec, .resp = "User",
	    .errors = HTTP_ERRORS("cannot_disable_self")},
	{"POST", "/api/v1/users/{id}/actions/enable", enable, "users.write", 0, .body = empty_spec, .resp = "User"},
	{0},
};
