#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "shared/org/scope.h"
#include "safety/interface/kb.h"
#include "fieldwork/plans/plans.h"
#include "fieldwork/tickets/tickets.h"
#include "fieldwork/supervision/supervision.h"
#include "fieldwork/backfill/backfill.h"

json_t *
supervision_board(db_t *db, const char *date, const auth_user_t *viewer)
{
	int rc;
	json_t *rows = db_all(db_q(db,
	    "SELECT p.id, p.number, p.title, p.place, p.status, p.risk_level, p.high_risk, p.video_link, "
	    "p.onsite_supervisor_id, p.started_at, p.finished_at, p.backfill_id, u.display_name AS leader_name, "
	    "(SELECT COUNT(*) FROM plan_crew c WHERE c.plan_id = p.id) AS crew_count, "
	    "(SELECT COUNT(*) FROM job_steps s WHERE s.plan_id = p.id) AS steps_done, "
	    "(SELECT MAX(done_at) FROM job_steps s WHERE s.plan_id = p.id) AS last_step_at, "
	    "(SELECT COUNT(*) FROM job_steps s WHERE s.plan_id = p.id AND s.result = 'nonconforming') AS nonconforming, "
	    "(SELECT COUNT(*) FROM findings f WHERE f.plan_id = p.id AND f.kind = 'violation') AS violations "
	    "FROM plans p JOIN users u ON u.id = p.leader_id WHERE p.date = $1 AND p.status <> 'cancelled' "
	    "ORDER BY p.risk_level, p.number",
	    "t", date), &rc);
	if (!rows)
		return NULL;
	json_t *by_state = json_object(), *by_risk = json_object(), *j;
	size_t i;
	for (i = json_array_size(rows); !scope_company_wide(viewer) && i-- > 0;) /* a team sees its own jobs */
		if (!scope_plan_visible(db, viewer, fg_jstr(json_array_get(rows, i), "id")))
			json_array_remove(rows, i);
	/* what each job needs from other tables, one statement each for the whole board (was three per job) */
	json_t *ids = json_array();
	json_array_foreach(rows, i, j) json_array_append(ids, json_object_get(j, "id"));
	char *idarg = json_dumps(ids, JSON_COMPACT);
	json_decref(ids);
	char sql[512];
	/* the job's active ticket: its newest one that is not void, not executed or archived */
	fg_fmt(sql, sizeof sql, "SELECT plan_id, id, number, status FROM tickets WHERE plan_id IN %s "
	    "AND status NOT IN ('void', 'not_executed', 'archived') ORDER BY plan_id, created_at DESC, id DESC", db_in_json(db));
	json_t *tickets = db_all(db_q(db, sql, "t", idarg), &rc);
	fg_fmt(sql, sizeof sql, "SELECT po.plan_id, w.kind FROM plan_orders po JOIN work_orders w ON w.id = po.work_order_id "
	    "WHERE po.plan_id IN %s", db_in_json(db));
	json_t *kinds = tickets ? db_all(db_q(db, sql, "t", idarg), &rc) : NULL;
	free(idarg);
	if (!tickets || !kinds) {
		json_decref(tickets);
		json_decref(rows);
		json_decref(by_state);
		json_decref(by_risk);
		return NULL;
	}
	json_t *ticket_of = json_object(), *total_of = json_object(), *x;
	json_array_foreach(tickets, i, x) if (!json_object_get(ticket_of, fg_jstr(x, "plan_id"))) /* the newest: first */
		json_object_set_new(ticket_of, fg_jstr(x, "plan_id"), json_pack("{s:O, s:O, s:O}", "id", json_object_get(x, "id"),
							       "number", json_object_get(x, "number"), "status", json_object_get(x, "status")));
	/* total steps: the SOP steps of every order on the job */
	json_array_foreach(kinds, i, x) {
		json_t *wk = kb_find("work_kinds", "code", fg_jstr(x, "kind"));
		json_t *sop = wk ? kb_find("sops", "code", fg_jstr(wk, "sop")) : NULL;
		json_int_t n = json_integer_value(json_object_get(total_of, fg_jstr(x, "plan_id")));
		json_object_set_new(total_of, fg_jstr(x, "plan_id"), json_integer(n + (json_int_t)json_array_size(json_object_get(sop, "steps"))));
	}
	json_decref(tickets);
	json_decref(kinds);
	json_array_foreach(rows, i, j) {
		json_object_set_new(j, "high_risk", json_boolean(json_integer_value(json_object_get(j, "high_risk"))));
		json_t *t = json_object_get(ticket_of, fg_jstr(j, "id"));
		json_object_set(j, "ticket", t ? t : json_null());
		json_object_set_new(j, "steps_total", json_integer(json_integer_value(json_object_get(total_of, fg_jstr(j, "id")))));
		const char *st = fg_jstr(j, "status");
		json_object_set_new(by_state, st, json_integer(json_integer_value(json_object_get(by_state, st)) + 1));
		char lv[4];
		fg_fmt(lv, sizeof lv, "%lld", (long long)json_integer_value(json_object_get(j, "risk_level")));
		json_object_set_new(by_risk, lv, json_integer(json_integer_value(json_object_get(by_risk, lv)) + 1));
	}
	json_decref(ticket_of);
	json_decref(total_of);
	/* work entered from paper after an outage counts like any job, marked as such and counted apart (R1.4) */
	json_int_t backfilled = 0;
	if (backfill_mark_rows(db, rows, "backfill_id") != 0) {
		json_decref(rows);
		json_decref(by_state);
		json_decref(by_risk);
		return NULL;
	}
	json_array_foreach(rows, i, j) backfilled += json_is_true(json_object_get(j, "backfilled"));
	return json_pack("{s:s, s:o, s:o, s:I, s:o}", "date", date, "by_state", by_state, "by_risk", by_risk, "backfilled",
	    backfilled, "jobs", rows);
}

