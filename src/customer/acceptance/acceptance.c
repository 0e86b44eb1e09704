/* Joint acceptance records, their items and signatures, and the hazards found (acceptance.h). */
#include <string.h>
#include <ctype.h>
#include "core/base/util.h"
#include "core/base/embed.h"
#include "core/base/day.h"
#include "core/base/log.h"
#include "core/audit/audit.h"
#include "core/auth/perm.h"
#include "customer/applications/applications.h"
#include "customer/acceptance/acceptance.h"
#include "core/base/sample.h"

#define CHECKLISTS "data/acceptance/checklists.json"

static json_t *lists; /* the parsed checklists (read-only after start) */

static bool
is_hv(const char *track)
{
	return track && (strcmp(track, "hv_single") == 0 || strcmp(track, "hv_dual") == 0);
}

static json_t *
stage_def(const char *stage)
{
	return stage ? json_object_get(json_object_get(lists, "stages"), stage) : NULL;
}

static json_t *
dept_def(const char *dept)
{
	return dept ? json_object_get(json_object_get(lists, "departments"), dept) : NULL;
}

static int
bad_list(const char *what)
{
	log_error(CHECKLISTS ": %s", what);
	return -1;
}

int
acceptance_start(void)
{
	const embed_file_t *f = embed_find(CHECKLISTS);
	json_error_t je;
	if (!f)
		return bad_list("missing");
	json_decref(lists);
	lists = json_loadb(f->data, f->len, 0, &je);
	if (!lists)
		return bad_list(je.text);
	json_t *rate = json_object_get(lists, "sample_rate_percent");
	if (!json_is_integer(rate) || json_integer_value(rate) < 0 || json_integer_value(rate) > 100)
		return bad_list("sample_rate_percent must be 0–100");
	const char *dk;
	json_t *d;
	json_object_foreach(json_object_get(lists, "departments"), dk, d) {
		json_t *r;
		size_t i;
		if (!fg_jstr(d, "name_zh") || !fg_jstr(d, "name_en") || !json_array_size(json_object_get(d, "roles")))
			return bad_list("a department needs name_zh, name_en and roles");
		json_array_foreach(json_object_get(d, "roles"), i, r) if (!perm_role_bit(json_string_value(r)))
			return bad_list("a department names a role that does not exist");
	}
	const char *const stages[] = {"design_review", "mid_inspection", "completion", NULL};
	for (int s = 0; stages[s]; s++) {
		json_t *items = json_object_get(stage_def(stages[s]), "items"), *it;
		size_t i, routine = 0;
		if (!json_array_size(items))
			return bad_list("every stage (design_review, mid_inspection, completion) needs items");
		json_array_foreach(items, i, it) {
			if (!dept_def(fg_jstr(it, "department")) || !fg_jstr(it, "code") || !fg_jstr(it, "text_zh") || !fg_jstr(it, "text_en"))
				return bad_list("an item needs a known department, code, text_zh and text_en");
			for (size_t j = 0; j < i; j++)
				if (strcmp(fg_jstr(json_array_get(items, j), "code"), fg_jstr(it, "code")) == 0)
					return bad_list("item codes must be unique within a stage");
			routine += json_is_true(json_object_get(it, "routine"));
		}
		if (routine > 256)
			return bad_list("too many routine items");
	}
	return 0;
}

void
acceptance_stop(void)
{
	json_decref(lists);
	lists = NULL;
}

/* May the actor speak for the department (check its items, sign its part)? Admins may. */
static bool
may_act_for(const auth_user_t *actor, const char *dept)
{
	if (actor->roles & ROLE_ADMIN)
		return true;
	json_t *r;
	size_t i;
	json_array_foreach(json_object_get(dept_def(dept), "roles"), i, r) if (actor->roles & perm_role_bit(json_string_value(r)))
		return true;
	return false;
}

static int
refuse_role(fg_err_t *err, const char *dept)
{
	fg_err(err, "acceptance_department_role");
	fg_err_detail_str(err, "department", dept);
	fg_err_detail(err, "roles", json_deep_copy(json_object_get(dept_def(dept), "roles")));
	return -1;
}

/* ---- reading ---- */

static void
to_bool(json_t *o, const char *k)
{
	json_object_set_new(o, k, json_boolean(json_integer_value(json_object_get(o, k)) != 0));
}

