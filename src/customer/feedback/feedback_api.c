/* HTTP glue for feedback and complaints (docs/api.md "Feedback and complaints"). */
#include "core/http/routes.h"
#include "core/flow/flow_api.h"
#include "customer/feedback/feedback.h"

static const jfield_t item_spec[] = {
	{"kind", JF_STRING, JF_REQUIRED, 20},
	{"channel", JF_STRING, JF_REQUIRED, 20},
	{"subject", JF_STRING, JF_REQUIRED, 200},
	{"text", JF_STRING, JF_NULLABLE, 4000},
	{"contact_name", JF_STRING, JF_NULLABLE, 100},
	{"contact_phone", JF_STRING, JF_NULLABLE, 20},
	{"contact_address", JF_STRING, JF_NULLABLE, 300},
	{"customer_id", JF_STRING, JF_NULLABLE, 64},
	{"application_no", JF_STRING, JF_NULLABLE, 64},
	{"rating", JF_INT, JF_NULLABLE, 0},
	{"received_at", JF_INT, 0, 0},
	{NULL, 0, 0, 0},
};

/* One spec for every action: contact takes a note, answer the answer, close the satisfaction (and the answer when
 * none was recorded), reopen a reason. */
static const jfield_t action_spec[] = {
	{"version", JF_INT, 0, 0},
	{"contact_note", JF_STRING, 0, 2000},
	{"answer", JF_STRING, 0, 4000},
	{"satisfaction", JF_STRING, 0, 30},
	{"reason", JF_STRING, 0, 1000},
	{NULL, 0, 0, 0},
};

static const jfield_t import_spec[] = {
	{"source", JF_STRING, JF_REQUIRED, 40},
	{"items", JF_ANY, JF_REQUIRED, 0},
	{NULL, 0, 0, 0},
};

static const jfield_t run_spec[] = {
	{"at", JF_INT, 0, 0},
	{"item_id", JF_STRING, 0, 64},
	{NULL, 0, 0, 0},
};

static const jfield_t improvement_spec[] = {
	{"title", JF_STRING, JF_REQUIRED, 200},
	{"description", JF_STRING, JF_REQUIRED, 4000},
	{"owner_id", JF_STRING, JF_REQUIRED, 64},
	{"due_date", JF_STRING, JF_REQUIRED, 10},
	{"item_ids", JF_STRINGS, 0, 0},
	{NULL, 0, 0, 0},
};

static const jfield_t improvement_update_spec[] = {
	{"version", JF_INT, JF_REQUIRED, 0},
	{"title", JF_STRING, 0, 200},
	{"description", JF_STRING, 0, 4000},
	{"owner_id", JF_STRING, 0, 64},
	{"due_date", JF_STRING, 0, 10},
	{"status", JF_STRING, 0, 20},
	{"outcome", JF_STRING, JF_NULLABLE, 4000},
	{"item_ids", JF_STRINGS, 0, 0},
	{NULL, 0, 0, 0},
};

static void
item_list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int overdue = http_query_bool(r, "overdue");
	if (overdue == -2)
		return;
	feedback_filter_t f = {.status = http_query(r, "status"), .kind = http_query(r, "kind"), .channel = http_query(r, "channel"),
	    .customer_id = http_query(r, "customer_id"), .application_no = http_query(r, "application_no"), .overdue = overdue,
	    .contact = http_query(r, "contact"), .viewer_id = r->user.id};
	if (http_paging(r, &f.limit, &f.cursor))
		return;
	int rc = feedback_list(r->db, &f, &out, &e);
	if (rc == 0)
		feedback_mask(&r->user, out);
	http_result(r, 200, rc, out, &e);
}

static void
item_create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, item_spec))
		return;
	int rc = feedback_create(r->db, r->user.id, r->json, &out, &e);
	if (rc == 0)
		feedback_mask(&r->user, out);
	http_result(r, 201, rc, out, &e);
}

