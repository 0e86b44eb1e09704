/* Emergency plans and drills (R2.14, R4.6): the rules of drills.h, apart from the HTTP glue. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "core/audit/audit.h"
#include "core/base/counter.h"
#include "core/base/day.h"
#include "core/base/embed.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "shared/org/org.h"
#include "safety/drills/drills.h"

#define PLAN_COLS                                                                                                      \
	"id, number, kind, title, content, attachment_ids, org_unit_id, review_on, created_by, created_at, updated_at, "  \
	"version"
#define DRILL_COLS                                                                                                     \
	"d.id, d.number, d.plan_id, p.number AS plan_number, p.kind AS plan_kind, p.title AS plan_title, d.date, d.place, " \
	"d.scenario, d.status, d.findings, d.recorded_by, d.recorded_at, d.created_by, d.created_at, d.updated_at, "       \
	"d.version FROM drills d JOIN emergency_plans p ON p.id = d.plan_id"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static json_t *kinds_doc; /* the plan kinds' file, held for the process's life */

static void
load(void)
{
	const embed_file_t *f = embed_find("data/emergency/kinds.json");
	kinds_doc = f ? json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, NULL) : NULL;
	if (!kinds_doc) {
		log_error("data/emergency/kinds.json: missing or invalid");
		abort();
	}
}

/* The kinds (borrowed: they live as long as the process). */
static json_t *
kinds(void)
{
	pthread_once(&once, load);
	return json_object_get(kinds_doc, "items");
}

static json_t *
kind_of(const char *code)
{
	size_t i;
	json_t *k;
	json_array_foreach(kinds(), i, k) if (code && strcmp(fg_jstr(k, "code"), code) == 0) return k;
	return NULL;
}

json_t *
drills_plan_get(db_t *db, const char *id)
{
	int rc;
	json_t *p = db_one(db_q(db, "SELECT " PLAN_COLS " FROM emergency_plans WHERE id = $1", "t", id), &rc);
	if (!p)
		return NULL;
	const char *a = fg_jstr(p, "attachment_ids");
	json_t *ids = a ? json_loads(a, 0, NULL) : NULL;
	json_object_set_new(p, "attachment_ids", ids ? ids : json_array());
	json_t *k = kind_of(fg_jstr(p, "kind"));
	json_object_set(p, "kind_name", k ? json_object_get(k, "name_zh") : json_null());
	char today[11];
	day_today(today);
	const char *rv = fg_jstr(p, "review_on");
	json_object_set_new(p, "review_overdue", json_boolean(rv && strcmp(rv, today) < 0));
	json_t *d = db_all(db_q(db, "SELECT id, number, date, status FROM drills WHERE plan_id = $1 ORDER BY date DESC, id",
			       "t", id), &rc);
	json_object_set_new(p, "drills", d ? d : json_array());
	return p;
}

json_t *
drills_plan_list(db_t *db, const char *kind)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT id FROM emergency_plans WHERE (CAST($1 AS TEXT) IS NULL OR kind = $1) ORDER BY kind, number",
				  "t", kind), &rc), *r;
	if (!rows)
		return NULL;
	json_t *items = json_array();
	size_t i;
	json_array_foreach(rows, i, r) {
		json_t *p = drills_plan_get(db, fg_jstr(r, "id"));
		if (p)
			json_array_append_new(items, p);
	}
	json_decref(rows);
	return json_pack("{s:o, s:O}", "items", items, "kinds", kinds());
}

/* The fields create and update share; only those present are checked. *ids gets the attachments as text. */
static int
check_plan(db_t *db, json_t *in, char **ids, fg_err_t *err)
{
	int rc;
	json_t *a = json_object_get(in, "attachment_ids"), *v;
	size_t i;
	if (json_object_get(in, "kind") && !kind_of(fg_jstr(in, "kind")))
		return fg_err_field(err, "invalid_field", "kind", "a kind of data/emergency/kinds.json");
	if (json_object_get(in, "title") && fg_blank(fg_jstr(in, "title")))
		return fg_err_field(err, "invalid_field", "title", "required");
	if (json_object_get(in, "content") && fg_blank(fg_jstr(in, "content")))
		return fg_err_field(err, "invalid_field", "content", "required");
	const char *rv = fg_jstr(in, "review_on");
	if (rv && !day_valid(rv))
		return fg_err_field(err, "invalid_field", "review_on", "YYYY-MM-DD");
	const char *unit = fg_jstr(in, "org_unit_id");
	json_t *o = unit ? org_get(db, unit) : NULL;
	json_decref(o);
	if (unit && !o)
		return fg_err_field(err, "invalid_field", "org_unit_id", "no such org unit");
	json_array_foreach(a, i, v) {
		json_t *at = db_one(db_q(db, "SELECT id FROM attachments WHERE id = $1", "t", json_string_value(v)), &rc);
		json_decref(at);
		if (!at) {
			fg_err_field(err, "invalid_field", "attachment_ids", "no such attachment");
			fg_err_detail(err, "value", json_copy(v));
			return -1;
		}
	}
	*ids = json_is_array(a) ? json_dumps(a, JSON_COMPACT) : NULL;
	return 0;
}

