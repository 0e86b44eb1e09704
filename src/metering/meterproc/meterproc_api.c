/* HTTP glue for metering cases (docs/api.md "Metering: service processes"). */
#include <stdlib.h>
#include <string.h>
#include "core/http/routes.h"
#include "core/flow/flow_api.h"
#include "core/base/util.h"
#include "core/calendar/calendar.h"
#include "metering/meterproc/meterproc.h"
#include "metering/meterproc/meterproc_refund.h"

static const jfield_t case_spec[] = {
	{"kind", JF_STRING, JF_REQUIRED, 20},
	{"subject", JF_STRING, JF_REQUIRED, 200},
	{"point_no", JF_STRING, JF_NULLABLE, 50},
	{"asset_no", JF_STRING, JF_NULLABLE, 50},
	{"customer_name", JF_STRING, JF_NULLABLE, 100},
	{"customer_phone", JF_STRING, JF_NULLABLE, 20},
	{"opened_at", JF_INT, 0, 0},
	{"data", JF_ANY, JF_NULLABLE, 0},
	{NULL, 0, 0, 0},
};

/* One spec for every action: record_test the error (and the crew's verdict, the meter's class), answer the answer,
 * calculate the 退补 inputs (meterproc_refund.h), cancel and reject a reason. */
static const jfield_t action_spec[] = {
	{"version", JF_INT, 0, 0},
	{"error_percent", JF_ANY, 0, 0},
	{"tested_at", JF_INT, 0, 0},
	{"result", JF_STRING, 0, 10},
	{"accuracy_class", JF_STRING, 0, 10},
	{"answer", JF_STRING, 0, 2000},
	{"reason", JF_STRING, 0, 1000},
	{"cause", JF_STRING, 0, 30},
	{"method", JF_STRING, 0, 30},
	{"from", JF_STRING, 0, 10},
	{"to", JF_STRING, 0, 10},
	{"energy_kwh", JF_ANY, 0, 0},
	{"correction_factor", JF_ANY, 0, 0},
	{"correct_power", JF_ANY, 0, 0},
	{"measured_power", JF_ANY, 0, 0},
	{"measured_drop_percent", JF_ANY, 0, 0},
	{"allowed_drop_percent", JF_ANY, 0, 0},
	{"normal_month_kwh", JF_ANY, 0, 0},
	{"normal_month_days", JF_ANY, 0, 0},
	{"reading_diff", JF_ANY, 0, 0},
	{"correct_multiplier", JF_ANY, 0, 0},
	{"wrong_multiplier", JF_ANY, 0, 0},
	{NULL, 0, 0, 0},
};

static const jfield_t run_spec[] = {
	{"at", JF_INT, 0, 0},
	{"case_id", JF_STRING, 0, 64},
	{NULL, 0, 0, 0},
};

static void
case_list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int late = http_query_bool(r, "late"), open = http_query_bool(r, "open");
	if (late == -2 || open == -2)
		return;
	meterproc_filter_t f = {.kind = http_query(r, "kind"), .status = http_query(r, "status"), .late = late, .open = open == 1 ? 1 : -1};
	const char *cursor;
	if (http_paging(r, &f.limit, &cursor))
		return;
	f.offset = cursor ? strtoll(cursor, NULL, 10) : 0;
	if (f.offset < 0)
		f.offset = 0;
	int rc = meterproc_list(r->db, &f, &out, &e);
	if (rc == 0)
		meterproc_mask(&r->user, out);
	http_result(r, 200, rc, out, &e);
}

static void
with_actions(req_t *r, json_t *c)
{
	json_t *a = flow_actions_for("metering_case", c, r->user.roles);
	json_object_set_new(c, "actions", a ? a : json_array());
}

static void
case_create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, case_spec))
		return;
	int rc = db_begin(r->db);
	if (rc == 0)
		rc = meterproc_create(r->db, r->user.id, r->json, &out, &e);
	else
		fg_err(&e, "internal");
	if (rc == 0 && db_commit(r->db) != 0) {
		json_decref(out);
		out = NULL;
		rc = -1;
	}
	if (rc != 0)
		db_fail(r->db, &e);
	else {
		meterproc_mask(&r->user, out);
		with_actions(r, out);
	}
	http_result(r, 201, rc, out, &e);
}

static void
case_get(req_t *r)
{
	json_t *c = meterproc_get(r->db, r->params[0]);
	if (c) {
		meterproc_mask(&r->user, c);
		with_actions(r, c);
	}
	http_entity(r, c, "metering_case", r->params[0]);
}

static void
case_action(req_t *r)
{
	flow_api_action(r, &meterproc_flow, action_spec);
}

/* The 退补 working for inputs, nothing stored: the desk tries the numbers before it calculates on the case. */
static void
refund_preview(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, action_spec))
		return;
	int rc = meterproc_refund_calc(r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

/* The scheduler's step now (metering.admin; tests): fire the cases' deadlines due by "at". */
static void
run(req_t *r)
{
	flow_api_run_timers(r, run_spec, "metering_case", "case_id");
}

static const jfield_t periodic_spec[] = {
	{"on", JF_STRING, 0, 10},
	{NULL, 0, 0, 0},
};

/* The daily run now (metering.admin; tests): as of "on" (default today, Shanghai). */
static void
periodic_run(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, periodic_spec))
		return;
	char today[11];
	cal_local_day(fg_now_ms(), today);
	const char *on = json_string_value(json_object_get(r->json, "on"));
	int rc = meterproc_periodic_run(r->db, on ? on : today, &out, &e);
	http_result(r, 200, rc, out, &e);
}

const route_t meterproc_routes[] = {
	{"GET", "/api/v1/metering/cases", case_list, "metering.read", 0, .resp = "list:",
	    .doc = "Metering cases, the nearest deadline first (kind, status, late, open filters; masked contacts without metering.write)"},
	{"POST", "/api/v1/metering/cases", case_create, "metering.write", 0, .body = case_spec, .ok = "201",
	    .doc = "Opens a case in its field stage with the kind's work order and clock"},
	{"POST", "/api/v1/metering/cases/actions/run", run, "metering.admin", 0, .body = run_spec,
	    .doc = "Fires the cases' deadlines due by at (the scheduler's step, by hand)"},
	{"POST", "/api/v1/metering/periodic/actions/run", periodic_run, "metering.admin", 0, .body = periodic_spec,
	    .doc = "Generates the periodic work due as of on (default today): the daily job's step, by hand"},
	{"POST", "/api/v1/metering/refund-preview", refund_preview, "metering.read", 0, .body = action_spec,
	    .doc = "The 退补 working for the inputs, nothing stored"},
	{"GET", "/api/v1/metering/cases/{id}", case_get, "metering.read", 0, .ok = "200",
	    .doc = "A case with its clocks, work orders, history and the actions the caller may take"},
	{"POST", "/api/v1/metering/cases/{id}/actions/{action}", case_action, "metering.write", 0, .body = action_spec,
	    .errors = HTTP_ERRORS("invalid_transition", "reason_required", "version_conflict", "metering_case_job_open",
		"metering_case_untested", "metering_refund_same_person"),
	    .doc = "Moves a case (data/flows/metering_case.json): record_test, field_done, answer, replaced, calculate, approve, reject, cancel"},
	{0},
};
