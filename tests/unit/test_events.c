/* The domain event bus (src/core/events/events.c) and the savepoints under it (db_savepoint, db_release,
 * db_rollback_to), on SQLite (a temp file) and PostgreSQL (FG_TEST_PG_URL; the group is skipped without it).
 * Subscribers come from a test table (events_set_subscribers). Every test runs inside one outer transaction that it
 * rolls back, so the shared PostgreSQL database of the unit tests keeps nothing (nor an audit record) from here. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "core/base/util.h"
#include "core/db/db.h"
#include "unit_db.h"
#include "core/db/migrate.h"
#include "core/events/events.h"


static int
open_sqlite(void **state)
{
	char err[256] = "";
	db_t *db = unit_open_sqlite("events", err, sizeof err);
	if (!db || migrate_run(db, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	*state = db;
	return 0;
}

static int
open_pg(void **state)
{
	char err[256] = "";
	bool skip;
	db_t *pg = unit_open_pg(&skip, err, sizeof err);
	if (skip) {
		*state = NULL;
		return 0;
	}
	db_t *db = pg;
	if (!db || migrate_run(db, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	*state = db;
	return 0;
}

static int
close_db(void **state)
{
	if (*state)
		db_close(*state);
	unit_remove_sqlite();
	return 0;
}

/* ---- the test module table ---- */

static char calls[256]; /* "a,b,…": which subscribers ran, in order */
static int fail_b = 1;  /* subscriber b fails while this is set */

static void
called(const char *who)
{
	size_t n = strlen(calls);
	snprintf(calls + n, sizeof calls - n, "%s%s", n ? "," : "", who);
}

static int
put(db_t *db, const char *who, const fg_event_t *ev)
{
	return db_run(db_q(db, "INSERT INTO ev_test (who, event_id, v) VALUES ($1, $2, $3)", "ttt", who, ev->id,
		   json_string_value(json_object_get(ev->data, "v")))) == DB_DONE ? 0 : -1;
}

static int
sub_a(db_t *db, const fg_event_t *ev, fg_err_t *err)
{
	called("a");
	return put(db, "a", ev);
}

/* writes, then fails: its write must be undone */
static int
sub_b(db_t *db, const fg_event_t *ev, fg_err_t *err)
{
	called("b");
	if (put(db, "b", ev) != 0)
		return -1;
	return fail_b ? fg_err(err, "invalid_field") : 0;
}

/* a statement the database refuses: on PostgreSQL that aborts the transaction until the savepoint is rolled back */
static int
sub_sqlerr(db_t *db, const fg_event_t *ev, fg_err_t *err)
{
	called("sqlerr");
	return db_run(db_q(db, "INSERT INTO no_such_table (x) VALUES ($1)", "t", "x")) == DB_DONE ? 0 : -1;
}

/* opens a transaction of its own and forgets to close it: not finished, so undone */
static int
sub_open(db_t *db, const fg_event_t *ev, fg_err_t *err)
{
	called("open");
	if (db_begin(db) != 0)
		return -1;
	return put(db, "open", ev);
}

static int
sub_c(db_t *db, const fg_event_t *ev, fg_err_t *err)
{
	called("c");
	return put(db, "c", ev);
}

static const fg_subscription_t mod1[] = {
	{"thing.done", "m1.a", sub_a},
	{"thing.done", "m1.b", sub_b},
	{"thing.other", "m1.other", sub_c},
	{NULL, NULL, NULL},
};
static const fg_subscription_t mod2[] = {
	{"thing.done", "m2.c", sub_c},
	{"thing.broken", "m2.sqlerr", sub_sqlerr},
	{"thing.broken", "m2.c", sub_c},
	{"thing.unclosed", "m2.open", sub_open},
	{NULL, NULL, NULL},
};
static const fg_subscription_t *const tables[] = {mod1, mod2, NULL};

#define DB_OR_SKIP()                                                                                                   \
	db_t *db = *state;                                                                                             \
	if (!db)                                                                                                       \
		skip();

/* Opens the outer transaction every test rolls back, with its scratch table. */
static void
begin(db_t *db)
{
	calls[0] = 0;
	fail_b = 1;
	events_set_subscribers(tables);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_exec(db, "CREATE TABLE ev_test (who TEXT, event_id TEXT, v TEXT)"), 0);
}

