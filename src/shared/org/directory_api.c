/* A read-only directory for people who plan and supervise work (R2.16: only what the job needs). /users and
 * /org-units stay admin-only; dispatchers and managers still have to pick a team, a leader and a crew. */
#include "core/http/routes.h"
#include "core/auth/users.h"
#include "shared/org/scope.h"
#include "shared/org/org.h"

static void
people(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	users_filter_t f = {.q = http_query(r, "q"), .role = http_query(r, "role"), .org_unit_id = http_query(r, "org_unit_id"),
	    .disabled = 0};
	if (http_paging(r, &f.limit, &f.cursor))
		return;
	if (users_list(r->db, &f, &out, &e) != 0) {
		http_error(r, &e);
		return;
	}
	/* a directory entry: who, what roles, which unit, how to call them; nothing about the account itself */
	size_t i;
	json_t *u;
	static const char *const drop[] = {"last_login_at", "created_at", "updated_at", "version", "disabled", NULL};
	json_array_foreach(json_object_get(out, "items"), i, u) for (int k = 0; drop[k]; k++) json_object_del(u, drop[k]);
	scope_directory_phones(r->db, &r->user, json_object_get(out, "items"));
	http_json(r, 200, out);
}

static void
units(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = org_list(r->db, http_query(r, "kind"), http_query(r, "parent_id"), &out, &e);
	http_result(r, 200, rc, out, &e);
}

const route_t directory_routes[] = {
	{"GET", "/api/v1/directory/people", people, "plans.read", 0, .resp = "list:"},
	{"GET", "/api/v1/directory/org-units", units, "plans.read", 0, .ok = "200"},
	{0},
};
