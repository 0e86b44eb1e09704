#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/embed.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/db/migrate.h"

#define MAX_MIGRATIONS 512

typedef struct {
	int version;
	const embed_file_t *file;
} mig_t;

/* "migrations/0007_tickets.sql" or "migrations/pg/0007_tickets.sql" → 7 and dialect ("" / "pg" / "sqlite") */
static int
parse_name(const char *path, char *dialect, size_t dn)
{
	const char *rest = path + strlen("migrations/");
	const char *slash = strchr(rest, '/');
	dialect[0] = 0;
	if (slash) {
		fg_fmt(dialect, dn, "%.*s", (int)(slash - rest), rest);
		rest = slash + 1;
	}
	if (rest[0] < '0' || rest[0] > '9')
		return -1;
	return atoi(rest);
}

static int
collect(db_t *db, mig_t *out)
{
	const char *mine = db_kind(db) == DB_PG ? "pg" : "sqlite";
	int n = 0;
	for (const embed_file_t *f = embed_files; f->path; f++) {
		char dialect[16];
		if (strncmp(f->path, "migrations/", 11) != 0)
			continue;
		int v = parse_name(f->path, dialect, sizeof dialect);
		if (v <= 0 || (dialect[0] && strcmp(dialect, mine) != 0))
			continue;
		int i;
		for (i = 0; i < n && out[i].version != v; i++)
			;
		if (i == n) {
			if (n == MAX_MIGRATIONS)
				break;
			out[n].version = v;
			out[n].file = f;
			n++;
		} else if (dialect[0]) {
			out[i].file = f; /* the engine's own file wins over the portable one */
		}
	}
	for (int i = 1; i < n; i++) /* insertion sort: a few dozen files */
		for (int j = i; j > 0 && out[j].version < out[j - 1].version; j--) {
			mig_t t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

int
migrate_current(db_t *db)
{
	int rc;
	json_t *row = db_one(db_prepare(db, "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) AS v FROM schema_migrations"),
	    &rc);
	if (!row)
		return -1;
	int v = (int)json_integer_value(json_object_get(row, "v"));
	json_decref(row);
	return v;
}

int
migrate_run(db_t *db, char *err, size_t errlen)
{
	static mig_t migs[MAX_MIGRATIONS];
	int applied = 0;

	if (db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, "
			"applied_at BIGINT NOT NULL)") != 0) {
		fg_fmt(err, errlen, "cannot create schema_migrations: %s", db_errmsg(db));
		return -1;
	}
	/* Several servers may start at once against one PostgreSQL: one migrates, the others wait. SQLite's
	 * BEGIN IMMEDIATE below serializes them the same way. */
	if (db_kind(db) == DB_PG && db_exec(db, "SELECT pg_advisory_lock(7244001)") != 0) {
		fg_fmt(err, errlen, "cannot take the migration lock: %s", db_errmsg(db));
		return -1;
	}
	int n = collect(db, migs);
	for (int i = 0; i < n; i++) {
		if (db_begin(db) != 0)
			goto fail;
		int rc;
		json_t *row = db_one(db_q(db, "SELECT version FROM schema_migrations WHERE version = $1", "i",
					     (int64_t)migs[i].version),
		    &rc);
		if (rc < 0) {
			db_rollback(db);
			goto fail;
		}
		if (row) {
			json_decref(row);
			db_rollback(db);
			continue;
		}
		if (db_exec(db, migs[i].file->data) != 0) {
			fg_fmt(err, errlen, "migration %s failed: %s", migs[i].file->path, db_errmsg(db));
			db_rollback(db);
			goto unlock;
		}
		if (db_run(db_q(db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", "iti",
			    (int64_t)migs[i].version, migs[i].file->path, fg_now_ms())) != DB_DONE ||
		    db_commit(db) != 0) {
			db_rollback(db);
			goto fail;
		}
		log_info("migration applied: %s", migs[i].file->path);
		applied++;
	}
	if (db_kind(db) == DB_PG)
		if (db_exec(db, "SELECT pg_advisory_unlock(7244001)") != 0) { /* released when the connection closes */ }
	return applied;
fail:
	fg_fmt(err, errlen, "migration failed: %s", db_errmsg(db));
unlock:
	if (db_kind(db) == DB_PG)
		if (db_exec(db, "SELECT pg_advisory_unlock(7244001)") != 0) { /* released when the connection closes */ }
	return -1;
}
