#include "core/http/routes.h"
#include "shared/org/org.h"

static const jfield_t create_spec[] = {
	{"name", JF_STRING, JF_REQUIRED, 100},
	{"kind", JF_STRING, JF_REQUIRED, 20},
	{"parent_id", JF_STRING, JF_NULLABLE, 64},
	{NULL, 0, 0, 0},
};

static const jfield_t update_spec[] = {
	{"version", JF_INT, JF_REQUIRED, 0},
	{"name", JF_STRING, 0, 100},
	{"kind", JF_STRING, 0, 20},
	{"parent_id", JF_STRING, JF_NULLABLE, 64},
	{NULL, 0, 0, 0},
};

static void
create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, create_spec))
		return;
	int rc = org_create(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = org_list(r->db, http_query(r, "kind"), http_query(r, "parent_id"), &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
get(req_t *r)
{
	http_entity(r, org_get(r->db, r->params[0]), "org_unit", r->params[0]);
}

static void
update(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, update_spec))
		return;
	int rc = org_update(r->db, r->user.id, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

const route_t org_routes[] = {
	{"GET", "/api/v1/org-units", list, "org.read", 0, .ok = "200"},
	{"POST", "/api/v1/org-units", create, "org.write", 0, .body = create_spec, .ok = "201"},
	{"GET", "/api/v1/org-units/{id}", get, "org.read", 0, .ok = "200"},
	{"PATCH", "/api/v1/org-units/{id}", update, "org.write", 0, .body = update_spec,
	    .errors = HTTP_ERRORS("org_unit_cycle", "version_conflict")},
	{0},
};
