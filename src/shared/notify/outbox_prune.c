/* The delivery log's retention: sent and parked (dead) messages older than the retention are deleted with their
 * attempts, in bounded batches (one transaction each, audited as a purge), by the job notify.prune. Queued,
 * sending and failed messages are never touched: they are still to be delivered. Without it the outbox grows by
 * every verification code and reminder for good. */
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "shared/notify/outbox.h"

#define PRUNE_BATCH 500
#define PRUNE_MAX_BATCHES 200

/* One batch: the attempts of up to PRUNE_BATCH finished messages, then the messages. Returns the count or -1. */
static int
batch(db_t *db, int64_t cutoff)
{
	if (db_begin(db) != 0)
		return -1;
	int rc;
	if (db_run(db_q(db, "DELETE FROM outbox_attempts WHERE outbox_id IN (SELECT id FROM (SELECT id FROM outbox WHERE state IN "
			    "('sent', 'dead') AND created_at < $1 ORDER BY id LIMIT $2) p)", "ii", cutoff, (int64_t)PRUNE_BATCH)) != DB_DONE) {
		db_rollback(db);
		return -1;
	}
	json_t *gone = db_all(db_q(db, "DELETE FROM outbox WHERE id IN (SELECT id FROM (SELECT id FROM outbox WHERE state IN "
					"('sent', 'dead') AND created_at < $1 ORDER BY id LIMIT $2) p) RETURNING id", "ii", cutoff,
				   (int64_t)PRUNE_BATCH), &rc);
	int n = gone ? (int)json_array_size(gone) : -1;
	json_decref(gone);
	if (n <= 0) {
		db_rollback(db);
		return n;
	}
	json_t *info = json_pack("{s:i, s:I}", "deleted", n, "before", (json_int_t)cutoff);
	rc = audit_write(db, NULL, "purge", "outbox", NULL, NULL, info);
	json_decref(info);
	if (rc != 0 || db_commit(db) != 0) {
		db_rollback(db);
		return -1;
	}
	return n;
}

int64_t
notify_prune(db_t *db, int64_t now, int keep_days)
{
	int64_t cutoff = now - (int64_t)keep_days * 86400000LL, total = 0;
	for (int i = 0; i < PRUNE_MAX_BATCHES; i++) {
		int n = batch(db, cutoff);
		if (n < 0)
			return -1;
		total += n;
		if (n < PRUNE_BATCH)
			break;
	}
	return total;
}
