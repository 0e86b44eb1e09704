#include <stdio.h>
#include <string.h>
#include <time.h>
#include "core/base/util.h"
#include "core/base/counter.h"
#include "core/db/qb.h"
#include "core/audit/audit.h"
#include "core/auth/perm.h"
#include "core/auth/signing.h"
#include "shared/org/scope.h"
#include "shared/attach/attach.h"
#include "safety/interface/kb.h"
#include "fieldwork/plans/plans.h"
#include "fieldwork/surveys/surveys.h"
#include "fieldwork/tickets/tickets.h"
#include "fieldwork/emergency/emergency.h"

#define TICKET_COLS                                                                                                    \
	"id, number, plan_id, kind, status, leader_id, issuer_id, permitter_id, place, content, risk_level, "           \
	"outage_scope, live_parts, permit_method, planned_start, planned_end, extensions, issued_at, received_at, "     \
	"permitted_at, work_started_at, ended_at, archived_at, end_note, void_reason, created_by, created_at, "         \
	"updated_at, version, (SELECT p.backfill_id FROM plans p WHERE p.id = tickets.plan_id) AS backfill_id"

static json_t *
or_null(json_t *v)
{
	return v ? json_copy(v) : json_null();
}

json_t *
tickets_get(db_t *db, const char *id)
{
	int rc;
	json_t *t = db_one(db_q(db, "SELECT " TICKET_COLS " FROM tickets WHERE id = $1", "t", id), &rc);
	if (!t)
		return NULL;
	/* a paper ticket entered after an outage (fieldwork/backfill): its job's mark */
	json_object_set_new(t, "backfilled", json_boolean(json_is_string(json_object_get(t, "backfill_id"))));
	json_t *kind = kb_find("ticket_kinds", "code", fg_jstr(t, "kind"));
	json_object_set(t, "kind_name", kind ? json_object_get(kind, "name_zh") : json_null());
	json_object_set_new(t, "emergency_relaxations", emergency_relaxations_of(db, "ticket_id", id));
	json_t *leader = db_one(db_q(db, "SELECT id, display_name FROM users WHERE id = $1", "t", fg_jstr(t, "leader_id")), &rc);
	json_object_set_new(t, "leader", leader ? leader : json_null());
	json_t *crew = db_all(db_q(db,
	    "SELECT u.id, u.display_name FROM ticket_crew c JOIN users u ON u.id = c.user_id WHERE c.ticket_id = $1 "
	    "ORDER BY u.username", "t", id), &rc);
	json_object_set_new(t, "crew", crew ? crew : json_array());
	json_t *risks = db_all(db_q(db,
	    "SELECT r.id, r.seq, r.risk_id, r.hazard, r.level, r.confirmed_by, u.display_name AS confirmed_by_name, "
	    "r.confirmed_at, r.confirm_device_at, r.evidence_id, r.confirm_lat, r.confirm_lng, r.confirm_place FROM ticket_risks r "
	    "LEFT JOIN users u ON u.id = r.confirmed_by WHERE r.ticket_id = $1 ORDER BY r.seq", "t", id), &rc);
	size_t ri;
	json_t *rr;
	/* a key risk asks for a photo when confirmed: the library says which (data/kb/risks.json "evidence") */
	json_array_foreach(risks, ri, rr) {
		json_t *kr = fg_jstr(rr, "risk_id") ? kb_find("risks", "id", fg_jstr(rr, "risk_id")) : NULL;
		json_t *evk = kr ? json_object_get(kr, "evidence") : NULL;
		json_object_set_new(rr, "evidence", evk ? json_copy(evk) : json_null());
		json_object_set_new(rr, "evidence_zh", or_null(evk ? json_object_get(kr, "evidence_zh") : NULL));
		json_object_set_new(rr, "evidence_en", or_null(evk ? json_object_get(kr, "evidence_en") : NULL));
		json_object_set_new(rr, "hazard_en", or_null(kr ? json_object_get(kr, "hazard_en") : NULL));
	}
	json_object_set_new(t, "risks", risks ? risks : json_array());
	json_t *measures = db_all(db_q(db,
	    "SELECT m.id, m.seq, m.risk_id, m.text, m.supplement, m.added_by, a.display_name AS added_by_name, m.added_at, "
	    "m.done_by, d.display_name AS done_by_name, m.done_at, m.done_device_at, m.done_lat, m.done_lng, m.done_place, m.done_with "
	    "FROM ticket_measures m "
	    "LEFT JOIN users a ON a.id = m.added_by LEFT JOIN users d ON d.id = m.done_by "
	    "WHERE m.ticket_id = $1 ORDER BY m.seq", "t", id), &rc);
	size_t i;
	json_t *m;
	json_array_foreach(measures, i, m) {
		json_object_set_new(m, "supplement", json_boolean(json_integer_value(json_object_get(m, "supplement"))));
		/* the library's English for a measure the ticket holds word for word (an edited one has none): what an
		 * English screen or print shows, the Chinese text staying the record (issue 14 item 5) */
		json_t *kr = fg_jstr(m, "risk_id") ? kb_find("risks", "id", fg_jstr(m, "risk_id")) : NULL, *km, *en = NULL;
		size_t k;
		json_array_foreach(kr ? json_object_get(kr, "measures") : NULL, k, km) {
			if (fg_jstr(km, "text_zh") && fg_jstr(m, "text") && strcmp(fg_jstr(km, "text_zh"), fg_jstr(m, "text")) == 0) {
				en = json_object_get(km, "text_en");
				break;
			}
		}
		json_object_set_new(m, "text_en", or_null(en));
	}
	json_object_set_new(t, "measures", measures ? measures : json_array());
	json_t *photos = db_all(db_q(db,
	    "SELECT attachment_id, purpose FROM ticket_photos WHERE ticket_id = $1 ORDER BY attachment_id", "t", id), &rc);
	json_object_set_new(t, "photos", photos ? photos : json_array());
	json_t *sigs = db_all(db_q(db,
	    "SELECT s.role, s.signer_id, u.display_name AS signer_name, s.signed_at FROM signatures s "
	    "JOIN users u ON u.id = s.signer_id WHERE s.entity = 'ticket' AND s.entity_id = $1 ORDER BY s.signed_at, s.id",
	    "t", id), &rc);
	json_object_set_new(t, "signatures", sigs ? sigs : json_array());
	/* the supervisor's evaluation, once given (R2.1) */
	json_t *ev = db_one(db_q(db,
	    "SELECT e.qualified, e.reasons, e.evaluator_id, u.display_name AS evaluator_name, e.evaluated_at "
	    "FROM ticket_evaluations e JOIN users u ON u.id = e.evaluator_id WHERE e.ticket_id = $1", "t", id), &rc);
	if (ev) {
		json_object_set_new(ev, "qualified", json_boolean(json_integer_value(json_object_get(ev, "qualified"))));
		json_t *rs = json_loads(fg_jstr(ev, "reasons"), 0, NULL);
		json_object_set_new(ev, "reasons", rs ? rs : json_array());
	}
	json_object_set_new(t, "evaluation", ev ? ev : json_null());
	return t;
}

