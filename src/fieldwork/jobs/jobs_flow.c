/* Guards and effects of data/flows/plan.json: the safety gates of the field job (DESIGN.md §6) live here, each
 * a named rule with its own error code, so a refused start lists everything the crew has to put right. */
#include <string.h>
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "safety/interface/kb.h"
#include "fieldwork/orders/orders.h"
#include "fieldwork/plans/plans.h"
#include "fieldwork/tickets/tickets.h"
#include "fieldwork/briefings/briefings.h"
#include "safety/interface/readiness.h"
#include "fieldwork/jobs/jobs.h"
#include "core/base/day.h"


static int
gate_plan_has_orders(flow_ctx_t *c, fg_err_t *gate)
{
	if (json_array_size(json_object_get(c->row, "work_orders")) > 0)
		return 0;
	return fg_err(gate, "plan_no_orders");
}

/* Between drafting and publishing, an order may have been cancelled or taken by another plan. */
static int
gate_plan_orders_open(flow_ctx_t *c, fg_err_t *gate)
{
	int rc;
	json_t *bad = db_all(db_q(c->db,
	    "SELECT w.id, w.number, w.status FROM plan_orders po JOIN work_orders w ON w.id = po.work_order_id "
	    "WHERE po.plan_id = $1 AND (w.status IN ('cancelled', 'done', 'in_progress') OR EXISTS ("
	    " SELECT 1 FROM plan_orders o2 JOIN plans p2 ON p2.id = o2.plan_id WHERE o2.work_order_id = w.id "
	    " AND p2.id <> $1 AND p2.status IN ('published', 'working', 'paused')))",
	    "t", c->id), &rc);
	if (!bad)
		return fg_err(gate, "internal");
	if (json_array_size(bad) == 0) {
		json_decref(bad);
		return 0;
	}
	fg_err(gate, "plan_orders_unavailable");
	fg_err_detail(gate, "work_orders", bad);
	return -1;
}

static int
effect_orders_planned(flow_ctx_t *c, fg_err_t *err)
{
	return orders_set_status_for_plan(c->db, c->actor->id, c->id, "planned");
}

static int
effect_orders_released(flow_ctx_t *c, fg_err_t *err)
{
	/* a cancelled plan gives its unfinished orders back to the dispatcher (the work-order module moves them) */
	return orders_release_for_plan(c->db, c->actor->id, c->id);
}

/* No work without a permitted ticket (R3.4, R2.1). Starting needs "permitted"; resuming after a pause needs the
 * interrupted ticket; either way the ticket must still be within its time (extend it otherwise). */
static int
g_ticket_permitted(flow_ctx_t *c, fg_err_t *gate)
{
	json_t *t = tickets_active_for_plan(c->db, c->id);
	const char *want = strcmp(c->action, "resume") == 0 ? "interrupted" : "permitted";
	const char *why = NULL;
	if (!t)
		why = "no_ticket";
	else if (strcmp(fg_jstr(t, "status"), want) != 0)
		why = "not_permitted";
	else if (json_integer_value(json_object_get(t, "planned_end")) <= fg_now_ms())
		why = "expired";
	if (!why) {
		json_decref(t);
		return 0;
	}
	fg_err(gate, "gate_ticket_not_permitted");
	fg_err_detail_str(gate, "reason", why);
	if (t) {
		fg_err_detail(gate, "ticket_id", json_copy(json_object_get(t, "id")));
		fg_err_detail(gate, "ticket_status", json_copy(json_object_get(t, "status")));
	}
	json_decref(t);
	return -1;
}

/* No single-person work (DESIGN.md §6): the leader and at least the ticket kind's minimum minus one crew. */
static int
g_single_person(flow_ctx_t *c, fg_err_t *gate)
{
	json_t *t = tickets_active_for_plan(c->db, c->id);
	json_t *tk = t ? kb_find("ticket_kinds", "code", fg_jstr(t, "kind")) : NULL;
	json_int_t min = tk ? json_integer_value(json_object_get(tk, "min_people")) : 2;
	json_decref(t);
	if (min < 2)
		min = 2; /* no kind in our data allows one person; never go below two */
	json_int_t people = 1 + (json_int_t)json_array_size(json_object_get(c->row, "crew"));
	if (people >= min)
		return 0;
	fg_err(gate, "gate_single_person");
	fg_err_detail_int(gate, "people", people);
	fg_err_detail_int(gate, "min", min);
	return -1;
}

