/* HTTP glue for customer hazards (docs/api.md "Customer hazards"). */
#include <stdlib.h>
#include <string.h>
#include "core/http/routes.h"
#include "core/flow/flow_api.h"
#include "core/base/util.h"
#include "customer/hazards/hazards.h"

static const jfield_t create_spec[] = {
	{"customer_id", JF_STRING, JF_REQUIRED, 64},
	{"kind", JF_STRING, JF_REQUIRED, 40},
	{"side", JF_STRING, JF_REQUIRED, 10},
	{"severity", JF_STRING, JF_REQUIRED, 10},
	{"description", JF_STRING, JF_REQUIRED, 2000},
	{"location", JF_STRING, JF_NULLABLE, 200},
	{"photo_ids", JF_STRINGS, JF_NULLABLE, 0},
	{"found_at", JF_INT, JF_NULLABLE, 0},
	{"check_id", JF_STRING, JF_NULLABLE, 64},
	{NULL, 0, 0, 0},
};

/* One spec for every action (data/flows/customer_hazard.json): plan, close, issue_notice, sign, report, follow_up,
 * cancel. */
static const jfield_t action_spec[] = {
	{"version", JF_INT, 0, 0},
	{"owner_id", JF_STRING, 0, 64},
	{"deadline", JF_STRING, 0, 10},
	{"plan", JF_STRING, 0, 2000},
	{"evidence_ids", JF_STRINGS, 0, 0},
	{"closing_note", JF_STRING, 0, 2000},
	{"requirement", JF_STRING, 0, 2000},
	{"signer_name", JF_STRING, 0, 50},
	{"signature_id", JF_STRING, 0, 64},
	{"holding_photo_id", JF_STRING, 0, 64},
	{"place", JF_STRING, 0, 200},
	{"lat", JF_ANY, 0, 0},
	{"lng", JF_ANY, 0, 0},
	{"report_ref", JF_STRING, 0, 100},
	{"checked_on", JF_STRING, 0, 10},
	{"result", JF_STRING, 0, 20},
	{"note", JF_STRING, 0, 2000},
	{"photo_ids", JF_STRINGS, 0, 0},
	{"reason", JF_STRING, 0, 1000},
	{NULL, 0, 0, 0},
};

static const jfield_t run_spec[] = {
	{"at", JF_INT, 0, 0},
	{NULL, 0, 0, 0},
};

static void
with_actions(req_t *r, json_t *h)
{
	json_t *a = flow_actions_for("customer_hazard", h, r->user.roles);
	json_object_set_new(h, "actions", a ? a : json_array());
}

/* ?year= (2000–2100) and the page (limit, cursor: an offset) of a list into f; -1 when the request was answered
 * (400 invalid_query, or the paging's own refusal). */
static int
year_and_page(req_t *r, hazards_filter_t *f)
{
	const char *year = http_query(r, "year"), *cursor;
	if (year) {
		char *end;
		long y = strtol(year, &end, 10);
		if (*end || y < 2000 || y > 2100) {
			fg_err_t e = FG_ERR_INIT;
			fg_err_field(&e, "invalid_query", "year", "a year, 2000–2100");
			http_error(r, &e);
			return -1;
		}
		f->year = (int)y;
	}
	if (http_paging(r, &f->limit, &cursor))
		return -1;
	f->offset = cursor ? strtoll(cursor, NULL, 10) : 0;
	if (f->offset < 0)
		f->offset = 0;
	return 0;
}

static void
list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int overdue = http_query_bool(r, "overdue"), open = http_query_bool(r, "open");
	if (overdue == -2 || open == -2)
		return;
	hazards_filter_t f = {.customer_id = http_query(r, "customer_id"), .kind = http_query(r, "kind"), .side = http_query(r, "side"),
			      .state = http_query(r, "state"), .q = http_query(r, "q"), .overdue = overdue, .open = open};
	if (year_and_page(r, &f) != 0)
		return;
	int rc = hazards_search(r->db, &r->user, &f, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
database(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int open = http_query_bool(r, "open");
	if (open == -2)
		return;
	hazards_filter_t f = {.customer_id = http_query(r, "customer_id"), .q = http_query(r, "q"), .open = open};
	if (year_and_page(r, &f) != 0)
		return;
	int rc = hazards_database(r->db, &r->user, &f, http_query(r, "source"), &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, create_spec))
		return;
	int rc = db_begin(r->db);
	if (rc == 0)
		rc = hazards_create(r->db, &r->user, r->json, &out, &e);
	else
		fg_err(&e, "internal");
	if (rc == 0 && db_commit(r->db) != 0) {
		json_decref(out);
		out = NULL;
		rc = -1;
	}
	if (rc != 0)
		db_fail(r->db, &e);
	else
		with_actions(r, out);
	http_result(r, 201, rc, out, &e);
}

static void
get(req_t *r)
{
	json_t *h = hazards_get(r->db, &r->user, r->params[0]);
	if (h)
		with_actions(r, h);
	http_entity(r, h, "customer_hazard", r->params[0]);
}