json_t *
supervision_findings(db_t *db, const char *plan_id)
{
	int rc;
	json_t *rows = db_all(db_q(db,
	    "SELECT f.id, f.plan_id, f.ticket_id, f.kind, f.severity, f.method, f.description, f.found_by, "
	    "u.display_name AS found_by_name, f.found_at FROM findings f JOIN users u ON u.id = f.found_by "
	    "WHERE f.plan_id = $1 ORDER BY f.found_at", "t", plan_id), &rc);
	if (!rows)
		return NULL;
	size_t i;
	json_t *f;
	json_array_foreach(rows, i, f) {
		json_t *ph = db_all(db_q(db, "SELECT id FROM attachments WHERE entity = 'finding' AND entity_id = $1 ORDER BY id", "t",
					fg_jstr(f, "id")), &rc);
		json_object_set_new(f, "photos", ph ? ph : json_array());
	}
	return json_pack("{s:o}", "items", rows);
}

int
supervision_add_finding(db_t *db, const auth_user_t *actor, const char *plan_id, json_t *in, json_t **out, fg_err_t *err)
{
	static const char *const kinds[] = {"violation", "observation", "good_practice", NULL};
	static const char *const grades[] = {"general", "serious", "grave", NULL};
	static const char *const methods[] = {"onsite", "video", NULL};
	const char *kind = fg_jstr(in, "kind"), *sev = fg_jstr(in, "severity"), *method = fg_jstr(in, "method");
	if (!fg_one_of(kind, kinds))
		return fg_err_field(err, "invalid_field", "kind", "violation, observation or good_practice");
	if (!sev)
		sev = "general";
	if (!fg_one_of(sev, grades))
		return fg_err_field(err, "invalid_field", "severity", "general, serious or grave");
	if (!method)
		method = "onsite";
	if (!fg_one_of(method, methods))
		return fg_err_field(err, "invalid_field", "method", "onsite or video");
	if (!*fg_jstr(in, "description"))
		return fg_err_field(err, "invalid_field", "description", "must not be empty");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	json_t *plan = plans_get(db, plan_id);
	if (!plan) {
		fg_err_not_found(err, "plan", plan_id);
		return db_fail(db, err);
	}
	/* a finding names the job's ticket in force, so it shows on both (R3.13: supervision → tickets) */
	json_t *t = tickets_active_for_plan(db, plan_id);
	char id[37];
	fg_uuid7(id);
	int rc = db_run(db_q(db,
	    "INSERT INTO findings (id, plan_id, ticket_id, kind, severity, method, description, found_by, found_at) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
	    "tttttttti", id, plan_id, t ? fg_jstr(t, "id") : NULL, kind, sev, method, fg_jstr(in, "description"), actor->id, fg_now_ms()));
	json_decref(t);
	json_decref(plan);
	if (rc != DB_DONE)
		return db_fail(db, err);
	json_t *list = supervision_findings(db, plan_id), *mine = NULL, *f;
	size_t i;
	json_array_foreach(json_object_get(list, "items"), i, f) if (strcmp(fg_jstr(f, "id"), id) == 0) mine = json_incref(f);
	json_decref(list);
	if (!mine || audit_write(db, actor->id, "create", "finding", id, NULL, mine) != 0 || db_commit(db) != 0) {
		json_decref(mine);
		return db_fail(db, err);
	}
	*out = mine;
	return 0;
}