json_t *
acceptance_get(db_t *db, const char *app_id, const char *id)
{
	int rc;
	json_t *a = db_one(db_q(db, "SELECT a.id, a.application_id, a.stage, a.round, a.status, a.sample_rate, a.first_inspector_id, "
				    "u.display_name AS first_inspector_name, a.note, a.created_by, a.created_at, a.closed_at, a.updated_at, "
				    "a.version FROM application_acceptances a LEFT JOIN users u ON u.id = a.first_inspector_id "
				    "WHERE a.id = $1 AND a.application_id = $2", "tt", id, app_id), &rc);
	if (!a)
		return NULL;
	json_t *items = db_all(db_q(db, "SELECT id, department, code, text_zh, text_en, routine, sampled, result, note, checked_by, "
					"checked_at FROM application_acceptance_items WHERE acceptance_id = $1 ORDER BY position", "t", id), &rc);
	json_t *sigs = db_all(db_q(db, "SELECT s.department, s.signed_by, u.display_name AS signed_by_name, s.signed_at, s.note "
				       "FROM application_acceptance_signatures s JOIN users u ON u.id = s.signed_by "
				       "WHERE s.acceptance_id = $1", "t", id), &rc);
	if (!items || !sigs) {
		json_decref(items);
		json_decref(sigs);
		json_decref(a);
		return NULL;
	}
	json_t *depts = json_array(), *unsigned_ = json_array(), *it;
	size_t i, routine = 0, sampled_routine = 0;
	json_array_foreach(items, i, it) {
		to_bool(it, "routine");
		to_bool(it, "sampled");
		bool checked = !json_is_null(json_object_get(it, "result")), req = json_is_true(json_object_get(it, "sampled"));
		json_object_set_new(it, "checked", json_boolean(checked));
		if (json_is_true(json_object_get(it, "routine"))) {
			routine++;
			sampled_routine += req;
		}
		/* departments in the order their first item comes */
		const char *dc = fg_jstr(it, "department");
		json_t *d = NULL, *x;
		size_t j;
		json_array_foreach(depts, j, x) if (strcmp(fg_jstr(x, "code"), dc) == 0) d = x;
		if (!d) {
			json_t *def = dept_def(dc), *sig = NULL, *s;
			size_t k;
			json_array_foreach(sigs, k, s) if (strcmp(fg_jstr(s, "department"), dc) == 0) sig = json_deep_copy(s);
			json_object_del(sig, "department");
			d = json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:o}", "code", dc, "name_zh", def ? fg_jstr(def, "name_zh") : dc,
			    "name_en", def ? fg_jstr(def, "name_en") : dc, "items", 0, "required", 0, "checked", 0, "failed", 0, "signature",
			    sig ? sig : json_null());
			json_array_append_new(depts, d);
			if (!sig)
				json_array_append_new(unsigned_, json_string(dc));
		}
		json_object_set_new(d, "items", json_integer(json_integer_value(json_object_get(d, "items")) + 1));
		json_object_set_new(d, "required", json_integer(json_integer_value(json_object_get(d, "required")) + req));
		json_object_set_new(d, "checked", json_integer(json_integer_value(json_object_get(d, "checked")) + checked));
		bool failed = checked && strcmp(fg_jstr(it, "result"), "fail") == 0;
		json_object_set_new(d, "failed", json_integer(json_integer_value(json_object_get(d, "failed")) + failed));
	}
	json_decref(sigs);
	json_t *sd = stage_def(fg_jstr(a, "stage"));
	json_object_set_new(a, "stage_name_zh", json_string(sd ? fg_jstr(sd, "name_zh") : fg_jstr(a, "stage")));
	json_object_set_new(a, "stage_name_en", json_string(sd ? fg_jstr(sd, "name_en") : fg_jstr(a, "stage")));
	json_object_set_new(a, "sampling", json_pack("{s:O, s:i, s:i, s:s}", "rate_percent", json_object_get(a, "sample_rate"),
					       "routine_items", (int)routine, "sampled_items", (int)sampled_routine, "method",
					       "blake2b(record id:item code), smallest keys first"));
	json_object_del(a, "sample_rate");
	json_object_set_new(a, "departments", depts);
	json_object_set_new(a, "unsigned", unsigned_);
	json_object_set_new(a, "items", items);
	return a;
}

int
acceptance_list(db_t *db, const char *app_id, json_t **out, fg_err_t *err)
{
	int rc;
	json_t *ids = db_all(db_q(db, "SELECT id FROM application_acceptances WHERE application_id = $1 ORDER BY created_at, id",
				  "t", app_id), &rc);
	if (!ids)
		return db_fail(db, err);
	json_t *items = json_array(), *x;
	size_t i;
	json_array_foreach(ids, i, x) {
		json_t *a = acceptance_get(db, app_id, fg_jstr(x, "id"));
		if (!a) {
			json_decref(ids);
			json_decref(items);
			return db_fail(db, err);
		}
		json_array_append_new(items, a);
	}
	json_decref(ids);
	*out = json_pack("{s:o}", "items", items);
	return 0;
}

