/* HTTP glue for the charger KPIs (docs/api.md "Charger KPIs"): the table as JSON or .xlsx, and the trend. */
#include <string.h>
#include "core/http/routes.h"
#include "charging/kpis/kpis.h"

static void
query_of(req_t *r, kpis_query_t *q)
{
	memset(q, 0, sizeof *q);
	q->from = http_query(r, "from");
	q->to = http_query(r, "to");
	q->group_by = http_query(r, "group_by");
	q->station_id = http_query(r, "station_id");
	q->vendor = http_query(r, "vendor");
	q->model = http_query(r, "model");
	if (q->group_by && !*q->group_by)
		q->group_by = NULL;
}

/* from and to are required: a reader always knows which days a figure covers */
static int
need_period(req_t *r, const kpis_query_t *q)
{
	fg_err_t e = FG_ERR_INIT;
	if (!q->from || !q->to) {
		fg_err_field(&e, "invalid_query", q->from ? "to" : "from", "required: a day YYYY-MM-DD");
		http_error(r, &e);
		return -1;
	}
	return 0;
}

static void
table(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	kpis_query_t q;
	json_t *out = NULL;
	query_of(r, &q);
	if (need_period(r, &q))
		return;
	int rc = kpis_table(r->db, &q, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
xlsx(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	kpis_query_t q;
	unsigned char *buf = NULL;
	size_t len = 0;
	query_of(r, &q);
	if (need_period(r, &q))
		return;
	if (kpis_xlsx(r->db, &q, &buf, &len, &e) != 0) {
		http_error(r, &e);
		return;
	}
	http_bytes(r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf, len);
	char disp[160];
	/* from and to passed kpis_day_start: digits and dashes only */
	fg_fmt(disp, sizeof disp, "attachment; filename=\"charger-kpis-%s-%s.xlsx\"", q.from, q.to);
	http_header(r, "Content-Disposition", disp);
}

static void
trend(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	kpis_query_t q;
	json_t *out = NULL;
	query_of(r, &q);
	if (need_period(r, &q))
		return;
	int rc = kpis_trend(r->db, &q, http_query(r, "metric"), http_query(r, "interval"), &out, &e);
	http_result(r, 200, rc, out, &e);
}

const route_t kpi_routes[] = {
	{"GET", "/api/v1/kpis/chargers", table, "chargers.read", 0, .standby = true, .ok = "200"},
	{"GET", "/api/v1/kpis/chargers.xlsx", xlsx, "chargers.read", 0, .standby = true, .resp = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{"GET", "/api/v1/kpis/trend", trend, "chargers.read", 0, .standby = true, .ok = "200"},
	{0},
};