int
supervision_evaluate(db_t *db, const auth_user_t *actor, const char *ticket_id, bool qualified, json_t *reasons,
    json_t **out, fg_err_t *err)
{
	if (!qualified && json_array_size(reasons) == 0)
		return fg_err_field(err, "invalid_field", "reasons", "a not-qualified ticket needs its reasons");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	json_t *t = tickets_get(db, ticket_id);
	if (!t) {
		fg_err_not_found(err, "ticket", ticket_id);
		return db_fail(db, err);
	}
	bool finished = strcmp(fg_jstr(t, "status"), "ended") == 0 || strcmp(fg_jstr(t, "status"), "archived") == 0;
	json_decref(t);
	if (!finished) {
		fg_err(err, "ticket_not_finished");
		return db_fail(db, err);
	}
	json_t *rs = reasons ? json_incref(reasons) : json_array();
	char *rj = json_dumps(rs, JSON_COMPACT);
	int rc = db_run(db_q(db,
	    "INSERT INTO ticket_evaluations (ticket_id, qualified, reasons, evaluator_id, evaluated_at) VALUES ($1, $2, $3, $4, $5)",
	    "tbtti", ticket_id, qualified, rj, actor->id, fg_now_ms()));
	free(rj);
	if (rc == DB_CONFLICT) {
		json_decref(rs);
		fg_err(err, "evaluation_exists");
		return db_fail(db, err);
	}
	json_t *ev = json_pack("{s:s, s:b, s:o, s:s, s:I}", "ticket_id", ticket_id, "qualified", qualified, "reasons", rs,
	    "evaluator_id", actor->id, "evaluated_at", (json_int_t)fg_now_ms());
	if (rc != DB_DONE || audit_write(db, actor->id, "evaluate", "ticket", ticket_id, NULL, ev) != 0 || db_commit(db) != 0) {
		json_decref(ev);
		return db_fail(db, err);
	}
	*out = ev;
	return 0;
}

json_t *
supervision_coverage(db_t *db, int64_t from, int64_t to, const auth_user_t *viewer)
{
	int rc;
	json_t *rows = db_all(db_q(db,
	    "SELECT t.id, t.plan_id, t.number, t.ended_at, e.qualified, p.backfill_id FROM tickets t "
	    "JOIN plans p ON p.id = t.plan_id LEFT JOIN ticket_evaluations e ON e.ticket_id = t.id "
	    "WHERE t.status IN ('ended', 'archived') AND t.ended_at >= $1 AND t.ended_at < $2 ORDER BY t.ended_at",
	    "ii", from, to), &rc);
	if (!rows)
		return NULL;
	for (size_t k = json_array_size(rows); !scope_company_wide(viewer) && k-- > 0;)
		if (!scope_plan_visible(db, viewer, fg_jstr(json_array_get(rows, k), "plan_id")))
			json_array_remove(rows, k);
	json_int_t ended = (json_int_t)json_array_size(rows), evaluated = 0, qualified = 0, backfilled = 0;
	json_t *open = json_array(), *r;
	size_t i;
	json_array_foreach(rows, i, r) {
		json_t *q = json_object_get(r, "qualified");
		bool bf = json_is_string(json_object_get(r, "backfill_id")); /* a paper ticket entered after an outage */
		backfilled += bf;
		if (json_is_null(q))
			json_array_append_new(open, json_pack("{s:O, s:O, s:b}", "id", json_object_get(r, "id"), "number",
							   json_object_get(r, "number"), "backfilled", bf));
		else {
			evaluated++;
			qualified += json_integer_value(q) != 0;
		}
	}
	json_decref(rows);
	return json_pack("{s:I, s:I, s:I, s:f, s:o, s:I}", "ended", ended, "evaluated", evaluated, "qualified", qualified, "coverage",
	    ended ? (double)evaluated / (double)ended : 1.0, "unevaluated", open, "backfilled", backfilled);
}
