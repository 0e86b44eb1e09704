#include <string.h>
#include "core/base/util.h"
#include "core/db/qb.h"
#include "core/audit/audit.h"
#include "core/auth/perm.h"
#include "core/auth/password.h"
#include "core/auth/session.h"
#include "core/auth/users.h"

#define USER_COLS "id, username, display_name, org_unit_id, phone, disabled, last_login_at, created_at, updated_at, version"

static json_t *
roles_json(db_t *db, const char *id)
{
	uint32_t bits = session_user_roles(db, id);
	json_t *a = json_array();
	for (int i = 0; perm_role_names[i]; i++)
		if (bits & (1u << i))
			json_array_append_new(a, json_string(perm_role_names[i]));
	return a;
}

/* Row → API shape: flags become booleans, roles are attached. */
static json_t *
shape(db_t *db, json_t *row)
{
	if (!row)
		return NULL;
	json_object_set_new(row, "disabled", json_boolean(json_integer_value(json_object_get(row, "disabled")) != 0));
	json_object_set_new(row, "roles", roles_json(db, json_string_value(json_object_get(row, "id"))));
	return row;
}

json_t *
users_get(db_t *db, const char *id)
{
	int rc;
	return shape(db, db_one(db_q(db, "SELECT " USER_COLS " FROM users WHERE id = $1", "t", id), &rc));
}

json_t *
users_get_by_name(db_t *db, const char *username)
{
	int rc;
	return shape(db, db_one(db_q(db, "SELECT " USER_COLS " FROM users WHERE lower(username) = lower($1)", "t",
				    username),
			     &rc));
}

bool
users_valid_username(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
			c == '-'))
			return false;
	}
	return true;
}

static int
check_roles(json_t *roles, fg_err_t *err)
{
	size_t i;
	json_t *r;
	if (json_array_size(roles) == 0)
		return fg_err_field(err, "invalid_field", "roles", "at least one role");
	json_array_foreach(roles, i, r) {
		if (!perm_role_bit(json_string_value(r))) {
			fg_err_field(err, "invalid_field", "roles", "unknown role");
			fg_err_detail_str(err, "value", json_string_value(r));
			return -1;
		}
	}
	return 0;
}

static int
check_org(db_t *db, const char *org_id, fg_err_t *err)
{
	int rc;
	if (!org_id)
		return 0;
	json_t *row = db_one(db_q(db, "SELECT id FROM org_units WHERE id = $1", "t", org_id), &rc);
	if (rc < 0)
		return fg_err(err, "internal");
	if (!row)
		return fg_err_field(err, "invalid_field", "org_unit_id", "no such org unit");
	json_decref(row);
	return 0;
}

static int
write_roles(db_t *db, const char *id, json_t *roles)
{
	size_t i;
	json_t *r;
	if (db_run(db_q(db, "DELETE FROM user_roles WHERE user_id = $1", "t", id)) != DB_DONE)
		return -1;
	json_array_foreach(roles, i, r) {
		int rc = db_run(db_q(db, "INSERT INTO user_roles (user_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING", "tt",
		    id, json_string_value(r)));
		if (rc != DB_DONE)
			return -1;
	}
	return 0;
}

/* A name people will read: not empty, not only spaces. */
static bool
blank_free(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t')
			return true;
	return false;
}

static const char *
str(json_t *in, const char *k)
{
	return json_string_value(json_object_get(in, k));
}