/* A leader holds one active ticket at a time (REFERENCE.md §1.5). */
static int
g_leader_busy(flow_ctx_t *c, fg_err_t *gate)
{
	int rc;
	json_t *other = db_one(db_q(c->db,
	    "SELECT id, number, plan_id FROM tickets WHERE leader_id = $1 AND plan_id <> $2 AND "
	    "status IN ('permitted', 'working', 'interrupted') ORDER BY created_at LIMIT 1",
	    "tt", fg_jstr(c->row, "leader_id"), c->id), &rc);
	if (rc < 0)
		return fg_err(gate, "internal");
	if (!other)
		return 0;
	fg_err(gate, "gate_leader_busy");
	fg_err_detail(gate, "ticket_id", json_copy(json_object_get(other, "id")));
	fg_err_detail(gate, "ticket_number", json_copy(json_object_get(other, "number")));
	fg_err_detail(gate, "plan_id", json_copy(json_object_get(other, "plan_id")));
	json_decref(other);
	return -1;
}

/* The pre-shift meeting was held and the whole crew signed (R3.7). */
static int
g_briefing(flow_ctx_t *c, fg_err_t *gate)
{
	bool exists, held;
	json_t *missing = briefings_missing(c->db, c->id, &exists, &held);
	if (!missing)
		return fg_err(gate, "internal");
	if (exists && held && json_array_size(missing) == 0) {
		json_decref(missing);
		return 0;
	}
	fg_err(gate, "gate_briefing_missing");
	fg_err_detail(gate, "held", json_boolean(held));
	fg_err_detail(gate, "not_signed", missing);
	return -1;
}

/* Every risk point of the ticket confirmed on site (R3.8). */
static int
g_risks(flow_ctx_t *c, fg_err_t *gate)
{
	json_t *t = tickets_active_for_plan(c->db, c->id), *open = json_array(), *r;
	size_t i;
	json_array_foreach(json_object_get(t, "risks"), i, r) {
		if (json_is_null(json_object_get(r, "confirmed_at")))
			json_array_append_new(open, json_pack("{s:O, s:O}", "id", json_object_get(r, "id"), "hazard",
							   json_object_get(r, "hazard")));
	}
	bool none = !t;
	json_decref(t);
	if (!none && json_array_size(open) == 0) {
		json_decref(open);
		return 0;
	}
	fg_err(gate, "gate_risk_unconfirmed");
	fg_err_detail(gate, "open", open);
	return -1;
}

/* Every safety measure of the ticket ticked off on site (R3.8), supplements included: a measure added after the
 * ticket was permitted (or while the job was paused) is as binding as the ones the permit was signed over, so
 * start and resume both look at every measure now on the ticket, not at what the permit once checked. No ticket:
 * gate_ticket_not_permitted already says so. */
static int
g_measures(flow_ctx_t *c, fg_err_t *gate)
{
	json_t *t = tickets_active_for_plan(c->db, c->id), *open = json_array(), *m;
	size_t i;
	json_array_foreach(json_object_get(t, "measures"), i, m) {
		if (json_is_null(json_object_get(m, "done_at")))
			json_array_append_new(open, json_pack("{s:O, s:O, s:O, s:O}", "id", json_object_get(m, "id"), "text",
							   json_object_get(m, "text"), "supplement", json_object_get(m, "supplement"),
							   "added_at", json_object_get(m, "added_at")));
	}
	json_decref(t);
	if (json_array_size(open) == 0) {
		json_decref(open);
		return 0;
	}
	fg_err(gate, "gate_measure_unconfirmed");
	fg_err_detail(gate, "open", open);
	return -1;
}

