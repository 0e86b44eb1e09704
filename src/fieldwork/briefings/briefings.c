#include <string.h>
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/auth/perm.h"
#include "safety/interface/kb.h"
#include "fieldwork/plans/plans.h"
#include "fieldwork/tickets/tickets.h"
#include "fieldwork/briefings/briefings.h"
#include "shared/attach/attach.h"

json_t *
briefings_missing(db_t *db, const char *plan_id, bool *exists, bool *held)
{
	int rc;
	json_t *b = db_one(db_q(db, "SELECT id, held_at FROM briefings WHERE plan_id = $1", "t", plan_id), &rc);
	*exists = b != NULL;
	*held = b && !json_is_null(json_object_get(b, "held_at"));
	json_t *missing = db_all(db_q(db,
	    "SELECT u.id, u.display_name FROM users u WHERE (u.id = (SELECT leader_id FROM plans WHERE id = $1) "
	    " OR u.id IN (SELECT user_id FROM plan_crew WHERE plan_id = $1)) AND NOT EXISTS ("
	    " SELECT 1 FROM briefing_attendance a WHERE a.briefing_id = $2 AND a.user_id = u.id) ORDER BY u.username",
	    "tt", plan_id, b ? fg_jstr(b, "id") : ""), &rc);
	json_decref(b);
	return missing;
}

json_t *
briefings_get(db_t *db, const char *plan_id)
{
	int rc;
	json_t *b = db_one(db_q(db,
	    "SELECT b.id, b.plan_id, b.content, b.held_by, u.display_name AS held_by_name, b.held_at, b.created_at, "
	    "b.updated_at, b.version FROM briefings b LEFT JOIN users u ON u.id = b.held_by WHERE b.plan_id = $1",
	    "t", plan_id), &rc);
	if (!b)
		return NULL;
	json_t *content = json_loads(fg_jstr(b, "content"), 0, NULL);
	json_object_set_new(b, "content", content ? content : json_null());
	/* who confirmed, how (own_device, leader_screen, paper), on whose session, where and when */
	json_t *att = db_all(db_q(db,
	    "SELECT a.user_id, u.display_name, a.signed_at, a.device_at, a.method, a.recorded_by, r.display_name AS recorded_by_name, "
	    "a.signature_id, a.lat, a.lng, a.place FROM briefing_attendance a JOIN users u ON u.id = a.user_id "
	    "LEFT JOIN users r ON r.id = a.recorded_by WHERE a.briefing_id = $1 ORDER BY a.signed_at, u.username", "t",
	    fg_jstr(b, "id")), &rc);
	json_object_set_new(b, "attendance", att ? att : json_array());
	/* every member of the plan with their state, leader first: what the briefing page lists */
	json_t *members = db_all(db_q(db,
	    "SELECT u.id, u.display_name, CASE WHEN u.id = p.leader_id THEN 'leader' ELSE 'crew' END AS role, "
	    "a.signed_at, a.method FROM plans p JOIN users u ON u.id = p.leader_id OR u.id IN "
	    "(SELECT user_id FROM plan_crew WHERE plan_id = p.id) LEFT JOIN briefing_attendance a ON a.briefing_id = $2 "
	    "AND a.user_id = u.id WHERE p.id = $1 ORDER BY CASE WHEN u.id = p.leader_id THEN 0 ELSE 1 END, u.username",
	    "tt", plan_id, fg_jstr(b, "id")), &rc);
	size_t mi;
	json_t *mm;
	json_array_foreach(members, mi, mm) json_object_set_new(mm, "confirmed",
	    json_boolean(!json_is_null(json_object_get(mm, "signed_at"))));
	json_object_set_new(b, "members", members ? members : json_array());
	bool exists, held;
	json_t *missing = briefings_missing(db, plan_id, &exists, &held);
	json_object_set_new(b, "missing", missing ? missing : json_array());
	return b;
}

