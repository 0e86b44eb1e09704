#include <string.h>
#include "core/base/day.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "shared/notify/notify.h"
#include "safety/people/people.h"
#include "safety/interface/work.h"
#include "safety/contractors/contractors.h"

#define Q_COLS "id, user_id, kind, name, number, issued_on, expires_on, score, passed, issuer, recorded_by, recorded_at"

static json_t *
shape(json_t *q)
{
	json_t *p = json_object_get(q, "passed");
	json_object_set_new(q, "passed", json_is_null(p) ? json_null() : json_boolean(json_integer_value(p)));
	return q;
}

json_t *
people_list(db_t *db, const char *user_id)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT " Q_COLS " FROM qualifications WHERE user_id = $1 ORDER BY kind, issued_on DESC, id",
				  "t", user_id), &rc);
	if (!rows)
		return NULL;
	size_t i;
	json_t *q;
	json_array_foreach(rows, i, q) shape(q);
	return json_pack("{s:o, s:o}", "items", rows, "readiness", people_readiness(db, user_id));
}

int
people_add(db_t *db, const char *actor_id, const char *user_id, json_t *in, json_t **out, fg_err_t *err)
{
	static const char *const kinds[] = {"certificate", "safety_exam", "training", NULL};
	const char *kind = fg_jstr(in, "kind"), *issued = fg_jstr(in, "issued_on"), *expires = fg_jstr(in, "expires_on");
	int i;
	for (i = 0; kinds[i] && strcmp(kinds[i], kind) != 0; i++)
		;
	if (!kinds[i])
		return fg_err_field(err, "invalid_field", "kind", "certificate, safety_exam or training");
	if (!*fg_jstr(in, "name"))
		return fg_err_field(err, "invalid_field", "name", "must not be empty");
	if (issued && !day_valid(issued))
		return fg_err_field(err, "invalid_field", "issued_on", "YYYY-MM-DD");
	if (expires && !day_valid(expires))
		return fg_err_field(err, "invalid_field", "expires_on", "YYYY-MM-DD");
	if (issued && expires && day_diff(issued, expires) <= 0)
		return fg_err_field(err, "invalid_field", "expires_on", "after issued_on");
	json_t *score = json_object_get(in, "score");
	int passed = -1;
	char exp[11];
	if (strcmp(kind, "safety_exam") == 0) {
		if (!json_is_integer(score) || json_integer_value(score) < 0 || json_integer_value(score) > 100)
			return fg_err_field(err, "invalid_field", "score", "the exam score, 0 to 100");
		if (!issued)
			return fg_err_field(err, "missing_field", "issued_on", "the exam date");
		passed = json_integer_value(score) >= PEOPLE_EXAM_PASS;
		if (!expires && day_add_months(issued, PEOPLE_EXAM_VALID_MONTHS, exp))
			expires = exp;
	}
	if (db_begin(db) != 0)
		return db_fail(db, err);
	int rc;
	json_t *u = db_one(db_q(db, "SELECT id FROM users WHERE id = $1", "t", user_id), &rc);
	if (!u) {
		fg_err_not_found(err, "user", user_id);
		return db_fail(db, err);
	}
	json_decref(u);
	char id[37];
	fg_uuid7(id);
	db_stmt_t *st = db_q(db,
	    "INSERT INTO qualifications (id, user_id, kind, name, number, issued_on, expires_on, score, passed, issuer, "
	    "recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
	    "tttttttnntti", id, user_id, kind, fg_jstr(in, "name"), fg_jstr(in, "number"), issued,
	    expires, fg_jstr(in, "issuer"), actor_id, fg_now_ms());
	if (st && json_is_integer(score))
		db_bind_int(st, 8, json_integer_value(score));
	if (st && passed >= 0)
		db_bind_int(st, 9, passed);
	if (db_run(st) != DB_DONE)
		return db_fail(db, err);
	json_t *after = shape(db_one(db_q(db, "SELECT " Q_COLS " FROM qualifications WHERE id = $1", "t", id), &rc));
	if (!after || audit_write(db, actor_id, "create", "qualification", id, NULL, after) != 0 || db_commit(db) != 0) {
		json_decref(after);
		return db_fail(db, err);
	}
	*out = after;
	return 0;
}

