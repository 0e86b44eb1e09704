#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/http/routes.h"
#include "fieldwork/supervision/supervision.h"
#include "shared/org/scope.h"
#include "shared/org/scope_api.h"

static const jfield_t finding_spec[] = {
	{"kind", JF_STRING, JF_REQUIRED, 20},
	{"severity", JF_STRING, 0, 10},
	{"method", JF_STRING, 0, 10},
	{"description", JF_STRING, JF_REQUIRED, 2000},
	{NULL, 0, 0, 0},
};

static const jfield_t evaluation_spec[] = {
	{"qualified", JF_BOOL, JF_REQUIRED, 0},
	{"reasons", JF_STRINGS, 0, 0},
	{NULL, 0, 0, 0},
};

/* The board is polled by every supervisor's screen: kept in the response cache, with an ETag that lets an
 * unchanged board cost a 304. */
static void
board(req_t *r)
{
	char today[11];
	const char *date = http_query(r, "date");
	if (!date) {
		time_t t = time(NULL) + 8 * 3600; /* Asia/Shanghai */
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(today, sizeof today, "%Y-%m-%d", &tm);
		date = today;
	}
	if (strlen(date) != 10) {
		fg_err_t e = FG_ERR_INIT;
		fg_err_field(&e, "invalid_query", "date", "YYYY-MM-DD");
		http_error(r, &e);
		return;
	}
	json_t *b = supervision_board(r->db, date, &r->user);
	if (!b) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, b); /* its ETag and 304 come from the route's .cache (core/http/rcache.c) */
}

static void
add_finding(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (scope_http_plan(r) || http_body(r, finding_spec))
		return;
	int rc = supervision_add_finding(r->db, &r->user, r->params[0], r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
findings(req_t *r)
{
	if (scope_http_plan(r))
		return;
	http_entity(r, supervision_findings(r->db, r->params[0]), "plan", r->params[0]);
}

static void
evaluate(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (scope_http_ticket(r) || http_body(r, evaluation_spec))
		return;
	int rc = supervision_evaluate(r->db, &r->user, r->params[0], json_is_true(json_object_get(r->json, "qualified")),
	    json_object_get(r->json, "reasons"), &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
coverage(req_t *r)
{
	const char *f = http_query(r, "from"), *t = http_query(r, "to");
	int64_t from = f ? strtoll(f, NULL, 10) : 0, to = t ? strtoll(t, NULL, 10) : INT64_MAX;
	json_t *c = supervision_coverage(r->db, from, to, &r->user);
	if (!c) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, c);
}

const route_t supervision_routes[] = {
	{"GET", "/api/v1/board", board, "supervision.read", 0, .ok = "200 304", .cache = true},
	{"GET", "/api/v1/plans/{id}/findings", findings, "supervision.read", 0, .ok = "200"},
	{"POST", "/api/v1/plans/{id}/findings", add_finding, "supervision.write", 0, .body = finding_spec, .ok = "201"},
	{"POST", "/api/v1/tickets/{id}/evaluation", evaluate, "supervision.write", 0, .body = evaluation_spec, .ok = "201",
	    .errors = HTTP_ERRORS("evaluation_exists", "ticket_not_finished")},
	{"GET", "/api/v1/evaluations/coverage", coverage, "supervision.read", 0, .ok = "200"},
	{0},
};