/* High-risk work is watched: a video link back to the office or a supervisor on site (R3.10). */
static int
g_supervision(flow_ctx_t *c, fg_err_t *gate)
{
	if (!json_is_true(json_object_get(c->row, "high_risk")))
		return 0;
	const char *video = fg_jstr(c->row, "video_link");
	if ((video && *video) || fg_jstr(c->row, "onsite_supervisor_id"))
		return 0;
	fg_err(gate, "gate_supervision_missing");
	fg_err_detail(gate, "risk_level", json_copy(json_object_get(c->row, "risk_level")));
	return -1;
}

/* Outsourced teams work under supervision (R2.8, R2.15): with contractor staff on the job, an on-site supervisor
 * or a video link is required whatever the risk level. */
static int
g_contractor_unsupervised(flow_ctx_t *c, fg_err_t *gate)
{
	const char *video = fg_jstr(c->row, "video_link");
	if ((video && *video) || fg_jstr(c->row, "onsite_supervisor_id"))
		return 0;
	char today[11];
	day_today(today);
	json_t *ids = json_array(), *who, *id, *outsiders = json_array();
	size_t i;
	int rc;
	json_array_append(ids, json_object_get(c->row, "leader_id"));
	json_array_foreach(json_object_get(c->row, "crew"), i, who) json_array_append(ids, json_object_get(who, "id"));
	json_array_foreach(ids, i, id) {
		json_t *scratch = json_array();
		json_t *k = contractors_person(c->db, json_string_value(id), today, scratch);
		json_t *u = k ? db_one(db_q(c->db, "SELECT display_name FROM users WHERE id = $1", "t", json_string_value(id)), &rc) : NULL;
		if (k)
			json_array_append_new(outsiders, json_pack("{s:O, s:O, s:o}", "user_id", id, "display_name",
								   u ? json_object_get(u, "display_name") : json_null(), "contractor", k));
		json_decref(u);
		json_decref(scratch);
	}
	json_decref(ids);
	if (json_array_size(outsiders) == 0) {
		json_decref(outsiders);
		return 0;
	}
	fg_err(gate, "gate_contractor_unsupervised");
	fg_err_detail(gate, "people", outsiders);
	return -1;
}

/* Everyone on the job has a valid safety-rules exam and no expired certificate (R2.2); each is named. */
static int
g_person_unqualified(flow_ctx_t *c, fg_err_t *gate)
{
	json_t *ids = json_array(), *who, *bad = json_array();
	size_t i;
	json_array_append(ids, json_object_get(c->row, "leader_id"));
	json_array_foreach(json_object_get(c->row, "crew"), i, who) json_array_append(ids, json_object_get(who, "id"));
	json_t *id;
	json_array_foreach(ids, i, id) {
		json_t *r = people_readiness(c->db, json_string_value(id));
		if (r && !json_is_true(json_object_get(r, "ready")))
			json_array_append(bad, r);
		json_decref(r);
	}
	json_decref(ids);
	if (json_array_size(bad) == 0) {
		json_decref(bad);
		return 0;
	}
	fg_err(gate, "gate_person_unqualified");
	fg_err_detail(gate, "people", bad);
	return -1;
}

