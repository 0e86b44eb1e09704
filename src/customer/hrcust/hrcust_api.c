/* HTTP glue of the ledger and its checks (docs/api.md "Safety customers and their checks"). */
#include <stdlib.h>
#include <string.h>
#include "core/http/routes.h"
#include "core/base/util.h"
#include "core/calendar/calendar.h"
#include "customer/hrcust/hrcust.h"

#define ENTRY_FIELDS                                        \
	{"grade", JF_STRING, 0, 12},                        \
	{"voltage_level", JF_STRING, 0, 12},                \
	{"industry", JF_STRING, JF_NULLABLE, 40},           \
	{"sources", JF_ANY, 0, 0},                          \
	{"emergency_power", JF_ANY, 0, 0},                  \
	{"security_load_kw", JF_INT, JF_NULLABLE, 0},       \
	{"dual_power", JF_ANY, 0, 0},                       \
	{"electricians", JF_ANY, 0, 0},                     \
	{"emergency_plan_id", JF_STRING, JF_NULLABLE, 64},  \
	{"suspected", JF_BOOL, JF_NULLABLE, 0},             \
	{"suspected_reason", JF_STRING, JF_NULLABLE, 300},  \
	{"event_start", JF_STRING, JF_NULLABLE, 10},        \
	{"event_end", JF_STRING, JF_NULLABLE, 10},          \
	{"last_checked_on", JF_STRING, 0, 10},              \
	{"note", JF_STRING, JF_NULLABLE, 1000}

static const jfield_t create_spec[] = {
	{"customer_id", JF_STRING, JF_REQUIRED, 64},
	ENTRY_FIELDS,
	{NULL, 0, 0, 0},
};

static const jfield_t update_spec[] = {
	{"version", JF_INT, JF_REQUIRED, 0},
	ENTRY_FIELDS,
	{NULL, 0, 0, 0},
};

static const jfield_t generate_spec[] = {
	{"on", JF_STRING, 0, 10},
	{NULL, 0, 0, 0},
};

static const jfield_t record_spec[] = {
	{"result", JF_STRING, JF_REQUIRED, 10},
	{"note", JF_STRING, JF_NULLABLE, 1000},
	{"photos", JF_ANY, JF_NULLABLE, 0},
	{"version", JF_INT, 0, 0},
	{NULL, 0, 0, 0},
};

static const jfield_t finish_spec[] = {
	{"summary", JF_STRING, JF_NULLABLE, 2000},
	{"version", JF_INT, 0, 0},
	{NULL, 0, 0, 0},
};

static const jfield_t rules_spec[] = {
	{"version", JF_INT, JF_REQUIRED, 0},
	{"about", JF_ANY, 0, 0},
	{"source", JF_ANY, 0, 0},
	{"edited", JF_ANY, 0, 0},
	{"lead_days", JF_INT, JF_REQUIRED, 0},
	{"emergency_share_min_percent", JF_INT, JF_REQUIRED, 0},
	{"grades", JF_OBJECT, JF_REQUIRED, 0},
	{"dual_power_months", JF_INT, JF_REQUIRED, 0},
	{"self_power_months", JF_INT, JF_REQUIRED, 0},
	{"suspected_months", JF_INT, JF_REQUIRED, 0},
	{"temporary_before_working_days", JF_INT, JF_REQUIRED, 0},
	{"suspected_industries", JF_ANY, JF_REQUIRED, 0},
	{"checklists", JF_OBJECT, JF_REQUIRED, 0},
	{NULL, 0, 0, 0},
};

/* Writes run in their own transaction in the domain functions; the answer is masked for the caller. */
static void
list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int overdue = http_query_bool(r, "overdue"), suspected = http_query_bool(r, "suspected");
	if (overdue == -2 || suspected == -2)
		return;
	const char *grade = http_query(r, "grade");
	static const char *const grades[] = {"special", "first", "second", "temporary", "hv35", "hv10", NULL};
	if (grade && *grade && !fg_one_of(grade, grades)) {
		fg_err_field(&e, "invalid_query", "grade", "special, first, second, temporary, hv35 or hv10");
		http_error(r, &e);
		return;
	}
	hrcust_filter_t f = {.grade = grade, .overdue = overdue, .suspected = suspected, .viewer = &r->user};
	int rc = hrcust_list(r->db, &f, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, create_spec))
		return;
	int rc = hrcust_create(r->db, &r->user, r->json, &out, &e);
	if (rc == 0)
		hrcust_mask(&r->user, out);
	http_result(r, 201, rc, out, &e);
}

static void
get(req_t *r)
{
	http_entity(r, hrcust_get(r->db, &r->user, r->params[0]), "hr_customer", r->params[0]);
}