/* ---- opening a record ---- */

/* The application's state in which a stage's inspection is done, or NULL when its track has none. */
static const char *
inspection_state(const char *stage, const char *track)
{
	if (strcmp(stage, "completion") == 0) {
		if (is_hv(track))
			return "completion";
		return track && strcmp(track, "lv_non_residential") == 0 ? "installation" : NULL;
	}
	return is_hv(track) ? stage : NULL;
}

/* The items of the stage's checklist, with the sampling of each department's routine items for record id. */
static int
insert_items(db_t *db, const char *id, json_t *items, int rate)
{
	size_t n = json_array_size(items);
	bool *sampled = fg_calloc(n ? n : 1, sizeof *sampled);
	const char **codes = fg_calloc(n ? n : 1, sizeof *codes);
	size_t *at = fg_calloc(n ? n : 1, sizeof *at);
	bool *pick = fg_calloc(n ? n : 1, sizeof *pick);
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		sampled[i] = !json_is_true(json_object_get(json_array_get(items, i), "routine"));
	/* each department's routine items are sampled on their own: every department checks its share */
	for (size_t i = 0; i < n && rc == 0; i++) {
		json_t *it = json_array_get(items, i);
		const char *dept = fg_jstr(it, "department");
		bool first = true;
		for (size_t j = 0; j < i; j++)
			if (strcmp(fg_jstr(json_array_get(items, j), "department"), dept) == 0)
				first = false;
		if (!first)
			continue;
		size_t m = 0;
		for (size_t j = i; j < n; j++) {
			json_t *o = json_array_get(items, j);
			if (strcmp(fg_jstr(o, "department"), dept) == 0 && json_is_true(json_object_get(o, "routine"))) {
				codes[m] = fg_jstr(o, "code");
				at[m++] = j;
			}
		}
		if (sample_pick(id, codes, m, rate, pick) != 0)
			rc = -1;
		for (size_t k = 0; k < m && rc == 0; k++)
			sampled[at[k]] = pick[k];
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		json_t *it = json_array_get(items, i);
		char iid[37];
		fg_uuid7(iid);
		if (db_run(db_q(db, "INSERT INTO application_acceptance_items (id, acceptance_id, position, department, code, text_zh, "
				    "text_en, routine, sampled) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", "ttitttt" "bb", iid, id,
				    (int64_t)i, fg_jstr(it, "department"), fg_jstr(it, "code"), fg_jstr(it, "text_zh"), fg_jstr(it, "text_en"),
				    (int)json_is_true(json_object_get(it, "routine")), (int)sampled[i])) != 0)
			rc = -1;
	}
	free(sampled);
	free(codes);
	free(at);
	free(pick);
	return rc;
}

static bool
user_active(db_t *db, const char *id, int *rc)
{
	json_t *u = db_one(db_q(db, "SELECT id FROM users WHERE id = $1 AND disabled = 0", "t", id), rc);
	json_decref(u);
	return u != NULL;
}

