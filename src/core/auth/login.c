#include <string.h>
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/auth/password.h"
#include "core/auth/session.h"
#include "core/auth/users.h"
#include "core/auth/login.h"

static int
record_failure(db_t *db, const char *id, fg_err_t *err)
{
	int rc;
	int64_t now = fg_now_ms();
	if (db_begin(db) != 0)
		return db_fail(db, err);
	json_t *row = db_one(db_q(db, "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
				     "t", id),
	    &rc);
	if (!row)
		return db_fail(db, err);
	int64_t n = json_integer_value(json_object_get(row, "failed_logins"));
	json_decref(row);
	json_t *info = json_pack("{s:I}", "failed_logins", (json_int_t)n);
	const char *action = "login_failed";
	if (n >= LOGIN_MAX_FAILURES) {
		action = "lock";
		json_object_set_new(info, "locked_until", json_integer(now + LOGIN_LOCK_MS));
		if (db_run(db_q(db, "UPDATE users SET failed_logins = 0, locked_until = $1 WHERE id = $2", "it",
			now + LOGIN_LOCK_MS, id)) != DB_DONE) {
			json_decref(info);
			return db_fail(db, err);
		}
	}
	rc = audit_write(db, NULL, action, "user", id, NULL, info);
	json_decref(info);
	if (rc != 0 || db_commit(db) != 0)
		return db_fail(db, err);
	return 0;
}

static int
locked(fg_err_t *err, int64_t until, int64_t now)
{
	fg_err(err, "account_locked");
	fg_err_detail_int(err, "retry_after", (until - now + 999) / 1000);
	return -1;
}

int
login_password(db_t *db, const char *username, const char *password, const char *device_id, json_t **out,
    fg_err_t *err)
{
	int rc;
	int64_t now = fg_now_ms();
	json_t *row = db_one(db_q(db,
	    "SELECT id, password_hash, disabled, locked_until FROM users WHERE lower(username) = lower($1)", "t", username),
	    &rc);
	if (rc < 0)
		return fg_err(err, "internal");
	if (!row) {
		password_burn(password);
		return fg_err(err, "invalid_credentials");
	}
	char id[37];
	fg_fmt(id, sizeof id, "%s", json_string_value(json_object_get(row, "id")));
	int64_t until = json_integer_value(json_object_get(row, "locked_until"));
	bool ok = until <= now && password_verify(json_string_value(json_object_get(row, "password_hash")), password);
	bool disabled = json_integer_value(json_object_get(row, "disabled")) != 0;
	json_decref(row);
	if (until > now)
		return locked(err, until, now);
	if (!ok) {
		if (record_failure(db, id, err))
			return -1;
		return fg_err(err, "invalid_credentials");
	}
	if (disabled)
		return fg_err(err, "account_disabled");

	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (device_id) {
		json_t *dev = db_one(db_q(db, "SELECT user_id, revoked_at FROM devices WHERE id = $1", "t", device_id), &rc);
		if (!dev || strcmp(json_string_value(json_object_get(dev, "user_id")), id) != 0) {
			json_decref(dev);
			fg_err_field(err, rc < 0 ? "internal" : "forbidden", "device_id", "not a device of this user");
			return db_fail(db, err);
		}
		bool revoked = !json_is_null(json_object_get(dev, "revoked_at"));
		json_decref(dev);
		if (revoked) {
			fg_err(err, "device_revoked");
			fg_err_detail_str(err, "device_id", device_id);
			return db_fail(db, err);
		}
	}
	char token[SESSION_TOKEN_LEN], sid[37];
	int64_t expires;
	json_t *info = NULL, *user = NULL;
	if (db_run(db_q(db, "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $1 WHERE id = $2",
		"it", now, id)) != DB_DONE ||
	    session_create(db, id, device_id, token, sid, &expires) != 0)
		return db_fail(db, err);
	info = json_pack("{s:s, s:s?, s:I}", "user_id", id, "device_id", device_id, "expires_at", (json_int_t)expires);
	rc = audit_write(db, id, "login", "session", sid, NULL, info);
	json_decref(info);
	user = users_get(db, id);
	if (rc != 0 || !user || db_commit(db) != 0) {
		json_decref(user);
		sodium_memzero(token, sizeof token);
		return db_fail(db, err);
	}
	*out = json_pack("{s:s, s:I, s:o}", "token", token, "expires_at", (json_int_t)expires, "user", user);
	sodium_memzero(token, sizeof token);
	return 0;
}

int
login_reauth(db_t *db, const char *user_id, const char *password, fg_err_t *err)
{
	int rc;
	int64_t now = fg_now_ms();
	if (!password || !*password)
		return fg_err_field(err, "missing_field", "password", "re-enter your password to sign");
	json_t *row = db_one(db_q(db, "SELECT password_hash, locked_until FROM users WHERE id = $1", "t", user_id), &rc);
	if (!row)
		return fg_err(err, rc < 0 ? "internal" : "reauth_failed");
	int64_t until = json_integer_value(json_object_get(row, "locked_until"));
	bool ok = until <= now && password_verify(json_string_value(json_object_get(row, "password_hash")), password);
	json_decref(row);
	if (until > now)
		return locked(err, until, now);
	if (!ok) {
		if (record_failure(db, user_id, err))
			return -1;
		return fg_err_field(err, "reauth_failed", "password", NULL);
	}
	return 0;
}

int
login_logout(db_t *db, const char *user_id, const char *sid, fg_err_t *err)
{
	if (db_begin(db) != 0 || session_revoke(db, sid) != 0 ||
	    audit_write(db, user_id, "logout", "session", sid, NULL, NULL) != 0 || db_commit(db) != 0)
		return db_fail(db, err);
	return 0;
}
