/* HTTP glue for backfilled work (docs/api.md "Backfilled work"). */
#include "core/http/routes.h"
#include "fieldwork/backfill/backfill.h"

static const jfield_t create_spec[] = {
	{"team_id", JF_STRING, JF_REQUIRED, 64},
	{"leader_id", JF_STRING, JF_REQUIRED, 64},
	{"onsite_supervisor_id", JF_STRING, JF_NULLABLE, 64},
	{"crew_ids", JF_STRINGS, JF_REQUIRED, 0},
	{"kind", JF_STRING, JF_REQUIRED, 40},
	{"ticket_kind", JF_STRING, 0, 20},
	{"title", JF_STRING, JF_REQUIRED, 200},
	{"place", JF_STRING, JF_REQUIRED, 200},
	{"content", JF_STRING, JF_NULLABLE, 2000},
	{"outage_note", JF_STRING, JF_NULLABLE, 1000},
	{"paper_ticket_no", JF_STRING, JF_NULLABLE, 40},
	{"ticket_issued_at", JF_INT, JF_NULLABLE, 0},
	{"ticket_permitted_at", JF_INT, JF_NULLABLE, 0},
	{"briefing_held_at", JF_INT, JF_NULLABLE, 0},
	{"work_started_at", JF_INT, JF_REQUIRED, 0},
	{"work_finished_at", JF_INT, JF_REQUIRED, 0},
	{"ticket_ended_at", JF_INT, JF_REQUIRED, 0},
	{"photo_ids", JF_STRINGS, 0, 0},
	{NULL, 0, 0, 0},
};

static const jfield_t review_spec[] = {
	{"reason", JF_STRING, 0, 1000},
	{NULL, 0, 0, 0},
};

static void
create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, create_spec))
		return;
	int rc = backfill_create(r->db, &r->user, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	backfill_filter_t f = {.status = http_query(r, "status"), .team_id = http_query(r, "team_id"),
	    .date_from = http_query(r, "from"), .date_to = http_query(r, "to")};
	if (http_paging(r, &f.limit, &f.cursor))
		return;
	int rc = backfill_list(r->db, &r->user, &f, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
get(req_t *r)
{
	json_t *b = backfill_get(r->db, r->params[0]);
	if (b && !backfill_visible(r->db, &r->user, b)) {
		json_decref(b);
		b = NULL;
	}
	http_entity(r, b, "backfill", r->params[0]);
}

static void
review(req_t *r, int approve)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, review_spec))
		return;
	int rc = backfill_review(r->db, &r->user, r->params[0], approve, json_string_value(json_object_get(r->json, "reason")),
	    &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
approve(req_t *r)
{
	review(r, 1);
}

static void
reject(req_t *r)
{
	review(r, 0);
}

const route_t backfill_routes[] = {
	{"GET", "/api/v1/backfills", list, "backfills.read", 0, .resp = "list:"},
	{"POST", "/api/v1/backfills", create, "backfills.write", 0, .body = create_spec, .ok = "201",
	    .errors = HTTP_ERRORS("backfill_no_ticket", "backfill_not_permitted", "backfill_no_briefing", "backfill_single_person",
		"backfill_supervision_missing", "backfill_photo_required", "backfill_time_future", "backfill_time_order", "backfill_started_before_permit",
		"backfill_briefing_after_start", "backfill_outside_window", "backfill_duplicate_ticket")},
	{"GET", "/api/v1/backfills/{id}", get, "backfills.read", 0, .ok = "200"},
	{"POST", "/api/v1/backfills/{id}/approve", approve, "backfills.review", 0, .body = review_spec,
	    .errors = HTTP_ERRORS("backfill_self_review", "backfill_not_team_leader", "backfill_already_reviewed",
		"backfill_duplicate_ticket")},
	{"POST", "/api/v1/backfills/{id}/reject", reject, "backfills.review", 0, .body = review_spec,
	    .errors = HTTP_ERRORS("backfill_self_review", "backfill_not_team_leader", "backfill_already_reviewed",
		"reason_required")},
	{0},
};
