/* The scheduled jobs' turns across a cluster (src/core/jobs/job_clock.c): a period is taken once; the next turn is
 * free when it is due; a turn held by a node that stopped or whose lease ran out is free at once, one held by a live
 * node is not. SQLite, and PostgreSQL when FG_TEST_PG_URL is set. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>
#include "core/base/util.h"
#include "core/db/migrate.h"
#include "core/cluster/cluster.h"
#include "core/jobs/job_clock.h"
#include "unit_db.h"

typedef struct {
	db_t *db;
	char url[300];
} fx_t;

static int
setup(void **state, db_t *db, const char *url, const char *err)
{
	char e[256];
	if (!db) {
		fprintf(stderr, "test db: %s\n", err);
		return -1;
	}
	if (migrate_run(db, e, sizeof e) < 0) {
		fprintf(stderr, "test db: %s\n", e);
		return -1;
	}
	fx_t *f = fg_calloc(1, sizeof *f);
	f->db = db;
	fg_fmt(f->url, sizeof f->url, "%s", url);
	/* this process is a node: registered, its lease renewed by its thread */
	if (cluster_start(f->url, "unit") != 0)
		return -1;
	*state = f;
	return 0;
}

static int
setup_sqlite(void **state)
{
	char err[256] = "";
	db_t *db = unit_open_sqlite("job-clock", err, sizeof err);
	return setup(state, db, unit_sqlite_path, err);
}

static int
setup_pg(void **state)
{
	bool skip;
	char err[256] = "";
	db_t *db = unit_open_pg(&skip, err, sizeof err);
	if (skip)
		return 0;
	return setup(state, db, getenv("FG_TEST_PG_URL"), err);
}

static int
teardown(void **state)
{
	fx_t *f = *state;
	cluster_stop();
	if (f) {
		db_close(f->db);
		free(f);
	}
	unit_remove_sqlite();
	return 0;
}

static void
node(db_t *db, const char *id, int64_t seen_at, bool stopped)
{
	assert_int_equal(db_run(db_q(db, "INSERT INTO cluster_nodes (id, name, started_at, seen_at, stopped_at) VALUES "
					 "($1, 'other', $2, $2, $3)", "tii", id, seen_at, stopped ? seen_at : (int64_t)0)), DB_DONE);
	if (!stopped)
		assert_int_equal(db_run(db_q(db, "UPDATE cluster_nodes SET stopped_at = NULL WHERE id = $1", "t", id)), DB_DONE);
}

static void
held_by(db_t *db, const char *job, const char *node_id, int64_t next_at)
{
	assert_int_equal(db_run(db_q(db, "INSERT INTO job_clock (name, next_at, node_id, runs) VALUES ($1, $2, $3, 1)", "tit",
				     job, next_at, node_id)), DB_DONE);
}

static void
turns(void **state)
{
	fx_t *f = *state;
	if (!f)
		skip();
	db_t *db = f->db;
	char job[64], id[37];
	fg_uuid7(id);
	fg_fmt(job, sizeof job, "unit.job.%s", id);
	int64_t now = fg_now_ms(), next;
	/* the first turn is taken, the same period not again, the next one when it is due */
	assert_true(job_clock_claim(db, job, 60000, now, &next));
	job_clock_done(db, job, now + 5);
	assert_false(job_clock_claim(db, job, 60000, now + 10, &next));
	assert_int_equal(next, now + 60000);
	assert_true(job_clock_claim(db, job, 60000, now + 60000, &next));

	/* a turn held by a node whose lease ran out, or that stopped, is free at once */
	char lost[37], stopped[37], live[37], j2[80], j3[80], j4[80];
	fg_uuid7(lost);
	fg_uuid7(stopped);
	fg_uuid7(live);
	node(db, lost, now - cluster_lease_ms() - 1000, false);
	node(db, stopped, now - 1000, true);
	node(db, live, now, false);
	fg_fmt(j2, sizeof j2, "%s.lost", job);
	fg_fmt(j3, sizeof j3, "%s.stopped", job);
	fg_fmt(j4, sizeof j4, "%s.live", job);
	held_by(db, j2, lost, now + 3600000);
	held_by(db, j3, stopped, now + 3600000);
	held_by(db, j4, live, now + 3600000);
	assert_true(job_clock_claim(db, j2, 3600000, now, &next));
	assert_true(job_clock_claim(db, j3, 3600000, now, &next));
	/* a live node's turn stands until it is due */
	assert_false(job_clock_claim(db, j4, 3600000, now, &next));
	assert_int_equal(next, now + 3600000);
	int rc;
	json_t *row = db_one(db_q(db, "SELECT node_id, runs FROM job_clock WHERE name = $1", "t", j2), &rc);
	assert_non_null(row);
	assert_string_equal(fg_jstr(row, "node_id"), cluster_node_id());
	assert_int_equal(json_integer_value(json_object_get(row, "runs")), 2);
	json_decref(row);
}

int
main(void)
{
	const struct CMUnitTest sqlite[] = {cmocka_unit_test_setup_teardown(turns, setup_sqlite, teardown)};
	const struct CMUnitTest pg[] = {cmocka_unit_test_setup_teardown(turns, setup_pg, teardown)};
	int fails = cmocka_run_group_tests_name("job_clock (SQLite)", sqlite, NULL, NULL);
	return fails + cmocka_run_group_tests_name("job_clock (PostgreSQL)", pg, NULL, NULL);
}