static json_t *
load(db_t *db, const char *id)
{
	return tickets_get(db, id);
}

/* a ticket is seen by whoever may see its plan */
static bool
ticket_visible(db_t *db, const auth_user_t *u, const char *id)
{
	char plan_id[64];
	return scope_ticket_plan(db, id, plan_id) && scope_plan_visible(db, u, plan_id);
}

const flow_binding_t tickets_flow = {"ticket", "tickets", "ticket", load, NULL, "plans.read", ticket_visible};

json_t *
tickets_active_for_plan(db_t *db, const char *plan_id)
{
	int rc;
	json_t *row = db_one(db_q(db,
	    "SELECT id FROM tickets WHERE plan_id = $1 AND status NOT IN ('void', 'not_executed', 'archived') "
	    "ORDER BY created_at DESC LIMIT 1", "t", plan_id), &rc);
	if (!row)
		return NULL;
	json_t *t = tickets_get(db, fg_jstr(row, "id"));
	json_decref(row);
	return t;
}

char *
tickets_canonical(db_t *db, const char *id)
{
	int rc;
	json_t *t = db_one(db_q(db,
	    "SELECT number, plan_id, kind, leader_id, place, content, risk_level, outage_scope, live_parts, planned_start "
	    "FROM tickets WHERE id = $1", "t", id), &rc);
	if (!t)
		return NULL;
	json_object_set_new(t, "id", json_string(id));
	json_t *crew = db_all(db_q(db, "SELECT user_id FROM ticket_crew WHERE ticket_id = $1 ORDER BY user_id", "t", id), &rc);
	json_object_set_new(t, "crew", crew ? crew : json_array());
	json_t *risks = db_all(db_q(db, "SELECT seq, risk_id, hazard, level FROM ticket_risks WHERE ticket_id = $1 ORDER BY seq",
				   "t", id), &rc);
	json_object_set_new(t, "risks", risks ? risks : json_array());
	json_t *ms = db_all(db_q(db,
	    "SELECT seq, risk_id, text FROM ticket_measures WHERE ticket_id = $1 AND supplement = 0 ORDER BY seq", "t", id), &rc);
	json_object_set_new(t, "measures", ms ? ms : json_array());
	char *s = json_dumps(t, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(t);
	return s;
}

/* 08:30 Asia/Shanghai on the plan's date: when a crew's day starts. */
static int64_t
day_start(const char *date)
{
	struct tm tm = {0};
	int y, m, d;
	if (sscanf(date, "%d-%d-%d", &y, &m, &d) != 3)
		return fg_now_ms();
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 8;
	tm.tm_min = 30;
	return ((int64_t)timegm(&tm) - 8 * 3600) * 1000;
}

static int
may_write(db_t *db, const auth_user_t *a, json_t *plan)
{
	if (a->roles & (ROLE_ADMIN | ROLE_ISSUER | ROLE_MANAGER | ROLE_DISPATCHER))
		return 1;
	return (a->roles & ROLE_LEADER) && strcmp(fg_jstr(plan, "leader_id"), a->id) == 0;
}

/* The risk points of every work kind on the plan, riskiest first, each once; their measures in order. */
static int
prefill_risks(db_t *db, const char *ticket_id, json_t *plan, const char *actor_id)
{
	json_t *seen = json_object(), *chosen = json_array(), *o, *rid;
	size_t i, j;
	json_array_foreach(json_object_get(plan, "work_orders"), i, o) {
		json_t *wk = kb_find("work_kinds", "code", fg_jstr(o, "kind"));
		json_array_foreach(json_object_get(wk, "risks"), j, rid) {
			json_t *r = kb_find("risks", "id", json_string_value(rid));
			if (r && !json_object_get(seen, json_string_value(rid))) {
				json_object_set_new(seen, json_string_value(rid), json_true());
				json_array_append(chosen, r);
			}
		}
	}
	/* stable order: level 1 first, then library id */
	size_t n = json_array_size(chosen);
	for (i = 1; i < n; i++)
		for (j = i; j > 0; j--) {
			json_t *a = json_array_get(chosen, j - 1), *b = json_array_get(chosen, j);
			int la = (int)json_integer_value(json_object_get(a, "level")), lb = (int)json_integer_value(json_object_get(b, "level"));
			if (la < lb || (la == lb && strcmp(fg_jstr(a, "id"), fg_jstr(b, "id")) <= 0))
				break;
			json_incref(a);
			json_array_set(chosen, j - 1, b);
			json_array_set_new(chosen, j, a);
		}
	int rc = 0, mseq = 0;
	json_t *r, *m;
	json_array_foreach(chosen, i, r) {
		char id[37];
		fg_uuid7(id);
		if (db_run(db_q(db, "INSERT INTO ticket_risks (id, ticket_id, seq, risk_id, hazard, level) VALUES ($1, $2, $3, $4, $5, $6)",
			"ttitti", id, ticket_id, (int64_t)i + 1, fg_jstr(r, "id"), fg_jstr(r, "hazard_zh"),
			(int64_t)json_integer_value(json_object_get(r, "level")))) != DB_DONE) {
			rc = -1;
			break;
		}
		json_array_foreach(json_object_get(r, "measures"), j, m) {
			fg_uuid7(id);
			if (db_run(db_q(db,
				"INSERT INTO ticket_measures (id, ticket_id, seq, risk_id, text, supplement, added_by, added_at) "
				"VALUES ($1, $2, $3, $4, $5, 0, $6, $7)",
				"ttittti", id, ticket_id, (int64_t)++mseq, fg_jstr(r, "id"), fg_jstr(m, "text_zh"), actor_id, fg_now_ms())) != DB_DONE) {
				rc = -1;
				break;
			}
		}
		if (rc)
			break;
	}
	json_decref(seen);
	json_decref(chosen);
	return rc;
}

/* What the survey found on site joins the ticket (R3.13: survey → tickets): its risk points after the library's,
 * with their measures, and its own safety measures. */
static int
prefill_from_survey(db_t *db, const char *ticket_id, json_t *survey, const char *actor_id)
{
	int rc;
	json_t *mx = db_one(db_q(db,
	    "SELECT CAST(COALESCE(MAX(r.seq), 0) AS BIGINT) AS rs, "
	    "CAST((SELECT COALESCE(MAX(seq), 0) FROM ticket_measures WHERE ticket_id = $1) AS BIGINT) AS ms "
	    "FROM ticket_risks r WHERE r.ticket_id = $1", "t", ticket_id), &rc);
	if (!mx)
		return -1;
	int64_t rseq = json_integer_value(json_object_get(mx, "rs")), mseq = json_integer_value(json_object_get(mx, "ms"));
	json_decref(mx);
	size_t i, j;
	json_t *r, *m;
	char id[37], rid[32];
	json_array_foreach(json_object_get(survey, "risks"), i, r) {
		json_t *lv = json_object_get(r, "level");
		fg_fmt(rid, sizeof rid, "survey-%zu", i + 1);
		fg_uuid7(id);
		if (db_run(db_q(db, "INSERT INTO ticket_risks (id, ticket_id, seq, risk_id, hazard, level) VALUES ($1, $2, $3, $4, $5, $6)",
			"ttitti", id, ticket_id, ++rseq, rid, fg_jstr(r, "hazard"), (int64_t)(lv ? json_integer_value(lv) : 3))) != DB_DONE)
			return -1;
		json_array_foreach(json_object_get(r, "measures"), j, m) {
			fg_uuid7(id);
			if (db_run(db_q(db,
				"INSERT INTO ticket_measures (id, ticket_id, seq, risk_id, text, supplement, added_by, added_at) "
				"VALUES ($1, $2, $3, $4, $5, 0, $6, $7)",
				"ttittti", id, ticket_id, ++mseq, rid, json_string_value(m), actor_id, fg_now_ms())) != DB_DONE)
				return -1;
		}
	}
	json_array_foreach(json_object_get(survey, "measures"), i, m) {
		fg_uuid7(id);
		if (db_run(db_q(db,
			"INSERT INTO ticket_measures (id, ticket_id, seq, risk_id, text, supplement, added_by, added_at) "
			"VALUES ($1, $2, $3, NULL, $4, 0, $5, $6)",
			"ttitti", id, ticket_id, ++mseq, json_string_value(m), actor_id, fg_now_ms())) != DB_DONE)
			return -1;
	}
	return 0;
}

int
tickets_create(db_t *db, const auth_user_t *actor, json_t *in, json_t **out, fg_err_t *err)
{
	const char *plan_id = fg_jstr(in, "plan_id");
	json_t *plan = NULL, *active = NULL, *survey = NULL;
	char id[37], number[32], content[2000] = "";
	int64_t now = fg_now_ms();

	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "plans", plan_id) != 0)
		goto fail;
	plan = plans_get(db, plan_id);
	if (!plan) {
		fg_err_field(err, "invalid_field", "plan_id", "no such plan");
		goto fail;
	}
	if (!may_write(db, actor, plan)) {
		fg_err(err, "forbidden");
		fg_err_detail_str(err, "permission", "tickets.write (the plan's leader, an issuer or a manager)");
		goto fail;
	}
	const char *pst = fg_jstr(plan, "status");
	if (strcmp(pst, "draft") != 0 && strcmp(pst, "published") != 0) {
		fg_err_field(err, "invalid_field", "plan_id", "tickets are made for draft or published plans");
		fg_err_detail_str(err, "plan_status", pst);
		goto fail;
	}
	if ((active = tickets_active_for_plan(db, plan_id))) {
		fg_err(err, "ticket_exists");
		fg_err_detail(err, "ticket_id", json_copy(json_object_get(active, "id")));
		fg_err_detail(err, "number", json_copy(json_object_get(active, "number")));
		goto fail;
	}
	/* the kind asked for, else the riskiest work kind's default ticket */
	const char *kind = fg_jstr(in, "kind");
	size_t i0;
	json_t *o0;
	if (!kind) {
		int best = 9;
		size_t i;
		json_t *o;
		json_array_foreach(json_object_get(plan, "work_orders"), i, o) {
			json_t *wk = kb_find("work_kinds", "code", fg_jstr(o, "kind"));
			int l = wk ? (int)json_integer_value(json_object_get(wk, "risk_level")) : 9;
			if (wk && l < best) {
				best = l;
				kind = fg_jstr(wk, "default_ticket_kind");
			}
		}
	}
	json_t *tk = kb_find("ticket_kinds", "code", kind);
	if (!tk) {
		fg_err_field(err, "invalid_field", "kind", "a ticket kind of data/kb/ticket_kinds.json");
		goto fail;
	}
	/* The emergency repair sheet in place of the work's own ticket: normal for work whose kind takes it
	 * (continuous charger repair), otherwise only within an active emergency's scope (R1.4; emergency.h) */
	char emergency_id[37] = "";
	if (strcmp(kind, "QX") == 0) {
		json_t *kinds = json_array();
		bool own = true;
		json_array_foreach(json_object_get(plan, "work_orders"), i0, o0) {
			json_t *wk = kb_find("work_kinds", "code", fg_jstr(o0, "kind"));
			if (!wk || strcmp(fg_jstr(wk, "default_ticket_kind") ? fg_jstr(wk, "default_ticket_kind") : "", "QX") != 0)
				own = false;
			json_array_append(kinds, json_object_get(o0, "kind"));
		}
		int erc = own ? 0 : emergency_cover(db, fg_jstr(plan, "team_id"), kinds, emergency_id, err);
		json_decref(kinds);
		if (erc != 0)
			goto fail;
	}
	/* 工作内容: each order, one line */
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(plan, "work_orders"), i, o) {
		size_t len = strlen(content);
		fg_fmt(content + len, sizeof content - len, "%s%zu. %s（%s）", i ? "\n" : "", i + 1, fg_jstr(o, "title"), fg_jstr(o, "number"));
	}
	int64_t start = json_integer_value(json_object_get(in, "planned_start"));
	if (!start) { /* the plan's working day from 08:30, or from now when the ticket is made later that day */
		start = day_start(fg_jstr(plan, "date"));
		if (start < now && now - start < 24LL * 3600 * 1000)
			start = now - now % 60000;
	}
	int64_t end = json_integer_value(json_object_get(in, "planned_end"));
	if (!end)
		end = start + json_integer_value(json_object_get(tk, "validity_hours_default")) * 3600 * 1000;
	if (end <= start) {
		fg_err_field(err, "invalid_field", "planned_end", "must be after planned_start");
		goto fail;
	}
	char prefix[8];
	fg_fmt(prefix, sizeof prefix, "%s", kind);
	if (counter_number(db, prefix, number) != 0)
		goto fail;
	fg_uuid7(id);
	survey = surveys_get(db, plan_id);
	const char *place = survey ? fg_jstr(survey, "place") : fg_jstr(plan, "place") ? fg_jstr(plan, "place") : fg_jstr(plan, "title");
	const char *outage = json_object_get(in, "outage_scope") ? fg_jstr(in, "outage_scope") : survey ? fg_jstr(survey, "outage_scope") : NULL;
	const char *live = json_object_get(in, "live_parts") ? fg_jstr(in, "live_parts") : survey ? fg_jstr(survey, "live_parts") : NULL;
	if (db_run(db_q(db,
		"INSERT INTO tickets (id, number, plan_id, kind, status, leader_id, place, content, risk_level, outage_scope, "
		"live_parts, planned_start, planned_end, created_by, created_at, updated_at) "
		"VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
		"tttttttittiitii", id, number, plan_id, kind, fg_jstr(plan, "leader_id"), place, content,
		(int64_t)json_integer_value(json_object_get(plan, "risk_level")), outage, live,
		start, end, actor->id, now, now)) != DB_DONE ||
	    db_run(db_q(db, "INSERT INTO ticket_crew (ticket_id, user_id) SELECT $1, user_id FROM plan_crew WHERE plan_id = $2",
		"tt", id, plan_id)) != DB_DONE ||
	    prefill_risks(db, id, plan, actor->id) != 0 || (survey && prefill_from_survey(db, id, survey, actor->id) != 0) ||
	    (*emergency_id && emergency_relax(db, actor->id, emergency_id, EMERGENCY_RELAX_QX, plan_id, id,
				  json_object_get(plan, "work_orders")) != 0))
		goto fail;
	json_t *after = tickets_get(db, id);
	if (!after || audit_write(db, actor->id, "create", "ticket", id, NULL, after) != 0 || db_commit(db) != 0) {
		json_decref(after);
		goto fail;
	}
	json_decref(plan);
	json_decref(survey);
	*out = after;
	return 0;