int
acceptance_open(db_t *db, const auth_user_t *actor, const char *app_id, json_t *in, json_t **out, fg_err_t *err)
{
	const char *stage = fg_jstr(in, "stage"), *fi = fg_jstr(in, "first_inspector_id");
	json_t *sd = stage_def(stage), *r = json_object_get(in, "sample_rate");
	if (!sd)
		return fg_err_field(err, "invalid_field", "stage", "design_review, mid_inspection or completion");
	int64_t rate = json_integer_value(json_object_get(lists, "sample_rate_percent"));
	if (r && !json_is_null(r)) {
		rate = json_integer_value(r);
		if (rate < 0 || rate > 100)
			return fg_err_field(err, "invalid_field", "sample_rate", "a percentage, 0 to 100");
	}
	if (db_begin(db) != 0)
		return db_fail(db, err);
	/* the application's row first: its state is what the record is opened for */
	if (db_lock_row(db, "applications", app_id) != 0)
		return db_fail(db, err);
	json_t *app = applications_load(db, app_id);
	if (!app) {
		fg_err_not_found(err, "application", app_id);
		return db_fail(db, err);
	}
	const char *status = fg_jstr(app, "status");
	char track[32];
	fg_fmt(track, sizeof track, "%s", fg_jstr(app, "track") ? fg_jstr(app, "track") : "");
	const char *want = inspection_state(stage, track);
	if (!want || strcmp(want, status) != 0) {
		fg_err(err, "acceptance_wrong_stage");
		fg_err_detail_str(err, "stage", stage);
		fg_err_detail_str(err, "status", status);
		fg_err_detail_str(err, "track", track);
		fg_err_detail(err, "expected_status", want ? json_string(want) : json_null());
		json_decref(app);
		return db_fail(db, err);
	}
	json_decref(app);
	int rc;
	/* 首检负责制: the HV completion inspection has its named owner */
	if (!fi && strcmp(stage, "completion") == 0 && is_hv(track)) {
		fg_err_field(err, "missing_field", "first_inspector_id", "the completion inspection names its first-inspection owner");
		return db_fail(db, err);
	}
	if (fi && !user_active(db, fi, &rc)) {
		if (rc == DB_DONE)
			fg_err_field(err, "invalid_field", "first_inspector_id", "an active user");
		return db_fail(db, err);
	}
	json_t *last = db_one(db_q(db, "SELECT id, status, round FROM application_acceptances WHERE application_id = $1 AND "
				       "stage = $2 ORDER BY round DESC LIMIT 1", "tt", app_id, stage), &rc);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_fail(db, err);
	int64_t round = last ? json_integer_value(json_object_get(last, "round")) + 1 : 1;
	/* one inspection at a time; a failed one is inspected again in a new round */
	if (last && strcmp(fg_jstr(last, "status"), "failed") != 0) {
		fg_err(err, "acceptance_exists");
		fg_err_detail(err, "acceptance_id", json_incref(json_object_get(last, "id")));
		fg_err_detail(err, "status", json_incref(json_object_get(last, "status")));
		json_decref(last);
		return db_fail(db, err);
	}
	json_decref(last);
	char id[37];
	fg_uuid7(id);
	int64_t now = fg_now_ms();
	if (db_run(db_q(db, "INSERT INTO application_acceptances (id, application_id, stage, round, status, sample_rate, "
			    "first_inspector_id, note, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8, "
			    "$9, $9)", "tttiittti", id, app_id, stage, round, rate, fi, fg_jstr(in, "note"), actor->id, now)) != 0 ||
	    insert_items(db, id, json_object_get(sd, "items"), (int)rate) != 0)
		return db_fail(db, err);
	return audit_commit(db, actor->id, "open", "application_acceptance", id, NULL, acceptance_get(db, app_id, id), out, err);
}

/* ---- items and signatures ---- */

/* Locks and reads the record (in the open transaction); not_found when it is not the application's. */
static json_t *
locked_record(db_t *db, const char *app_id, const char *id, fg_err_t *err)
{
	int rc;
	if (db_lock_row(db, "application_acceptances", id) != 0)
		return NULL;
	json_t *a = db_one(db_q(db, "SELECT id, status FROM application_acceptances WHERE id = $1 AND application_id = $2", "tt",
				id, app_id), &rc);
	if (!a && rc == DB_DONE)
		fg_err_not_found(err, "application_acceptance", id);
	return a;
}

static json_t *
signature_of(db_t *db, const char *id, const char *dept, int *rc)
{
	return db_one(db_q(db, "SELECT signed_by, signed_at FROM application_acceptance_signatures WHERE acceptance_id = $1 AND "
			       "department = $2", "tt", id, dept), rc);
}

static int
refuse_signed(fg_err_t *err, const char *dept, json_t *sig)
{
	fg_err(err, "acceptance_signed");
	fg_err_detail_str(err, "department", dept);
	fg_err_detail(err, "signed_by", json_incref(json_object_get(sig, "signed_by")));
	fg_err_detail(err, "signed_at", json_incref(json_object_get(sig, "signed_at")));
	json_decref(sig);
	return -1;
}

