#include <string.h>
#include "core/http/routes.h"
#include "core/auth/login.h"
#include "fieldwork/plans/plans.h"
#include "fieldwork/briefings/briefings.h"
#include "shared/org/scope.h"
#include "shared/org/scope_api.h"

static const jfield_t empty_spec[] = {{NULL, 0, 0, 0}};

/* Attendance: one's own (no user_id), or a member's on the leader's screen (user_id, password, signature_id). */
static const jfield_t sign_spec[] = {
	{"user_id", JF_STRING, JF_NULLABLE, 64},
	{"password", JF_STRING, JF_NULLABLE, 256},
	{"signature_id", JF_STRING, JF_NULLABLE, 64},
	{"lat", JF_ANY, JF_NULLABLE, 0},
	{"lng", JF_ANY, JF_NULLABLE, 0},
	{"place", JF_STRING, JF_NULLABLE, 200},
	{NULL, 0, 0, 0},
};

static void
get(req_t *r)
{
	if (scope_http_plan(r))
		return;
	json_t *o = briefings_get(r->db, r->params[0]);
	const char *opt = http_query(r, "optional");
	if (!o && opt && strcmp(opt, "1") == 0) { /* none yet is a normal state, not an error (issue 14 item 5) */
		http_no_content(r);
		return;
	}
	http_entity(r, o, "briefing", r->params[0]);
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

/* Another member's attendance on the leader's screen: the member's own password is checked here, outside the
 * attendance's transaction, so a wrong one counts toward that member's login lock even though nothing is recorded
 * (as a signing action does). Only the plan's leader's screen may ask: nobody else gets to try passwords. */
static void
sign(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (scope_http_plan(r) || http_body(r, sign_spec))
		return;
	http_device_time(r);
	const char *who = json_string_value(json_object_get(r->json, "user_id"));
	const char *pw = json_string_value(json_object_get(r->json, "password"));
	bool reauthed = false;
	if (who && *who && strcmp(who, r->user.id) != 0 && pw && *pw) {
		json_t *plan = plans_get(r->db, r->params[0]), *c;
		bool leader = plan && fg_jstr(plan, "leader_id") && strcmp(fg_jstr(plan, "leader_id"), r->user.id) == 0;
		bool member = plan && fg_jstr(plan, "leader_id") && strcmp(fg_jstr(plan, "leader_id"), who) == 0;
		size_t i;
		json_array_foreach(json_object_get(plan, "crew"), i, c) member |= strcmp(fg_jstr(c, "id"), who) == 0;
		json_decref(plan);
		if (!leader || !member) { /* the password of someone not on the plan is never tried */
			if (leader)
				fg_err_field(&e, "invalid_field", "user_id", "a member of the plan");
			else
				fg_err(&e, "not_the_leader");
			http_error(r, &e);
			return;
		}
		if (login_reauth(r->db, who, pw, &e) != 0) {
			http_error(r, &e);
			return;
		}
		reauthed = true;
	}
	int rc = briefings_sign(r->db, &r->user, r->params[0], r->json, reauthed, &out, &e);
	http_result(r, 200, rc, out, &e);
}

const route_t briefing_routes[] = {
	{"GET", "/api/v1/plans/{id}/briefing", get, "plans.read", 0, .ok = "200 204",
	    .doc = "?optional=1: 204 instead of 404 when the plan has none yet"},
	{"POST", "/api/v1/plans/{id}/briefing", generate, "", 0, .body = empty_spec},
	{"POST", "/api/v1/plans/{id}/briefing/actions/hold", hold, "", 0, .body = empty_spec},
	{"POST", "/api/v1/plans/{id}/briefing/actions/sign", sign, "", 0, .body = sign_spec,
	    .errors = HTTP_ERRORS("briefing_not_held", "attendance_not_own", "attendance_signature_required", "not_the_leader",
		"reauth_failed")},
	{0},
};
