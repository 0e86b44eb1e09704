#include <ctype.h>
#include <string.h>
#include "core/base/day.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "shared/attach/attach.h"
#include "safety/contractors/contractors.h"

#define C_COLS "id, name, credit_code, contact_name, contact_phone, qualification_name, qualification_no, " \
	       "qualification_grade, qualification_expires_on, suspended, suspended_reason, created_at, updated_at, version"
#define A_COLS "id, contractor_id, number, signed_on, expires_on, contractor_signer, attachment_id, recorded_by, recorded_at"

/* Within this many days of expiry, the qualification or agreement is flagged so it can be renewed in time. */
#define CONTRACTOR_WARN_DAYS 30

static json_t *
row(db_t *db, const char *id)
{
	int rc;
	json_t *c = db_one(db_q(db, "SELECT " C_COLS " FROM contractors WHERE id = $1", "t", id), &rc);
	if (c)
		json_object_set_new(c, "suspended", json_boolean(json_integer_value(json_object_get(c, "suspended"))));
	return c;
}

static json_t *
agreement_in_force(db_t *db, const char *id, const char *today)
{
	int rc;
	return db_one(db_q(db, "SELECT " A_COLS " FROM contractor_agreements WHERE contractor_id = $1 AND signed_on <= $2 "
			       "AND expires_on >= $2 ORDER BY expires_on DESC, id DESC LIMIT 1", "tt", id, today), &rc);
}

/* What keeps the company from work today, and what expires soon: {ready, reasons[], expiring[]}. */
static json_t *
status(db_t *db, json_t *c, const char *today)
{
	json_t *reasons = json_array(), *expiring = json_array();
	const char *id = fg_jstr(c, "id"), *qexp = fg_jstr(c, "qualification_expires_on");
	if (json_is_true(json_object_get(c, "suspended")))
		json_array_append_new(reasons, json_pack("{s:s, s:O}", "code", "contractor_suspended", "reason",
							 json_object_get(c, "suspended_reason")));
	if (!qexp || strcmp(qexp, today) < 0)
		json_array_append_new(reasons, json_pack("{s:s, s:O}", "code", "contractor_unqualified",
							 "qualification_expires_on", json_object_get(c, "qualification_expires_on")));
	else if (day_diff(today, qexp) <= CONTRACTOR_WARN_DAYS)
		json_array_append_new(expiring, json_pack("{s:s, s:s, s:i}", "what", "qualification", "expires_on", qexp,
							  "days", (int)day_diff(today, qexp)));
	json_t *a = agreement_in_force(db, id, today);
	if (!a)
		json_array_append_new(reasons, json_pack("{s:s}", "code", "contractor_agreement_missing"));
	else if (day_diff(today, fg_jstr(a, "expires_on")) <= CONTRACTOR_WARN_DAYS)
		json_array_append_new(expiring, json_pack("{s:s, s:O, s:i}", "what", "agreement", "expires_on",
							  json_object_get(a, "expires_on"), "days",
							  (int)day_diff(today, fg_jstr(a, "expires_on"))));
	json_t *out = json_pack("{s:b, s:o, s:o, s:o}", "ready", json_array_size(reasons) == 0, "reasons", reasons,
	    "expiring", expiring, "agreement_in_force", a ? a : json_null());
	return out;
}

/* 统一社会信用代码: 18 characters from the code's alphabet (digits and capitals without I, O, S, V, Z). */
static bool
credit_code_ok(const char *s)
{
	if (strlen(s) != 18)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s) && !strchr("ABCDEFGHJKLMNPQRTUWXY", *s))
			return false;
	return true;
}

static int
check_fields(json_t *in, fg_err_t *err)
{
	const char *name = fg_jstr(in, "name"), *cc = fg_jstr(in, "credit_code"), *qexp = fg_jstr(in, "qualification_expires_on");
	if (name && !*name)
		return fg_err_field(err, "invalid_field", "name", "must not be empty");
	if (cc && !credit_code_ok(cc))
		return fg_err_field(err, "invalid_field", "credit_code", "18 characters: digits and capitals except I O S V Z");
	if (qexp && !day_valid(qexp))
		return fg_err_field(err, "invalid_field", "qualification_expires_on", "YYYY-MM-DD");
	return 0;
}