/* Every tool kind the job needs is checked out for it, in date and not failed (R3.6). */
static int
g_tool_not_ready(flow_ctx_t *c, fg_err_t *gate)
{
	json_t *t = tools_for_plan(c->db, c->id);
	if (!t)
		return fg_err(gate, "internal");
	json_t *missing = json_array(), *bad = json_array(), *n, *tool;
	size_t i, j;
	json_array_foreach(json_object_get(t, "needed"), i, n) {
		bool ok = false;
		json_array_foreach(json_object_get(t, "checked_out"), j, tool) {
			if (strcmp(fg_jstr(tool, "kind"), fg_jstr(n, "kind")) != 0)
				continue;
			bool overdue = strcmp(fg_jstr(tool, "status"), "overdue") == 0;
			bool failed = fg_jstr(tool, "last_test_result") && strcmp(fg_jstr(tool, "last_test_result"), "fail") == 0;
			if (overdue || failed)
				json_array_append_new(bad, json_pack("{s:O, s:O, s:O, s:s}", "tool_id", json_object_get(tool, "id"),
								  "asset_no", json_object_get(tool, "asset_no"), "next_test_due",
								  json_object_get(tool, "next_test_due"), "reason", overdue ? "overdue" : "failed"));
			else
				ok = true;
		}
		if (!ok)
			json_array_append_new(missing, json_pack("{s:O, s:O}", "kind", json_object_get(n, "kind"), "name",
							    json_object_get(n, "name")));
	}
	json_decref(t);
	if (json_array_size(missing) == 0 && json_array_size(bad) == 0) {
		json_decref(missing);
		json_decref(bad);
		return 0;
	}
	fg_err(gate, "gate_tool_not_ready");
	fg_err_detail(gate, "missing", missing);
	fg_err_detail(gate, "not_usable", bad);
	return -1;
}

static int
g_ticket_ended(flow_ctx_t *c, fg_err_t *gate)
{
	json_t *t = tickets_active_for_plan(c->db, c->id);
	bool ended = t && strcmp(fg_jstr(t, "status"), "ended") == 0;
	json_decref(t);
	return ended ? 0 : fg_err(gate, "ticket_not_ended");
}

static int
e_started(flow_ctx_t *c, fg_err_t *err)
{
	if (db_run(db_q(c->db, "UPDATE plans SET started_at = COALESCE(started_at, $1) WHERE id = $2", "it", fg_now_ms(), c->id)) !=
	    DB_DONE)
		return -1;
	return orders_set_status_for_plan(c->db, c->actor->id, c->id, "in_progress");
}

static int
e_ticket_working(flow_ctx_t *c, fg_err_t *err)
{
	return tickets_follow_plan(c->db, c->actor->id, c->id, strcmp(c->action, "resume") == 0 ? "interrupted" : "permitted",
	    "working");
}

static int
e_ticket_interrupted(flow_ctx_t *c, fg_err_t *err)
{
	return tickets_follow_plan(c->db, c->actor->id, c->id, "working", "interrupted");
}

static int
e_finished(flow_ctx_t *c, fg_err_t *err)
{
	if (db_run(db_q(c->db, "UPDATE plans SET finished_at = $1 WHERE id = $2", "it", fg_now_ms(), c->id)) != DB_DONE)
		return -1;
	return orders_set_status_for_plan(c->db, c->actor->id, c->id, "done");
}

/* The job is history from here: freeze what its views show (tools and holders, readiness, steps). */
static int
e_record_frozen(flow_ctx_t *c, fg_err_t *err)
{
	return jobs_record_freeze(c->db, c->actor->id, c->id);
}

const flow_guard_t plan_guards[] = {
	{"plan_has_orders", gate_plan_has_orders},
	{"plan_orders_open", gate_plan_orders_open},
	{"gate_ticket_not_permitted", g_ticket_permitted},
	{"gate_single_person", g_single_person},
	{"gate_leader_busy", g_leader_busy},
	{"gate_briefing_missing", g_briefing},
	{"gate_risk_unconfirmed", g_risks},
	{"gate_measure_unconfirmed", g_measures},
	{"gate_supervision_missing", g_supervision},
	{"plan_ticket_ended", g_ticket_ended},
	{"gate_person_unqualified", g_person_unqualified},
	{"gate_contractor_unsupervised", g_contractor_unsupervised},
	{"gate_tool_not_ready", g_tool_not_ready},
	{NULL, NULL},
};

const flow_effect_t plan_effects[] = {
	{"plan_orders_planned", effect_orders_planned},
	{"plan_orders_released", effect_orders_released},
	{"plan_started", e_started},
	{"plan_ticket_working", e_ticket_working},
	{"plan_ticket_interrupted", e_ticket_interrupted},
	{"plan_finished", e_finished},
	{"plan_record_frozen", e_record_frozen},
	{NULL, NULL},
};