static void
update(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, update_spec))
		return;
	int rc = hrcust_update(r->db, &r->user, r->params[0], r->json, &out, &e);
	if (rc == 0)
		hrcust_mask(&r->user, out);
	http_result(r, 200, rc, out, &e);
}

static void
rules_get(req_t *r)
{
	http_json(r, 200, hrcust_rules(r->db));
}

static void
rules_put(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, rules_spec))
		return;
	int rc = hrcust_rules_put(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
generate(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, generate_spec))
		return;
	char today[11];
	cal_local_day(fg_now_ms(), today);
	const char *on = json_string_value(json_object_get(r->json, "on"));
	int rc = hrcust_generate(r->db, r->user.id, on ? on : today, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
escalate(req_t *r)
{
	int n = hrcust_escalate(r->db, fg_now_ms());
	if (n < 0) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, json_pack("{s:i}", "escalated", n));
}

static void
check_list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int overdue = http_query_bool(r, "overdue");
	if (overdue == -2)
		return;
	const char *status = http_query(r, "status");
	static const char *const statuses[] = {"open", "in_progress", "done", NULL};
	if (status && *status && !fg_one_of(status, statuses)) {
		fg_err_field(&e, "invalid_query", "status", "open, in_progress or done");
		http_error(r, &e);
		return;
	}
	hrcheck_filter_t f = {.customer_id = http_query(r, "customer_id"), .status = status, .rule = http_query(r, "rule"), .overdue = overdue,
	    .viewer = &r->user};
	int rc = hrcheck_list(r->db, &f, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
check_get(req_t *r)
{
	http_entity(r, hrcheck_get(r->db, &r->user, r->params[0]), "hr_check", r->params[0]);
}

static void
check_record(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, record_spec))
		return;
	int rc = hrcheck_record(r->db, &r->user, r->params[0], r->params[1], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
check_finish(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, finish_spec))
		return;
	int rc = hrcheck_finish(r->db, &r->user, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

const route_t hrcust_routes[] = {
	{"GET", "/api/v1/safety-customers", list, "hrcust.read", 0,
	    .doc = "The ledger of high-risk and important customers (grade, overdue, suspected filters), each with its flags and next check"},
	{"POST", "/api/v1/safety-customers", create, "hrcust.write", 0, .body = create_spec, .ok = "201",
	    .errors = HTTP_ERRORS("not_found", "hrcust_exists", "hrcust_event_required", "hrcust_suspected_reason_required"),
	    .doc = "Enters a customer of the registry into the ledger"},
	{"GET", "/api/v1/safety-customers/{id}", get, "hrcust.read", 0,
	    .doc = "A ledger entry (by customer id) with sources, emergency power, electricians, flags, next check and recent checks"},
	{"PATCH", "/api/v1/safety-customers/{id}", update, "hrcust.write", 0, .body = update_spec,
	    .errors = HTTP_ERRORS("version_conflict", "hrcust_event_required", "hrcust_suspected_reason_required"),
	    .doc = "Changes a ledger entry; absent fields are kept"},
	{"GET", "/api/v1/safety-checks/rules", rules_get, "hrcust.read", 0,
	    .doc = "The rules in force: grades with supply rules and periods, yearly and six-monthly rules, checklists"},
	{"PUT", "/api/v1/safety-checks/rules", rules_put, "hrcust.admin", 0, .body = rules_spec,
	    .errors = HTTP_ERRORS("version_conflict"), .doc = "Replaces the rules (the whole document, with its version)"},
	{"POST", "/api/v1/safety-checks/actions/generate", generate, "hrcust.admin", 0, .body = generate_spec,
	    .doc = "Generates the checks due as of on (default today): the daily job's step, now"},
	{"POST", "/api/v1/safety-checks/actions/escalate", escalate, "hrcust.admin", 0,
	    .doc = "Notifies the managers of every overdue check not escalated yet: the hourly job's step, now"},
	{"GET", "/api/v1/safety-checks", check_list, "hrcust.read", 0,
	    .doc = "Checks, the nearest due first (customer_id, status, rule, overdue filters)"},
	{"GET", "/api/v1/safety-checks/{id}", check_get, "hrcust.read", 0, .doc = "A check with its checklist items"},
	{"PUT", "/api/v1/safety-checks/{id}/items/{code}", check_record, "hrcust.check", 0, .body = record_spec,
	    .errors = HTTP_ERRORS("hrcheck_done", "hrcheck_hazard_note_required", "version_conflict"),
	    .doc = "Records one checklist item: ok, hazard (with a note) or na, with photos"},
	{"POST", "/api/v1/safety-checks/{id}/actions/finish", check_finish, "hrcust.check", 0, .body = finish_spec,
	    .errors = HTTP_ERRORS("hrcheck_done", "hrcheck_items_open", "version_conflict"),
	    .doc = "Finishes a check: every item recorded; publishes its findings (customer_check.finished)"},
	{0},
};
