/* Customers' codes and sessions (docs/api.md "Customer portal"): one-time codes by SMS, rate limits, sessions
 * scoped to a phone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "core/base/util.h"
#include "core/base/log.h"
#include "core/audit/audit.h"
#include "shared/notify/outbox.h"
#include "customer/portal/portal.h"

static int64_t
env_num(const char *name, int64_t dflt, int64_t lo, int64_t hi)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return dflt;
	char *end;
	long long n = strtoll(v, &end, 10);
	if (*end || n < lo || n > hi)
		return dflt;
	return n;
}

#define CODE_TTL_MS (env_num("FG_PORTAL_CODE_TTL_S", 300, 1, 3600) * 1000)
#define CODE_TRIES env_num("FG_PORTAL_CODE_TRIES", 5, 1, 100)
#define TARGET_GAP_MS (env_num("FG_PORTAL_TARGET_GAP_S", 60, 0, 3600) * 1000)
#define TARGET_PER_HOUR env_num("FG_PORTAL_TARGET_PER_HOUR", 5, 1, 1000)
#define ADDR_PER_HOUR env_num("FG_PORTAL_ADDR_PER_HOUR", 20, 1, 100000)
#define SESSION_IDLE_MS (env_num("FG_PORTAL_SESSION_IDLE_S", 1800, 1, 86400) * 1000)
#define SESSION_MAX_MS (env_num("FG_PORTAL_SESSION_MAX_S", 14400, 1, 7 * 86400) * 1000)
#define HOUR_MS (3600LL * 1000)

/* BLAKE2b of the secret keyed by the row's id: the same code in two rows hashes apart. */
static void
keyed_hash(const char *secret, const char *key, char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)secret, strlen(secret), (const unsigned char *)key,
	    strlen(key));
	fg_hex(h, sizeof h, out);
}

static int
target_of(const char *phone, const char *number, char target[48], char ph[12], char num[33], fg_err_t *err)
{
	ph[0] = num[0] = 0;
	if (!phone && !number)
		return fg_err_field(err, "missing_field", "phone", "the phone, or the application's number");
	if (phone && !portal_phone_norm(phone, ph))
		return fg_err_field(err, "invalid_field", "phone", "a mainland mobile number (11 digits)");
	if (number && !portal_number_norm(number, num))
		return fg_err_field(err, "invalid_field", "number", "an application's number (YK20261206-0001)");
	if (num[0])
		fg_fmt(target, 48, "n:%s", num);
	else
		fg_fmt(target, 48, "p:%s", ph);
	return 0;
}

static int
rate_limited(fg_err_t *err, const char *scope, int64_t retry_ms)
{
	fg_err(err, "portal_rate_limited");
	fg_err_detail_str(err, "scope", scope);
	fg_err_detail_int(err, "retry_after_s", retry_ms <= 0 ? 1 : (retry_ms + 999) / 1000);
	return -1;
}

/* How many codes were asked for since `since` for `col` = val, and the oldest and newest of them. */
static int
window(db_t *db, const char *sql, const char *val, int64_t since, int64_t *count, int64_t *oldest, int64_t *newest)
{
	int rc;
	json_t *w = db_one(db_q(db, sql, "ti", val, since), &rc);
	if (!w)
		return -1;
	*count = json_integer_value(json_object_get(w, "n"));
	*oldest = json_integer_value(json_object_get(w, "oldest"));
	*newest = json_integer_value(json_object_get(w, "newest"));
	json_decref(w);
	return 0;
}