fail:
	json_decref(plan);
	json_decref(active);
	json_decref(survey);
	return db_fail(db, err);
}

static const char *const draft_fields[] = {"place", "content", "outage_scope", "live_parts", NULL};

int
tickets_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	json_t *before = NULL, *after = NULL;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "tickets", id) != 0)
		goto fail;
	before = tickets_get(db, id);
	if (!before) {
		fg_err_not_found(err, "ticket", id);
		goto fail;
	}
	if (db_check_version(before, in, err))
		goto fail;
	if (strcmp(fg_jstr(before, "status"), "draft") != 0) { /* a signed ticket is changed only by a new ticket */
		fg_err(err, "invalid_transition");
		fg_err_detail_str(err, "state", fg_jstr(before, "status"));
		fg_err_detail_str(err, "action", "update");
		goto fail;
	}
	qb_t q;
	qb_init(&q, "UPDATE tickets SET version = version + 1, updated_at = ");
	qb_int(&q, fg_now_ms());
	for (int i = 0; draft_fields[i]; i++) {
		json_t *v = json_object_get(in, draft_fields[i]);
		if (!v)
			continue;
		qb_sql(&q, ", ");
		qb_sql(&q, draft_fields[i]);
		qb_sql(&q, " = ");
		qb_text(&q, json_string_value(v));
	}
	const char *times[] = {"planned_start", "planned_end"};
	for (int i = 0; i < 2; i++) {
		json_t *v = json_object_get(in, times[i]);
		if (!v)
			continue;
		qb_sql(&q, ", ");
		qb_sql(&q, times[i]);
		qb_sql(&q, " = ");
		qb_int(&q, json_integer_value(v));
	}
	qb_sql(&q, " WHERE id = ");
	qb_text(&q, id);
	int rc = db_run(qb_prepare(db, &q));
	qb_free(&q);
	if (rc != DB_DONE)
		goto fail;
	after = tickets_get(db, id);
	if (!after)
		goto fail;
	if (json_integer_value(json_object_get(after, "planned_end")) <= json_integer_value(json_object_get(after, "planned_start"))) {
		fg_err_field(err, "invalid_field", "planned_end", "must be after planned_start");
		goto fail;
	}
	if (audit_write(db, actor_id, "update", "ticket", id, before, after) != 0 || db_commit(db) != 0)
		goto fail;
	json_decref(before);
	*out = after;
	return 0;