int
drills_plan_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	char id[37], number[32], *ids = NULL;
	int64_t now = fg_now_ms();
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (check_plan(db, in, &ids, err) != 0 || counter_number(db, "YA", number) != 0)
		goto fail;
	fg_uuid7(id);
	if (db_run(db_q(db,
		"INSERT INTO emergency_plans (id, number, kind, title, content, attachment_ids, org_unit_id, review_on, "
		"created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
		"ttttttttti", id, number, fg_jstr(in, "kind"), fg_jstr(in, "title"), fg_jstr(in, "content"), ids,
		fg_jstr(in, "org_unit_id"), fg_jstr(in, "review_on"), actor_id, now)) != DB_DONE)
		goto fail;
	free(ids);
	return audit_commit(db, actor_id, "create", "emergency_plan", id, NULL, drills_plan_get(db, id), out, err);
fail:
	free(ids);
	return db_fail(db, err);
}

int
drills_plan_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	char *ids = NULL;
	json_t *before = NULL;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "emergency_plans", id) != 0)
		goto fail;
	if (!(before = drills_plan_get(db, id))) {
		fg_err_not_found(err, "emergency_plan", id);
		goto fail;
	}
	if (db_check_version(before, in, err) || check_plan(db, in, &ids, err) != 0)
		goto fail;
	if (db_run(db_q(db,
		"UPDATE emergency_plans SET title = COALESCE($1, title), content = COALESCE($2, content), "
		"attachment_ids = CASE WHEN $3 = 1 THEN $4 ELSE attachment_ids END, "
		"org_unit_id = CASE WHEN $5 = 1 THEN $6 ELSE org_unit_id END, "
		"review_on = CASE WHEN $7 = 1 THEN $8 ELSE review_on END, updated_at = $9, version = version + 1 WHERE id = $10",
		"ttbtbtbtit", fg_jstr(in, "title"), fg_jstr(in, "content"), json_object_get(in, "attachment_ids") != NULL, ids,
		json_object_get(in, "org_unit_id") != NULL, fg_jstr(in, "org_unit_id"), json_object_get(in, "review_on") != NULL,
		fg_jstr(in, "review_on"), fg_now_ms(), id)) != DB_DONE)
		goto fail;
	free(ids);
	return audit_commit(db, actor_id, "update", "emergency_plan", id, before, drills_plan_get(db, id), out, err);
fail:
	free(ids);
	json_decref(before);
	return db_fail(db, err);
}

json_t *
drills_get(db_t *db, const char *id)
{
	int rc;
	json_t *d = db_one(db_q(db, "SELECT " DRILL_COLS " WHERE d.id = $1", "t", id), &rc);
	if (!d)
		return NULL;
	json_t *att = db_all(db_q(db,
	    "SELECT a.user_id, u.display_name, u.username, a.present FROM drill_attendance a JOIN users u ON u.id = a.user_id "
	    "WHERE a.drill_id = $1 ORDER BY u.username", "t", id), &rc), *a;
	size_t i;
	json_array_foreach(att, i, a) json_object_set_new(a, "present", json_boolean(json_integer_value(json_object_get(a, "present"))));
	json_object_set_new(d, "attendance", att ? att : json_array());
	json_t *imp = db_all(db_q(db,
	    "SELECT i.id, i.seq, i.text, i.owner_id, u.display_name AS owner_name, i.due_on, i.status, i.closed_by, i.closed_at, "
	    "i.close_note, i.version FROM drill_improvements i JOIN users u ON u.id = i.owner_id WHERE i.drill_id = $1 "
	    "ORDER BY i.seq", "t", id), &rc);
	char today[11];
	day_today(today);
	json_array_foreach(imp, i, a) json_object_set_new(a, "overdue", json_boolean(strcmp(fg_jstr(a, "status"), "open") == 0 &&
									   strcmp(fg_jstr(a, "due_on"), today) < 0));
	json_object_set_new(d, "improvements", imp ? imp : json_array());
	return d;
}