static void
append_all(json_t *dst, json_t *src)
{
	size_t i;
	json_t *v;
	json_array_foreach(src, i, v) json_array_append(dst, v);
}

/* What the meeting covers, from the knowledge base (R3.13: knowledge base → pre-shift meeting). */
static json_t *
compose(db_t *db, json_t *plan)
{
	json_t *out = json_pack("{s:[], s:[], s:[], s:[], s:[], s:[], s:[], s:[]}", "work_kinds", "workflow", "content",
	    "quality", "technical", "safety", "risks", "sources");
	/* the same parts in the library's English, for an English screen (issue 14 item 5); the Chinese is the record */
	static const char *const parts[] = {"workflow", "content", "quality", "technical", "safety", NULL};
	for (int k = 0; parts[k]; k++) {
		char key[32];
		fg_fmt(key, sizeof key, "%s_en", parts[k]);
		json_object_set_new(out, key, json_array());
	}
	json_t *done = json_object(), *o;
	size_t i;
	json_array_foreach(json_object_get(plan, "work_orders"), i, o) {
		json_t *wk = kb_find("work_kinds", "code", fg_jstr(o, "kind"));
		if (!wk || json_object_get(done, fg_jstr(wk, "code")))
			continue;
		json_object_set_new(done, fg_jstr(wk, "code"), json_true());
		json_array_append_new(json_object_get(out, "work_kinds"),
		    json_pack("{s:O, s:O, s:O}", "code", json_object_get(wk, "code"), "name_zh", json_object_get(wk, "name_zh"),
			"name_en", json_object_get(wk, "name_en")));
		json_t *b = kb_find("briefings", "code", fg_jstr(wk, "briefing"));
		if (b && !json_object_get(done, fg_jstr(b, "code"))) {
			json_object_set_new(done, fg_jstr(b, "code"), json_true());
			append_all(json_object_get(out, "workflow"), json_object_get(b, "workflow_zh"));
			json_array_append(json_object_get(out, "content"), json_object_get(b, "content_zh"));
			append_all(json_object_get(out, "quality"), json_object_get(b, "quality_zh"));
			append_all(json_object_get(out, "technical"), json_object_get(b, "technical_zh"));
			append_all(json_object_get(out, "safety"), json_object_get(b, "safety_zh"));
			append_all(json_object_get(out, "workflow_en"), json_object_get(b, "workflow_en"));
			if (json_is_string(json_object_get(b, "content_en")))
				json_array_append(json_object_get(out, "content_en"), json_object_get(b, "content_en"));
			append_all(json_object_get(out, "quality_en"), json_object_get(b, "quality_en"));
			append_all(json_object_get(out, "technical_en"), json_object_get(b, "technical_en"));
			append_all(json_object_get(out, "safety_en"), json_object_get(b, "safety_en"));
			json_array_append(json_object_get(out, "sources"), json_object_get(b, "source"));
		}
	}
	json_decref(done);
	/* the ticket's own risk points and measures, when the ticket exists */
	json_t *t = tickets_active_for_plan(db, fg_jstr(plan, "id")), *r, *m;
	json_array_foreach(json_object_get(t, "risks"), i, r) {
		json_t *ms = json_array(), *ms_en = json_array();
		size_t j;
		json_array_foreach(json_object_get(t, "measures"), j, m) {
			const char *rid = fg_jstr(m, "risk_id");
			if (rid && fg_jstr(r, "risk_id") && strcmp(rid, fg_jstr(r, "risk_id")) == 0) {
				json_array_append(ms, json_object_get(m, "text"));
				json_array_append(ms_en, fg_jstr(m, "text_en") ? json_object_get(m, "text_en") : json_object_get(m, "text"));
			}
		}
		json_array_append_new(json_object_get(out, "risks"),
		    json_pack("{s:O, s:O, s:O, s:o, s:o}", "hazard", json_object_get(r, "hazard"), "hazard_en",
			fg_jstr(r, "hazard_en") ? json_object_get(r, "hazard_en") : json_object_get(r, "hazard"), "level",
			json_object_get(r, "level"), "measures", ms, "measures_en", ms_en));
	}
	if (t)
		json_object_set(out, "ticket_number", json_object_get(t, "number"));
	json_decref(t);
	return out;
}