fail:
	json_decref(before);
	json_decref(after);
	return db_fail(db, err);
}

/* Who may act on the ticket on site: its leader, its crew, its permitter, or an issuer/manager. */
static bool
on_ticket(db_t *db, const auth_user_t *a, json_t *t)
{
	if (a->roles & (ROLE_ADMIN | ROLE_ISSUER | ROLE_MANAGER | ROLE_PERMITTER))
		return true;
	if (strcmp(fg_jstr(t, "leader_id"), a->id) == 0)
		return true;
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(t, "crew"), i, c) if (strcmp(fg_jstr(c, "id"), a->id) == 0) return true;
	return false;
}

static json_t *
begin_on(db_t *db, const char *id, fg_err_t *err)
{
	if (db_begin(db) != 0) {
		db_fail(db, err);
		return NULL;
	}
	if (db_lock_row(db, "tickets", id) != 0) {
		db_fail(db, err);
		return NULL;
	}
	json_t *t = tickets_get(db, id);
	if (!t) {
		fg_err_not_found(err, "ticket", id);
		db_fail(db, err);
	}
	return t;
}

static bool
state_in(json_t *t, const char *const *states)
{
	for (; *states; states++)
		if (strcmp(fg_jstr(t, "status"), *states) == 0)
			return true;
	return false;
}