int
portal_code_request(db_t *db, const char *phone, const char *number, const char *addr, json_t **out, fg_err_t *err)
{
	char target[48], ph[12], num[33], id[37], code[8], hash[65];
	if (target_of(phone, number, target, ph, num, err) != 0)
		return -1;
	int64_t now = fg_now_ms(), n, oldest, newest;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	/* the client's address first: one address walking through many numbers is stopped whatever they are */
	if (window(db, "SELECT COUNT(*) AS n, MIN(created_at) AS oldest, MAX(created_at) AS newest FROM portal_codes "
		       "WHERE client_addr = $1 AND created_at > $2", addr, now - HOUR_MS, &n, &oldest, &newest) != 0)
		return db_fail(db, err);
	if (n >= ADDR_PER_HOUR) {
		db_rollback(db);
		return rate_limited(err, "address", oldest + HOUR_MS - now);
	}
	/* then the target (a phone, or a number: the same whether it exists or not) */
	if (window(db, "SELECT COUNT(*) AS n, MIN(created_at) AS oldest, MAX(created_at) AS newest FROM portal_codes "
		       "WHERE target = $1 AND created_at > $2", target, now - HOUR_MS, &n, &oldest, &newest) != 0)
		return db_fail(db, err);
	if (n > 0 && newest + TARGET_GAP_MS > now) {
		db_rollback(db);
		return rate_limited(err, "target", newest + TARGET_GAP_MS - now);
	}
	if (n >= TARGET_PER_HOUR) {
		db_rollback(db);
		return rate_limited(err, "target", oldest + HOUR_MS - now);
	}
	/* where the code goes: the phone asked for, or the one registered on the number (when a phone is given with it,
	 * only if it is that one); nowhere for an unknown number */
	char send_to[12] = "";
	if (num[0]) {
		int rc;
		json_t *a = db_one(db_q(db, "SELECT applicant_phone FROM applications WHERE number = $1", "t", num), &rc);
		if (!a && rc != DB_DONE)
			return db_fail(db, err);
		char reg[12];
		if (a && portal_phone_norm(json_string_value(json_object_get(a, "applicant_phone")), reg) &&
		    (!ph[0] || strcmp(ph, reg) == 0))
			memcpy(send_to, reg, sizeof reg);
		json_decref(a);
	} else {
		memcpy(send_to, ph, sizeof ph);
	}
	/* a phone reached through several numbers still gets no more than its own limit */
	if (send_to[0] && num[0]) {
		if (window(db, "SELECT COUNT(*) AS n, MIN(created_at) AS oldest, MAX(created_at) AS newest FROM portal_codes "
			       "WHERE phone = $1 AND created_at > $2", send_to, now - HOUR_MS, &n, &oldest, &newest) != 0)
			return db_fail(db, err);
		if (n >= TARGET_PER_HOUR)
			send_to[0] = 0;
	}
	fg_uuid7(id);
	fg_fmt(code, sizeof code, "%06u", (unsigned)randombytes_uniform(1000000));
	keyed_hash(code, id, hash);
	int64_t ttl = CODE_TTL_MS;
	if (db_run(db_q(db, "INSERT INTO portal_codes (id, target, phone, code_hash, tries, client_addr, created_at, expires_at) "
			    "VALUES ($1, $2, $3, $4, 0, $5, $6, $7)", "tttttii", id, target, send_to[0] ? send_to : NULL, hash,
		    addr, now, now + ttl)) != DB_DONE)
		return db_fail(db, err);
	if (send_to[0]) {
		int sp = db_savepoint(db);
		if (sp < 0)
			return db_fail(db, err);
		fg_err_t ne = FG_ERR_INIT;
		json_t *params = json_pack("{s:s, s:I}", "code", code, "minutes", (json_int_t)((ttl + 59999) / 60000));
		json_t *to = json_pack("{s:s}", "phone", send_to);
		int q = notify_send(db, "verification_code", to, params, &ne); /* borrows both */
		json_decref(to);
		json_decref(params);
		if (q < 0) {
			/* the answer stays the same (it must not tell that the number exists); the operator is told */
			log_error("portal: the verification code could not be queued (%s)", ne.code ? ne.code : "?");
			fg_err_clear(&ne);
			db_rollback_to(db, sp);
		} else if (db_release(db, sp) != 0) {
			return db_fail(db, err);
		}
	}
	sodium_memzero(code, sizeof code);
	/* the record says what was asked from where, never the code nor where it went */
	char shown[48];
	if (num[0])
		fg_fmt(shown, sizeof shown, "n:%s", num);
	else {
		char m[16];
		portal_phone_mask(ph, m);
		fg_fmt(shown, sizeof shown, "p:%s", m);
	}
	json_t *after = json_pack("{s:s, s:s, s:I}", "target", shown, "client_addr", addr, "expires_at", (json_int_t)(now + ttl));
	if (audit_write(db, NULL, "create", "portal_code", id, NULL, after) != 0) {
		json_decref(after);
		return db_fail(db, err);
	}
	json_decref(after);
	if (db_commit(db) != 0)
		return db_fail(db, err);
	*out = json_pack("{s:I, s:I}", "expires_in_s", (json_int_t)(ttl / 1000), "resend_after_s",
	    (json_int_t)(TARGET_GAP_MS / 1000));
	return 0;
}

