#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/auth/perm.h"
#include "safety/interface/kb.h"
#include "fieldwork/plans/plans.h"
#include "fieldwork/steps/steps.h"

static json_t *
sop_of(const char *kind)
{
	json_t *wk = kb_find("work_kinds", "code", kind);
	return wk ? kb_find("sops", "code", fg_jstr(wk, "sop")) : NULL;
}

json_t *
steps_for_plan(db_t *db, const char *plan_id)
{
	int rc;
	json_t *frozen = plans_record_part(db, plan_id, "steps"); /* a finished job: its steps against the SOPs of then */
	if (frozen)
		return frozen;
	json_t *plan = plans_get(db, plan_id);
	if (!plan)
		return NULL;
	json_t *done = db_all(db_q(db,
	    "SELECT s.id, s.work_order_id, s.step_no, s.result, s.records, s.note, s.done_by, u.display_name AS done_by_name, "
	    "s.done_at, s.device_at FROM job_steps s JOIN users u ON u.id = s.done_by WHERE s.plan_id = $1", "t", plan_id), &rc);
	json_t *items = json_array(), *o, *st, *d;
	size_t i, j, k;
	json_int_t all = 0, all_done = 0;
	json_array_foreach(json_object_get(plan, "work_orders"), i, o) {
		json_t *sop = sop_of(fg_jstr(o, "kind")), *steps = json_array();
		json_int_t n_done = 0;
		json_array_foreach(json_object_get(sop, "steps"), j, st) {
			json_t *s = json_deep_copy(st), *rec = json_null();
			json_array_foreach(done, k, d) {
				if (strcmp(fg_jstr(d, "work_order_id"), fg_jstr(o, "id")) == 0 &&
				    json_integer_value(json_object_get(d, "step_no")) == json_integer_value(json_object_get(st, "no"))) {
					rec = json_deep_copy(d);
					json_t *r = json_loads(fg_jstr(d, "records"), 0, NULL);
					json_object_set_new(rec, "records", r ? r : json_object());
					json_t *ph = db_all(db_q(db, "SELECT attachment_id FROM job_step_photos WHERE step_id = $1 ORDER BY attachment_id",
								"t", fg_jstr(d, "id")), &rc);
					json_object_set_new(rec, "photos", ph ? ph : json_array());
					n_done++;
				}
			}
			json_object_set_new(s, "done", rec);
			json_array_append_new(steps, s);
		}
		all += (json_int_t)json_array_size(steps);
		all_done += n_done;
		json_array_append_new(items, json_pack("{s:O, s:{s:O?, s:O?, s:O?}, s:o, s:{s:I, s:I}}", "work_order", o, "sop",
						     "code", sop ? json_object_get(sop, "code") : NULL, "name_zh",
						     sop ? json_object_get(sop, "name_zh") : NULL, "name_en",
						     sop ? json_object_get(sop, "name_en") : NULL, "steps", steps, "progress", "done", n_done,
						     "total", (json_int_t)json_array_size(steps)));
	}
	json_decref(done);
	json_decref(plan);
	return json_pack("{s:o, s:{s:I, s:I}}", "items", items, "progress", "done", all_done, "total", all);
}

static bool
on_plan(json_t *plan, const auth_user_t *a)
{
	if (a->roles & ROLE_ADMIN || strcmp(fg_jstr(plan, "leader_id"), a->id) == 0)
		return true;
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(plan, "crew"), i, c) if (strcmp(fg_jstr(c, "id"), a->id) == 0) return true;
	return false;
}

