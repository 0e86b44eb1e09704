/* HTTP glue for the metering quality re-checks and the monthly evaluation (docs/api.md "Metering quality and
 * evaluation"). Metering data is company-wide: the permission decides, not the caller's team. */
#include "core/http/routes.h"
#include "shared/org/org.h"
#include "metering/quality/quality.h"

static const jfield_t sample_spec[] = {
	{"team_id", JF_STRING, JF_REQUIRED, 64},
	{"from", JF_STRING, JF_REQUIRED, 10},
	{"to", JF_STRING, JF_REQUIRED, 10},
	{"rate", JF_INT, JF_REQUIRED, 0},
	{NULL, 0, 0, 0},
};

static const jfield_t result_spec[] = {
	{"result", JF_STRING, JF_REQUIRED, 10},
	{"note", JF_STRING, JF_NULLABLE, 2000},
	{"findings", JF_ANY, 0, 0},
	{NULL, 0, 0, 0},
};

static void
samples(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int limit;
	const char *cursor;
	if (http_paging(r, &limit, &cursor))
		return;
	int rc = quality_sample_list(r->db, http_query(r, "team_id"), cursor, limit, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
sample_create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, sample_spec))
		return;
	int rc = quality_sample_create(r->db, &r->user, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
sample_get(req_t *r)
{
	http_entity(r, quality_sample_get(r->db, r->params[0]), "quality_sample", r->params[0]);
}

static void
check_result(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, result_spec))
		return;
	int rc = quality_check_record(r->db, &r->user, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
evaluation(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = quality_evaluation(r->db, http_query(r, "month"), http_query(r, "team_id"), &out, &e);
	http_result(r, 200, rc, out, &e);
}

static const jfield_t area_spec[] = {
	{"transformer_area", JF_STRING, JF_REQUIRED, 64},
	{"team_id", JF_STRING, JF_REQUIRED, 64},
	{NULL, 0, 0, 0},
};

static const jfield_t area_clear_spec[] = {
	{"transformer_area", JF_STRING, JF_REQUIRED, 64},
	{NULL, 0, 0, 0},
};

static void
areas(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = quality_areas_list(r->db, http_query(r, "team_id"), &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
area_set(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, area_spec))
		return;
	int rc = quality_area_set(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
area_clear(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	if (http_body(r, area_clear_spec))
		return;
	if (quality_area_clear(r->db, r->user.id, r->json, &e) != 0) {
		http_error(r, &e);
		return;
	}
	http_no_content(r);
}

/* The teams a sample is drawn for and an area is given to: the metering centre picks them without org.read (the org
 * tree stays the admin's); names and ids only. */
static void
teams(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = org_list(r->db, "team", NULL, &out, &e);
	if (rc == 0) {
		json_t *u, *items = json_array();
		size_t i;
		json_array_foreach(json_object_get(out, "items"), i, u)
			json_array_append_new(items, json_pack("{s:O, s:O}", "id", json_object_get(u, "id"), "name", json_object_get(u, "name")));
		json_decref(out);
		out = json_pack("{s:o}", "items", items);
	}
	http_result(r, 200, rc, out, &e);
}

const route_t quality_routes[] = {
	{"GET", "/api/v1/metering/quality/samples", samples, "metering.read", 0, .resp = "list:QualitySampleSummary"},
	{"POST", "/api/v1/metering/quality/samples", sample_create, "metering.write", 0, .body = sample_spec, .ok = "201",
	    .resp = "QualitySample", .errors = HTTP_ERRORS("quality_sample_empty"),
	    .doc = "Draws rate % of the team's metering jobs finished from `from` to `to` and not sampled before, reproducibly."},
	{"GET", "/api/v1/metering/quality/samples/{id}", sample_get, "metering.read", 0, .resp = "QualitySample"},
	{"POST", "/api/v1/metering/quality/checks/{id}/result", check_result, "metering.write", 0, .body = result_spec,
	    .resp = "QualityCheck", .errors = HTTP_ERRORS("quality_finding_required", "quality_check_recorded", "quality_checker_on_job")},
	{"GET", "/api/v1/metering/evaluation", evaluation, "metering.read", 0, .resp = "MeteringEvaluation", .cache = true,
	    .doc = "The month's figures per team: on-time rate per work kind and per process (metering cases), first-pass rate of the "
		   "re-checks, findings by severity, the collection success rate of the team's transformer areas."},
	{"GET", "/api/v1/metering/teams", teams, "metering.read", 0, .resp = "MeteringTeams",
	    .doc = "The teams (org units of kind team), id and name: what the quality page draws samples for and maps areas to."},
	{"GET", "/api/v1/metering/area-teams", areas, "metering.read", 0, .resp = "MeteringAreaTeams",
	    .doc = "Which team answers for each transformer area (台区), by area."},
	{"PUT", "/api/v1/metering/area-teams", area_set, "metering.admin", 0, .body = area_spec, .resp = "MeteringAreaTeam",
	    .doc = "Sets (or replaces) the team that answers for a transformer area."},
	{"POST", "/api/v1/metering/area-teams/actions/clear", area_clear, "metering.admin", 0, .body = area_clear_spec, .ok = "204", .errors = HTTP_ERRORS("not_found"),
	    .doc = "Clears an area's team: its collection figures count as unassigned."},
	{0},
};