static bool
is_leader(json_t *plan, const auth_user_t *a)
{
	return strcmp(fg_jstr(plan, "leader_id"), a->id) == 0;
}

static json_t *
plan_or_fail(db_t *db, const char *plan_id, fg_err_t *err)
{
	json_t *p = plans_get(db, plan_id);
	if (!p)
		fg_err_not_found(err, "plan", plan_id);
	return p;
}

int
briefings_generate(db_t *db, const auth_user_t *actor, const char *plan_id, json_t **out, fg_err_t *err)
{
	json_t *before = NULL, *plan;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "plans", plan_id) != 0)
		return db_fail(db, err);
	if (!(plan = plan_or_fail(db, plan_id, err)))
		return db_fail(db, err);
	if (!is_leader(plan, actor) && !(actor->roles & (ROLE_ADMIN | ROLE_MANAGER))) {
		json_decref(plan);
		return db_fail(db, (fg_err(err, "not_the_leader"), err));
	}
	before = briefings_get(db, plan_id);
	if (before && !json_is_null(json_object_get(before, "held_at"))) { /* what was said cannot be rewritten */
		fg_err(err, "invalid_transition");
		fg_err_detail_str(err, "state", "held");
		fg_err_detail_str(err, "action", "generate");
		goto fail;
	}
	json_t *content = compose(db, plan);
	char *text = json_dumps(content, JSON_COMPACT);
	json_decref(content);
	int64_t now = fg_now_ms();
	int rc;
	if (before) {
		rc = db_run(db_q(db, "UPDATE briefings SET content = $1, updated_at = $2, version = version + 1 WHERE plan_id = $3",
		    "tit", text, now, plan_id));
	} else {
		char id[37];
		fg_uuid7(id);
		rc = db_run(db_q(db, "INSERT INTO briefings (id, plan_id, content, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)",
		    "tttii", id, plan_id, text, now, now));
	}
	free(text);
	if (rc != DB_DONE)
		goto fail;
	json_t *after = briefings_get(db, plan_id);
	if (!after || audit_write(db, actor->id, before ? "regenerate" : "create", "briefing", fg_jstr(after, "id"), before, after) != 0 ||
	    db_commit(db) != 0) {
		json_decref(after);
		goto fail;
	}
	json_decref(plan);
	json_decref(before);
	*out = after;
	return 0;
fail:
	json_decref(plan);
	json_decref(before);
	return db_fail(db, err);
}

int
briefings_hold(db_t *db, const auth_user_t *actor, const char *plan_id, json_t **out, fg_err_t *err)
{
	json_t *plan, *before = NULL, *after = NULL;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "plans", plan_id) != 0)
		return db_fail(db, err);
	if (!(plan = plan_or_fail(db, plan_id, err)))
		return db_fail(db, err);
	if (!is_leader(plan, actor)) {
		fg_err(err, "not_the_leader");
		goto fail;
	}
	before = briefings_get(db, plan_id);
	if (!before) {
		fg_err_not_found(err, "briefing", plan_id);
		goto fail;
	}
	if (db_run(db_q(db,
		"UPDATE briefings SET held_by = $1, held_at = COALESCE(held_at, $2), updated_at = $2, version = version + 1 "
		"WHERE plan_id = $3", "tit", actor->id, fg_now_ms(), plan_id)) != DB_DONE)
		goto fail;
	after = briefings_get(db, plan_id);
	if (!after || audit_write(db, actor->id, "hold", "briefing", fg_jstr(after, "id"), before, after) != 0 || db_commit(db) != 0)
		goto fail;
	json_decref(plan);
	json_decref(before);
	*out = after;
	return 0;