static void
action(req_t *r)
{
	flow_api_action(r, &hazards_flow, action_spec);
}

static void
kinds(req_t *r)
{
	http_json(r, 200, json_pack("{s:O}", "items", hazards_kinds()));
}

static void
analysis(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	const char *y = http_query(r, "year");
	char *end = NULL;
	long year = y ? strtol(y, &end, 10) : 0;
	int rc;
	if (!y)
		rc = fg_err_field(&e, "missing_field", "year", "a year, 2000–2100");
	else if (*end)
		rc = fg_err_field(&e, "invalid_query", "year", "a year, 2000–2100");
	else
		rc = hazards_analysis(r->db, (int)year, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
customer_lookup(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = hazards_customer_lookup(r->db, http_query(r, "q"), &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
notice(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	unsigned char *buf = NULL;
	size_t len = 0;
	if (hazards_notice_pdf(r->db, r->params[0], &buf, &len, &e) != 0) {
		http_error(r, &e);
		return;
	}
	http_bytes(r, 200, "application/pdf", buf, len);
	char disp[128];
	fg_fmt(disp, sizeof disp, "inline; filename=\"notice-%s.pdf\"", r->params[0]);
	http_header(r, "Content-Disposition", disp);
}

static void
report(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	char *buf = NULL;
	size_t len = 0;
	const char *from = http_query(r, "from"), *to = http_query(r, "to");
	if (hazards_report_csv(r->db, from, to, &buf, &len, &e) != 0) {
		http_error(r, &e);
		return;
	}
	http_bytes(r, 200, "text/csv; charset=utf-8", (unsigned char *)buf, len);
	char disp[128];
	fg_fmt(disp, sizeof disp, "attachment; filename=\"customer-hazards-%s-%s.csv\"", from, to);
	http_header(r, "Content-Disposition", disp);
}

/* The escalation job's step now (hazards.admin; tests): as of "at" (now or later). */
static void
escalate(req_t *r)
{
	if (http_body(r, run_spec))
		return;
	int64_t when;
	if (http_run_when(r, &when))
		return;
	int n = hazards_escalate(r->db, when);
	if (n < 0) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, json_pack("{s:i}", "escalated", n));
}

const route_t hazards_routes[] = {
	{"GET", "/api/v1/hazards", list, "hazards.read", 0, .resp = "list:",
	    .doc = "The hazard database: customer hazards, open ones by nearest deadline first (customer_id, kind, side, state, year, q, "
		   "overdue, open filters; a person's name masked without hazards.write or customers.contact)"},
	{"POST", "/api/v1/hazards", create, "hazards.write", 0, .body = create_spec, .ok = "201", .errors = HTTP_ERRORS("not_found"),
	    .doc = "Records a hazard found at a customer's installation (state open)"},
	{"GET", "/api/v1/hazards/database", database, "hazards.read", 0, .resp = "list:",
	    .doc = "The one hazard database: customer hazards and, read-only, those found at joint acceptance, newest first (source, customer_id, year, q, open)"},
	{"GET", "/api/v1/hazards/kinds", kinds, "hazards.read", 0, .doc = "The kinds of hazard (data/flows/customer_hazard.json)"},
	{"GET", "/api/v1/hazards/customers", customer_lookup, "hazards.write", 0, .errors = HTTP_ERRORS("missing_field"),
	    .doc = "Customers by a part of their name, number or account number (q, 2 characters or more; at most 20): whom to record a hazard against"},
	{"GET", "/api/v1/hazards/analysis", analysis, "hazards.read", 0, .errors = HTTP_ERRORS("missing_field"),
	    .doc = "The year's analysis: counts by kind, side, state, severity and month; closure time; overdue and escalated"},
	{"GET", "/api/v1/hazards/report", report, "hazards.report", 0, .resp = "text/csv", .errors = HTTP_ERRORS("missing_field"),
	    .doc = "The report to the government authority: customer-side hazards found from..to as CSV (UTF-8, BOM)"},
	{"POST", "/api/v1/hazards/actions/escalate", escalate, "hazards.admin", 0, .body = run_spec,
	    .doc = "Escalates the hazards overdue as of at (the scheduled job's step, by hand)"},
	{"GET", "/api/v1/hazards/{id}", get, "hazards.read", 0,
	    .doc = "A hazard with its follow-ups, history and the actions the caller may take"},
	{"GET", "/api/v1/hazards/{id}/notice.pdf", notice, "hazards.read", 0, .resp = "application/pdf", .errors = HTTP_ERRORS("customer_hazard_no_notice"),
	    .doc = "The hazard notice (用电检查结果通知书) as PDF, with the signed receipt once signed"},
	{"POST", "/api/v1/hazards/{id}/actions/{action}", action, "hazards.write", 0, .body = action_spec,
	    .errors = HTTP_ERRORS("invalid_transition", "reason_required", "version_conflict", "flow_not_related", "customer_hazard_not_rectified"),
	    .doc = "Moves a hazard (data/flows/customer_hazard.json): plan, close, issue_notice, sign, report, follow_up, cancel"},
	{0},
};