static void
token_hash(const char *token, char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
	fg_hex(h, sizeof h, out);
}

int
portal_session_create(db_t *db, const char *phone, const char *number, const char *code, json_t **out, fg_err_t *err)
{
	char target[48], ph[12], num[33];
	if (target_of(phone, number, target, ph, num, err) != 0)
		return -1;
	if (!code || strlen(code) != 6 || strspn(code, "0123456789") != 6)
		return fg_err_field(err, "invalid_field", "code", "the 6 digits sent by SMS");
	int64_t now = fg_now_ms(), tries_max = CODE_TRIES;
	int rc;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	/* only the newest code of the target counts: asking again replaces the one before */
	json_t *c = db_one(db_q(db, "SELECT id, phone, code_hash, tries, expires_at, used_at FROM portal_codes WHERE target = $1 "
				    "ORDER BY created_at DESC, id DESC LIMIT 1", "t", target), &rc);
	if (!c && rc != DB_DONE)
		return db_fail(db, err);
	char cid[37] = "";
	if (c)
		fg_fmt(cid, sizeof cid, "%s", json_string_value(json_object_get(c, "id")));
	if (!c || !json_is_null(json_object_get(c, "used_at")) || json_integer_value(json_object_get(c, "expires_at")) <= now) {
		json_decref(c);
		db_rollback(db);
		return fg_err(err, "portal_code_invalid");
	}
	if (db_lock_row(db, "portal_codes", cid) != 0) {
		json_decref(c);
		return db_fail(db, err);
	}
	/* the row again, under the lock: two guesses at once count twice */
	json_decref(c);
	c = db_one(db_q(db, "SELECT id, phone, code_hash, tries, expires_at, used_at FROM portal_codes WHERE id = $1", "t", cid), &rc);
	if (!c)
		return db_fail(db, err);
	int64_t tries = json_integer_value(json_object_get(c, "tries"));
	if (tries >= tries_max || !json_is_null(json_object_get(c, "used_at"))) {
		json_decref(c);
		db_rollback(db);
		return fg_err(err, tries >= tries_max ? "portal_code_locked" : "portal_code_invalid");
	}
	char hash[65];
	keyed_hash(code, cid, hash);
	const char *cphone = json_string_value(json_object_get(c, "phone"));
	bool ok = cphone && sodium_memcmp(hash, json_string_value(json_object_get(c, "code_hash")), 64) == 0;
	if (!ok) {
		/* an unknown number's row (no phone) counts wrong tries like any other */
		if (db_run(db_q(db, "UPDATE portal_codes SET tries = tries + 1 WHERE id = $1", "t", cid)) != DB_DONE) {
			json_decref(c);
			return db_fail(db, err);
		}
		json_decref(c);
		if (db_commit(db) != 0)
			return db_fail(db, err);
		if (tries + 1 >= tries_max)
			return fg_err(err, "portal_code_locked");
		fg_err(err, "portal_code_invalid");
		fg_err_detail_int(err, "attempts_left", (long long)(tries_max - tries - 1));
		return -1;
	}
	char sphone[12];
	memcpy(sphone, cphone, strnlen(cphone, 11));
	sphone[strnlen(cphone, 11)] = 0;
	if (db_run(db_q(db, "UPDATE portal_codes SET used_at = $1 WHERE id = $2", "it", now, cid)) != DB_DONE) {
		json_decref(c);
		return db_fail(db, err);
	}
	json_decref(c);
	unsigned char raw[32];
	char token[PORTAL_TOKEN_LEN], thash[65], sid[37], masked[16];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(token, sizeof token, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	token_hash(token, thash);
	fg_uuid7(sid);
	int64_t exp = now + SESSION_IDLE_MS, max = now + SESSION_MAX_MS;
	if (exp > max)
		exp = max;
	if (db_run(db_q(db, "INSERT INTO portal_sessions (id, token_hash, phone, created_at, last_seen_at, expires_at) "
			    "VALUES ($1, $2, $3, $4, $5, $6)", "tttiii", sid, thash, sphone, now, now, exp)) != DB_DONE)
		return db_fail(db, err);
	portal_phone_mask(sphone, masked);
	json_t *after = json_pack("{s:s, s:I}", "phone", masked, "expires_at", (json_int_t)exp);
	rc = audit_write(db, NULL, "create", "portal_session", sid, NULL, after);
	json_decref(after);
	if (rc != 0 || db_commit(db) != 0)
		return db_fail(db, err);
	*out = json_pack("{s:s, s:s, s:I}", "token", token, "phone", masked, "expires_at", (json_int_t)exp);
	sodium_memzero(token, sizeof token);
	return 0;
}

int
portal_session_resolve(db_t *db, const char *token, portal_session_t *s, fg_err_t *err)
{
	if (!token || strlen(token) != PORTAL_TOKEN_LEN - 1)
		return fg_err(err, "portal_session_required");
	char h[65];
	int rc;
	token_hash(token, h);
	json_t *row = db_one(db_q(db, "SELECT id, phone, created_at, last_seen_at, expires_at, revoked_at FROM portal_sessions "
				      "WHERE token_hash = $1", "t", h), &rc);
	if (!row)
		return rc == DB_DONE ? fg_err(err, "portal_session_required") : db_fail(db, err);
	int64_t now = fg_now_ms(), exp = json_integer_value(json_object_get(row, "expires_at"));
	if (!json_is_null(json_object_get(row, "revoked_at")) || exp <= now) {
		json_decref(row);
		return fg_err(err, "portal_session_required");
	}
	fg_fmt(s->id, sizeof s->id, "%s", json_string_value(json_object_get(row, "id")));
	fg_fmt(s->phone, sizeof s->phone, "%s", json_string_value(json_object_get(row, "phone")));
	int64_t seen = json_integer_value(json_object_get(row, "last_seen_at"));
	int64_t max = json_integer_value(json_object_get(row, "created_at")) + SESSION_MAX_MS;
	json_decref(row);
	s->expires_at = exp;
	/* sliding, at most once a minute: a reader's requests write nothing in between */
	if (now - seen >= 60000 && !db_in_tx(db)) {
		int64_t nexp = now + SESSION_IDLE_MS < max ? now + SESSION_IDLE_MS : max;
		if (db_run(db_q(db, "UPDATE portal_sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3", "iit", now,
			nexp, s->id)) == DB_DONE)
			s->expires_at = nexp;
	}
	return 0;
}

int
portal_session_end(db_t *db, const portal_session_t *s, fg_err_t *err)
{
	if (db_begin(db) != 0)
		return db_fail(db, err);
	int64_t now = fg_now_ms();
	if (db_run(db_q(db, "UPDATE portal_sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", "it", now, s->id)) !=
	    DB_DONE)
		return db_fail(db, err);
	json_t *after = json_pack("{s:I}", "revoked_at", (json_int_t)now);
	int rc = audit_write(db, NULL, "revoke", "portal_session", s->id, NULL, after);
	json_decref(after);
	if (rc != 0 || db_commit(db) != 0)
		return db_fail(db, err);
	return 0;
}

/* Housekeeping (the job portal.sweep): codes a day old count for no limit and can no longer be used; an expired or
 * signed-out session never comes back. Neither is audited, as for staff sessions (core/jobs/maintenance.c). */
int
portal_sweep(db_t *db, int64_t now)
{
	if (db_run(db_q(db, "DELETE FROM portal_codes WHERE created_at < $1", "i", now - 24 * HOUR_MS)) != DB_DONE ||
	    db_run(db_q(db, "DELETE FROM portal_sessions WHERE expires_at <= $1 OR revoked_at IS NOT NULL", "i", now)) != DB_DONE)
		return -1;
	return 0;
}