static int
finish(db_t *db, const char *actor_id, const char *action, const char *id, json_t *before, json_t **out, fg_err_t *err)
{
	if (audit_commit(db, actor_id, action, "contractor", id, before, row(db, id), NULL, err) != 0)
		return -1;
	*out = contractors_get(db, id);
	return 0;
}

int
contractors_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	if (check_fields(in, err))
		return -1;
	char id[37];
	fg_uuid7(id);
	int64_t now = fg_now_ms();
	if (db_begin(db) != 0)
		return db_fail(db, err);
	int rc = db_run(db_q(db,
	    "INSERT INTO contractors (id, name, credit_code, contact_name, contact_phone, qualification_name, "
	    "qualification_no, qualification_grade, qualification_expires_on, created_at, updated_at) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
	    "ttttttttti", id, fg_jstr(in, "name"), fg_jstr(in, "credit_code"), fg_jstr(in, "contact_name"), fg_jstr(in, "contact_phone"),
	    fg_jstr(in, "qualification_name"), fg_jstr(in, "qualification_no"), fg_jstr(in, "qualification_grade"),
	    fg_jstr(in, "qualification_expires_on"), now));
	if (rc == DB_CONFLICT)
		fg_err_field(err, "contractor_name_taken", "name", NULL);
	if (rc != DB_DONE)
		return db_fail(db, err);
	return finish(db, actor_id, "create", id, NULL, out, err);
}

int
contractors_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	if (check_fields(in, err))
		return -1;
	json_t *susp = json_object_get(in, "suspended");
	const char *why = fg_jstr(in, "suspended_reason");
	if (json_is_true(susp) && (!why || !*why))
		return fg_err_field(err, "missing_field", "suspended_reason", "why the contractor is suspended");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "contractors", id) != 0)
		return db_fail(db, err);
	json_t *before = row(db, id);
	if (!before) {
		fg_err_not_found(err, "contractor", id);
		return db_fail(db, err);
	}
	if (db_check_version(before, in, err)) {
		json_decref(before);
		return db_fail(db, err);
	}
	/* a field left out keeps its value; a field sent as null clears it: each column has a "was sent" flag */
	static const char *const f[] = {"name", "credit_code", "contact_name", "contact_phone", "qualification_name",
					"qualification_no", "qualification_grade", "qualification_expires_on"};
	db_stmt_t *st = db_prepare(db,
	    "UPDATE contractors SET name = CASE WHEN $1 = 1 THEN $2 ELSE name END, "
	    "credit_code = CASE WHEN $3 = 1 THEN $4 ELSE credit_code END, "
	    "contact_name = CASE WHEN $5 = 1 THEN $6 ELSE contact_name END, "
	    "contact_phone = CASE WHEN $7 = 1 THEN $8 ELSE contact_phone END, "
	    "qualification_name = CASE WHEN $9 = 1 THEN $10 ELSE qualification_name END, "
	    "qualification_no = CASE WHEN $11 = 1 THEN $12 ELSE qualification_no END, "
	    "qualification_grade = CASE WHEN $13 = 1 THEN $14 ELSE qualification_grade END, "
	    "qualification_expires_on = CASE WHEN $15 = 1 THEN $16 ELSE qualification_expires_on END, "
	    "updated_at = $17, version = version + 1 WHERE id = $18");
	for (int i = 0; st && i < 8; i++) {
		db_bind_int(st, 2 * i + 1, json_object_get(in, f[i]) != NULL);
		db_bind_text(st, 2 * i + 2, fg_jstr(in, f[i]));
	}
	if (st) {
		db_bind_int(st, 17, fg_now_ms());
		db_bind_text(st, 18, id);
	}
	int rc = db_run(st);
	if (rc == DB_DONE && susp)
		rc = db_run(db_q(db, "UPDATE contractors SET suspended = $1, suspended_reason = $2 WHERE id = $3", "btt",
				 json_is_true(susp), json_is_true(susp) ? why : NULL, id));
	if (rc == DB_CONFLICT)
		fg_err_field(err, "contractor_name_taken", "name", NULL);
	if (rc != DB_DONE) {
		json_decref(before);
		return db_fail(db, err);
	}
	return finish(db, actor_id, "update", id, before, out, err);
}