static int
wrong_state(db_t *db, json_t *t, const char *action, fg_err_t *err)
{
	fg_err(err, "invalid_transition");
	fg_err_detail_str(err, "state", fg_jstr(t, "status"));
	fg_err_detail_str(err, "action", action);
	json_decref(t);
	return db_fail(db, err);
}

static int
finish(db_t *db, const char *actor_id, const char *action, const char *id, json_t *before, json_t **out, fg_err_t *err)
{
	json_t *after = tickets_get(db, id);
	if (!after || audit_write(db, actor_id, action, "ticket", id, before, after) != 0 || db_commit(db) != 0) {
		json_decref(before);
		json_decref(after);
		return db_fail(db, err);
	}
	json_decref(before);
	*out = after;
	return 0;
}

int
tickets_add_measure(db_t *db, const auth_user_t *actor, const char *id, const char *text, json_t **out, fg_err_t *err)
{
	static const char *const open[] = {"draft", "issued", "received", "permitted", "working", "interrupted", NULL};
	if (!*text)
		return fg_err_field(err, "invalid_field", "text", "must not be empty");
	json_t *t = begin_on(db, id, err);
	if (!t)
		return -1;
	if (!state_in(t, open))
		return wrong_state(db, t, "add_measure", err);
	if (!on_ticket(db, actor, t) || (actor->roles & ~(ROLE_CREW | ROLE_VIEWER)) == 0) {
		json_decref(t);
		fg_err(err, "forbidden");
		fg_err_detail_str(err, "permission", "ticket measures (leader, permitter, issuer)");
		return db_fail(db, err);
	}
	int rc;
	json_t *mx = db_one(db_q(db, "SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) AS n FROM ticket_measures WHERE ticket_id = $1",
				"t", id), &rc);
	char mid[37];
	fg_uuid7(mid);
	bool supplement = strcmp(fg_jstr(t, "status"), "draft") != 0;
	rc = mx ? db_run(db_q(db,
		      "INSERT INTO ticket_measures (id, ticket_id, seq, text, supplement, added_by, added_at) "
		      "VALUES ($1, $2, $3, $4, $5, $6, $7)",
		      "ttitbti", mid, id, json_integer_value(json_object_get(mx, "n")) + 1, text, supplement, actor->id, fg_now_ms()))
		: DB_ERR;
	json_decref(mx);
	if (rc != DB_DONE) {
		json_decref(t);
		return db_fail(db, err);
	}
	return finish(db, actor->id, supplement ? "supplement_measure" : "add_measure", id, t, out, err);
}