static void
item_get(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *it = NULL;
	int rc = feedback_read(r->db, &r->user, r->params[0], &it, &e);
	if (rc == 0)
		flow_api_with_actions(r, it, "feedback");
	http_result(r, 200, rc, it, &e);
}

/* A sensitive complaint is worked by its handlers only: an action answers with the item in full. */
static void
item_action(req_t *r)
{
	json_t *it = feedback_get(r->db, r->params[0]);
	bool closed_to_me = it && json_is_true(json_object_get(it, "sensitive")) && !feedback_is_handler(r->db, &r->user, it);
	json_decref(it);
	if (closed_to_me) {
		http_error_code(r, "feedback_sensitive_handlers_only");
		return;
	}
	flow_api_action(r, &feedback_flow, action_spec);
}

static const jfield_t sensitive_spec[] = {
	{"reason", JF_STRING, JF_REQUIRED, 1000},
	{"handler_ids", JF_STRINGS, JF_REQUIRED, 0},
	{NULL, 0, 0, 0},
};

static void
flag_sensitive(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, sensitive_spec))
		return;
	int rc = feedback_flag_sensitive(r->db, &r->user, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
import(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, import_spec))
		return;
	int rc = feedback_import(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

/* The scheduler's step now (admins; tests): fire the feedback deadlines due by "at" (now or later), optionally
 * for one item only — what the job flow.timers does every minute. */
static void
run(req_t *r)
{
	flow_api_run_timers(r, run_spec, "feedback", "item_id");
}

static void
improvement_list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int limit;
	const char *cursor;
	if (http_paging(r, &limit, &cursor))
		return;
	int rc = feedback_improvements(r->db, http_query(r, "status"), http_query(r, "item_id"), limit, cursor, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
improvement_create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, improvement_spec))
		return;
	int rc = feedback_improvement_create(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
improvement_get(req_t *r)
{
	http_entity(r, feedback_improvement_get(r->db, r->params[0]), "feedback_improvement", r->params[0]);
}

static void
improvement_update(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, improvement_update_spec))
		return;
	int rc = feedback_improvement_update(r->db, r->user.id, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

const route_t feedback_routes[] = {
	{"GET", "/api/v1/feedback", item_list, "feedback.read", 0, .resp = "list:"},
	{"POST", "/api/v1/feedback", item_create, "feedback.write", 0, .body = item_spec, .ok = "201"},
	{"POST", "/api/v1/feedback/imports", import, "feedback.write", 0, .body = import_spec},
	{"POST", "/api/v1/feedback/actions/run", run, "feedback.admin", 0, .body = run_spec},
	{"GET", "/api/v1/feedback/improvements", improvement_list, "feedback.read", 0, .resp = "list:"},
	{"POST", "/api/v1/feedback/improvements", improvement_create, "feedback.write", 0, .body = improvement_spec, .ok = "201"},
	{"GET", "/api/v1/feedback/improvements/{id}", improvement_get, "feedback.read", 0, .ok = "200"},
	{"PATCH", "/api/v1/feedback/improvements/{id}", improvement_update, "feedback.write", 0, .body = improvement_update_spec,
	    .errors = HTTP_ERRORS("version_conflict")},
	{"GET", "/api/v1/feedback/{id}", item_get, "feedback.read", 0, .ok = "200"},
	{"POST", "/api/v1/feedback/{id}/sensitive", flag_sensitive, "feedback.flag", 0, .body = sensitive_spec,
	    .errors = HTTP_ERRORS("reason_required", "feedback_sensitive_complaint_only", "feedback_already_sensitive")},
	{"POST", "/api/v1/feedback/{id}/actions/{action}", item_action, "feedback.write", 0, .body = action_spec,
	    .errors = HTTP_ERRORS("invalid_transition", "reason_required", "feedback_answer_required",
		"feedback_satisfaction_required", "feedback_sensitive_handlers_only")},
	{0},
};
