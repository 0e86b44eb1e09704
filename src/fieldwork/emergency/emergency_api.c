/* HTTP glue of the emergency mode (docs/api.md "Emergencies and the on-call roster"). */
#include <stdlib.h>
#include <string.h>
#include "core/http/routes.h"
#include "core/base/util.h"
#include "fieldwork/emergency/emergency.h"

static const jfield_t declare_spec[] = {
	{"kind", JF_STRING, JF_REQUIRED, 40},
	{"title", JF_STRING, JF_REQUIRED, 200},
	{"note", JF_STRING, JF_NULLABLE, 2000},
	{"area_ids", JF_STRINGS, JF_REQUIRED, 64},
	{"work_kinds", JF_STRINGS, JF_REQUIRED, 64},
	{"fault_kinds", JF_STRINGS, JF_NULLABLE, 64},
	{NULL, 0, 0, 0},
};

static const jfield_t end_spec[] = {
	{"note", JF_STRING, JF_NULLABLE, 2000},
	{"version", JF_INT, JF_NULLABLE, 0},
	{NULL, 0, 0, 0},
};

static const jfield_t review_spec[] = {
	{"findings", JF_STRING, JF_REQUIRED, 4000},
	{"lessons", JF_STRING, JF_REQUIRED, 4000},
	{"version", JF_INT, JF_NULLABLE, 0},
	{NULL, 0, 0, 0},
};

static const jfield_t oncall_spec[] = {
	{"user_id", JF_STRING, JF_REQUIRED, 64},
	{"duty", JF_STRING, JF_REQUIRED, 100},
	{"org_unit_id", JF_STRING, JF_NULLABLE, 64},
	{"from_at", JF_INT, JF_REQUIRED, 0},
	{"to_at", JF_INT, JF_REQUIRED, 0},
	{NULL, 0, 0, 0},
};

/* The banner's view: every signed-in user sees that an emergency is on and where, nothing of the work under it. */
static void
active(req_t *r)
{
	json_t *all = emergency_list(r->db, "active", false), *items = json_array(), *e;
	size_t i;
	json_array_foreach(json_object_get(all, "items"), i, e) {
		json_array_append_new(items, json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(e, "id"),
		    "number", json_object_get(e, "number"), "kind", json_object_get(e, "kind"), "kind_name",
		    json_object_get(e, "kind_name"), "title", json_object_get(e, "title"), "areas", json_object_get(e, "areas"),
		    "work_kinds", json_object_get(e, "work_kinds"), "declared_at", json_object_get(e, "declared_at")));
	}
	json_decref(all);
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

static void
catalogue(req_t *r)
{
	http_json(r, 200, json_pack("{s:O, s:O, s:i}", "kinds", emergency_kinds(), "fault_kits", emergency_fault_kits(),
			      "review_days", EMERGENCY_REVIEW_DAYS));
}

static void
list(req_t *r)
{
	static const char *const states[] = {"active", "review_due", "closed", NULL};
	const char *st = http_query(r, "status");
	int overdue = http_query_bool(r, "overdue");
	if (overdue == -2)
		return;
	if (st && !fg_one_of(st, states)) {
		fg_err_t e = FG_ERR_INIT;
		fg_err_field(&e, "invalid_query", "status", "active, review_due or closed");
		http_error(r, &e);
		return;
	}
	json_t *out = emergency_list(r->db, st, overdue == 1);
	if (!out) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, out);
}

static void
get(req_t *r)
{
	json_t *e = emergency_get(r->db, r->params[0]);
	if (e) {
		json_t *oc = oncall_list(r->db, &r->user, fg_now_ms(), false);
		json_object_set(e, "on_call", oc ? json_object_get(oc, "items") : json_array());
		json_decref(oc);
	}
	http_entity(r, e, "emergency", r->params[0]);
}

static void
declare(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, declare_spec))
		return;
	int rc = emergency_declare(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
end(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, end_spec))
		return;
	int rc = emergency_end(r->db, r->user.id, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
review(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, review_spec))
		return;
	int rc = emergency_review(r->db, r->user.id, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
oncall_get(req_t *r)
{
	int all = http_query_bool(r, "all");
	if (all == -2)
		return;
	const char *at = http_query(r, "at");
	int64_t when = at ? strtoll(at, NULL, 10) : fg_now_ms();
	if (when <= 0) {
		fg_err_t e = FG_ERR_INIT;
		fg_err_field(&e, "invalid_query", "at", "epoch ms");
		http_error(r, &e);
		return;
	}
	json_t *out = oncall_list(r->db, &r->user, when, all == 1);
	if (!out) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, out);
}

static void
oncall_post(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, oncall_spec))
		return;
	int rc = oncall_add(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

const route_t emergency_routes[] = {
	/* the literal paths before /emergencies/{id} */
	{"GET", "/api/v1/emergencies/active", active, "", 0, .ok = "200",
	    .doc = "The emergencies in force, with their scope, for the banner every signed-in user sees."},
	{"GET", "/api/v1/emergencies/catalogue", catalogue, "emergencies.read", 0, .ok = "200",
	    .doc = "Kinds of emergency and the fault kits (tools and parts per fault kind)."},
	{"GET", "/api/v1/emergencies", list, "emergencies.read", 0, .ok = "200"},
	{"POST", "/api/v1/emergencies", declare, "emergencies.declare", 0, .body = declare_spec, .ok = "201",
	    .errors = HTTP_ERRORS("emergency_scope_overlap")},
	{"GET", "/api/v1/emergencies/{id}", get, "emergencies.read", 0, .ok = "200"},
	{"POST", "/api/v1/emergencies/{id}/actions/end", end, "emergencies.declare", 0, .body = end_spec, .ok = "200",
	    .errors = HTTP_ERRORS("invalid_transition", "version_conflict")},
	{"POST", "/api/v1/emergencies/{id}/actions/review", review, "emergencies.review", 0, .body = review_spec, .ok = "200",
	    .errors = HTTP_ERRORS("invalid_transition", "version_conflict")},
	{"GET", "/api/v1/on-call", oncall_get, "emergencies.read", 0, .ok = "200"},
	{"POST", "/api/v1/on-call", oncall_post, "emergencies.declare", 0, .body = oncall_spec, .ok = "201"},
	{0},
};
