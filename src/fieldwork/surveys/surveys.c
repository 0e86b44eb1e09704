#include <string.h>
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/auth/perm.h"
#include "fieldwork/plans/plans.h"
#include "fieldwork/surveys/surveys.h"

json_t *
surveys_get(db_t *db, const char *plan_id)
{
	int rc;
	json_t *s = db_one(db_q(db,
	    "SELECT s.id, s.plan_id, s.place, s.content, s.outage_scope, s.live_parts, s.risks, s.measures, s.notes, "
	    "s.surveyed_by, u.display_name AS surveyed_by_name, s.surveyed_at, s.device_at, s.created_at, s.updated_at, s.version "
	    "FROM surveys s JOIN users u ON u.id = s.surveyed_by WHERE s.plan_id = $1", "t", plan_id), &rc);
	if (!s)
		return NULL;
	static const char *const js[] = {"risks", "measures"};
	for (int i = 0; i < 2; i++) {
		json_t *v = json_loads(fg_jstr(s, js[i]), 0, NULL);
		json_object_set_new(s, js[i], v ? v : json_array());
	}
	json_t *photos = db_all(db_q(db,
	    "SELECT id, content_type, size, filename, created_at FROM attachments WHERE entity = 'survey' AND entity_id = $1 "
	    "ORDER BY id", "t", fg_jstr(s, "id")), &rc);
	json_object_set_new(s, "photos", photos ? photos : json_array());
	return s;
}

/* Risks found on site: each needs a hazard; level 1–5 (default 3); measures are texts. */
static int
check_risks(json_t *risks, fg_err_t *err)
{
	size_t i, j;
	json_t *r, *m;
	json_array_foreach(risks, i, r) {
		const char *h = fg_jstr(r, "hazard");
		json_t *lv = json_object_get(r, "level"), *ms = json_object_get(r, "measures");
		if (!json_is_object(r) || !h || !*h || strlen(h) > 500)
			return fg_err_field(err, "invalid_field", "risks", "each risk needs a hazard (text, up to 500)");
		if (lv && (!json_is_integer(lv) || json_integer_value(lv) < 1 || json_integer_value(lv) > 5))
			return fg_err_field(err, "invalid_field", "risks", "level is 1 (highest) to 5");
		if (ms && !json_is_array(ms))
			return fg_err_field(err, "invalid_field", "risks", "measures is a list of texts");
		json_array_foreach(ms, j, m) if (!json_is_string(m) || !*json_string_value(m)) return fg_err_field(err, "invalid_field", "risks", "measures are non-empty texts");
	}
	if (json_array_size(risks) > 100)
		return fg_err_field(err, "invalid_field", "risks", "at most 100");
	return 0;
}

int
surveys_put(db_t *db, const auth_user_t *actor, const char *plan_id, json_t *in, json_t **out, fg_err_t *err)
{
	json_t *plan = NULL, *before = NULL, *after = NULL;
	json_t *risks = json_object_get(in, "risks"), *measures = json_object_get(in, "measures");
	if (!*fg_jstr(in, "place") || !*fg_jstr(in, "content"))
		return fg_err_field(err, "invalid_field", !*fg_jstr(in, "place") ? "place" : "content", "must not be empty");
	if (risks && check_risks(risks, err))
		return -1;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "plans", plan_id) != 0)
		goto fail;
	plan = plans_get(db, plan_id);
	if (!plan) {
		fg_err_not_found(err, "plan", plan_id);
		goto fail;
	}
	bool leader = strcmp(fg_jstr(plan, "leader_id"), actor->id) == 0;
	if (!leader && !(actor->roles & (ROLE_ADMIN | ROLE_ISSUER | ROLE_MANAGER))) {
		fg_err(err, "forbidden");
		fg_err_detail_str(err, "permission", "the plan's leader, an issuer or a manager records the survey");
		goto fail;
	}
	const char *st = fg_jstr(plan, "status");
	if (strcmp(st, "draft") != 0 && strcmp(st, "published") != 0) {
		fg_err(err, "invalid_transition");
		fg_err_detail_str(err, "state", st);
		fg_err_detail_str(err, "action", "survey");
		goto fail;
	}
	before = surveys_get(db, plan_id);
	/* replacing needs the version the client read; none sent reads as 0, never a stored version */
	if (before && db_check_version(before, in, err))
		goto fail;
	json_t *none = json_array(); /* risks or measures left out are stored as [] (the array itself was leaked before) */
	char *rj = json_dumps(risks ? risks : none, JSON_COMPACT), *mj = json_dumps(measures ? measures : none, JSON_COMPACT);
	json_decref(none);
	int64_t now = fg_now_ms(), dev = json_integer_value(json_object_get(in, "device_at"));
	int rc;
	if (before) {
		rc = db_run(db_q(db,
		    "UPDATE surveys SET place = $1, content = $2, outage_scope = $3, live_parts = $4, risks = $5, measures = $6, "
		    "notes = $7, surveyed_by = $8, surveyed_at = $9, updated_at = $9, version = version + 1, device_at = NULLIF(CAST($11 AS BIGINT), 0) "
		    "WHERE plan_id = $10",
		    "ttttttttiti", fg_jstr(in, "place"), fg_jstr(in, "content"), fg_jstr(in, "outage_scope"), fg_jstr(in, "live_parts"), rj, mj,
		    fg_jstr(in, "notes"), actor->id, now, plan_id, dev));
	} else {
		char id[37];
		fg_uuid7(id);
		rc = db_run(db_q(db,
		    "INSERT INTO surveys (id, plan_id, place, content, outage_scope, live_parts, risks, measures, notes, surveyed_by, "
		    "surveyed_at, created_at, updated_at, device_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $11, "
		    "NULLIF(CAST($12 AS BIGINT), 0))",
		    "ttttttttttii", id, plan_id, fg_jstr(in, "place"), fg_jstr(in, "content"), fg_jstr(in, "outage_scope"),
		    fg_jstr(in, "live_parts"), rj, mj, fg_jstr(in, "notes"), actor->id, now, dev));
	}
	free(rj);
	free(mj);
	if (rc != DB_DONE)
		goto fail;
	after = surveys_get(db, plan_id);
	if (!after || audit_write(db, actor->id, before ? "update" : "create", "survey", fg_jstr(after, "id"), before, after) != 0 ||
	    db_commit(db) != 0)
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