json_t *
drills_list(db_t *db, const char *month, const char *plan_id)
{
	int rc;
	char from[11] = "0000-00-00", to[11] = "9999-99-99";
	if (month) {
		fg_fmt(from, sizeof from, "%s-01", month);
		fg_fmt(to, sizeof to, "%s-32", month); /* every day of the month sorts below "-32" */
	}
	json_t *rows = db_all(db_q(db,
	    "SELECT d.id FROM drills d WHERE d.date >= $1 AND d.date < $2 AND (CAST($3 AS TEXT) IS NULL OR d.plan_id = $3) "
	    "ORDER BY d.date, d.number LIMIT 500", "ttt", from, to, plan_id), &rc), *r;
	if (!rows)
		return NULL;
	json_t *items = json_array();
	size_t i;
	json_array_foreach(rows, i, r) {
		json_t *d = drills_get(db, fg_jstr(r, "id"));
		if (d)
			json_array_append_new(items, d);
	}
	json_decref(rows);
	return json_pack("{s:s?, s:o}", "month", month, "items", items);
}

int
drills_schedule(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	int rc;
	char id[37], number[32];
	const char *date = fg_jstr(in, "date");
	if (!day_valid(date))
		return fg_err_field(err, "invalid_field", "date", "YYYY-MM-DD");
	if (fg_blank(fg_jstr(in, "place")))
		return fg_err_field(err, "invalid_field", "place", "required");
	if (fg_blank(fg_jstr(in, "scenario")))
		return fg_err_field(err, "invalid_field", "scenario", "required");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	json_t *p = db_one(db_q(db, "SELECT id FROM emergency_plans WHERE id = $1", "t", fg_jstr(in, "plan_id")), &rc);
	json_decref(p);
	if (!p) {
		fg_err_field(err, "invalid_field", "plan_id", "no such emergency plan");
		return db_fail(db, err);
	}
	int64_t now = fg_now_ms();
	fg_uuid7(id);
	if (counter_number(db, "YL", number) != 0 ||
	    db_run(db_q(db,
		"INSERT INTO drills (id, number, plan_id, date, place, scenario, status, created_by, created_at, updated_at) "
		"VALUES ($1, $2, $3, $4, $5, $6, 'scheduled', $7, $8, $8)",
		"ttttttti", id, number, fg_jstr(in, "plan_id"), date, fg_jstr(in, "place"), fg_jstr(in, "scenario"), actor_id,
		now)) != DB_DONE)
		return db_fail(db, err);
	return audit_commit(db, actor_id, "create", "drill", id, NULL, drills_get(db, id), out, err);
}

/* A person of the people records: an existing user (enabled or not: a drill records who was there). */
static bool
known_person(db_t *db, const char *id)
{
	int rc;
	json_t *u = id ? db_one(db_q(db, "SELECT id FROM users WHERE id = $1", "t", id), &rc) : NULL;
	json_decref(u);
	return u != NULL;
}

static int
unknown(fg_err_t *err, const char *field, size_t index, const char *id)
{
	fg_err_field(err, "drill_person_unknown", field, "not a person of the people records");
	fg_err_detail_int(err, "index", (long long)index);
	fg_err_detail_str(err, "user_id", id);
	return -1;
}

/* The record's lists, checked before anything is written. */
static int
check_record(db_t *db, json_t *in, fg_err_t *err)
{
	json_t *att = json_object_get(in, "attendance"), *imp = json_object_get(in, "improvements"), *a;
	size_t i, j;
	if (!json_is_array(att) || json_array_size(att) == 0 || json_array_size(att) > 500)
		return fg_err_field(err, "invalid_field", "attendance", "a non-empty list of {user_id, present}");
	json_array_foreach(att, i, a) {
		if (!json_is_object(a) || !json_is_string(json_object_get(a, "user_id")) || !json_is_boolean(json_object_get(a, "present")) ||
		    json_object_size(a) != 2)
			return fg_err_field(err, "invalid_field", "attendance", "each {user_id, present}");
		if (!known_person(db, fg_jstr(a, "user_id")))
			return unknown(err, "attendance", i, fg_jstr(a, "user_id"));
		for (j = 0; j < i; j++)
			if (strcmp(fg_jstr(json_array_get(att, j), "user_id"), fg_jstr(a, "user_id")) == 0)
				return fg_err_field(err, "invalid_field", "attendance", "a person listed twice");
	}
	if (imp && !json_is_array(imp))
		return fg_err_field(err, "invalid_field", "improvements", "a list of {text, owner_id, due_on}");
	json_array_foreach(imp, i, a) {
		if (!json_is_object(a) || fg_blank(fg_jstr(a, "text")) || !day_valid(fg_jstr(a, "due_on")) ||
		    !json_is_string(json_object_get(a, "owner_id")))
			return fg_err_field(err, "invalid_field", "improvements", "each {text, owner_id, due_on YYYY-MM-DD}");
		if (!known_person(db, fg_jstr(a, "owner_id")))
			return unknown(err, "improvements", i, fg_jstr(a, "owner_id"));
	}
	return 0;
}