json_t *
contractors_get(db_t *db, const char *id)
{
	int rc;
	char today[11];
	day_today(today);
	json_t *c = row(db, id);
	if (!c)
		return NULL;
	json_object_set_new(c, "status", status(db, c, today));
	json_object_set_new(c, "agreements", db_all(db_q(db, "SELECT " A_COLS " FROM contractor_agreements WHERE "
							       "contractor_id = $1 ORDER BY signed_on DESC, id DESC", "t", id), &rc));
	json_object_set_new(c, "staff", db_all(db_q(db,
	    "SELECT u.id, u.username, u.display_name, u.phone, u.disabled, s.added_at FROM contractor_staff s "
	    "JOIN users u ON u.id = s.user_id WHERE s.contractor_id = $1 ORDER BY u.username", "t", id), &rc));
	return c;
}

json_t *
contractors_list(db_t *db, const char *q)
{
	int rc;
	char today[11];
	day_today(today);
	json_t *rows = db_all(db_q(db,
	    "SELECT " C_COLS ", (SELECT COUNT(*) FROM contractor_staff s WHERE s.contractor_id = contractors.id) AS staff_count "
	    "FROM contractors WHERE (CAST($1 AS TEXT) IS NULL OR lower(name) LIKE '%' || lower($1) || '%') "
	    "ORDER BY name LIMIT 1000", "t", q), &rc);
	if (!rows)
		return NULL;
	size_t i;
	json_t *c;
	json_array_foreach(rows, i, c) {
		json_object_set_new(c, "suspended", json_boolean(json_integer_value(json_object_get(c, "suspended"))));
		json_object_set_new(c, "status", status(db, c, today));
	}
	return json_pack("{s:o}", "items", rows);
}

int
contractors_add_agreement(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	const char *signed_on = fg_jstr(in, "signed_on"), *expires = fg_jstr(in, "expires_on"), *att = fg_jstr(in, "attachment_id");
	if (!*fg_jstr(in, "number"))
		return fg_err_field(err, "invalid_field", "number", "must not be empty");
	if (!*fg_jstr(in, "contractor_signer"))
		return fg_err_field(err, "invalid_field", "contractor_signer", "who signed for the contractor");
	if (!day_valid(signed_on))
		return fg_err_field(err, "invalid_field", "signed_on", "YYYY-MM-DD");
	if (!day_valid(expires) || day_diff(signed_on, expires) <= 0)
		return fg_err_field(err, "invalid_field", "expires_on", "a date after signed_on");
	char today[11];
	day_today(today);
	if (strcmp(signed_on, today) > 0)
		return fg_err_field(err, "invalid_field", "signed_on", "not in the future: record an agreement once it is signed");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "contractors", id) != 0)
		return db_fail(db, err);
	json_t *c = row(db, id);
	if (!c) {
		fg_err_not_found(err, "contractor", id);
		return db_fail(db, err);
	}
	json_decref(c);
	if (att) {
		json_t *a = attach_get(db, att);
		if (!a) {
			fg_err_field(err, "invalid_field", "attachment_id", "no such attachment");
			return db_fail(db, err);
		}
		json_decref(a);
	}
	char aid[37];
	fg_uuid7(aid);
	int rc;
	if (db_run(db_q(db, "INSERT INTO contractor_agreements (" A_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
			"tttttttti", aid, id, fg_jstr(in, "number"), signed_on, expires, fg_jstr(in, "contractor_signer"), att,
			actor_id, fg_now_ms())) != DB_DONE)
		return db_fail(db, err);
	json_t *after = db_one(db_q(db, "SELECT " A_COLS " FROM contractor_agreements WHERE id = $1", "t", aid), &rc);
	if (audit_commit(db, actor_id, "create", "contractor_agreement", aid, NULL, after, NULL, err) != 0)
		return -1;
	*out = contractors_get(db, id);
	return 0;
}

