#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"
#include "core/base/log.h"
#include "core/db/db_impl.h"

static int
classify(db_t *db, int rc)
{
	fg_fmt(db->err, sizeof db->err, "%s", sqlite3_errmsg(db->lite));
	int ext = sqlite3_extended_errcode(db->lite);
	if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
		return DB_CONFLICT;
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return DB_BUSY;
	return DB_ERR;
}

db_t *
db_sqlite_open(const char *path, char *err, size_t errlen)
{
	db_t *db = fg_calloc(1, sizeof *db);
	db->kind = DB_SQLITE;
	int rc = sqlite3_open_v2(path, &db->lite, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	    NULL);
	if (rc != SQLITE_OK) {
		fg_fmt(err, errlen, "cannot open SQLite database %s: %s", path,
		    db->lite ? sqlite3_errmsg(db->lite) : sqlite3_errstr(rc));
		sqlite3_close(db->lite);
		free(db);
		return NULL;
	}
	/* WAL lets readers run beside the one writer. synchronous=FULL: an acknowledged permit, signature or
	 * audit record must survive a power cut, and WAL+FULL costs one fsync of the WAL per commit
	 * (docs/architecture.md "Durability"). foreign_keys is per connection and off by default. busy_timeout comes
	 * first: setting the journal mode takes a lock, and a connection opened while another one writes or checkpoints
	 * would otherwise fail at once with "database is locked" (a thread opening its connection under load). */
	static const char *pragmas =
	    "PRAGMA busy_timeout=10000; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;";
	char *msg = NULL;
	if (sqlite3_exec(db->lite, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
		fg_fmt(err, errlen, "cannot configure SQLite database %s: %s", path, msg ? msg : "?");
		sqlite3_free(msg);
		sqlite3_close(db->lite);
		free(db);
		return NULL;
	}
	if (db_sqlite_bulk_module(db->lite) != 0) {
		fg_fmt(err, errlen, "cannot configure SQLite database %s: %s", path, sqlite3_errmsg(db->lite));
		sqlite3_close(db->lite);
		free(db);
		return NULL;
	}
	db_sqlite_checkpoint_setup(db->lite);
	return db;
}

void
db_sqlite_close(db_t *db)
{
	for (int i = 0; i < db->ncache; i++) {
		sqlite3_finalize(db->cache[i].st);
		free(db->cache[i].sql);
	}
	sqlite3_close_v2(db->lite);
}

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

int
db_sqlite_exec(db_t *db, const char *sql)
{
	int rc = sqlite3_exec(db->lite, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : classify(db, rc);
}

char *
db_sqlite_rewrite(const char *sql)
{
	size_t n = strlen(sql);
	char *out = fg_malloc(n + 1);
	char quote = 0;
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		char c = sql[i];
		if (quote) {
			if (c == quote)
				quote = 0;
		} else if (c == '\'' || c == '"') {
			quote = c;
		} else if (c == '$' && i + 1 < n && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
			c = '?';
		}
		out[j++] = c;
	}
	out[j] = 0;
	return out;
}

db_stmt_t *
db_sqlite_prepare(db_t *db, const char *sql)
{
	db_stmt_t *st = fg_calloc(1, sizeof *st);
	st->db = db;
	st->slot = -1;
	uint64_t h = fnv1a(sql);
	for (int i = 0; i < db->ncache; i++) {
		db_cached_t *c = &db->cache[i];
		if (!c->busy && c->hash == h && strcmp(c->sql, sql) == 0) {
			c->busy = true;
			st->ls = c->st;
			st->slot = i;
			return st;
		}
	}
	char *q = db_sqlite_rewrite(sql);
	bool keep = db->ncache < DB_STMT_CACHE;
	int rc = sqlite3_prepare_v3(db->lite, q, -1, keep ? SQLITE_PREPARE_PERSISTENT : 0, &st->ls, NULL);
	free(q);
	if (rc != SQLITE_OK) {
		classify(db, rc);
		log_error("sqlite prepare failed: %s", db->err);
		free(st);
		return NULL;
	}
	if (keep) {
		db_cached_t *c = &db->cache[db->ncache];
		c->hash = h;
		c->sql = fg_strdup(sql);
		c->st = st->ls;
		c->busy = true;
		st->slot = db->ncache++;
	}
	return st;
}

int
db_sqlite_step(db_stmt_t *st)
{
	int rc = sqlite3_step(st->ls);
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	return classify(st->db, rc);
}

void
db_sqlite_finalize(db_stmt_t *st)
{
	if (st->slot < 0) {
		sqlite3_finalize(st->ls);
		return;
	}
	/* back to the cache: reset ends any read the statement still holds, so WAL checkpoints are not held up */
	sqlite3_reset(st->ls);
	sqlite3_clear_bindings(st->ls);
	st->db->cache[st->slot].busy = false;
}