int
tickets_where(json_t *in, char lat[32], char lng[32], const char **place, fg_err_t *err)
{
	json_t *la = json_object_get(in, "lat"), *lo = json_object_get(in, "lng");
	*lat = *lng = '\0';
	*place = fg_blank(fg_jstr(in, "place")) ? NULL : fg_jstr(in, "place");
	if ((!la || json_is_null(la)) && (!lo || json_is_null(lo)))
		return 0;
	bool ok_la = json_is_number(la) && json_number_value(la) >= -90 && json_number_value(la) <= 90;
	bool ok_lo = json_is_number(lo) && json_number_value(lo) >= -180 && json_number_value(lo) <= 180;
	if (!ok_la || !ok_lo)
		return fg_err_field(err, "invalid_field", ok_la ? "lng" : "lat", "degrees (lat -90…90, lng -180…180), both given");
	fg_fmt(lat, 32, "%.6f", json_number_value(la));
	fg_fmt(lng, 32, "%.6f", json_number_value(lo));
	return 0;
}

int
tickets_confirm_measure(db_t *db, const auth_user_t *actor, const char *id, const char *measure_id, json_t *in,
    json_t **out, fg_err_t *err)
{
	static const char *const open[] = {"received", "permitted", "working", "interrupted", NULL};
	char lat[32], lng[32];
	const char *place;
	if (tickets_where(in, lat, lng, &place, err) != 0)
		return -1;
	json_t *t = begin_on(db, id, err);
	if (!t)
		return -1;
	if (!state_in(t, open))
		return wrong_state(db, t, "confirm_measure", err);
	if (!on_ticket(db, actor, t)) {
		json_decref(t);
		fg_err(err, "forbidden");
		fg_err_detail_str(err, "permission", "people on the ticket");
		return db_fail(db, err);
	}
	int rc = db_run(db_q(db,
	    "UPDATE ticket_measures SET done_by = $1, done_at = $2, done_lat = NULLIF($3, ''), done_lng = NULLIF($4, ''), "
	    "done_place = $5, done_device_at = NULLIF(CAST($8 AS BIGINT), 0) WHERE id = $6 AND ticket_id = $7 AND done_at IS NULL", "tittttti",
	    actor->id, fg_now_ms(), lat, lng, place, measure_id, id, (int64_t)json_integer_value(json_object_get(in, "device_at"))));
	json_t *m = db_one(db_q(db, "SELECT id FROM ticket_measures WHERE id = $1 AND ticket_id = $2", "tt", measure_id, id), &rc);
	if (!m) {
		json_decref(t);
		fg_err_not_found(err, "ticket_measure", measure_id);
		return db_fail(db, err);
	}
	json_decref(m);
	return finish(db, actor->id, "confirm_measure", id, t, out, err);
}

