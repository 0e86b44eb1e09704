/* Housekeeping of rows that only ever grow otherwise: idempotency keys past their lifetime (IDEM_TTL_MS) and
 * sessions that can no longer be used (expired or revoked). The scheduler runs it hourly; `fieldgrid maintenance`
 * runs it once (operators, and tests that cannot wait an hour). Deletes go in bounded batches, one transaction each
 * with its audit record, so a large backlog never holds the write lock (SQLite) or many row locks for long, and a
 * run stops after MAINT_MAX_BATCHES; the next run goes on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/http/http.h"
#include "cli/cli.h"
#include "cli/maintenance.h"

#define MAINT_BATCH 500
#define MAINT_MAX_BATCHES 200 /* 100,000 rows of each kind per run */

/* Deletes one batch with sql ($1: the cut-off, $2: the batch size; RETURNING one column) and audits how many went.
 * Returns the count, or -1. */
static int
batch(db_t *db, const char *what, const char *sql, int64_t cutoff)
{
	if (db_begin(db) != 0)
		return -1;
	int rc;
	json_t *gone = db_all(db_q(db, sql, "ii", cutoff, (int64_t)MAINT_BATCH), &rc);
	int n = gone ? (int)json_array_size(gone) : -1;
	json_decref(gone);
	if (n < 0) {
		db_rollback(db);
		return -1;
	}
	if (n == 0) {
		db_rollback(db);
		return 0;
	}
	json_t *info = json_pack("{s:i, s:I}", "deleted", n, "before", (json_int_t)cutoff);
	rc = audit_write(db, NULL, "purge", what, NULL, NULL, info);
	json_decref(info);
	if (rc != 0 || db_commit(db) != 0) {
		db_rollback(db);
		return -1;
	}
	return n;
}

static int64_t
sweep(db_t *db, const char *what, const char *sql, int64_t cutoff)
{
	int64_t total = 0;
	for (int i = 0; i < MAINT_MAX_BATCHES; i++) {
		int n = batch(db, what, sql, cutoff);
		if (n < 0)
			return -1;
		total += n;
		if (n < MAINT_BATCH)
			break;
	}
	return total;
}

int
maint_sweep(db_t *db, int64_t now, int64_t key_ttl_ms, maint_report_t *rep)
{
	memset(rep, 0, sizeof *rep);
	rep->keys = sweep(db, "idempotency_keys",
	    "DELETE FROM idempotency_keys WHERE (user_id, key) IN (SELECT user_id, key FROM idempotency_keys "
	    "WHERE created_at < $1 ORDER BY created_at LIMIT $2) RETURNING created_at",
	    now - key_ttl_ms);
	/* an expired or revoked session never comes back (session_resolve refuses it): nothing reads it any more */
	rep->sessions = sweep(db, "sessions",
	    "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at <= $1 OR revoked_at IS NOT NULL "
	    "ORDER BY expires_at LIMIT $2) RETURNING id",
	    now);
	return rep->keys < 0 || rep->sessions < 0 ? -1 : 0;
}

/* fieldgrid maintenance [--data DIR] [--db URL] [--keys-older-than SECONDS]: one sweep now; prints the counts as
 * JSON. --keys-older-than overrides the keys' 24 h lifetime (0: every key), e.g. to reclaim space at once. */
int
cmd_maintenance(int argc, char **argv)
{
	int64_t ttl_ms = IDEM_TTL_MS;
	char **rest = fg_calloc((size_t)argc + 1, sizeof *rest);
	int n = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--keys-older-than") == 0 && i + 1 < argc) {
			char *end;
			long long s = strtoll(argv[++i], &end, 10);
			if (!*argv[i] || *end || s < 0 || s > 3650LL * 86400) {
				fprintf(stderr, "fieldgrid: --keys-older-than takes seconds (0 or more)\n");
				free(rest);
				return 2;
			}
			ttl_ms = s * 1000;
			continue;
		}
		rest[n++] = argv[i];
	}
	cli_opts_t o;
	if (cli_parse(n, rest, &o, NULL) || o.argc > 0) {
		if (o.argc > 0)
			fprintf(stderr, "usage: fieldgrid maintenance [--data DIR] [--db URL] [--keys-older-than SECONDS]\n");
		free(rest);
		return 2;
	}
	db_t *db = cli_open(&o);
	free(rest);
	if (!db)
		return 2;
	maint_report_t rep;
	int rc = maint_sweep(db, fg_now_ms(), ttl_ms, &rep);
	if (rc != 0)
		fprintf(stderr, "fieldgrid: maintenance failed: %s\n", db_errmsg(db));
	else
		printf("{\"idempotency_keys_deleted\":%lld,\"sessions_deleted\":%lld}\n", (long long)rep.keys, (long long)rep.sessions);
	db_close(db);
	return rc == 0 ? 0 : 1;
}
