#include "core/http/routes.h"
#include "fieldwork/briefings/briefings.h"
#include "shared/org/scope.h"
#include "shared/org/scope_api.h"

static const jfield_t empty_spec[] = {{NULL, 0, 0, 0}};

static void
get(req_t *r)
{
	if (scope_http_plan(r))
		return;
	http_entity(r, briefings_get(r->db, r->params[0]), "briefing", r->params[0]);
}

static void
run(req_t *r, int (*fn)(db_t *, const auth_user_t *, const char *, json_t **, fg_err_t *), int status)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (scope_http_plan(r) || http_body(r, empty_spec))
		return;
	int rc = fn(r->db, &r->user, r->params[0], &out, &e);
	http_result(r, status, rc, out, &e);
}

static void
generate(req_t *r)
{
	run(r, briefings_generate, 200);
}

static void
hold(req_t *r)
{
	run(r, briefings_hold, 200);
}

static void
sign(req_t *r)
{
	run(r, briefings_sign, 200);
}

const route_t briefing_routes[] = {
	{"GET", "/api/v1/plans/{id}/briefing", get, "plans.read", 0, .ok = "200"},
	{"POST", "/api/v1/plans/{id}/briefing", generate, "", 0, .body = empty_spec},
	{"POST", "/api/v1/plans/{id}/briefing/actions/hold", hold, "", 0, .body = empty_spec},
	{"POST", "/api/v1/plans/{id}/briefing/actions/sign", sign, "", 0, .body = empty_spec,
	    .errors = HTTP_ERRORS("briefing_not_held")},
	{0},
};
