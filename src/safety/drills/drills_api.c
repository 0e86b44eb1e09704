/* HTTP glue of emergency plans and drills (docs/api.md "Emergency plans and drills"). */
#include <string.h>
#include "core/http/routes.h"
#include "core/auth/perm.h"
#include "core/base/util.h"
#include "safety/drills/drills.h"

static const jfield_t plan_spec[] = {
	{"kind", JF_STRING, JF_REQUIRED, 40},
	{"title", JF_STRING, JF_REQUIRED, 200},
	{"content", JF_STRING, JF_REQUIRED, 20000},
	{"attachment_ids", JF_STRINGS, JF_NULLABLE, 64},
	{"org_unit_id", JF_STRING, JF_NULLABLE, 64},
	{"review_on", JF_STRING, JF_NULLABLE, 10},
	{NULL, 0, 0, 0},
};

static const jfield_t plan_patch_spec[] = {
	{"version", JF_INT, JF_REQUIRED, 0},
	{"title", JF_STRING, 0, 200},
	{"content", JF_STRING, 0, 20000},
	{"attachment_ids", JF_STRINGS, JF_NULLABLE, 64},
	{"org_unit_id", JF_STRING, JF_NULLABLE, 64},
	{"review_on", JF_STRING, JF_NULLABLE, 10},
	{NULL, 0, 0, 0},
};

static const jfield_t drill_spec[] = {
	{"plan_id", JF_STRING, JF_REQUIRED, 64},
	{"date", JF_STRING, JF_REQUIRED, 10},
	{"place", JF_STRING, JF_REQUIRED, 200},
	{"scenario", JF_STRING, JF_REQUIRED, 2000},
	{NULL, 0, 0, 0},
};

static const jfield_t record_spec[] = {
	{"attendance", JF_ANY, JF_REQUIRED, 0},
	{"findings", JF_STRING, JF_REQUIRED, 4000},
	{"improvements", JF_ANY, JF_NULLABLE, 0},
	{"version", JF_INT, JF_NULLABLE, 0},
	{NULL, 0, 0, 0},
};

static const jfield_t close_spec[] = {
	{"note", JF_STRING, JF_NULLABLE, 2000},
	{NULL, 0, 0, 0},
};

static void
plans_list(req_t *r)
{
	json_t *out = drills_plan_list(r->db, http_query(r, "kind"));
	if (!out) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, out);
}

static void
plan_get(req_t *r)
{
	http_entity(r, drills_plan_get(r->db, r->params[0]), "emergency_plan", r->params[0]);
}

static void
plan_create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, plan_spec))
		return;
	int rc = drills_plan_create(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
plan_update(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, plan_patch_spec))
		return;
	int rc = drills_plan_update(r->db, r->user.id, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

/* The calendar: ?month=YYYY-MM (default: this month), ?plan_id. */
static void
list(req_t *r)
{
	const char *m = http_query(r, "month");
	if (m && (strlen(m) != 7 || m[4] != '-' || m[0] < '1' || m[0] > '9' || m[5] < '0' || m[5] > '1')) {
		fg_err_t e = FG_ERR_INIT;
		fg_err_field(&e, "invalid_query", "month", "YYYY-MM");
		http_error(r, &e);
		return;
	}
	json_t *out = drills_list(r->db, m, http_query(r, "plan_id"));
	if (!out) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, out);
}

static void
get(req_t *r)
{
	http_entity(r, drills_get(r->db, r->params[0]), "drill", r->params[0]);
}

static void
schedule(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, drill_spec))
		return;
	int rc = drills_schedule(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
record(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, record_spec))
		return;
	int rc = drills_record(r->db, r->user.id, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

/* The owner closes their own improvement; drills.write closes any. */
static void
close_improvement(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, close_spec))
		return;
	int rc = drills_improvement_close(r->db, r->user.id, perm_allows(r->user.roles, "drills.write"), r->params[0],
	    r->params[1], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

const route_t drills_routes[] = {
	{"GET", "/api/v1/emergency-plans", plans_list, "drills.read", 0, .ok = "200"},
	{"POST", "/api/v1/emergency-plans", plan_create, "drills.write", 0, .body = plan_spec, .ok = "201"},
	{"GET", "/api/v1/emergency-plans/{id}", plan_get, "drills.read", 0, .ok = "200"},
	{"PATCH", "/api/v1/emergency-plans/{id}", plan_update, "drills.write", 0, .body = plan_patch_spec, .ok = "200",
	    .errors = HTTP_ERRORS("version_conflict")},
	{"GET", "/api/v1/drills", list, "drills.read", 0, .ok = "200"},
	{"POST", "/api/v1/drills", schedule, "drills.write", 0, .body = drill_spec, .ok = "201"},
	{"GET", "/api/v1/drills/{id}", get, "drills.read", 0, .ok = "200"},
	{"POST", "/api/v1/drills/{id}/actions/record", record, "drills.write", 0, .body = record_spec, .ok = "200",
	    .errors = HTTP_ERRORS("drill_person_unknown", "invalid_transition", "version_conflict")},
	{"POST", "/api/v1/drills/{id}/improvements/{iid}/actions/close", close_improvement, "drills.read", 0,
	    .body = close_spec, .ok = "200", .errors = HTTP_ERRORS("forbidden", "invalid_transition"),
	    .doc = "The improvement's owner closes it, or a holder of drills.write."},
	{0},
};
