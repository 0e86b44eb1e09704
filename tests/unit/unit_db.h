#ifndef FG_UNIT_DB_H
#define FG_UNIT_DB_H
/* What the unit tests that touch a database share: a fresh SQLite file per test program, the PostgreSQL database
 * of FG_TEST_PG_URL (tests/run-all.sh gives one; without it the PostgreSQL group is skipped), and the removal of the
 * SQLite files. Header-only: each tests/unit/test_*.c is a program of its own (Makefile). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "core/db/db.h"

static char unit_sqlite_path[256];

/* A fresh SQLite database /tmp/fg-unit-<tag>-<pid>.db (not migrated), or NULL with err set. */
static inline db_t *
unit_open_sqlite(const char *tag, char *err, size_t n)
{
	snprintf(unit_sqlite_path, sizeof unit_sqlite_path, "/tmp/fg-unit-%s-%d.db", tag, (int)getpid());
	unlink(unit_sqlite_path);
	return db_open(unit_sqlite_path, err, n);
}

/* The database of FG_TEST_PG_URL (not migrated); NULL with *skip when there is none, NULL with err on a failure. */
static inline db_t *
unit_open_pg(bool *skip, char *err, size_t n)
{
	const char *url = getenv("FG_TEST_PG_URL");
	*skip = !url || !*url;
	if (*skip) {
		fprintf(stderr, "FG_TEST_PG_URL not set: PostgreSQL group skipped\n");
		return NULL;
	}
	return db_open(url, err, n);
}

/* Removes the SQLite files unit_open_sqlite made (the database, its WAL and shared memory), if any. */
static inline void
unit_remove_sqlite(void)
{
	if (!unit_sqlite_path[0])
		return;
	char f[300];
	unlink(unit_sqlite_path);
	snprintf(f, sizeof f, "%s-wal", unit_sqlite_path);
	unlink(f);
	snprintf(f, sizeof f, "%s-shm", unit_sqlite_path);
	unlink(f);
	unit_sqlite_path[0] = 0;
}

#endif