int
drills_record(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	json_t *before = NULL, *a;
	size_t i;
	int64_t now = fg_now_ms();
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "drills", id) != 0)
		goto fail;
	if (!(before = drills_get(db, id))) {
		fg_err_not_found(err, "drill", id);
		goto fail;
	}
	if (json_is_integer(json_object_get(in, "version")) && db_check_version(before, in, err)) /* version: optional */
		goto fail;
	if (strcmp(fg_jstr(before, "status"), "scheduled") != 0) { /* recorded once: a record is history */
		fg_err(err, "invalid_transition");
		fg_err_detail_str(err, "state", fg_jstr(before, "status"));
		fg_err_detail_str(err, "action", "record");
		goto fail;
	}
	if (check_record(db, in, err) != 0)
		goto fail;
	if (db_run(db_q(db,
		"UPDATE drills SET status = 'recorded', findings = $1, recorded_by = $2, recorded_at = $3, updated_at = $3, "
		"version = version + 1 WHERE id = $4 AND status = 'scheduled'",
		"ttit", fg_jstr(in, "findings"), actor_id, now, id)) != DB_DONE)
		goto fail;
	json_array_foreach(json_object_get(in, "attendance"), i, a) if (db_run(db_q(db,
		"INSERT INTO drill_attendance (drill_id, user_id, present) VALUES ($1, $2, $3)", "ttb", id,
		fg_jstr(a, "user_id"), json_is_true(json_object_get(a, "present")))) != DB_DONE) goto fail;
	json_array_foreach(json_object_get(in, "improvements"), i, a) {
		char iid[37];
		fg_uuid7(iid);
		if (db_run(db_q(db,
			"INSERT INTO drill_improvements (id, drill_id, seq, text, owner_id, due_on, status) "
			"VALUES ($1, $2, $3, $4, $5, $6, 'open')",
			"ttittt", iid, id, (int64_t)(i + 1), fg_jstr(a, "text"), fg_jstr(a, "owner_id"), fg_jstr(a, "due_on"))) != DB_DONE)
			goto fail;
	}
	return audit_commit(db, actor_id, "record", "drill", id, before, drills_get(db, id), out, err);
fail:
	json_decref(before);
	return db_fail(db, err);
}

int
drills_improvement_close(db_t *db, const char *actor_id, bool may_any, const char *drill_id, const char *imp_id,
    json_t *in, json_t **out, fg_err_t *err)
{
	int rc;
	json_t *before = NULL, *imp = NULL;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "drill_improvements", imp_id) != 0)
		goto fail;
	imp = db_one(db_q(db, "SELECT id, owner_id, status FROM drill_improvements WHERE id = $1 AND drill_id = $2", "tt",
			     imp_id, drill_id), &rc);
	if (!imp) {
		fg_err_not_found(err, "drill_improvement", imp_id);
		goto fail;
	}
	if (!may_any && strcmp(fg_jstr(imp, "owner_id"), actor_id) != 0) {
		fg_err(err, "forbidden");
		fg_err_detail_str(err, "permission", "drills.write (or the improvement's owner)");
		goto fail;
	}
	if (strcmp(fg_jstr(imp, "status"), "open") != 0) {
		fg_err(err, "invalid_transition");
		fg_err_detail_str(err, "state", fg_jstr(imp, "status"));
		fg_err_detail_str(err, "action", "close");
		goto fail;
	}
	before = drills_get(db, drill_id);
	if (!before || db_run(db_q(db,
			   "UPDATE drill_improvements SET status = 'closed', closed_by = $1, closed_at = $2, close_note = $3, "
			   "version = version + 1 WHERE id = $4 AND status = 'open'",
			   "titt", actor_id, fg_now_ms(), fg_jstr(in, "note"), imp_id)) != DB_DONE)
		goto fail;
	json_decref(imp);
	return audit_commit(db, actor_id, "close_improvement", "drill", drill_id, before, drills_get(db, drill_id), out, err);
fail:
	json_decref(imp);
	json_decref(before);
	return db_fail(db, err);
}
