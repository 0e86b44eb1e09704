/* Data versions (src/core/db/dbver.c and its part in db.c): which tables a statement names and whether it writes,
 * told from its SQL; the write generations that a commit (not a rollback) bumps; what db_track_reads reports. On
 * SQLite (a temp file) and PostgreSQL (FG_TEST_PG_URL; skipped without it). The names are learnt once per
 * process, so each engine's group runs in a child process of its own. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>
#include "core/db/db.h"
#include "core/db/dbver.h"
#include "unit_db.h"

static db_t *db;

static const char *const drop_sql[] = {
	"DROP VIEW IF EXISTS dv_summary", "DROP TABLE IF EXISTS dv_child", "DROP TABLE IF EXISTS dv_parent",
	"DROP TABLE IF EXISTS dv_trig", "DROP TABLE IF EXISTS dv_audit", "DROP TABLE IF EXISTS dv_plans",
	"DROP TABLE IF EXISTS dv_orders", NULL,
};

static int
schema(bool pg)
{
	for (int i = 0; drop_sql[i]; i++)
		if (db_exec(db, drop_sql[i]) != 0)
			return -1;
	const char *common =
	    "CREATE TABLE dv_orders (id TEXT PRIMARY KEY, title TEXT, status TEXT);"
	    "CREATE TABLE dv_plans (id TEXT PRIMARY KEY, order_id TEXT);"
	    "CREATE TABLE dv_audit (x INTEGER);"
	    "CREATE TABLE dv_trig (x INTEGER);"
	    "CREATE TABLE dv_parent (id TEXT PRIMARY KEY);"
	    "CREATE TABLE dv_child (id TEXT PRIMARY KEY, parent_id TEXT REFERENCES dv_parent(id) ON DELETE CASCADE);"
	    "CREATE VIEW dv_summary AS SELECT id, title FROM dv_orders;";
	if (db_exec(db, common) != 0)
		return -1;
	const char *trigger = pg
	    ? "CREATE OR REPLACE FUNCTION dv_f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN INSERT INTO dv_audit VALUES (1); "
	      "RETURN NEW; END$$; CREATE TRIGGER dv_t AFTER INSERT ON dv_trig FOR EACH ROW EXECUTE FUNCTION dv_f()"
	    : "CREATE TRIGGER dv_t AFTER INSERT ON dv_trig BEGIN INSERT INTO dv_audit (x) VALUES (1); END";
	return db_exec(db, trigger);
}

static dbver_set_t
set_of(const char *sql, bool *writes)
{
	dbver_set_t s;
	bool w;
	dbver_classify(sql, &s, &w);
	if (writes)
		*writes = w;
	return s;
}

/* The set of one table, as a plain read of it names it. */
static dbver_set_t
table(const char *name)
{
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT * FROM %s", name);
	return set_of(sql, NULL);
}

static bool
same(dbver_set_t a, dbver_set_t b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

static dbver_set_t
both(const char *x, const char *y)
{
	dbver_set_t s = table(x), t = table(y);
	dbver_or(&s, &t);
	return s;
}

static void
a_read_names_its_tables_and_writes_nothing(void **state)
{
	bool w = true;
	assert_true(same(set_of("SELECT o.id, p.id FROM dv_orders o JOIN dv_plans p ON p.order_id = o.id WHERE o.id = $1", &w),
	    both("dv_orders", "dv_plans")));
	assert_false(w);
	assert_false(same(table("dv_orders"), table("dv_plans")));
	/* a table named only inside a string literal, a comment or as part of a longer word is not read */
	assert_true(same(set_of("SELECT id FROM dv_orders WHERE status = 'dv_plans' -- dv_plans\n /* dv_plans */", &w),
	    table("dv_orders")));
	assert_true(same(set_of("SELECT dv_plans_count FROM \"dv_orders\"", &w), table("dv_orders")));
	/* a row lock and the replace() function are reads */
	set_of("SELECT 1 FROM dv_orders WHERE id = $1 FOR UPDATE", &w);
	assert_false(w);
	set_of("SELECT 1 FROM dv_orders WHERE id = $1 FOR NO KEY UPDATE", &w);
	assert_false(w);
	set_of("SELECT replace(title, 'a', 'b') FROM dv_orders", &w);
	assert_false(w);
	/* nothing named: an empty set */
	dbver_set_t none = set_of("SELECT 1", &w);
	assert_true(dbver_empty(&none));
}

static void
a_view_stands_for_the_tables_behind_it(void **state)
{
	assert_true(same(table("dv_summary"), both("dv_summary", "dv_orders")));
	dbver_set_t orders = table("dv_orders"), view = table("dv_summary");
	/* the view's set contains the table's bit */
	for (int i = 0; i < DBVER_MAX / 64; i++)
		assert_int_equal(view.w[i] & orders.w[i], orders.w[i]);
}

static void
writes_are_told_and_name_what_they_write(void **state)
{
	bool w = false;
	assert_true(same(set_of("UPDATE dv_orders SET status = 'dv_plans' WHERE id = $1", &w), table("dv_orders")));
	assert_true(w);
	set_of("INSERT INTO dv_audit (x) SELECT 1 FROM dv_orders", &w);
	assert_true(w);
	set_of("DELETE FROM dv_plans WHERE id = $1", &w);
	assert_true(w);
	set_of("WITH gone AS (DELETE FROM dv_plans RETURNING id) SELECT count(*) FROM gone", &w);
	assert_true(w);
}

/* Bit 0 is "everything": dbver_sum of any set changes when it is bumped. */
static void
a_commit_bumps_what_it_wrote_and_a_rollback_nothing(void **state)
{
	dbver_set_t orders = table("dv_orders"), plans = table("dv_plans");
	uint64_t o0 = dbver_sum(&orders), p0 = dbver_sum(&plans);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_run(db_q(db, "INSERT INTO dv_orders (id, title) VALUES ($1, $2)", "tt", "o1", "a")), DB_DONE);
	assert_int_equal(dbver_sum(&orders), o0); /* not before the commit: nobody else can see it yet */
	assert_int_equal(db_commit(db), 0);
	assert_true(dbver_sum(&orders) > o0);
	assert_int_equal(dbver_sum(&plans), p0);

	uint64_t o1 = dbver_sum(&orders);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_run(db_q(db, "INSERT INTO dv_orders (id, title) VALUES ($1, $2)", "tt", "o2", "b")), DB_DONE);
	db_rollback(db);
	assert_int_equal(dbver_sum(&orders), o1);

	/* a statement outside a transaction is its own commit */
	assert_int_equal(db_run(db_q(db, "UPDATE dv_plans SET order_id = $1", "t", "o1")), DB_DONE);
	assert_true(dbver_sum(&plans) > p0);
	assert_int_equal(dbver_sum(&orders), o1);
}

