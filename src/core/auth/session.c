#include <string.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sodium.h>
#include "core/base/util.h"
#include "core/base/log.h"
#include "core/auth/perm.h"
#include "core/auth/session.h"
#include "core/cluster/cluster.h"

static void
token_hash_raw(const char *token, unsigned char h[32])
{
	crypto_generichash(h, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

static void
token_hash(const char *token, char out[65])
{
	unsigned char h[32];
	token_hash_raw(token, h);
	fg_hex(h, sizeof h, out);
}

/* Resolved sessions, kept a moment in this process (bench/README.md "HTTP": the session's join and the roles
 * query were two of /me's five statements). An entry is used only while
 *   - the generation it was read under is still the current one: every change that can end or change a session
 *     made through this process (logout, revocation of a user's or a device's sessions, disabling, a password,
 *     roles or org unit change) bumps it at once and again when its transaction commits, so the change takes
 *     effect on the very next request; the bump after the commit covers a request that read the old rows between
 *     the first bump and the commit (it stored its entry under the first bump's generation);
 *   - it is younger than SESSION_CACHE_MS: changes made by another process on the same database (the CLI) are seen
 *     within that bound, and those of another node of a cluster at once (its "sessions.flush" message);
 *   - the session has not expired by the clock.
 * Only successful resolutions are kept; the key is the token's hash, never the token. */
#define SESSION_CACHE_SLOTS 4096
#define SESSION_CACHE_STRIPES 64
#define SESSION_CACHE_MS 2000

typedef struct {
	unsigned char key[32];
	uint64_t gen;
	int64_t cached_at, created, seen, expires;
	auth_user_t user;
	bool used;
} cache_entry_t;

static cache_entry_t cache[SESSION_CACHE_SLOTS];
static pthread_mutex_t cache_lock[SESSION_CACHE_STRIPES];
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static atomic_uint_fast64_t cache_gen = 1;

static void
cache_init(void)
{
	for (int i = 0; i < SESSION_CACHE_STRIPES; i++)
		pthread_mutex_init(&cache_lock[i], NULL);
}

static size_t
cache_slot(const unsigned char key[32])
{
	uint64_t v;
	memcpy(&v, key, sizeof v);
	return (size_t)(v % SESSION_CACHE_SLOTS);
}

static void
bump(db_t *db, void *arg)
{
	(void)db;
	(void)arg;
	atomic_fetch_add(&cache_gen, 1);
}

void
session_cache_invalidate(db_t *db)
{
	atomic_fetch_add(&cache_gen, 1);
	if (db && db_in_tx(db))
		db_after_commit(db, bump, NULL, NULL);
	/* the other nodes of a cluster drop theirs too, when this commits (a revoked session is refused everywhere
	 * within milliseconds, not SESSION_CACHE_MS); on SQLite there is no other node */
	if (db && db_kind(db) == DB_PG && cluster_send(db, NULL, "sessions.flush", "") != 0)
		log_warn("sessions: the other nodes were not told: %s", db_errmsg(db));
}

static void
on_flush(db_t *db, const char *payload)
{
	(void)db;
	(void)payload;
	atomic_fetch_add(&cache_gen, 1);
}

void
session_cluster_start(void)
{
	cluster_on("sessions.flush", on_flush);
}

/* Copies a live entry for key into *e; false when there is none. */
static bool
cache_get(const unsigned char key[32], int64_t now, cache_entry_t *e)
{
	pthread_once(&cache_once, cache_init);
	size_t i = cache_slot(key);
	pthread_mutex_t *m = &cache_lock[i % SESSION_CACHE_STRIPES];
	pthread_mutex_lock(m);
	bool hit = cache[i].used && memcmp(cache[i].key, key, 32) == 0;
	if (hit)
		*e = cache[i];
	pthread_mutex_unlock(m);
	return hit && e->gen == atomic_load(&cache_gen) && now - e->cached_at < SESSION_CACHE_MS && e->expires > now;
}

static void
cache_put(const cache_entry_t *e)
{
	size_t i = cache_slot(e->key);
	pthread_mutex_t *m = &cache_lock[i % SESSION_CACHE_STRIPES];
	pthread_mutex_lock(m);
	cache[i] = *e;
	cache[i].used = true;
	pthread_mutex_unlock(m);
}

/* After a touch: the entry's sliding expiry, so the next requests do not touch again. */
static void
cache_touched(const unsigned char key[32], int64_t seen, int64_t expires)
{
	size_t i = cache_slot(key);
	pthread_mutex_t *m = &cache_lock[i % SESSION_CACHE_STRIPES];
	pthread_mutex_lock(m);
	if (cache[i].used && memcmp(cache[i].key, key, 32) == 0) {
		cache[i].seen = seen;
		cache[i].expires = expires;
	}
	pthread_mutex_unlock(m);
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

/* Sliding expiry, written at most once a minute per session so reads stay reads. */
static void
touch(db_t *db, const auth_user_t *u, int64_t now, int64_t created, int64_t *seen, int64_t *expires)
{
	int64_t until = now + SESSION_IDLE_MS;
	if (until > created + SESSION_MAX_MS)
		until = created + SESSION_MAX_MS;
	if (db_run(db_q(db, "UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3", "iit", now, until,
		u->session_id)) != DB_DONE)
		log_warn("session touch failed: %s", db_errmsg(db));
	if (u->device_id[0] &&
	    db_run(db_q(db, "UPDATE devices SET last_seen_at = $1 WHERE id = $2", "it", now, u->device_id)) != DB_DONE)
		log_warn("device touch failed: %s", db_errmsg(db));
	*seen = now;
	*expires = until;
}

int
session_resolve(db_t *db, const char *token, auth_user_t *u, fg_err_t *err)
{
	unsigned char key[32];
	char hash[65];
	int64_t now = fg_now_ms();

	if (!token || !*token || strlen(token) > 128)
		return fg_err(err, "unauthenticated");
	token_hash_raw(token, key);
	cache_entry_t e;
	if (cache_get(key, now, &e)) {
		*u = e.user;
		if (now - e.seen > 60000) {
			touch(db, u, now, e.created, &e.seen, &e.expires);
			cache_touched(key, e.seen, e.expires);
		}
		return 0;
	}
	uint64_t gen = atomic_load(&cache_gen); /* before the read: a change committed after it outdates the entry */
	fg_hex(key, sizeof key, hash);
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
	if (now - seen > 60000)
		touch(db, u, now, created, &seen, &expires);
	e = (cache_entry_t){.gen = gen, .cached_at = now, .created = created, .seen = seen, .expires = expires, .user = *u};
	memcpy(e.key, key, sizeof key);
	cache_put(&e);
	return 0;
}

int
session_revoke(db_t *db, const char *sid)
{
	session_cache_invalidate(db);
	int rc = db_run(db_q(db, "UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", "it",
	    fg_now_ms(), sid));
	return rc == DB_DONE ? 0 : rc;
}

int
session_revoke_user(db_t *db, const char *user_id, const char *except_sid)
{
	session_cache_invalidate(db);
	int rc = db_run(db_q(db,
	    "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND id <> $3", "itt",
	    fg_now_ms(), user_id, except_sid ? except_sid : ""));
	return rc == DB_DONE ? 0 : rc;
}

int
session_revoke_device(db_t *db, const char *device_id)
{
	session_cache_invalidate(db);
	int rc = db_run(db_q(db, "UPDATE sessions SET revoked_at = $1 WHERE device_id = $2 AND revoked_at IS NULL", "it",
	    fg_now_ms(), device_id));
	return rc == DB_DONE ? 0 : rc;
}
