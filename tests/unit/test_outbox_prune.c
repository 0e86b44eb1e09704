/* The delivery log's retention (src/shared/notify/outbox_prune.c): sent and parked messages older than the
 * retention go with their attempts, in batches, with an audit record; queued, sending, failed and recent ones stay.
 * SQLite, and PostgreSQL when FG_TEST_PG_URL is set. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>
#include "core/base/util.h"
#include "core/db/migrate.h"
#include "core/audit/audit.h"
#include "shared/notify/outbox.h"
#include "unit_db.h"

#define DAY (86400000LL)

static db_t *
migrated(db_t *db, const char *err)
{
	char e[256];
	if (!db) {
		fprintf(stderr, "test db: %s\n", err);
		return NULL;
	}
	if (migrate_run(db, e, sizeof e) < 0 || db_exec(db, "DELETE FROM outbox_attempts") != 0 || db_exec(db, "DELETE FROM outbox") != 0) {
		fprintf(stderr, "test db: %s %s\n", e, db_errmsg(db));
		return NULL;
	}
	return db;
}

static int
setup_sqlite(void **state)
{
	char err[256] = "";
	*state = migrated(unit_open_sqlite("outbox-prune", err, sizeof err), err);
	return *state ? 0 : -1;
}

static int
setup_pg(void **state)
{
	char err[256] = "";
	bool skip;
	db_t *db = unit_open_pg(&skip, err, sizeof err);
	*state = skip ? NULL : migrated(db, err);
	return *state || skip ? 0 : -1;
}

static int
teardown(void **state)
{
	if (*state)
		db_close(*state);
	unit_remove_sqlite();
	return 0;
}

/* A message in `state` created at `at`, with one attempt. */
static void
message(db_t *db, const char *state, int64_t at, char id[37])
{
	char aid[37];
	fg_uuid7(id);
	fg_uuid7(aid);
	assert_int_equal(db_run(db_q(db, "INSERT INTO outbox (id, channel, recipient, kind, params, state, attempts, next_attempt_at, "
					 "created_at, updated_at) VALUES ($1, 'sms', '13800000000', 'verification_code', '{}', $2, 1, $3, $3, $3)",
				  "tti", id, state, at)), DB_DONE);
	assert_int_equal(db_run(db_q(db, "INSERT INTO outbox_attempts (id, outbox_id, n, at, ok, duration_ms) VALUES ($1, $2, 1, $3, 1, 5)",
				  "tti", aid, id, at)), DB_DONE);
}

static int64_t
count(db_t *db, const char *sql, const char *id)
{
	int rc;
	json_t *r = db_one(db_q(db, sql, "t", id), &rc);
	int64_t n = json_integer_value(json_object_get(r, "n"));
	json_decref(r);
	return n;
}

static void
old_finished_messages_go_the_rest_stay(void **state)
{
	db_t *db = *state;
	if (!db)
		skip();
	int64_t now = fg_now_ms();
	char sent_old[37], dead_old[37], sent_new[37], queued_old[37], failed_old[37], sending_old[37];
	message(db, "sent", now - 200 * DAY, sent_old);
	message(db, "dead", now - 181 * DAY, dead_old);
	message(db, "sent", now - 179 * DAY, sent_new);
	message(db, "queued", now - 300 * DAY, queued_old);
	message(db, "failed", now - 300 * DAY, failed_old);
	message(db, "sending", now - 300 * DAY, sending_old);
	int64_t audits = count(db, "SELECT COUNT(*) AS n FROM audit_log WHERE entity = $1 AND action = 'purge'", "outbox");
	assert_int_equal(notify_prune(db, now, 180), 2);
	const char *gone[] = {sent_old, dead_old}, *kept[] = {sent_new, queued_old, failed_old, sending_old};
	for (int i = 0; i < 2; i++) {
		assert_int_equal(count(db, "SELECT COUNT(*) AS n FROM outbox WHERE id = $1", gone[i]), 0);
		assert_int_equal(count(db, "SELECT COUNT(*) AS n FROM outbox_attempts WHERE outbox_id = $1", gone[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(count(db, "SELECT COUNT(*) AS n FROM outbox WHERE id = $1", kept[i]), 1);
		assert_int_equal(count(db, "SELECT COUNT(*) AS n FROM outbox_attempts WHERE outbox_id = $1", kept[i]), 1);
	}
	assert_int_equal(count(db, "SELECT COUNT(*) AS n FROM audit_log WHERE entity = $1 AND action = 'purge'", "outbox"), audits + 1);
	assert_int_equal(notify_prune(db, now, 180), 0); /* nothing left to do: no second audit record */
	assert_int_equal(count(db, "SELECT COUNT(*) AS n FROM audit_log WHERE entity = $1 AND action = 'purge'", "outbox"), audits + 1);
}

/* More than one batch (500) of old messages: all go, one audit record per batch. */
static void
a_backlog_goes_in_batches(void **state)
{
	db_t *db = *state;
	if (!db)
		skip();
	int64_t now = fg_now_ms();
	char id[37];
	assert_int_equal(db_begin(db), 0);
	for (int i = 0; i < 1203; i++)
		message(db, "sent", now - 400 * DAY, id);
	assert_int_equal(db_commit(db), 0);
	int64_t audits = count(db, "SELECT COUNT(*) AS n FROM audit_log WHERE entity = $1 AND action = 'purge'", "outbox");
	assert_int_equal(notify_prune(db, now, 180), 1203);
	assert_int_equal(count(db, "SELECT COUNT(*) AS n FROM outbox WHERE state = $1", "sent") > 0 ? 1 : 0, 1); /* sent_new of the test before */
	assert_int_equal(count(db, "SELECT COUNT(*) AS n FROM audit_log WHERE entity = $1 AND action = 'purge'", "outbox"), audits + 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(old_finished_messages_go_the_rest_stay),
		cmocka_unit_test(a_backlog_goes_in_batches),
	};
	int failed = cmocka_run_group_tests_name("outbox prune (SQLite)", tests, setup_sqlite, teardown);
	failed += cmocka_run_group_tests_name("outbox prune (PostgreSQL)", tests, setup_pg, teardown);
	return failed ? 1 : 0;
}