int
acceptance_check(db_t *db, const auth_user_t *actor, const char *app_id, const char *id, const char *code, json_t *in,
    json_t **out, fg_err_t *err)
{
	const char *result = fg_jstr(in, "result"), *note = fg_jstr(in, "note");
	if (!result || (strcmp(result, "pass") != 0 && strcmp(result, "fail") != 0))
		return fg_err_field(err, "invalid_field", "result", "pass or fail");
	if (strcmp(result, "fail") == 0 && fg_blank(note))
		return fg_err_field(err, "missing_field", "note", "a failed item says what is wrong");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	json_t *a = locked_record(db, app_id, id, err);
	if (!a)
		return db_fail(db, err);
	json_decref(a);
	int rc;
	json_t *before = db_one(db_q(db, "SELECT id, department, code, result, note, checked_by, checked_at FROM "
					 "application_acceptance_items WHERE acceptance_id = $1 AND code = $2", "tt", id, code), &rc);
	if (!before) {
		if (rc == DB_DONE)
			fg_err_not_found(err, "acceptance_item", code);
		return db_fail(db, err);
	}
	const char *dept = fg_jstr(before, "department");
	if (!may_act_for(actor, dept)) {
		refuse_role(err, dept);
		json_decref(before);
		return db_fail(db, err);
	}
	/* a signed part is final: its results are what the department signed */
	json_t *sig = signature_of(db, id, dept, &rc);
	if (sig) {
		refuse_signed(err, dept, sig);
		json_decref(before);
		return db_fail(db, err);
	}
	int64_t now = fg_now_ms();
	if (rc != DB_DONE ||
	    db_run(db_q(db, "UPDATE application_acceptance_items SET result = $1, note = $2, checked_by = $3, checked_at = $4 "
			    "WHERE acceptance_id = $5 AND code = $6", "tttitt", result, note, actor->id, now, id, code)) != 0 ||
	    db_run(db_q(db, "UPDATE application_acceptances SET updated_at = $1, version = version + 1 WHERE id = $2", "it", now,
			    id)) != 0) {
		json_decref(before);
		return db_fail(db, err);
	}
	json_t *after = json_pack("{s:O, s:s, s:s, s:s, s:o, s:s, s:I}", "id", json_object_get(before, "id"), "department", dept,
	    "code", code, "result", result, "note", note ? json_string(note) : json_null(), "checked_by", actor->id, "checked_at",
	    (json_int_t)now);
	char iid[37];
	fg_fmt(iid, sizeof iid, "%s", fg_jstr(before, "id"));
	if (audit_commit(db, actor->id, "check", "application_acceptance_item", iid, before, after, NULL, err) != 0)
		return -1;
	*out = acceptance_get(db, app_id, id);
	return *out ? 0 : fg_err(err, "internal");
}

int
acceptance_sign(db_t *db, const auth_user_t *actor, const char *app_id, const char *id, json_t *in, json_t **out,
    fg_err_t *err)
{
	const char *dept = fg_jstr(in, "department");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	json_t *a = locked_record(db, app_id, id, err);
	if (!a)
		return db_fail(db, err);
	json_decref(a);
	int rc;
	json_t *items = db_all(db_q(db, "SELECT code, sampled, result FROM application_acceptance_items WHERE acceptance_id = $1 AND "
					"department = $2 ORDER BY position", "tt", id, dept), &rc);
	if (!items)
		return db_fail(db, err);
	if (!json_array_size(items)) {
		json_decref(items);
		json_t *ds = db_all(db_q(db, "SELECT DISTINCT department FROM application_acceptance_items WHERE acceptance_id = $1 "
					     "ORDER BY department", "t", id), &rc);
		fg_err_field(err, "invalid_field", "department", "a department of the record");
		json_t *names = json_array(), *x;
		size_t i;
		json_array_foreach(ds, i, x) json_array_append(names, json_object_get(x, "department"));
		json_decref(ds);
		fg_err_detail(err, "departments", names);
		return db_fail(db, err);
	}
	if (!may_act_for(actor, dept)) {
		json_decref(items);
		refuse_role(err, dept);
		return db_fail(db, err);
	}
	json_t *sig = signature_of(db, id, dept, &rc);
	if (sig || rc != DB_DONE) {
		json_decref(items);
		if (sig)
			refuse_signed(err, dept, sig);
		return db_fail(db, err);
	}
	/* joint acceptance: each department by its own person */
	json_t *other = db_one(db_q(db, "SELECT department FROM application_acceptance_signatures WHERE acceptance_id = $1 AND "
					"signed_by = $2", "tt", id, actor->id), &rc);
	if (other || rc != DB_DONE) {
		json_decref(items);
		if (other) {
			fg_err(err, "acceptance_same_signer");
			fg_err_detail(err, "signed_for", json_incref(json_object_get(other, "department")));
			json_decref(other);
		}
		return db_fail(db, err);
	}
	/* every item to be checked (the non-routine and the sampled ones) has its result */
	json_t *unchecked = json_array(), *it;
	size_t i;
	json_array_foreach(items, i, it) if (json_integer_value(json_object_get(it, "sampled")) && json_is_null(json_object_get(it, "result")))
		json_array_append(unchecked, json_object_get(it, "code"));
	json_decref(items);
	if (json_array_size(unchecked)) {
		fg_err(err, "acceptance_items_unchecked");
		fg_err_detail_str(err, "department", dept);
		fg_err_detail(err, "items", unchecked);
		return db_fail(db, err);
	}
	json_decref(unchecked);
	char sid[37];
	fg_uuid7(sid);
	int64_t now = fg_now_ms();
	if (db_run(db_q(db, "INSERT INTO application_acceptance_signatures (id, acceptance_id, department, signed_by, signed_at, note) "
			    "VALUES ($1, $2, $3, $4, $5, $6)", "ttttit", sid, id, dept, actor->id, now, fg_jstr(in, "note"))) != 0)
		return db_fail(db, err);
	/* the last signature closes the record: passed, or failed when any item failed */
	json_t *left = db_one(db_q(db, "SELECT (SELECT COUNT(DISTINCT department) FROM application_acceptance_items WHERE "
				       "acceptance_id = $1) - (SELECT COUNT(*) FROM application_acceptance_signatures WHERE acceptance_id = $1) "
				       "AS unsigned_n, (SELECT COUNT(*) FROM application_acceptance_items WHERE acceptance_id = $1 AND "
				       "result = 'fail') AS failed_n", "t", id), &rc);
	if (!left)
		return db_fail(db, err);
	bool closes = json_integer_value(json_object_get(left, "unsigned_n")) == 0;
	const char *status = !closes ? "open" : json_integer_value(json_object_get(left, "failed_n")) ? "failed" : "passed";
	json_decref(left);
	if (db_run(db_q(db, "UPDATE application_acceptances SET status = $1, closed_at = CASE WHEN CAST($1 AS TEXT) = 'open' "
			    "THEN NULL ELSE CAST($2 AS BIGINT) END, updated_at = $2, version = version + 1 WHERE id = $3", "tit", status, now, id)) != 0)
		return db_fail(db, err);
	json_t *after = json_pack("{s:s, s:s, s:s, s:I, s:s}", "acceptance_id", id, "department", dept, "signed_by", actor->id,
	    "signed_at", (json_int_t)now, "record_status", status);
	if (audit_commit(db, actor->id, "sign", "application_acceptance_signature", sid, NULL, after, NULL, err) != 0)
		return -1;
	*out = acceptance_get(db, app_id, id);
	return *out ? 0 : fg_err(err, "internal");
}

