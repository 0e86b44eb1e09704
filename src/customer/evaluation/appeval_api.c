/* HTTP glue for the evaluation of applications (docs/api.md "Applications" → "Evaluation"): the figures as JSON or
 * as an .xlsx workbook. */
#include <string.h>
#include "core/http/routes.h"
#include "customer/evaluation/appeval.h"

static const char *
param(req_t *r, const char *name)
{
	const char *v = http_query(r, name);
	return v && *v ? v : NULL;
}

static void
query_of(req_t *r, appeval_query_t *q)
{
	memset(q, 0, sizeof *q);
	q->from = param(r, "from");
	q->to = param(r, "to");
	q->org_unit_id = param(r, "org_unit_id");
	q->kind = param(r, "kind");
	q->track = param(r, "track");
	q->viewer = &r->user;
}

static void
table(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	appeval_query_t q;
	json_t *out = NULL;
	query_of(r, &q);
	int rc = appeval_table(r->db, &q, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
xlsx(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	appeval_query_t q;
	unsigned char *buf = NULL;
	size_t len = 0;
	query_of(r, &q);
	if (appeval_xlsx(r->db, &q, &buf, &len, &e) != 0) {
		http_error(r, &e);
		return;
	}
	http_bytes(r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf, len);
	char disp[160];
	/* from and to passed appeval_month_start: digits and a dash only */
	fg_fmt(disp, sizeof disp, "attachment; filename=\"application-evaluation-%s-%s.xlsx\"", q.from, q.to);
	http_header(r, "Content-Disposition", disp);
}

/* Before the applications' own routes in src/modules.c: /api/v1/applications/{id} would take these paths. */
const route_t appeval_routes[] = {
	{"GET", "/api/v1/applications/evaluation", table, "applications.read", 0, .standby = true, .resp = "ApplicationEvaluation",
	    .doc = "The internal evaluation of applications by month, serving unit, team, stage and kind (from, to: YYYY-MM)."},
	{"GET", "/api/v1/applications/evaluation.xlsx", xlsx, "applications.read", 0, .standby = true,
	    .resp = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{0},
};
