/* Backfilled work (backfill.h): the rules a paper record must meet, the leader's review, and the field work an
 * approved one becomes. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/base/counter.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/auth/perm.h"
#include "safety/interface/kb.h"
#include "shared/org/org.h"
#include "shared/org/scope.h"
#include "fieldwork/backfill/backfill.h"

#define DAY_MS (24LL * 3600 * 1000)
#define SKEW_MS (5LL * 60 * 1000) /* a phone's clock a few minutes ahead is not "the future" */

#define B_COLS                                                                                                          \
	"b.id, b.number, b.status, b.team_id, o.name AS team_name, b.leader_id, lu.display_name AS leader_name, b.kind, "  \
	"b.onsite_supervisor_id, su.display_name AS onsite_supervisor_name, b.ticket_kind, b.title, b.place, b.content, b.outage_note, b.paper_ticket_no, b.ticket_issued_at, "               \
	"b.ticket_permitted_at, b.briefing_held_at, b.work_started_at, b.work_finished_at, b.ticket_ended_at, b.date, "    \
	"b.entered_by, eu.display_name AS entered_by_name, b.entered_at, b.reviewed_by, ru.display_name AS reviewed_by_name, " \
	"b.reviewed_at, b.reject_reason, b.plan_id, b.work_order_id, b.version"
#define B_FROM                                                                                                          \
	" FROM backfills b JOIN org_units o ON o.id = b.team_id JOIN users lu ON lu.id = b.leader_id "                   \
	"JOIN users eu ON eu.id = b.entered_by LEFT JOIN users ru ON ru.id = b.reviewed_by "                            \
	"LEFT JOIN users su ON su.id = b.onsite_supervisor_id "

/* The original times in the order the paper's work ran; each must be at or after the one before (the work's finish
 * strictly after its start). */
static const char *const times[] = {"ticket_issued_at", "ticket_permitted_at", "briefing_held_at", "work_started_at",
    "work_finished_at", "ticket_ended_at", NULL};

int
backfill_window_days(void)
{
	const char *v = getenv("FG_BACKFILL_WINDOW_DAYS");
	int n = v ? atoi(v) : 0;
	return n >= 1 && n <= 90 ? n : 7;
}

json_t *
backfill_get(db_t *db, const char *id)
{
	int rc;
	json_t *b = db_one(db_q(db, "SELECT " B_COLS B_FROM "WHERE b.id = $1", "t", id), &rc);
	if (!b)
		return NULL;
	json_t *crew = db_all(db_q(db, "SELECT u.id, u.display_name FROM backfill_crew c JOIN users u ON u.id = c.user_id "
					"WHERE c.backfill_id = $1 ORDER BY u.username", "t", id), &rc);
	json_t *photos = db_all(db_q(db, "SELECT a.id, a.content_type, a.filename, a.size FROM backfill_photos p "
					  "JOIN attachments a ON a.id = p.attachment_id WHERE p.backfill_id = $1 ORDER BY a.id", "t", id), &rc);
	json_object_set_new(b, "crew", crew ? crew : json_array());
	json_object_set_new(b, "photos", photos ? photos : json_array());
	json_object_set_new(b, "backfilled", json_true());
	json_t *plan = json_is_string(json_object_get(b, "plan_id"))
			   ? db_one(db_q(db, "SELECT p.number AS plan_number, w.number AS work_order_number FROM plans p "
					     "JOIN work_orders w ON w.id = $2 WHERE p.id = $1", "tt", fg_jstr(b, "plan_id"),
					fg_jstr(b, "work_order_id")), &rc)
			   : NULL;
	json_object_set(b, "plan_number", plan ? json_object_get(plan, "plan_number") : json_null());
	json_object_set(b, "work_order_number", plan ? json_object_get(plan, "work_order_number") : json_null());
	json_decref(plan);
	return b;
}