/* ---- hazards ---- */

#define H_COLS "h.id, h.application_id, h.acceptance_id, h.department, h.severity, h.description, h.deadline, h.status, " \
	       "h.found_by, h.found_at, h.closed_by, h.closed_at, h.closing_note, h.evidence, h.created_at, h.updated_at, h.version"

static void
hazard_decorate(json_t *h, const char *today)
{
	json_t *ev = fg_jstr(h, "evidence") ? json_loads(fg_jstr(h, "evidence"), 0, NULL) : NULL;
	json_object_set_new(h, "evidence_ids", ev ? ev : json_array());
	json_object_del(h, "evidence");
	/* past its deadline: open after the end of the deadline's day (Shanghai) */
	json_object_set_new(h, "overdue", json_boolean(strcmp(fg_jstr(h, "status"), "open") == 0 && strcmp(fg_jstr(h, "deadline"), today) < 0));
}

static json_t *
hazard_get(db_t *db, const char *app_id, const char *id)
{
	int rc;
	json_t *h = db_one(db_q(db, "SELECT " H_COLS " FROM application_hazards h WHERE h.id = $1 AND h.application_id = $2", "tt",
				id, app_id), &rc);
	if (h) {
		char today[11];
		day_today(today);
		hazard_decorate(h, today);
	}
	return h;
}

int
acceptance_hazards(db_t *db, const char *app_id, const char *status, json_t **out, fg_err_t *err)
{
	int rc;
	if (status && strcmp(status, "open") != 0 && strcmp(status, "closed") != 0)
		return fg_err_field(err, "invalid_query", "status", "open or closed");
	json_t *rows = db_all(db_q(db, "SELECT " H_COLS " FROM application_hazards h WHERE h.application_id = $1 AND "
				       "(CAST($2 AS TEXT) IS NULL OR h.status = $2) ORDER BY h.found_at, h.id", "tt", app_id, status), &rc);
	if (!rows)
		return db_fail(db, err);
	char today[11];
	day_today(today);
	json_t *h;
	size_t i;
	json_array_foreach(rows, i, h) hazard_decorate(h, today);
	*out = json_pack("{s:o}", "items", rows);
	return 0;
}

static bool
app_closed(json_t *app)
{
	const char *st = fg_jstr(app, "status");
	return st && (strcmp(st, "archived") == 0 || strcmp(st, "cancelled") == 0);
}

static int
refuse_closed(fg_err_t *err, json_t *app)
{
	fg_err(err, "application_closed");
	fg_err_detail(err, "status", json_incref(json_object_get(app, "status")));
	json_decref(app);
	return -1;
}