static int64_t
count(db_t *db, const char *sql, const char *arg)
{
	int rc;
	json_t *r = db_one(db_q(db, sql, "t", arg), &rc);
	assert_non_null(r);
	int64_t n = json_integer_value(json_object_get(r, "n"));
	json_decref(r);
	return n;
}

static json_t *
delivery_of(db_t *db, const char *subscriber)
{
	int rc;
	return db_one(db_q(db, "SELECT id, event_id, state, attempts, last_error, next_at FROM event_deliveries "
			       "WHERE subscriber = $1 ORDER BY created_at DESC, id DESC LIMIT 1", "t", subscriber), &rc);
}

static void
savepoints(void **state)
{
	DB_OR_SKIP();
	assert_int_equal(db_savepoint(db), -1); /* only inside a transaction */
	begin(db);
	int sp = db_savepoint(db);
	assert_true(sp > 1);
	assert_int_equal(db_run(db_q(db, "INSERT INTO ev_test (who) VALUES ($1)", "t", "undone")), DB_DONE);
	db_rollback_to(db, sp);
	assert_int_equal(db_depth(db), sp - 1);
	sp = db_savepoint(db);
	assert_int_equal(db_run(db_q(db, "INSERT INTO ev_test (who) VALUES ($1)", "t", "kept")), DB_DONE);
	assert_int_equal(db_release(db, sp), 0);
	/* a part that leaves a transaction open inside its savepoint did not finish: release fails and undoes it */
	sp = db_savepoint(db);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_run(db_q(db, "INSERT INTO ev_test (who) VALUES ($1)", "t", "left open")), DB_DONE);
	assert_int_not_equal(db_release(db, sp), 0);
	assert_int_equal(db_depth(db), sp - 1);
	assert_int_equal(count(db, "SELECT COUNT(*) AS n FROM ev_test WHERE who <> $1", "-"), 1);
	assert_int_equal(count(db, "SELECT COUNT(*) AS n FROM ev_test WHERE who = $1", "kept"), 1);
	db_rollback(db);
}

static void
emit_outside_transaction_refused(void **state)
{
	DB_OR_SKIP();
	events_set_subscribers(tables);
	calls[0] = 0;
	assert_int_equal(events_emit(db, "thing.done", "thing", "t0", NULL, NULL), -1);
	assert_string_equal(calls, ""); /* nobody was told of a fact that may not commit */
}

static void
delivers_in_table_order_and_records(void **state)
{
	DB_OR_SKIP();
	begin(db);
	fail_b = 0;
	json_t *data = json_pack("{s:s}", "v", "one");
	assert_int_equal(events_emit(db, "thing.done", "thing", "t1", data, NULL), 0);
	json_decref(data);
	assert_string_equal(calls, "a,b,c"); /* thing.other and the other names: not called */
	int rc;
	json_t *ev = db_one(db_q(db, "SELECT id, name, entity, entity_id, data FROM domain_events WHERE entity_id = $1", "t", "t1"), &rc);
	assert_non_null(ev);
	assert_string_equal(json_string_value(json_object_get(ev, "name")), "thing.done");
	assert_string_equal(json_string_value(json_object_get(ev, "data")), "{\"v\":\"one\"}");
	/* each subscriber saw the event's id and data */
	assert_int_equal(count(db, "SELECT COUNT(*) AS n FROM ev_test WHERE event_id = $1 AND v = 'one'",
			     json_string_value(json_object_get(ev, "id"))), 3);
	json_decref(ev);
	assert_int_equal(count(db, "SELECT COUNT(*) AS n FROM event_deliveries WHERE subscriber <> $1", "-"), 0);
	db_rollback(db);
}