int
users_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	const char *username = str(in, "username"), *pw = str(in, "password");
	const char *org = str(in, "org_unit_id"), *phone = str(in, "phone");
	json_t *roles = json_object_get(in, "roles");
	char hash[crypto_pwhash_STRBYTES], id[37];
	int64_t now = fg_now_ms();

	if (!users_valid_username(username))
		return fg_err_field(err, "invalid_field", "username", "2-64 of A-Z a-z 0-9 . _ -");
	if (!blank_free(str(in, "display_name")))
		return fg_err_field(err, "invalid_field", "display_name", "must not be empty");
	if (password_check_strength(pw, err) || check_roles(roles, err))
		return -1;
	if (password_hash(pw, hash) != 0)
		return fg_err(err, "internal");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (check_org(db, org, err))
		return db_fail(db, err);
	fg_uuid7(id);
	int rc = db_run(db_q(db,
	    "INSERT INTO users (id, username, display_name, password_hash, org_unit_id, phone, created_at, updated_at) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
	    "ttttttii", id, username, str(in, "display_name"), hash, org, phone, now, now));
	sodium_memzero(hash, sizeof hash);
	if (rc == DB_CONFLICT) {
		fg_err_field(err, "username_taken", "username", NULL);
		return db_fail(db, err);
	}
	if (rc != DB_DONE || write_roles(db, id, roles))
		return db_fail(db, err);
	json_t *after = users_get(db, id);
	if (!after || audit_write(db, actor_id, "create", "user", id, NULL, after) != 0 || db_commit(db) != 0) {
		json_decref(after);
		return db_fail(db, err);
	}
	*out = after;
	return 0;
}

int
users_update(db_t *db, const char *actor_id, const char *keep_sid, const char *id, json_t *in, json_t **out,
    fg_err_t *err)
{
	json_t *roles = json_object_get(in, "roles");
	const char *pw = str(in, "password");
	char hash[crypto_pwhash_STRBYTES] = "";

	if (roles && check_roles(roles, err))
		return -1;
	if (str(in, "display_name") && !blank_free(str(in, "display_name")))
		return fg_err_field(err, "invalid_field", "display_name", "must not be empty");
	if (pw && (password_check_strength(pw, err) || password_hash(pw, hash) != 0))
		return err->code ? -1 : fg_err(err, "internal");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "users", id) != 0)
		return db_fail(db, err);
	session_cache_invalidate(db); /* name, org unit, roles or the disabled flag: what a session resolves to */
	json_t *before = users_get(db, id);
	if (!before) {
		fg_err_not_found(err, "user", id);
		return db_fail(db, err);
	}
	if (db_check_version(before, in, err)) {
		json_decref(before);
		return db_fail(db, err);
	}
	json_t *org = json_object_get(in, "org_unit_id");
	if (org && check_org(db, json_string_value(org), err)) {
		json_decref(before);
		return db_fail(db, err);
	}
	/* Only the fields present change; COALESCE keeps the rest. org_unit_id and phone may be set to null. */
	int rc = db_run(db_q(db,
	    "UPDATE users SET display_name = COALESCE($1, display_name), "
	    "org_unit_id = CASE WHEN $2 = 1 THEN $3 ELSE org_unit_id END, "
	    "phone = CASE WHEN $4 = 1 THEN $5 ELSE phone END, "
	    "password_hash = COALESCE($6, password_hash), updated_at = $7, version = version + 1 WHERE id = $8",
	    "tbtbttit", str(in, "display_name"), org != NULL, json_string_value(org), json_object_get(in, "phone") != NULL,
	    str(in, "phone"), hash[0] ? hash : NULL, fg_now_ms(), id));
	sodium_memzero(hash, sizeof hash);
	if (rc != DB_DONE || (roles && write_roles(db, id, roles)) ||
	    (pw && session_revoke_user(db, id, keep_sid) != 0)) {
		json_decref(before);
		return db_fail(db, err);
	}
	json_t *after = users_get(db, id);
	if (pw && after)
		json_object_set_new(after, "credential_changed", json_true()); /* that it changed, never what to */
	if (!after || audit_write(db, actor_id, "update", "user", id, before, after) != 0 || db_commit(db) != 0) {
		json_decref(before);
		json_decref(after);
		return db_fail(db, err);
	}
	json_decref(before);
	json_object_del(after, "credential_changed");
	*out = after;
	return 0;
}