bool
backfill_visible(db_t *db, const auth_user_t *u, json_t *b)
{
	if (!b)
		return false;
	if (scope_company_wide(u) || strcmp(fg_jstr(b, "entered_by"), u->id) == 0 || strcmp(fg_jstr(b, "leader_id"), u->id) == 0)
		return true;
	if (u->org_unit_id[0] && org_within(db, fg_jstr(b, "team_id"), u->org_unit_id))
		return true;
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(b, "crew"), i, c) if (strcmp(fg_jstr(c, "id"), u->id) == 0) return true;
	return false;
}

/* YYYY-MM-DD of an instant in Asia/Shanghai (UTC+8 all year). */
static void
shanghai_day(int64_t ms, char out[11])
{
	time_t t = (time_t)(ms / 1000) + 8 * 3600;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static int
exists(db_t *db, const char *sql, const char *id)
{
	int rc;
	json_t *r = db_one(db_q(db, sql, "t", id), &rc);
	json_decref(r);
	return r ? 1 : rc < 0 ? -1 : 0;
}

/* What the paper must show, in the order a crew would put it right. */
static int
check(db_t *db, json_t *in, json_t **crew_out, fg_err_t *err)
{
	const char *kind = fg_jstr(in, "kind"), *tkind = fg_jstr(in, "ticket_kind"), *team = fg_jstr(in, "team_id"),
		   *leader = fg_jstr(in, "leader_id");
	json_t *wk = kb_find("work_kinds", "code", kind);
	if (!wk)
		return fg_err_field(err, "invalid_field", "kind", "a work kind (data/kb/work_kinds.json)");
	if (!tkind)
		tkind = fg_jstr(wk, "default_ticket_kind");
	json_t *tk = tkind ? kb_find("ticket_kinds", "code", tkind) : NULL;
	if (!tk)
		return fg_err_field(err, "invalid_field", "ticket_kind", "a ticket kind (data/kb/ticket_kinds.json)");
	if (fg_blank(fg_jstr(in, "title")))
		return fg_err_field(err, "invalid_field", "title", "must not be empty");
	if (fg_blank(fg_jstr(in, "place")))
		return fg_err_field(err, "invalid_field", "place", "must not be empty");
	if (exists(db, "SELECT id FROM org_units WHERE id = $1 AND kind = 'team'", team) != 1)
		return fg_err_field(err, "invalid_field", "team_id", "a team");
	if (exists(db, "SELECT id FROM users WHERE id = $1 AND disabled = 0", leader) != 1)
		return fg_err_field(err, "invalid_field", "leader_id", "a person");
	/* the crew besides the leader, each once */
	json_t *crew = json_array(), *c;
	size_t i;
	json_array_foreach(json_object_get(in, "crew_ids"), i, c) {
		const char *uid = json_string_value(c);
		bool dup = strcmp(uid, leader) == 0;
		for (size_t j = 0; !dup && j < json_array_size(crew); j++)
			dup = strcmp(json_string_value(json_array_get(crew, j)), uid) == 0;
		if (dup)
			continue;
		if (exists(db, "SELECT id FROM users WHERE id = $1", uid) != 1) {
			json_decref(crew);
			fg_err_field(err, "invalid_field", "crew_ids", "people of the directory");
			fg_err_detail_str(err, "id", uid);
			return -1;
		}
		json_array_append(crew, c);
	}
	*crew_out = crew;
	/* what the live gates refuse (jobs_flow.c), each by its own code */
	if (fg_blank(fg_jstr(in, "paper_ticket_no")) || !json_is_integer(json_object_get(in, "ticket_issued_at")))
		return fg_err(err, "backfill_no_ticket");
	if (!json_is_integer(json_object_get(in, "ticket_permitted_at")))
		return fg_err(err, "backfill_not_permitted");
	if (!json_is_integer(json_object_get(in, "briefing_held_at")))
		return fg_err(err, "backfill_no_briefing");
	json_int_t min = json_integer_value(json_object_get(tk, "min_people"));
	if (min < 2)
		min = 2; /* as the live gate: never below two */
	json_int_t people = 1 + (json_int_t)json_array_size(crew);
	if (people < min) {
		fg_err(err, "backfill_single_person");
		fg_err_detail_int(err, "people", people);
		fg_err_detail_int(err, "min", min);
		return -1;
	}
	/* high-risk work was watched (what gate_supervision_missing asks): on paper, a supervisor on site */
	const char *sup = fg_jstr(in, "onsite_supervisor_id");
	if (sup && exists(db, "SELECT id FROM users WHERE id = $1", sup) != 1)
		return fg_err_field(err, "invalid_field", "onsite_supervisor_id", "a person");
	if (json_is_true(json_object_get(wk, "high_risk")) && !sup) {
		fg_err_field(err, "backfill_supervision_missing", "onsite_supervisor_id", "high-risk work: who supervised it on site");
		fg_err_detail(err, "risk_level", json_copy(json_object_get(wk, "risk_level")));
		return -1;
	}
	if (json_array_size(json_object_get(in, "photo_ids")) == 0)
		return fg_err_field(err, "backfill_photo_required", "photo_ids", "a photo of the paper form");
	json_array_foreach(json_object_get(in, "photo_ids"), i, c) if (exists(db, "SELECT id FROM attachments WHERE id = $1 "
				     "AND content_type LIKE 'image/%'", json_string_value(c)) != 1) {
		fg_err_field(err, "backfill_photo_required", "photo_ids", "each an uploaded image (POST /api/v1/attachments)");
		fg_err_detail_str(err, "id", json_string_value(c));
		return -1;
	}
	/* the times: each given, none in the future, in the order the work ran, within the window */
	int64_t now = fg_now_ms(), t[6];
	for (int k = 0; times[k]; k++) {
		json_t *v = json_object_get(in, times[k]);
		if (!json_is_integer(v) || json_integer_value(v) <= 0)
			return fg_err_field(err, "missing_field", times[k], "epoch milliseconds");
		t[k] = json_integer_value(v);
		if (t[k] > now + SKEW_MS)
			return fg_err_field(err, "backfill_time_future", times[k], "not in the future");
	}
	if (t[3] < t[1]) /* work before the permit: what gate_ticket_not_permitted refuses */
		return fg_err_field(err, "backfill_started_before_permit", "work_started_at", "at or after ticket_permitted_at");
	if (t[3] < t[2]) /* work before the meeting: what gate_briefing_missing refuses */
		return fg_err_field(err, "backfill_briefing_after_start", "briefing_held_at", "at or before work_started_at");
	for (int k = 1; times[k]; k++)
		if (t[k] < t[k - 1] || (k == 4 && t[k] == t[k - 1])) {
			fg_err_field(err, "backfill_time_order", times[k], "after the time before it");
			fg_err_detail_str(err, "after", times[k - 1]);
			return -1;
		}
	int days = backfill_window_days();
	if (t[3] < now - days * DAY_MS) {
		fg_err_field(err, "backfill_outside_window", "work_started_at", "within the window");
		fg_err_detail_int(err, "window_days", days);
		return -1;
	}
	json_object_set_new(in, "ticket_kind", json_string(tkind));
	return 0;
}

int
backfill_create(db_t *db, const auth_user_t *actor, json_t *in, json_t **out, fg_err_t *err)
{
	json_t *crew = NULL;
	if (check(db, in, &crew, err)) {
		json_decref(crew);
		return -1;
	}
	const char *paper = fg_jstr(in, "paper_ticket_no");
	/* a paper number the system already used for a ticket of its own cannot be the paper's ticket */
	int used = exists(db, "SELECT id FROM tickets WHERE number = $1", paper);
	if (used != 0) {
		json_decref(crew);
		return used < 0 ? fg_err(err, "internal") : fg_err_field(err, "backfill_duplicate_ticket", "paper_ticket_no",
										"already recorded");
	}
	char id[37], number[32], day[11];
	fg_uuid7(id);
	shanghai_day(json_integer_value(json_object_get(in, "work_started_at")), day);
	if (db_begin(db) != 0 || counter_number(db, "BL", number) != 0) {
		json_decref(crew);
		return db_fail(db, err);
	}
#define T(k) json_integer_value(json_object_get(in, k))
	int rc = db_run(db_q(db,
	    "INSERT INTO backfills (id, number, status, team_id, leader_id, kind, ticket_kind, title, place, content, "
	    "outage_note, paper_ticket_no, ticket_issued_at, ticket_permitted_at, briefing_held_at, work_started_at, "
	    "work_finished_at, ticket_ended_at, date, entered_by, entered_at, onsite_supervisor_id) VALUES ($1, $2, 'pending', "
	    "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)",
	    "tttttttttttiiiiiitti" "t", id, number, fg_jstr(in, "team_id"), fg_jstr(in, "leader_id"), fg_jstr(in, "kind"),
	    fg_jstr(in, "ticket_kind"), fg_jstr(in, "title"), fg_jstr(in, "place"), fg_jstr(in, "content"),
	    fg_jstr(in, "outage_note"), paper, (int64_t)T("ticket_issued_at"), (int64_t)T("ticket_permitted_at"),
	    (int64_t)T("briefing_held_at"), (int64_t)T("work_started_at"), (int64_t)T("work_finished_at"),
	    (int64_t)T("ticket_ended_at"), day, actor->id, fg_now_ms(), fg_jstr(in, "onsite_supervisor_id")));
#undef T
	if (rc == DB_CONFLICT) { /* the same paper ticket entered by two people at once: one wins */
		json_decref(crew);
		fg_err_field(err, "backfill_duplicate_ticket", "paper_ticket_no", "already recorded");
		return db_fail(db, err);
	}
	size_t i;
	json_t *c;
	json_array_foreach(crew, i, c) if (rc == DB_DONE) rc = db_run(db_q(db,
		"INSERT INTO backfill_crew (backfill_id, user_id) VALUES ($1, $2)", "tt", id, json_string_value(c)));
	json_decref(crew);
	json_array_foreach(json_object_get(in, "photo_ids"), i, c) if (rc == DB_DONE) rc = db_run(db_q(db,
		"INSERT INTO backfill_photos (backfill_id, attachment_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", "tt", id,
		json_string_value(c)));
	if (rc != DB_DONE)
		return db_fail(db, err);
	return audit_commit(db, actor->id, "create", "backfill", id, NULL, backfill_get(db, id), out, err);
}

int
backfill_list(db_t *db, const auth_user_t *viewer, const backfill_filter_t *f, json_t **out, fg_err_t *err)
{
	int rc;
	/* the scope is checked per row (backfill_visible), as the board does: a page is read a little larger so that a
	 * narrow viewer still gets a page */
	json_t *rows = db_all(db_q(db,
	    "SELECT b.id, b.status" B_FROM "WHERE (CAST($1 AS TEXT) IS NULL OR b.team_id = $1) AND (CAST($2 AS TEXT) IS NULL OR "
	    "b.date >= $2) AND (CAST($3 AS TEXT) IS NULL OR b.date <= $3) ORDER BY b.id DESC",
	    "ttt", f->team_id, f->date_from, f->date_to), &rc);
	if (!rows)
		return db_fail(db, err);
	json_t *items = json_array(), *counts = json_pack("{s:i, s:i, s:i}", "pending", 0, "approved", 0, "rejected", 0), *r;
	json_t *next = json_null();
	size_t i;
	json_int_t total = 0;
	/* counts: every state in the viewer's scope (the queue's tabs), whatever the status asked for */
	json_array_foreach(rows, i, r) {
		json_t *b = backfill_get(db, fg_jstr(r, "id"));
		if (!b || !backfill_visible(db, viewer, b)) {
			json_decref(b);
			continue;
		}
		const char *st = fg_jstr(b, "status");
		json_object_set_new(counts, st, json_integer(json_integer_value(json_object_get(counts, st)) + 1));
		if ((f->status && strcmp(st, f->status) != 0) || (f->cursor && strcmp(fg_jstr(b, "id"), f->cursor) >= 0)) {
			json_decref(b);
			continue;
		}
		total++;
		if ((int)json_array_size(items) < f->limit)
			json_array_append_new(items, b);
		else {
			if (json_is_null(next))
				next = json_string(fg_jstr(json_array_get(items, json_array_size(items) - 1), "id"));
			json_decref(b);
		}
	}
	json_decref(rows);
	*out = json_pack("{s:o, s:o, s:I, s:o}", "items", items, "next_cursor", next, "total", total, "counts", counts);
	return 0;
}

/* Who may review: a leader of the backfill's team (their unit is the team or above it) or a manager (company-wide),
 * never the one who entered it. */
static int
may_review(db_t *db, const auth_user_t *u, json_t *b, fg_err_t *err)
{
	if (strcmp(fg_jstr(b, "entered_by"), u->id) == 0)
		return fg_err(err, "backfill_self_review");
	if (u->roles & (ROLE_ADMIN | ROLE_MANAGER))
		return 0;
	if ((u->roles & ROLE_LEADER) && u->org_unit_id[0] && org_within(db, fg_jstr(b, "team_id"), u->org_unit_id))
		return 0;
	return fg_err(err, "backfill_not_team_leader");
}

/* The approved paper as field work: order → plan → ticket → briefing, each with the paper's times, in the caller's
 * transaction. The flows' history gets one event each ("backfill") at the work's finish, so the on-time rate and
 * the history count it on the day it was done. No work_order.finished event: the processes that follow a live
 * finish (meters moved, an application advanced) are not driven by paper entered days later; their desks act on
 * the approved record. */
static int
materialize(db_t *db, const char *actor_id, json_t *b, char plan_id[37], char order_id[37])
{
	char ticket_id[37], briefing_id[37], pno[32], wno[32], ev[37];
	const char *id = fg_jstr(b, "id"), *leader = fg_jstr(b, "leader_id"), *by = fg_jstr(b, "entered_by");
	json_t *wk = kb_find("work_kinds", "code", fg_jstr(b, "kind"));
	int64_t now = fg_now_ms(), risk = json_integer_value(json_object_get(wk, "risk_level"));
#define T(k) (int64_t) json_integer_value(json_object_get(b, k))
	fg_uuid7(plan_id);
	fg_uuid7(order_id);
	fg_uuid7(ticket_id);
	fg_uuid7(briefing_id);
	if (counter_number(db, "GD", wno) != 0 || counter_number(db, "JH", pno) != 0)
		return DB_ERR;
	int rc = db_run(db_q(db,
	    "INSERT INTO work_orders (id, number, kind, status, priority, source, title, site_address, description, team_id, "
	    "created_by, created_at, updated_at, backfill_id) VALUES ($1, $2, $3, 'done', 'normal', 'manager', $4, $5, $6, $7, "
	    "$8, $9, $9, $10)",
	    "ttttttttit", order_id, wno, fg_jstr(b, "kind"), fg_jstr(b, "title"), fg_jstr(b, "place"), fg_jstr(b, "content"),
	    fg_jstr(b, "team_id"), by, now, id));
	if (rc == DB_DONE)
		rc = db_run(db_q(db,
		    "INSERT INTO plans (id, number, date, team_id, leader_id, status, title, place, content, risk_level, high_risk, "
		    "published_at, started_at, finished_at, created_by, created_at, updated_at, backfill_id, onsite_supervisor_id) "
		    "VALUES ($1, $2, $3, $4, $5, 'finished', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16, $17)",
		    "ttttttttiiiiitit" "t", plan_id, pno, fg_jstr(b, "date"), fg_jstr(b, "team_id"), leader, fg_jstr(b, "title"),
		    fg_jstr(b, "place"), fg_jstr(b, "content"), risk ? risk : 3, (int64_t)json_is_true(json_object_get(wk, "high_risk")),
		    T("ticket_issued_at"), T("work_started_at"), T("work_finished_at"), by, now, id, fg_jstr(b, "onsite_supervisor_id")));
	if (rc == DB_DONE)
		rc = db_run(db_q(db, "INSERT INTO plan_orders (plan_id, work_order_id) VALUES ($1, $2)", "tt", plan_id, order_id));
	if (rc == DB_DONE)
		rc = db_run(db_q(db,
		    "INSERT INTO tickets (id, number, plan_id, kind, status, leader_id, place, content, risk_level, planned_start, "
		    "planned_end, issued_at, received_at, permitted_at, work_started_at, ended_at, end_note, created_by, created_at, "
		    "updated_at) VALUES ($1, $2, $3, $4, 'ended', $5, $6, $7, $8, $9, $10, $11, $11, $9, $12, $10, $13, $14, $15, $15)",
		    "tttttttiiiiitti", ticket_id, fg_jstr(b, "paper_ticket_no"), plan_id, fg_jstr(b, "ticket_kind"), leader,
		    fg_jstr(b, "place"), fg_jstr(b, "title"), risk ? risk : 3, T("ticket_permitted_at"), T("ticket_ended_at"),
		    T("ticket_issued_at"), T("work_started_at"), "backfilled from paper", by, now));
	if (rc == DB_DONE)
		rc = db_run(db_q(db,
		    "INSERT INTO briefings (id, plan_id, content, held_by, held_at, created_at, updated_at) VALUES ($1, $2, $3, $4, "
		    "$5, $6, $6)", "ttttii", briefing_id, plan_id, "backfilled from paper", leader, T("briefing_held_at"), now));
	json_t *people = json_array(), *c;
	json_array_append_new(people, json_string(leader));
	size_t i;
	json_array_foreach(json_object_get(b, "crew"), i, c) json_array_append(people, json_object_get(c, "id"));
	json_array_foreach(people, i, c) {
		const char *uid = json_string_value(c);
		if (rc == DB_DONE && i > 0) /* the crew besides the leader, on the plan and its ticket as the live tickets do */
			rc = db_run(db_q(db, "INSERT INTO plan_crew (plan_id, user_id) VALUES ($1, $2)", "tt", plan_id, uid));
		if (rc == DB_DONE && i > 0)
			rc = db_run(db_q(db, "INSERT INTO ticket_crew (ticket_id, user_id) VALUES ($1, $2)", "tt", ticket_id, uid));
		if (rc == DB_DONE)
			rc = db_run(db_q(db, "INSERT INTO briefing_attendance (briefing_id, user_id, signed_at, method) VALUES ($1, $2, $3, 'paper')",
			    "tti", briefing_id, uid, T("briefing_held_at")));
	}
	json_decref(people);
	json_array_foreach(json_object_get(b, "photos"), i, c) if (rc == DB_DONE) rc = db_run(db_q(db,
		"INSERT INTO ticket_photos (ticket_id, attachment_id, purpose) VALUES ($1, $2, 'paper_form')", "tt", ticket_id,
		fg_jstr(c, "id")));
	static const struct {
		const char *flow, *from, *to;
	} evs[] = {{"work_order", "new", "done"}, {"plan", "draft", "finished"}, {"ticket", "draft", "ended"}};
	const char *ents[] = {order_id, plan_id, ticket_id};
	for (int k = 0; k < 3 && rc == DB_DONE; k++) {
		fg_uuid7(ev);
		rc = db_run(db_q(db,
		    "INSERT INTO flow_events (id, flow, entity_id, action, from_state, to_state, actor_id, at) VALUES ($1, $2, $3, "
		    "'backfill', $4, $5, $6, $7)", "tttttti", ev, evs[k].flow, ents[k], evs[k].from, evs[k].to, actor_id,
		    T(k == 2 ? "ticket_ended_at" : "work_finished_at")));
	}
#undef T
	return rc == DB_DONE ? 0 : rc;
}

int
backfill_review(db_t *db, const auth_user_t *actor, const char *id, int approve, const char *reason, json_t **out,
    fg_err_t *err)
{
	json_t *b = backfill_get(db, id);
	if (!b || !backfill_visible(db, actor, b)) {
		json_decref(b);
		return fg_err_not_found(err, "backfill", id);
	}
	if (may_review(db, actor, b, err)) {
		json_decref(b);
		return -1;
	}
	if (!approve && fg_blank(reason)) {
		json_decref(b);
		return fg_err_field(err, "reason_required", "reason", "why the paper record is rejected");
	}
	if (db_begin(db) != 0) {
		json_decref(b);
		return db_fail(db, err);
	}
	/* the one review: whoever moves it from pending first; the other finds it reviewed */
	int rc;
	int64_t now = fg_now_ms();
	json_t *won = db_one(db_q(db,
	    "UPDATE backfills SET status = $2, reviewed_by = $3, reviewed_at = $4, reject_reason = $5, version = version + 1 "
	    "WHERE id = $1 AND status = 'pending' RETURNING id",
	    "tttit", id, approve ? "approved" : "rejected", actor->id, now, approve ? NULL : reason), &rc);
	if (!won) {
		json_decref(b);
		if (rc < 0)
			return db_fail(db, err);
		fg_err(err, "backfill_already_reviewed");
		return db_fail(db, err);
	}
	json_decref(won);
	if (approve) {
		char plan_id[37], order_id[37];
		int mrc = materialize(db, actor->id, b, plan_id, order_id);
		if (mrc == DB_CONFLICT) /* a ticket took the paper's number since it was entered: reject it and enter it again */
			fg_err_field(err, "backfill_duplicate_ticket", "paper_ticket_no", "already a ticket's number");
		if (mrc != 0 || db_run(db_q(db, "UPDATE backfills SET plan_id = $2, work_order_id = $3 WHERE id = $1", "ttt", id,
				    plan_id, order_id)) != DB_DONE) {
			json_decref(b);
			return db_fail(db, err);
		}
		json_t *made = json_pack("{s:s, s:s, s:s}", "backfill_id", id, "plan_id", plan_id, "work_order_id", order_id);
		rc = audit_write(db, actor->id, "backfill", "plan", plan_id, NULL, made);
		json_decref(made);
		if (rc != 0) {
			json_decref(b);
			return db_fail(db, err);
		}
	}
	return audit_commit(db, actor->id, approve ? "approve" : "reject", "backfill", id, b, backfill_get(db, id), out, err);
}

int
backfill_mark_rows(db_t *db, json_t *rows, const char *key)
{
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		const char *bid = fg_jstr(r, key);
		if (!bid) {
			json_object_set_new(r, "backfilled", json_false());
			continue;
		}
		int rc;
		json_t *m = db_one(db_q(db,
		    "SELECT b.id, b.number, b.paper_ticket_no, b.entered_by, eu.display_name AS entered_by_name, b.entered_at, "
		    "b.reviewed_by, ru.display_name AS reviewed_by_name, b.reviewed_at FROM backfills b "
		    "JOIN users eu ON eu.id = b.entered_by LEFT JOIN users ru ON ru.id = b.reviewed_by WHERE b.id = $1",
		    "t", bid), &rc);
		if (!m && rc < 0)
			return -1;
		json_object_set_new(r, "backfilled", json_true());
		json_object_set_new(r, "backfill", m ? m : json_null());
	}
	return 0;
}