int
acceptance_hazard_create(db_t *db, const auth_user_t *actor, const char *app_id, json_t *in, json_t **out, fg_err_t *err)
{
	const char *desc = fg_jstr(in, "description"), *deadline = fg_jstr(in, "deadline"), *aid = fg_jstr(in, "acceptance_id");
	const char *dept = fg_jstr(in, "department"), *sev = fg_jstr(in, "severity") ? fg_jstr(in, "severity") : "general";
	if (fg_blank(desc))
		return fg_err_field(err, "invalid_field", "description", "what was found, not empty");
	if (!day_valid(deadline))
		return fg_err_field(err, "invalid_field", "deadline", "YYYY-MM-DD: rectified by the end of that day");
	if (strcmp(sev, "general") != 0 && strcmp(sev, "major") != 0)
		return fg_err_field(err, "invalid_field", "severity", "general or major");
	if (dept && !dept_def(dept))
		return fg_err_field(err, "invalid_field", "department", "marketing, operations or metering (data/acceptance/checklists.json)");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "applications", app_id) != 0)
		return db_fail(db, err);
	json_t *app = applications_load(db, app_id);
	if (!app) {
		fg_err_not_found(err, "application", app_id);
		return db_fail(db, err);
	}
	if (app_closed(app)) {
		refuse_closed(err, app);
		return db_fail(db, err);
	}
	json_decref(app);
	int rc;
	if (aid) {
		json_t *a = db_one(db_q(db, "SELECT id FROM application_acceptances WHERE id = $1 AND application_id = $2", "tt", aid,
					app_id), &rc);
		json_decref(a);
		if (!a) {
			if (rc == DB_DONE)
				fg_err_field(err, "invalid_field", "acceptance_id", "an acceptance record of this application");
			return db_fail(db, err);
		}
	}
	char id[37];
	fg_uuid7(id);
	int64_t now = fg_now_ms();
	if (db_run(db_q(db, "INSERT INTO application_hazards (id, application_id, acceptance_id, department, severity, description, "
			    "deadline, status, found_by, found_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, "
			    "$9, $9, $9)", "tttttttti", id, app_id, aid, dept, sev, desc, deadline, actor->id, now)) != 0)
		return db_fail(db, err);
	return audit_commit(db, actor->id, "create", "application_hazard", id, NULL, hazard_get(db, app_id, id), out, err);
}

int
acceptance_hazard_close(db_t *db, const auth_user_t *actor, const char *app_id, const char *id, json_t *in, json_t **out,
    fg_err_t *err)
{
	const char *note = fg_jstr(in, "note");
	json_t *ev = json_object_get(in, "evidence_ids"), *x;
	size_t i;
	if (fg_blank(note))
		return fg_err_field(err, "missing_field", "note", "how the hazard was rectified");
	if (!json_array_size(ev))
		return fg_err_field(err, "missing_field", "evidence_ids", "a hazard is closed with evidence: one attachment or more");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "application_hazards", id) != 0)
		return db_fail(db, err);
	json_t *before = hazard_get(db, app_id, id);
	if (!before) {
		fg_err_not_found(err, "application_hazard", id);
		return db_fail(db, err);
	}
	if (strcmp(fg_jstr(before, "status"), "open") != 0) {
		fg_err(err, "hazard_closed");
		fg_err_detail(err, "closed_at", json_incref(json_object_get(before, "closed_at")));
		json_decref(before);
		return db_fail(db, err);
	}
	int rc;
	json_array_foreach(ev, i, x) {
		json_t *att = db_one(db_q(db, "SELECT id FROM attachments WHERE id = $1", "t", json_string_value(x)), &rc);
		json_decref(att);
		if (!att) {
			json_decref(before);
			if (rc == DB_DONE) {
				fg_err_field(err, "invalid_field", "evidence_ids", "ids of uploaded attachments");
				fg_err_detail(err, "attachment_id", json_incref(x));
			}
			return db_fail(db, err);
		}
	}
	char *evs = json_dumps(ev, JSON_COMPACT);
	int64_t now = fg_now_ms();
	int w = db_run(db_q(db, "UPDATE application_hazards SET status = 'closed', closed_by = $1, closed_at = $2, closing_note = $3, "
				"evidence = $4, updated_at = $2, version = version + 1 WHERE id = $5", "titt" "t", actor->id, now, note,
				evs, id));
	free(evs);
	if (w != 0) {
		json_decref(before);
		return db_fail(db, err);
	}
	return audit_commit(db, actor->id, "close", "application_hazard", id, before, hazard_get(db, app_id, id), out, err);
}

