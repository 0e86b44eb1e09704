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
#include "core/jobs/maintenance.h"
#include "core/module/module.h"

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

static int
sweep_job(db_t *db, int64_t now)
{
	maint_report_t m;
	if (maint_sweep(db, now, IDEM_TTL_MS, &m) != 0)
		return -1;
	return (int)(m.keys + m.sessions);
}

static const fg_job_t jobs[] = {
	{"maintenance.sweep", 3600, NULL, 10, sweep_job}, /* expired idempotency keys and sessions */
	{NULL, 0, NULL, 0, NULL},
};

const fg_module_t maintenance_module = {
	.name = "maintenance",
	.context = "core",
	.jobs = jobs,
};