int
contractors_add_staff(db_t *db, const char *actor_id, const char *id, const char *user_id, json_t **out, fg_err_t *err)
{
	int rc;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "contractors", id) != 0)
		return db_fail(db, err);
	json_t *c = row(db, id);
	if (!c) {
		fg_err_not_found(err, "contractor", id);
		return db_fail(db, err);
	}
	json_decref(c);
	/* one contractor per person: the check below and the insert hold while the person's row is locked */
	if (db_lock_row(db, "users", user_id) != 0)
		return db_fail(db, err);
	json_t *u = db_one(db_q(db, "SELECT id FROM users WHERE id = $1", "t", user_id), &rc);
	if (!u) {
		fg_err_field(err, "invalid_field", "user_id", "no such user");
		return db_fail(db, err);
	}
	json_decref(u);
	json_t *cur = db_one(db_q(db, "SELECT s.contractor_id, c.name FROM contractor_staff s JOIN contractors c "
				      "ON c.id = s.contractor_id WHERE s.user_id = $1", "t", user_id), &rc);
	if (cur) {
		if (strcmp(fg_jstr(cur, "contractor_id"), id) == 0) { /* already there: nothing to change */
			json_decref(cur);
			db_rollback(db);
			*out = contractors_get(db, id);
			return 0;
		}
		fg_err_field(err, "contractor_staff_elsewhere", "user_id", NULL);
		fg_err_detail(err, "contractor", json_pack("{s:O, s:O}", "id", json_object_get(cur, "contractor_id"), "name",
							   json_object_get(cur, "name")));
		json_decref(cur);
		return db_fail(db, err);
	}
	if (db_run(db_q(db, "INSERT INTO contractor_staff (user_id, contractor_id, added_by, added_at) VALUES ($1, $2, $3, $4)",
			"ttti", user_id, id, actor_id, fg_now_ms())) != DB_DONE)
		return db_fail(db, err);
	json_t *after = json_pack("{s:s, s:s}", "user_id", user_id, "contractor_id", id);
	if (audit_write(db, actor_id, "create", "contractor_staff", user_id, NULL, after) != 0 || db_commit(db) != 0) {
		json_decref(after);
		return db_fail(db, err);
	}
	json_decref(after);
	*out = contractors_get(db, id);
	return 0;
}

int
contractors_remove_staff(db_t *db, const char *actor_id, const char *id, const char *user_id, fg_err_t *err)
{
	int rc;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	json_t *before = db_one(db_q(db, "SELECT user_id, contractor_id FROM contractor_staff WHERE user_id = $1 AND "
					 "contractor_id = $2", "tt", user_id, id), &rc);
	if (!before) {
		fg_err_not_found(err, "contractor_staff", user_id);
		return db_fail(db, err);
	}
	if (db_run(db_q(db, "DELETE FROM contractor_staff WHERE user_id = $1", "t", user_id)) != DB_DONE ||
	    audit_write(db, actor_id, "delete", "contractor_staff", user_id, before, NULL) != 0 || db_commit(db) != 0) {
		json_decref(before);
		return db_fail(db, err);
	}
	json_decref(before);
	return 0;
}

json_t *
contractors_person(db_t *db, const char *user_id, const char *today, json_t *reasons)
{
	int rc;
	json_t *s = db_one(db_q(db, "SELECT contractor_id FROM contractor_staff WHERE user_id = $1", "t", user_id), &rc);
	if (!s)
		return NULL;
	json_t *c = row(db, fg_jstr(s, "contractor_id"));
	json_decref(s);
	if (!c)
		return NULL;
	json_t *st = status(db, c, today), *r;
	json_t *who = json_pack("{s:O, s:O}", "id", json_object_get(c, "id"), "name", json_object_get(c, "name"));
	size_t i;
	json_array_foreach(json_object_get(st, "reasons"), i, r) {
		json_t *copy = json_copy(r);
		json_object_set(copy, "contractor", who);
		json_array_append_new(reasons, copy);
	}
	json_decref(st);
	json_decref(c);
	return who;
}