json_t *
people_readiness(db_t *db, const char *user_id)
{
	int rc;
	char today[11];
	day_today(today);
	json_t *u = db_one(db_q(db, "SELECT id, display_name FROM users WHERE id = $1", "t", user_id), &rc);
	if (!u)
		return NULL;
	json_t *reasons = json_array();
	json_t *exam = db_one(db_q(db,
	    "SELECT id FROM qualifications WHERE user_id = $1 AND kind = 'safety_exam' AND passed = 1 AND "
	    "(expires_on IS NULL OR expires_on >= $2) LIMIT 1", "tt", user_id, today), &rc);
	if (!exam)
		json_array_append_new(reasons, json_pack("{s:s}", "code", "no_valid_safety_exam"));
	json_decref(exam);
	/* a certificate is known by its name; a renewal records it again, and the newest expiry is the one that counts */
	json_t *expired = db_all(db_q(db,
	    "SELECT name, MAX(expires_on) AS expires_on FROM qualifications WHERE user_id = $1 AND kind = 'certificate' "
	    "AND expires_on IS NOT NULL GROUP BY name HAVING MAX(expires_on) < $2 ORDER BY name", "tt", user_id, today), &rc);
	size_t i;
	json_t *c;
	json_array_foreach(expired, i, c) json_array_append_new(reasons, json_pack("{s:s, s:O, s:O}", "code", "certificate_expired", "name",
									    json_object_get(c, "name"), "expires_on",
									    json_object_get(c, "expires_on")));
	json_decref(expired);
	/* contractor staff are ready only while their company is (R2.8) */
	json_t *contractor = contractors_person(db, user_id, today, reasons);
	json_t *out = json_pack("{s:O, s:O, s:b, s:o, s:o}", "user_id", json_object_get(u, "id"), "display_name",
	    json_object_get(u, "display_name"), "ready", json_array_size(reasons) == 0, "reasons", reasons, "contractor",
	    contractor ? contractor : json_null());
	json_decref(u);
	return out;
}

json_t *
people_expiring(db_t *db, int days)
{
	int rc;
	char today[11], until[11];
	day_today(today);
	if (!day_add_days(today, days, until))
		return NULL;
	json_t *rows = db_all(db_q(db,
	    "SELECT q.id, q.user_id, u.display_name, q.kind, q.name, q.expires_on FROM qualifications q "
	    "JOIN users u ON u.id = q.user_id WHERE q.kind IN ('certificate', 'safety_exam') AND q.expires_on IS NOT NULL "
	    "AND q.expires_on <= $1 AND u.disabled = 0 AND (q.kind <> 'safety_exam' OR q.passed = 1) "
	    /* a renewal (same name, later expiry) retires the old record */
	    "AND NOT EXISTS (SELECT 1 FROM qualifications n WHERE n.user_id = q.user_id AND n.kind = q.kind "
	    "AND n.name = q.name AND n.expires_on > q.expires_on) "
	    "ORDER BY q.expires_on, u.username LIMIT 1000", "t", until), &rc);
	if (!rows)
		return NULL;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) json_object_set_new(r, "days_to_expiry", json_integer(day_diff(today, fg_jstr(r, "expires_on"))));
	return rows;
}

json_t *
people_plan_readiness(db_t *db, const char *plan_id)
{
	json_t *rec = work_plan_record_part(db, plan_id, "readiness"); /* a finished job: as it was when it finished */
	if (rec)
		return rec;
	json_t *plan = work_plan_get(db, plan_id);
	if (!plan)
		return NULL;
	json_t *items = json_array(), *c;
	json_t *lr = people_readiness(db, json_string_value(json_object_get(plan, "leader_id")));
	if (lr)
		json_array_append_new(items, lr);
	size_t i;
	json_array_foreach(json_object_get(plan, "crew"), i, c) {
		json_t *pr = people_readiness(db, json_string_value(json_object_get(c, "id")));
		if (pr)
			json_array_append_new(items, pr);
	}
	json_decref(plan);
	return json_pack("{s:o}", "items", items);
}

/* Certificates and exams expiring within 60 days (or expired) → the person and every manager, once per item,
 * expiry date and stage. */
static int
remind(db_t *db)
{
	int added = 0;
	json_t *managers = notify_role_users(db, "manager"), *people = people_expiring(db, 60), *t, *k;
	size_t i, j;
	if (!managers || !people) {
		added = -1;
		goto out;
	}
	json_array_foreach(people, i, t) {
		json_int_t days = json_integer_value(json_object_get(t, "days_to_expiry"));
		const char *id = json_string_value(json_object_get(t, "id")), *exp = json_string_value(json_object_get(t, "expires_on"));
		char title[256], key[160];
		fg_fmt(title, sizeof title, days < 0 ? "%s 的「%s」已于 %s 过期" : "%s 的「%s」将于 %s 到期",
		    json_string_value(json_object_get(t, "display_name")), json_string_value(json_object_get(t, "name")), exp);
		fg_fmt(key, sizeof key, "qual:%s:%s:%s", id, exp, days < 0 ? "expired" : "soon");
		int r = notify_add(db, json_string_value(json_object_get(t, "user_id")), "qualification_expiry", title, NULL,
		    "qualification", id, key);
		if (r < 0) {
			added = -1;
			goto out;
		}
		added += r;
		json_array_foreach(managers, j, k) {
			r = notify_add(db, json_string_value(json_object_get(k, "id")), "qualification_expiry", title, NULL,
			    "qualification", id, key);
			if (r < 0) {
				added = -1;
				goto out;
			}
			added += r;
		}
	}
out:
	json_decref(managers);
	json_decref(people);
	return added;
}

int
people_reminders(db_t *db)
{
	return notify_run_reminders(db, "people", remind);
}