int
users_set_disabled(db_t *db, const char *actor_id, const char *id, bool disabled, json_t **out, fg_err_t *err)
{
	/* an admin locking themselves out leaves nobody to undo it */
	if (disabled && actor_id && strcmp(actor_id, id) == 0)
		return fg_err(err, "cannot_disable_self");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "users", id) != 0)
		return db_fail(db, err);
	session_cache_invalidate(db); /* name, org unit, roles or the disabled flag: what a session resolves to */
	json_t *before = users_get(db, id);
	if (!before) {
		fg_err_not_found(err, "user", id);
		return db_fail(db, err);
	}
	int rc = db_run(db_q(db,
	    "UPDATE users SET disabled = $1, failed_logins = 0, locked_until = NULL, updated_at = $2, "
	    "version = version + 1 WHERE id = $3",
	    "bit", disabled, fg_now_ms(), id));
	if (rc != DB_DONE || (disabled && session_revoke_user(db, id, NULL) != 0)) {
		json_decref(before);
		return db_fail(db, err);
	}
	json_t *after = users_get(db, id);
	if (!after || audit_write(db, actor_id, disabled ? "disable" : "enable", "user", id, before, after) != 0 ||
	    db_commit(db) != 0) {
		json_decref(before);
		json_decref(after);
		return db_fail(db, err);
	}
	json_decref(before);
	*out = after;
	return 0;
}

/* LIKE with the user's text taken literally. */
static char *
like_pattern(const char *q)
{
	fg_buf_t b;
	fg_buf_init(&b, 1024);
	(void)fg_buf_append(&b, "%", 1);
	for (const char *p = q; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			(void)fg_buf_append(&b, "\\", 1);
		(void)fg_buf_append(&b, p, 1);
	}
	(void)fg_buf_append(&b, "%", 1);
	return b.data ? b.data : fg_strdup("%");
}

static void
filters(qb_t *q, const void *filter)
{
	const users_filter_t *f = filter;
	if (f->q && *f->q) {
		char *pat = like_pattern(f->q);
		qb_sql(q, " AND (lower(username) LIKE lower(");
		qb_text(q, pat);
		qb_sql(q, ") ESCAPE '\\' OR display_name LIKE ");
		qb_text(q, pat);
		qb_sql(q, " ESCAPE '\\')");
		free(pat);
	}
	if (f->role) {
		qb_sql(q, " AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = users.id AND r.role = ");
		qb_text(q, f->role);
		qb_sql(q, ")");
	}
	if (f->org_unit_id) {
		qb_sql(q, " AND org_unit_id = ");
		qb_text(q, f->org_unit_id);
	}
	if (f->disabled >= 0) {
		qb_sql(q, " AND disabled = ");
		qb_int(q, f->disabled);
	}
}

int
users_list(db_t *db, const users_filter_t *f, json_t **out, fg_err_t *err)
{
	if (qb_list(db, "SELECT " USER_COLS " FROM users WHERE 1 = 1", "SELECT COUNT(*) AS n FROM users WHERE 1 = 1", filters, f,
		"id", false, f->cursor, f->limit, out) != 0)
		return fg_err(err, "internal");
	size_t i;
	json_t *row;
	json_array_foreach(json_object_get(*out, "items"), i, row) shape(db, row);
	return 0;
}

int
users_unused(db_t *db, int days, json_t **out, fg_err_t *err)
{
	int rc;
	int64_t cutoff = fg_now_ms() - (int64_t)days * 86400000LL;
	json_t *rows = db_all(db_q(db,
	    "SELECT " USER_COLS " FROM users WHERE disabled = 0 AND "
	    "((last_login_at IS NULL AND created_at <= $1) OR last_login_at <= $2) ORDER BY id LIMIT 1000",
	    "ii", cutoff, cutoff), &rc);
	if (!rows)
		return fg_err(err, "internal");
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) shape(db, row);
	*out = json_pack("{s:i, s:o}", "days", days, "items", rows);
	return 0;
}