/* in: measure_ids (every measure of the risk point, listed: what the leader saw and answers for), evidence_id (a
 * photo; required for a key risk), lat/lng/place. The measures not yet ticked are ticked by this confirmation
 * (done_with = the risk point); ones ticked earlier (the permitter, before permission) keep their own record. */
static int
check_risk_confirmation(db_t *db, const char *ticket_id, json_t *risk, json_t *in, fg_err_t *err)
{
	int rc;
	json_t *ms = db_all(db_q(db,
	    "SELECT id, text FROM ticket_measures WHERE ticket_id = $1 AND risk_id = $2 ORDER BY seq", "tt", ticket_id,
	    fg_jstr(risk, "risk_id") ? fg_jstr(risk, "risk_id") : ""), &rc);
	if (!ms)
		return fg_err(err, "internal");
	json_t *listed = json_object_get(in, "measure_ids"), *x, *m;
	size_t i, j;
	/* an id that is not a measure of this risk point: a stale page, or a mistake */
	json_array_foreach(listed, i, x) {
		bool mine = false;
		json_array_foreach(ms, j, m) mine |= strcmp(fg_jstr(m, "id"), json_string_value(x)) == 0;
		if (!mine) {
			json_decref(ms);
			fg_err_field(err, "invalid_field", "measure_ids", "ids of this risk point's measures");
			fg_err_detail(err, "measure_id", json_incref(x));
			return -1;
		}
	}
	json_t *left = json_array();
	json_array_foreach(ms, j, m) {
		bool seen = false;
		json_array_foreach(listed, i, x) seen |= strcmp(fg_jstr(m, "id"), json_string_value(x)) == 0;
		if (!seen)
			json_array_append(left, m);
	}
	json_decref(ms);
	if (json_array_size(left) > 0) {
		fg_err(err, "risk_measure_left_out");
		fg_err_detail(err, "left_out", left);
		return -1;
	}
	json_decref(left);
	json_t *kr = fg_jstr(risk, "risk_id") ? kb_find("risks", "id", fg_jstr(risk, "risk_id")) : NULL;
	const char *want = kr ? fg_jstr(kr, "evidence") : NULL;
	const char *ev = fg_jstr(in, "evidence_id");
	if (want && strcmp(want, "photo") == 0 && fg_blank(ev)) {
		fg_err(err, "risk_photo_required");
		fg_err_detail(err, "risk_id", json_copy(json_object_get(risk, "id")));
		fg_err_detail(err, "evidence_zh", or_null(json_object_get(kr, "evidence_zh")));
		fg_err_detail(err, "evidence_en", or_null(json_object_get(kr, "evidence_en")));
		return -1;
	}
	if (!fg_blank(ev)) { /* evidence is a photo, whatever the risk */
		json_t *a = json_pack("[s]", ev);
		rc = attach_ids_check(db, a, "evidence_id", 1, "image/", err);
		json_decref(a);
		if (rc != 0)
			return -1;
	}
	return 0;
}