int
steps_record(db_t *db, const auth_user_t *actor, const char *plan_id, json_t *in, json_t **out, fg_err_t *err)
{
	json_t *plan = NULL, *order = NULL, *sop, *def = NULL, *st, *v;
	const char *oid = fg_jstr(in, "work_order_id"), *result = fg_jstr(in, "result");
	json_int_t no = json_integer_value(json_object_get(in, "step_no"));
	size_t i;
	int rc;
	if (strcmp(result, "ok") != 0 && strcmp(result, "nonconforming") != 0)
		return fg_err_field(err, "invalid_field", "result", "ok or nonconforming");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "plans", plan_id) != 0)
		goto fail;
	plan = plans_get(db, plan_id);
	if (!plan) {
		fg_err_not_found(err, "plan", plan_id);
		goto fail;
	}
	if (!on_plan(plan, actor)) {
		fg_err(err, "forbidden");
		fg_err_detail_str(err, "permission", "people on the plan record its steps");
		goto fail;
	}
	if (strcmp(fg_jstr(plan, "status"), "working") != 0) { /* steps happen while the job runs, after every gate */
		fg_err(err, "invalid_transition");
		fg_err_detail_str(err, "state", fg_jstr(plan, "status"));
		fg_err_detail_str(err, "action", "record_step");
		goto fail;
	}
	json_array_foreach(json_object_get(plan, "work_orders"), i, v) if (strcmp(fg_jstr(v, "id"), oid) == 0) order = v;
	if (!order) {
		fg_err_field(err, "invalid_field", "work_order_id", "not an order of this plan");
		goto fail;
	}
	sop = sop_of(fg_jstr(order, "kind"));
	json_array_foreach(json_object_get(sop, "steps"), i, st) if (json_integer_value(json_object_get(st, "no")) == no) def = st;
	if (!def) {
		fg_err_field(err, "invalid_field", "step_no", "no such step in the order's SOP");
		goto fail;
	}
	/* standard steps go in their order: every earlier step must be recorded */
	json_t *have = db_all(db_q(db, "SELECT step_no FROM job_steps WHERE work_order_id = $1", "t", oid), &rc);
	if (!have)
		goto fail;
	json_t *missing = json_array();
	bool already = false;
	for (json_int_t n = 1; n <= no; n++) {
		bool got = false;
		json_array_foreach(have, i, v) got |= json_integer_value(json_object_get(v, "step_no")) == n;
		if (n == no)
			already = got;
		else if (!got)
			json_array_append_new(missing, json_integer(n));
	}
	json_decref(have);
	if (already || json_array_size(missing)) {
		fg_err(err, already ? "step_done" : "step_out_of_order");
		if (!already)
			fg_err_detail(err, "missing", missing);
		else
			json_decref(missing);
		goto fail;
	}
	json_decref(missing);
	if (steps_check_records(json_object_get(def, "records"), json_object_get(in, "records"), err))
		goto fail;
	json_t *photos = json_object_get(in, "photo_ids");
	if (json_is_true(json_object_get(def, "photo_required")) && json_array_size(photos) == 0) {
		fg_err(err, "step_photo_missing");
		fg_err_detail_int(err, "step_no", no);
		goto fail;
	}
	char id[37];
	fg_uuid7(id);
	char *rec = json_dumps(json_object_get(in, "records"), JSON_COMPACT | JSON_SORT_KEYS);
	rc = db_run(db_q(db,
	    "INSERT INTO job_steps (id, plan_id, work_order_id, sop, step_no, title, result, records, note, done_by, done_at, "
	    "device_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULLIF(CAST($12 AS BIGINT), 0))",
	    "ttttitttt" "tii", id, plan_id, oid, fg_jstr(sop, "code"), (int64_t)no, fg_jstr(def, "title_zh"), result, rec, fg_jstr(in, "note"),
	    actor->id, fg_now_ms(), (int64_t)json_integer_value(json_object_get(in, "device_at"))));
	free(rec);
	if (rc == DB_CONFLICT) {
		fg_err(err, "step_done");
		goto fail;
	}
	if (rc != DB_DONE)
		goto fail;
	json_array_foreach(photos, i, v) {
		json_t *a = db_one(db_q(db, "SELECT content_type FROM attachments WHERE id = $1", "t", json_string_value(v)), &rc);
		if (!a) {
			fg_err_field(err, "invalid_field", "photo_ids", "no such attachment");
			goto fail;
		}
		json_decref(a);
		if (db_run(db_q(db, "INSERT INTO job_step_photos (step_id, attachment_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", "tt",
			id, json_string_value(v))) != DB_DONE)
			goto fail;
	}
	json_t *after = json_pack("{s:s, s:s, s:s, s:I, s:s, s:O}", "id", id, "plan_id", plan_id, "work_order_id", oid, "step_no",
	    no, "result", result, "records", json_object_get(in, "records"));
	rc = audit_write(db, actor->id, "record_step", "step", id, NULL, after);
	json_decref(after);
	if (rc != 0 || db_commit(db) != 0)
		goto fail;
	json_decref(plan);
	*out = steps_for_plan(db, plan_id);
	return *out ? 0 : fg_err(err, "internal");
fail:
	json_decref(plan);
	return db_fail(db, err);
}