static void
failing_subscriber_is_undone_alone_and_parked(void **state)
{
	DB_OR_SKIP();
	begin(db);
	/* the writer's own fact, before the event */
	assert_int_equal(db_run(db_q(db, "INSERT INTO ev_test (who) VALUES ($1)", "t", "writer")), DB_DONE);
	assert_int_equal(events_emit(db, "thing.done", "thing", "t2", NULL, NULL), 0);
	assert_string_equal(calls, "a,b,c"); /* b's failure does not stop the next subscriber */
	assert_int_equal(count(db, "SELECT COUNT(*) AS n FROM ev_test WHERE who = $1", "b"), 0);
	assert_int_equal(count(db, "SELECT COUNT(*) AS n FROM ev_test WHERE who = $1", "a"), 1);
	assert_int_equal(count(db, "SELECT COUNT(*) AS n FROM ev_test WHERE who = $1", "c"), 1);
	assert_int_equal(count(db, "SELECT COUNT(*) AS n FROM ev_test WHERE who = $1", "writer"), 1);
	json_t *d = delivery_of(db, "m1.b");
	assert_non_null(d);
	assert_string_equal(json_string_value(json_object_get(d, "state")), "retrying");
	assert_int_equal(json_integer_value(json_object_get(d, "attempts")), 1);
	assert_non_null(strstr(json_string_value(json_object_get(d, "last_error")), "invalid_field"));
	assert_true(json_integer_value(json_object_get(d, "next_at")) > fg_now_ms());
	/* the failure is audited with the fact */
	assert_int_equal(count(db, "SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'event_delivery' AND entity_id = $1",
			     json_string_value(json_object_get(d, "id"))), 1);
	json_decref(d);
	/* the writer's transaction goes on and commits as one */
	assert_int_equal(db_depth(db), 1);
	db_rollback(db);
}

static void
sql_error_in_a_subscriber_leaves_the_transaction_usable(void **state)
{
	DB_OR_SKIP();
	begin(db);
	assert_int_equal(events_emit(db, "thing.broken", "thing", "t3", NULL, NULL), 0);
	assert_string_equal(calls, "sqlerr,c");
	assert_int_equal(count(db, "SELECT COUNT(*) AS n FROM ev_test WHERE who = $1", "c"), 1); /* PostgreSQL: not aborted */
	json_t *d = delivery_of(db, "m2.sqlerr");
	assert_non_null(d);
	assert_non_null(strstr(json_string_value(json_object_get(d, "last_error")), "no_such_table"));
	json_decref(d);
	assert_int_equal(db_run(db_q(db, "INSERT INTO ev_test (who) VALUES ($1)", "t", "after")), DB_DONE);
	db_rollback(db);
}

static void
unclosed_transaction_counts_as_failure(void **state)
{
	DB_OR_SKIP();
	begin(db);
	int depth = db_depth(db);
	assert_int_equal(events_emit(db, "thing.unclosed", "thing", "t4", NULL, NULL), 0);
	assert_int_equal(db_depth(db), depth);
	assert_int_equal(count(db, "SELECT COUNT(*) AS n FROM ev_test WHERE who = $1", "open"), 0);
	json_t *d = delivery_of(db, "m2.open");
	assert_non_null(d);
	json_decref(d);
	db_rollback(db);
}

static void
retried_with_backoff_then_parked_then_retried_by_hand(void **state)
{
	DB_OR_SKIP();
	begin(db);
	assert_int_equal(events_emit(db, "thing.done", "thing", "t5", NULL, NULL), 0);
	json_t *d = delivery_of(db, "m1.b");
	char id[40];
	snprintf(id, sizeof id, "%s", json_string_value(json_object_get(d, "id")));
	int64_t next = json_integer_value(json_object_get(d, "next_at")), prev_gap = 0;
	json_decref(d);
	/* not due yet: nothing happens */
	assert_int_equal(events_retry_due(db, next - 1), 0);
	d = delivery_of(db, "m1.b");
	assert_int_equal(json_integer_value(json_object_get(d, "attempts")), 1);
	json_decref(d);
	/* each due retry fails again, and waits longer than the one before, until the last attempt parks it */
	for (int attempt = 2; attempt <= EVENTS_MAX_ATTEMPTS; attempt++) {
		calls[0] = 0;
		assert_int_equal(events_retry_due(db, next), 0);
		assert_string_equal(calls, "b"); /* only the failed subscriber, not the event's others */
		d = delivery_of(db, "m1.b");
		assert_int_equal(json_integer_value(json_object_get(d, "attempts")), attempt);
		const char *st = json_string_value(json_object_get(d, "state"));
		if (attempt < EVENTS_MAX_ATTEMPTS) {
			assert_string_equal(st, "retrying");
			int64_t n2 = json_integer_value(json_object_get(d, "next_at"));
			int64_t gap = n2 - fg_now_ms();
			assert_true(gap > prev_gap);
			prev_gap = gap;
			next = n2;
		} else {
			assert_string_equal(st, "parked");
			assert_true(json_is_null(json_object_get(d, "next_at")));
		}
		json_decref(d);
	}
	/* parked: the job leaves it alone */
	calls[0] = 0;
	assert_int_equal(events_retry_due(db, next + 86400000LL * 365), 0);
	assert_string_equal(calls, "");
	/* fixed; an admin retries it: delivered, and the subscriber's write is there */
	fail_b = 0;
	json_t *out = NULL;
	fg_err_t err = FG_ERR_INIT;
	assert_int_equal(events_delivery_retry(db, "admin-id", id, &out, &err), 0);
	assert_string_equal(json_string_value(json_object_get(out, "state")), "delivered");
	assert_int_equal(json_integer_value(json_object_get(out, "attempts")), EVENTS_MAX_ATTEMPTS + 1);
	json_decref(out);
	assert_int_equal(count(db, "SELECT COUNT(*) AS n FROM ev_test WHERE who = $1", "b"), 1);
	/* a delivered one is not retried again */
	assert_int_equal(events_delivery_retry(db, "admin-id", id, &out, &err), -1);
	assert_string_equal(err.code, "invalid_transition");
	fg_err_clear(&err);
	db_rollback(db);
}