int
tickets_confirm_risk(db_t *db, const auth_user_t *actor, const char *id, const char *risk_id, json_t *in,
    json_t **out, fg_err_t *err)
{
	static const char *const open[] = {"received", "permitted", "working", "interrupted", NULL};
	char lat[32], lng[32];
	const char *place;
	if (tickets_where(in, lat, lng, &place, err) != 0)
		return -1;
	json_t *t = begin_on(db, id, err);
	if (!t)
		return -1;
	if (!state_in(t, open))
		return wrong_state(db, t, "confirm_risk", err);
	/* the leader answers for the risk points (R3.8); an admin may stand in for tests of the system itself */
	if (strcmp(fg_jstr(t, "leader_id"), actor->id) != 0 && !(actor->roles & ROLE_ADMIN)) {
		json_decref(t);
		fg_err(err, "not_the_leader");
		return db_fail(db, err);
	}
	int rc;
	json_t *r = db_one(db_q(db, "SELECT id, risk_id, confirmed_by, confirmed_at FROM ticket_risks WHERE id = $1 AND ticket_id = $2",
				"tt", risk_id, id), &rc);
	if (!r) {
		json_decref(t);
		fg_err_not_found(err, "ticket_risk", risk_id);
		return db_fail(db, err);
	}
	/* confirmed is history: a second confirmation (a second phone, a stale page) does not rewrite the first */
	if (!json_is_null(json_object_get(r, "confirmed_at"))) {
		fg_err(err, "risk_already_confirmed");
		fg_err_detail(err, "confirmed_by", json_copy(json_object_get(r, "confirmed_by")));
		fg_err_detail(err, "confirmed_at", json_copy(json_object_get(r, "confirmed_at")));
		json_decref(r);
		json_decref(t);
		return db_fail(db, err);
	}
	if (check_risk_confirmation(db, id, r, in, err) != 0) {
		json_decref(r);
		json_decref(t);
		return db_fail(db, err);
	}
	int64_t now = fg_now_ms(), dev = json_integer_value(json_object_get(in, "device_at"));
	const char *ev = fg_blank(fg_jstr(in, "evidence_id")) ? NULL : fg_jstr(in, "evidence_id");
	if (db_run(db_q(db,
		"UPDATE ticket_risks SET confirmed_by = $1, confirmed_at = $2, evidence_id = $3, confirm_lat = NULLIF($4, ''), "
		"confirm_lng = NULLIF($5, ''), confirm_place = $6, confirm_device_at = NULLIF(CAST($8 AS BIGINT), 0) WHERE id = $7 AND confirmed_at IS NULL",
		"tittttti", actor->id, now, ev, lat, lng, place, risk_id, dev)) != DB_DONE ||
	    db_run(db_q(db,
		"UPDATE ticket_measures SET done_by = $1, done_at = $2, done_lat = NULLIF($3, ''), done_lng = NULLIF($4, ''), "
		"done_place = $5, done_with = $6, done_device_at = NULLIF(CAST($9 AS BIGINT), 0) WHERE ticket_id = $7 AND risk_id = $8 AND done_at IS NULL",
		"titttttti", actor->id, now, lat, lng, place, risk_id, id, fg_jstr(r, "risk_id") ? fg_jstr(r, "risk_id") : "", dev)) != DB_DONE) {
		json_decref(r);
		json_decref(t);
		return db_fail(db, err);
	}
	json_decref(r);
	return finish(db, actor->id, "confirm_risk", id, t, out, err);
}

static void
where(qb_t *q, const void *filter)
{
	const tickets_filter_t *f = filter;
	const char *cols[] = {"status", "plan_id", "leader_id"};
	const char *vals[] = {f->status, f->plan_id, f->leader_id};
	for (int i = 0; i < 3; i++) {
		if (vals[i]) {
			qb_sql(q, " AND ");
			qb_sql(q, cols[i]);
			qb_sql(q, " = ");
			qb_text(q, vals[i]);
		}
	}
	scope_plan_filter(q, f->viewer, "plan_id");
}

int
tickets_list(db_t *db, const tickets_filter_t *f, json_t **out, fg_err_t *err)
{
	if (qb_list(db,
		"SELECT id, number, plan_id, kind, status, leader_id, place, risk_level, planned_start, planned_end, "
		"permitted_at, ended_at, updated_at, version FROM tickets WHERE 1 = 1",
		"SELECT COUNT(*) AS n FROM tickets WHERE 1 = 1", where, f, "id", true, f->cursor, f->limit, out) != 0)
		return fg_err(err, "internal");
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(*out, "items"), i, t) {
		json_t *kind = kb_find("ticket_kinds", "code", fg_jstr(t, "kind"));
		json_object_set(t, "kind_name", kind ? json_object_get(kind, "name_zh") : json_null());
	}
	return 0;
}

int
tickets_follow_plan(db_t *db, const char *actor_id, const char *plan_id, const char *from, const char *to)
{
	json_t *t = tickets_active_for_plan(db, plan_id);
	if (!t || strcmp(fg_jstr(t, "status"), from) != 0) {
		json_decref(t);
		return 0;
	}
	const char *id = fg_jstr(t, "id");
	int rc = db_run(db_q(db,
	    "UPDATE tickets SET status = $1, work_started_at = COALESCE(work_started_at, $2), version = version + 1, "
	    "updated_at = $2 WHERE id = $3", "tit", to, fg_now_ms(), id));
	json_t *after = rc == DB_DONE ? tickets_get(db, id) : NULL;
	rc = after ? audit_write(db, actor_id, strcmp(to, "working") == 0 ? "work" : "interrupt", "ticket", id, t, after) : -1;
	json_decref(t);
	json_decref(after);
	return rc == 0 ? 0 : -1;
}
