#include "shared/org/scope.h"
#include "shared/org/scope_api.h"

bool
scope_http_plan(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	if (scope_plan_check(r->db, &r->user, r->params[0], "plan", r->params[0], &e) == 0)
		return false;
	http_error(r, &e);
	return true;
}

bool
scope_http_ticket(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	if (scope_ticket_check(r->db, &r->user, r->params[0], &e) == 0)
		return false;
	http_error(r, &e);
	return true;
}