static void
due_retry_that_succeeds_is_delivered(void **state)
{
	DB_OR_SKIP();
	begin(db);
	assert_int_equal(events_emit(db, "thing.done", "thing", "t6", NULL, NULL), 0);
	json_t *d = delivery_of(db, "m1.b");
	int64_t next = json_integer_value(json_object_get(d, "next_at"));
	json_decref(d);
	fail_b = 0;
	assert_int_equal(events_retry_due(db, next), 1);
	d = delivery_of(db, "m1.b");
	assert_string_equal(json_string_value(json_object_get(d, "state")), "delivered");
	json_decref(d);
	json_t *list = NULL;
	fg_err_t err = FG_ERR_INIT;
	assert_int_equal(events_failed_list(db, NULL, NULL, 50, &list, &err), 0); /* no longer among the failed */
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(list, "items"), i, r) assert_string_not_equal(json_string_value(json_object_get(r, "subscriber")), "m1.b");
	json_decref(list);
	db_rollback(db);
}

static void
prune_keeps_recent_and_failed(void **state)
{
	DB_OR_SKIP();
	begin(db);
	int64_t now = fg_now_ms(), old = now - 31LL * 86400000;
	const char *ins = "INSERT INTO domain_events (id, name, entity, entity_id, at) VALUES ($1, 'thing.done', 'thing', $2, $3)";
	char a[37], b[37];
	fg_uuid7(a);
	fg_uuid7(b);
	assert_int_equal(db_run(db_q(db, ins, "tti", a, "old", old)), DB_DONE);
	assert_int_equal(db_run(db_q(db, ins, "tti", b, "recent", now - 86400000LL)), DB_DONE);
	/* an old event whose delivery failed stays with it */
	assert_int_equal(events_emit(db, "thing.done", "thing", "old-failed", NULL, NULL), 0);
	assert_int_equal(db_run(db_q(db, "UPDATE domain_events SET at = $1 WHERE entity_id = 'old-failed'", "i", old)), DB_DONE);
	assert_int_equal(events_prune(db, now), 1);
	assert_int_equal(count(db, "SELECT COUNT(*) AS n FROM domain_events WHERE entity_id = $1", "old"), 0);
	assert_int_equal(count(db, "SELECT COUNT(*) AS n FROM domain_events WHERE entity_id = $1", "recent"), 1);
	assert_int_equal(count(db, "SELECT COUNT(*) AS n FROM domain_events WHERE entity_id = $1", "old-failed"), 1);
	db_rollback(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(savepoints),
		cmocka_unit_test(emit_outside_transaction_refused),
		cmocka_unit_test(delivers_in_table_order_and_records),
		cmocka_unit_test(failing_subscriber_is_undone_alone_and_parked),
		cmocka_unit_test(sql_error_in_a_subscriber_leaves_the_transaction_usable),
		cmocka_unit_test(unclosed_transaction_counts_as_failure),
		cmocka_unit_test(retried_with_backoff_then_parked_then_retried_by_hand),
		cmocka_unit_test(due_retry_that_succeeds_is_delivered),
		cmocka_unit_test(prune_keeps_recent_and_failed),
	};
	int failed = cmocka_run_group_tests_name("events on SQLite", tests, open_sqlite, close_db);
	failed += cmocka_run_group_tests_name("events on PostgreSQL", tests, open_pg, close_db);
	return failed ? 1 : 0;
}