int
acceptance_open_hazards(db_t *db, const char *app_id)
{
	int rc;
	json_t *n = db_one(db_q(db, "SELECT COUNT(*) AS n FROM application_hazards WHERE application_id = $1 AND status = 'open'",
				"t", app_id), &rc);
	if (!n)
		return -1;
	int v = (int)json_integer_value(json_object_get(n, "n"));
	json_decref(n);
	return v;
}

json_t *
acceptance_open_record(db_t *db, const char *app_id)
{
	int rc;
	json_t *r = db_one(db_q(db, "SELECT id FROM application_acceptances WHERE application_id = $1 AND status = 'open' "
				    "ORDER BY created_at DESC LIMIT 1", "t", app_id), &rc);
	if (!r)
		return NULL;
	json_t *a = acceptance_get(db, app_id, fg_jstr(r, "id"));
	json_decref(r);
	if (!a)
		return NULL;
	json_t *o = json_pack("{s:O, s:O, s:O}", "id", json_object_get(a, "id"), "stage", json_object_get(a, "stage"), "unsigned",
	    json_object_get(a, "unsigned"));
	json_decref(a);
	return o;
}

/* ---- guards (data/flows/application.json) ---- */

/* The stage whose acceptance record the action needs, or NULL (nothing to check for this application). */
static const char *
stage_for(const char *action, const char *track)
{
	if (strcmp(action, "approve_design") == 0)
		return "design_review";
	if (strcmp(action, "pass_mid_inspection") == 0)
		return "mid_inspection";
	if (strcmp(action, "pass_completion") == 0)
		return "completion";
	/* LV non-residential: the completion check is done with the meter installation */
	if (strcmp(action, "complete_installation") == 0 && track && strcmp(track, "lv_non_residential") == 0)
		return "completion";
	return NULL;
}

/* The stage's latest acceptance record is signed by every department and passed. */
static int
passed(flow_ctx_t *c, fg_err_t *gate)
{
	const char *stage = stage_for(c->action, fg_jstr(c->row, "track"));
	if (!stage)
		return 0;
	int rc;
	json_t *last = db_one(db_q(c->db, "SELECT id FROM application_acceptances WHERE application_id = $1 AND stage = $2 "
					  "ORDER BY round DESC LIMIT 1", "tt", c->id, stage), &rc);
	if (!last) {
		fg_err(gate, rc == DB_DONE ? "acceptance_missing" : "internal");
		fg_err_detail_str(gate, "stage", stage);
		return -1;
	}
	json_t *a = acceptance_get(c->db, c->id, fg_jstr(last, "id"));
	json_decref(last);
	if (!a)
		return fg_err(gate, "internal");
	const char *st = fg_jstr(a, "status");
	if (strcmp(st, "passed") == 0) {
		json_decref(a);
		return 0;
	}
	fg_err(gate, strcmp(st, "open") == 0 ? "acceptance_unsigned" : "acceptance_failed");
	fg_err_detail_str(gate, "stage", stage);
	fg_err_detail(gate, "acceptance_id", json_incref(json_object_get(a, "id")));
	if (strcmp(st, "open") == 0)
		fg_err_detail(gate, "departments", json_incref(json_object_get(a, "unsigned")));
	else {
		json_t *failed = json_array(), *it;
		size_t i;
		json_array_foreach(json_object_get(a, "items"), i, it) if (fg_jstr(it, "result") && strcmp(fg_jstr(it, "result"), "fail") == 0)
			json_array_append_new(failed, json_pack("{s:O, s:O, s:O}", "code", json_object_get(it, "code"), "department",
							 json_object_get(it, "department"), "note", json_object_get(it, "note")));
		fg_err_detail(gate, "items", failed);
	}
	json_decref(a);
	return -1;
}

/* No hazard of the application is open: hazards found block the power-on until closed with evidence. */
static int
no_open_hazards(flow_ctx_t *c, fg_err_t *gate)
{
	int rc;
	json_t *open = db_all(db_q(c->db, "SELECT id, severity, description, deadline FROM application_hazards WHERE "
					  "application_id = $1 AND status = 'open' ORDER BY found_at, id", "t", c->id), &rc);
	if (!open)
		return fg_err(gate, "internal");
	if (!json_array_size(open)) {
		json_decref(open);
		return 0;
	}
	fg_err(gate, "application_hazards_open");
	fg_err_detail(gate, "hazards", open);
	return -1;
}

const flow_guard_t acceptance_guards[] = {
	{"acceptance_passed", passed},
	{"application_no_open_hazards", no_open_hazards},
	{NULL, NULL},
};