static void
a_table_with_a_trigger_or_a_cascade_writes_everything(void **state)
{
	dbver_set_t orders = table("dv_orders");
	uint64_t o0 = dbver_sum(&orders);
	assert_int_equal(db_run(db_q(db, "INSERT INTO dv_trig (x) VALUES (1)", NULL)), DB_DONE);
	assert_true(dbver_sum(&orders) > o0); /* the trigger's writes are not in the SQL: everything counts */
	uint64_t o1 = dbver_sum(&orders);
	assert_int_equal(db_run(db_q(db, "DELETE FROM dv_parent WHERE id = $1", "t", "nope")), DB_DONE);
	assert_true(dbver_sum(&orders) > o1);
	uint64_t o2 = dbver_sum(&orders);
	assert_int_equal(db_run(db_q(db, "DELETE FROM dv_child WHERE id = $1", "t", "nope")), DB_DONE); /* no cascade from it */
	assert_int_equal(dbver_sum(&orders), o2);
}

static void
tracking_reports_what_was_read_and_whether_anything_was_written(void **state)
{
	dbver_set_t reads;
	db_track_start(db);
	json_t *row = db_one(db_q(db, "SELECT id FROM dv_summary WHERE id = $1", "t", "o1"), &(int){0});
	json_decref(row);
	assert_true(db_track_reads(db, &reads));
	assert_true(same(reads, table("dv_summary")));
	assert_int_equal(db_run(db_q(db, "UPDATE dv_plans SET order_id = NULL", NULL)), DB_DONE);
	assert_false(db_track_reads(db, &reads));
	db_track_start(db);
	assert_true(db_track_reads(db, &reads));
	assert_true(dbver_empty(&reads));
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(a_read_names_its_tables_and_writes_nothing),
	cmocka_unit_test(a_view_stands_for_the_tables_behind_it),
	cmocka_unit_test(writes_are_told_and_name_what_they_write),
	cmocka_unit_test(a_commit_bumps_what_it_wrote_and_a_rollback_nothing),
	cmocka_unit_test(a_table_with_a_trigger_or_a_cascade_writes_everything),
	cmocka_unit_test(tracking_reports_what_was_read_and_whether_anything_was_written),
};

/* One engine's group in this (child) process: the schema, the names learnt from it, the tests. */
static int
run(bool pg)
{
	char err[256] = "";
	bool skip = false;
	db = pg ? unit_open_pg(&skip, err, sizeof err) : unit_open_sqlite("dbver", err, sizeof err);
	if (skip)
		return 0;
	if (!db || schema(pg) != 0 || dbver_init(db) != 0 || !dbver_ready()) {
		fprintf(stderr, "setup failed: %s %s\n", err, db ? db_errmsg(db) : "");
		return 1;
	}
	int failed = cmocka_run_group_tests_name(pg ? "data versions on PostgreSQL" : "data versions on SQLite", tests, NULL, NULL);
	if (pg)
		for (int i = 0; drop_sql[i]; i++)
			if (db_exec(db, drop_sql[i]) != 0) { /* a fresh database next time anyway */ }
	db_close(db);
	unit_remove_sqlite();
	return failed;
}

int
main(void)
{
	int failed = 0;
	for (int pg = 0; pg < 2; pg++) {
		fflush(NULL);
		pid_t child = fork();
		if (child == 0)
			_exit(run(pg) ? 1 : 0);
		int status = 0;
		if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	return failed;
}