fail:
	json_decref(plan);
	json_decref(before);
	json_decref(after);
	return db_fail(db, err);
}

int
briefings_sign(db_t *db, const auth_user_t *actor, const char *plan_id, json_t *in, bool reauthed, json_t **out,
    fg_err_t *err)
{
	json_t *plan, *b = NULL, *after = NULL;
	const char *subject = fg_blank(fg_jstr(in, "user_id")) ? actor->id : fg_jstr(in, "user_id");
	bool for_other = strcmp(subject, actor->id) != 0;
	const char *sig = fg_blank(fg_jstr(in, "signature_id")) ? NULL : fg_jstr(in, "signature_id");
	char lat[32], lng[32];
	const char *place;
	if (tickets_where(in, lat, lng, &place, err) != 0)
		return -1;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "plans", plan_id) != 0)
		return db_fail(db, err);
	if (!(plan = plan_or_fail(db, plan_id, err)))
		return db_fail(db, err);
	bool member = strcmp(fg_jstr(plan, "leader_id"), subject) == 0;
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(plan, "crew"), i, c) member |= strcmp(fg_jstr(c, "id"), subject) == 0;
	if (for_other) {
		/* nobody confirms another's presence: only the member's own password, re-entered on the leader's screen
		 * beside their handwritten mark, stands for them (briefings_api.c checks it) */
		if (!reauthed) {
			fg_err(err, "attendance_not_own");
			fg_err_detail_str(err, "user_id", subject);
			goto fail;
		}
		if (!is_leader(plan, actor)) {
			fg_err(err, "not_the_leader");
			goto fail;
		}
		if (!member) {
			fg_err_field(err, "invalid_field", "user_id", "a member of the plan");
			goto fail;
		}
		if (!sig) {
			fg_err_field(err, "attendance_signature_required", "signature_id", "the member's handwritten mark (a PNG)");
			goto fail;
		}
	} else if (!member) {
		fg_err(err, "forbidden");
		fg_err_detail_str(err, "permission", "members of the plan sign their own attendance");
		goto fail;
	}
	if (sig) {
		json_t *a = json_pack("[s]", sig);
		int arc = attach_ids_check(db, a, "signature_id", 1, "image/png", err);
		json_decref(a);
		if (arc != 0)
			goto fail;
	}
	b = briefings_get(db, plan_id);
	if (!b || json_is_null(json_object_get(b, "held_at"))) {
		fg_err(err, "briefing_not_held");
		goto fail;
	}
	/* a second confirmation of the same person keeps the first (its time, place and way) */
	if (db_run(db_q(db,
		"INSERT INTO briefing_attendance (briefing_id, user_id, signed_at, method, recorded_by, signature_id, lat, lng, place, "
		"device_at) VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, ''), NULLIF($8, ''), $9, NULLIF(CAST($10 AS BIGINT), 0)) ON CONFLICT DO NOTHING",
		"ttitttttti", fg_jstr(b, "id"), subject, fg_now_ms(), for_other ? "leader_screen" : "own_device", actor->id, sig,
		lat, lng, place, (int64_t)json_integer_value(json_object_get(in, "device_at")))) != DB_DONE)
		goto fail;
	after = briefings_get(db, plan_id);
	json_t *info = json_pack("{s:s, s:s, s:s, s:s}", "user_id", subject, "plan_id", plan_id, "method",
	    for_other ? "leader_screen" : "own_device", "recorded_by", actor->id);
	int arc = after ? audit_write(db, actor->id, "sign_attendance", "briefing", fg_jstr(b, "id"), NULL, info) : -1;
	json_decref(info);
	if (arc != 0 || db_commit(db) != 0)
		goto fail;
	json_decref(plan);
	json_decref(b);
	*out = after;
	return 0;
fail:
	json_decref(plan);
	json_decref(b);
	json_decref(after);
	return db_fail(db, err);
}
