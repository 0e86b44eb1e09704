#include <string.h>
#include <sodium.h>
#include "core/base/util.h"
#include "core/base/log.h"
#include "core/auth/perm.h"
#include "core/auth/session.h"

static void
token_hash(const char *token, char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
	fg_hex(h, sizeof h, out);
}

int
session_create(db_t *db, const char *user_id, const char *device_id, char token[SESSION_TOKEN_LEN], char sid[37],
    int64_t *expires_at)
{
	unsigned char raw[32];
	char hash[65];
	int64_t now = fg_now_ms();

	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(token, SESSION_TOKEN_LEN, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	token_hash(token, hash);
	fg_uuid7(sid);
	*expires_at = now + SESSION_IDLE_MS;
	int rc = db_run(db_q(db,
	    "INSERT INTO sessions (id, user_id, token_hash, device_id, created_at, last_seen_at, expires_at) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7)",
	    "ttttiii", sid, user_id, hash, device_id, now, now, *expires_at));
	return rc == DB_DONE ? 0 : rc;
}

uint32_t
session_user_roles(db_t *db, const char *user_id)
{
	uint32_t roles = 0;
	db_stmt_t *st = db_q(db, "SELECT role FROM user_roles WHERE user_id = $1", "t", user_id);
	if (!st)
		return 0;
	while (db_step(st) == DB_ROW)
		roles |= perm_role_bit(db_col_text(st, 0));
	db_finalize(st);
	return roles;
}

int
session_resolve(db_t *db, const char *token, auth_user_t *u, fg_err_t *err)
{
	char hash[65];
	int64_t now = fg_now_ms();

	if (!token || !*token || strlen(token) > 128)
		return fg_err(err, "unauthenticated");
	token_hash(token, hash);
	db_stmt_t *st = db_q(db,
	    "SELECT s.id, s.user_id, s.device_id, s.created_at, s.last_seen_at, s.expires_at, s.revoked_at, "
	    "u.username, u.display_name, u.org_unit_id, u.disabled, d.revoked_at "
	    "FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN devices d ON d.id = s.device_id "
	    "WHERE s.token_hash = $1",
	    "t", hash);
	if (!st)
		return fg_err(err, "internal");
	int rc = db_step(st);
	if (rc != DB_ROW) {
		db_finalize(st);
		return fg_err(err, rc == DB_DONE ? "unauthenticated" : "internal");
	}
	memset(u, 0, sizeof *u);
	fg_fmt(u->session_id, sizeof u->session_id, "%s", db_col_text(st, 0));
	fg_fmt(u->id, sizeof u->id, "%s", db_col_text(st, 1));
	if (!db_col_null(st, 2))
		fg_fmt(u->device_id, sizeof u->device_id, "%s", db_col_text(st, 2));
	int64_t created = db_col_int(st, 3), seen = db_col_int(st, 4), expires = db_col_int(st, 5);
	bool revoked = !db_col_null(st, 6), disabled = db_col_int(st, 10) != 0, dev_revoked = !db_col_null(st, 11);
	fg_fmt(u->username, sizeof u->username, "%s", db_col_text(st, 7));
	fg_fmt(u->display_name, sizeof u->display_name, "%s", db_col_text(st, 8));
	if (!db_col_null(st, 9))
		fg_fmt(u->org_unit_id, sizeof u->org_unit_id, "%s", db_col_text(st, 9));
	db_finalize(st);

	if (dev_revoked) {
		fg_err(err, "device_revoked");
		fg_err_detail_str(err, "device_id", u->device_id);
		return -1;
	}
	if (revoked || disabled || expires <= now)
		return fg_err(err, "unauthenticated");
	u->roles = session_user_roles(db, u->id);

	/* Sliding expiry, written at most once a minute per session so reads stay reads. */
	if (now - seen > 60000) {
		int64_t until = now + SESSION_IDLE_MS;
		if (until > created + SESSION_MAX_MS)
			until = created + SESSION_MAX_MS;
		if (db_run(db_q(db, "UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3", "iit", now, until,
			u->session_id)) != DB_DONE)
			log_warn("session touch failed: %s", db_errmsg(db));
		if (u->device_id[0] &&
		    db_run(db_q(db, "UPDATE devices SET last_seen_at = $1 WHERE id = $2", "it", now, u->device_id)) != DB_DONE)
			log_warn("device touch failed: %s", db_errmsg(db));
	}
	return 0;
}

int
session_revoke(db_t *db, const char *sid)
{
	int rc = db_run(db_q(db, "UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", "it",
	    fg_now_ms(), sid));
	return rc == DB_DONE ? 0 : rc;
}

int
session_revoke_user(db_t *db, const char *user_id, const char *except_sid)
{
	int rc = db_run(db_q(db,
	    "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND id <> $3", "itt",
	    fg_now_ms(), user_id, except_sid ? except_sid : ""));
	return rc == DB_DONE ? 0 : rc;
}

int
session_revoke_device(db_t *db, const char *device_id)
{
	int rc = db_run(db_q(db, "UPDATE sessions SET revoked_at = $1 WHERE device_id = $2 AND revoked_at IS NULL", "it",
	    fg_now_ms(), device_id));
	return rc == DB_DONE ? 0 : rc;
}
