#include <stdlib.h>
#include <string.h>
#include "core/http/routes.h"
#include "shared/org/scope.h"
#include "core/auth/perm.h"
#include "safety/interface/work.h"
#include "safety/people/people.h"

static const jfield_t add_spec[] = {
	{"kind", JF_STRING, JF_REQUIRED, 20},
	{"name", JF_STRING, JF_REQUIRED, 100},
	{"number", JF_STRING, JF_NULLABLE, 60},
	{"issued_on", JF_STRING, JF_NULLABLE, 10},
	{"expires_on", JF_STRING, JF_NULLABLE, 10},
	{"score", JF_INT, JF_NULLABLE, 0},
	{"issuer", JF_STRING, JF_NULLABLE, 100},
	{NULL, 0, 0, 0},
};

/* Everyone sees their own records; people.read sees everyone's. */
static void
list(req_t *r)
{
	if (strcmp(r->params[0], r->user.id) != 0 && !perm_allows(r->user.roles, "people.read")) {
		fg_err_t e = FG_ERR_INIT;
		fg_err(&e, "forbidden");
		fg_err_detail_str(&e, "permission", "people.read");
		http_error(r, &e);
		return;
	}
	json_t *out = people_list(r->db, r->params[0]);
	if (out && json_is_null(json_object_get(out, "readiness"))) {
		json_decref(out);
		out = NULL;
	}
	http_entity(r, out, "user", r->params[0]);
}

static void
add(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, add_spec))
		return;
	int rc = people_add(r->db, r->user.id, r->params[0], r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
expiring(req_t *r)
{
	const char *d = http_query(r, "days");
	int days = d ? atoi(d) : 60;
	json_t *items = days >= 0 && days <= 3650 ? people_expiring(r->db, days) : NULL;
	if (!items) {
		fg_err_t e = FG_ERR_INIT;
		fg_err_field(&e, "invalid_query", "days", "0 to 3650");
		http_error(r, &e);
		return;
	}
	http_json(r, 200, json_pack("{s:i, s:o}", "days", days, "items", items));
}

/* Readiness of everyone on a plan: what gate_person_unqualified will say at start (once finished: said then). */
static void
plan_readiness(req_t *r)
{
	if (!scope_plan_visible(r->db, &r->user, r->params[0])) { /* out of scope (docs/api.md "Scope") reads as missing */
		http_entity(r, NULL, "plan", r->params[0]);
		return;
	}
	http_entity(r, people_plan_readiness(r->db, r->params[0]), "plan", r->params[0]);
}

const route_t people_routes[] = {
	{"GET", "/api/v1/users/{id}/qualifications", list, "", 0, .ok = "200", .errors = HTTP_ERRORS("forbidden")},
	{"POST", "/api/v1/users/{id}/qualifications", add, "people.write", 0, .body = add_spec, .ok = "201"},
	{"GET", "/api/v1/people/expiring", expiring, "people.read", 0, .ok = "200"},
	{"GET", "/api/v1/plans/{id}/readiness", plan_readiness, "plans.read", 0, .ok = "200"},
	{0},
};
