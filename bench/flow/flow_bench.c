/* bench/flow: flow transitions per second, with their flow events and audit records, beside plain single-row
 * inserts with their audit records, on one database, in the same run (bench/README.md "Flow").
 *
 *   build/bench-flow URL [N] [CLIENTS...]      URL: a SQLite file or postgresql://…, migrated (`fieldgrid init`)
 *
 * A transition is flow_fire() on the real work_order flow (data/flows/work_order.json): cancel (with its guard,
 * order_not_in_active_plan) and reopen, in turns, so each order cycles new → cancelled → new. The binding is the
 * bench's own (flow_binding_t: the work_orders table, a plain row loader), so the bench depends on the engine's
 * public API only: flow.h, db.h, audit.h. A plain insert is what every audited create costs at least: BEGIN,
 * INSERT one row into a scratch table, audit_write, COMMIT. Each client is a thread with its own connection and its
 * own rows, as the server's workers are; N operations are shared out between the clients. Nothing here is a test:
 * it exits non-zero only when it cannot measure (an operation failed). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/audit/audit.h"
#include "core/auth/perm.h"
#include "core/base/util.h"
#include "core/db/db.h"
#include "core/flow/flow.h"

static const char *url;
static auth_user_t actor;

static json_t *
load(db_t *db, const char *id)
{
	int rc;
	return db_one(db_q(db, "SELECT id, number, kind, status, priority, source, title, team_id, version, updated_at "
			       "FROM work_orders WHERE id = $1", "t", id), &rc);
}

static const flow_binding_t binding = {"work_order", "work_orders", "work_order", load, NULL, NULL, NULL};

typedef struct {
	int client, ops;
	bool flow;
	char (*ids)[37]; /* this client's work orders */
	int nids;
	int failed;
	char err[256];
} job_t;

static double
clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
now_s(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

/* SYNC=off|normal|full (SQLite only; default: the server's FULL): the bench can show the engine's cost apart from
 * the disk's fsync. The server itself always runs FULL (docs/architecture.md "Durability"). */
static db_t *
open_db(char *err, size_t n)
{
	db_t *db = db_open(url, err, n);
	const char *sync = getenv("SYNC");
	if (db && sync && *sync && db_kind(db) == DB_SQLITE) {
		char sql[64];
		fg_fmt(sql, sizeof sql, "PRAGMA synchronous=%s", strcmp(sync, "off") == 0 ? "OFF" : strcmp(sync, "normal") == 0 ? "NORMAL" : "FULL");
		if (db_exec(db, sql) != 0) {
			fg_fmt(err, n, "%s", db_errmsg(db));
			db_close(db);
			return NULL;
		}
	}
	return db;
}

static void *
run(void *arg)
{
	job_t *j = arg;
	char err[256];
	db_t *db = open_db(err, sizeof err);
	if (!db) {
		fg_fmt(j->err, sizeof j->err, "%s", err);
		j->failed = j->ops;
		return NULL;
	}
	for (int i = 0; i < j->ops; i++) {
		fg_err_t e = FG_ERR_INIT;
		if (j->flow) {
			/* order k: cancel on its even turns, reopen on its odd ones */
			int k = i % j->nids, turn = i / j->nids;
			json_t *out = NULL;
			if (flow_fire(db, &binding, j->ids[k], turn % 2 ? "reopen" : "cancel", &actor, NULL, &out, &e) != 0) {
				if (!j->failed)
					fg_fmt(j->err, sizeof j->err, "flow_fire: %s (%s)", e.code ? e.code : "?", db_errmsg(db));
				j->failed++;
			}
			json_decref(out);
		} else {
			char id[37];
			fg_uuid7(id);
			int64_t now = fg_now_ms();
			json_t *row = json_pack("{s:s, s:i, s:I}", "id", id, "client", j->client, "at", (json_int_t)now);
			int rc = db_begin(db);
			if (rc == 0)
				rc = db_run(db_q(db, "INSERT INTO bench_plain (id, client, at) VALUES ($1, $2, $3)", "tii", id,
				    (int64_t)j->client, now)) == DB_DONE ? 0 : -1;
			if (rc == 0)
				rc = audit_write(db, actor.id, "create", "bench_plain", id, NULL, row);
			if (rc == 0)
				rc = db_commit(db);
			if (rc != 0) {
				if (!j->failed)
					fg_fmt(j->err, sizeof j->err, "plain insert: %s", db_errmsg(db));
				db_rollback(db);
				j->failed++;
			}
			json_decref(row);
		}
		fg_err_clear(&e);
	}
	db_close(db);
	return NULL;
}

/* Runs n operations over `clients` threads; returns operations per second; *failed: how many failed (reported:
 * on SQLite a writer that waits past busy_timeout gets "database is locked", as it would in the server).
 * *cpu_us: this process's CPU time (user + system, all threads) per operation: on a machine shared with other work
 * the rate depends on the CPU the bench gets, this does not (for SQLite it is the whole cost but the disk's wait;
 * for PostgreSQL the client's side only). */
static double
measure(bool flow, int n, int clients, char (*ids)[37], int nids, int *failed, double *cpu_us)
{
	double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	job_t jobs[64];
	pthread_t th[64];
	int per = nids / clients;
	double t0 = now_s();
	for (int c = 0; c < clients; c++) {
		jobs[c] = (job_t){.client = c, .ops = n / clients + (c < n % clients), .flow = flow, .ids = ids + c * per,
		    .nids = per};
		pthread_create(&th[c], NULL, run, &jobs[c]);
	}
	*failed = 0;
	for (int c = 0; c < clients; c++) {
		pthread_join(th[c], NULL);
		if (jobs[c].failed) {
			fprintf(stderr, "bench-flow: %s, client %d: %d of %d failed; first: %s\n", flow ? "flow" : "plain", c,
			    jobs[c].failed, jobs[c].ops, jobs[c].err);
			*failed += jobs[c].failed;
		}
	}
	double dt = now_s() - t0;
	*cpu_us = (clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0) * 1e6 / n;
	return (n - *failed) / dt;
}

static int64_t
count(db_t *db, const char *sql)
{
	int rc;
	json_t *r = db_one(db_prepare(db, sql), &rc);
	int64_t v = json_integer_value(json_object_get(r, "n"));
	json_decref(r);
	return v;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench-flow URL [N] [CLIENTS...]  (URL: SQLite file or postgresql://…, migrated)\n");
		return 2;
	}
	url = argv[1];
	int n = argc > 2 ? atoi(argv[2]) : 20000;
	int counts[16] = {1, 8}, ncounts = 2;
	if (argc > 3) {
		ncounts = 0;
		for (int i = 3; i < argc && ncounts < 16; i++)
			counts[ncounts++] = atoi(argv[i]);
	}
	char err[256];
	db_t *db = open_db(err, sizeof err);
	if (!db) {
		fprintf(stderr, "bench-flow: %s\n", err);
		return 1;
	}
	flow_init();
	int rc;
	json_t *admin = db_one(db_prepare(db, "SELECT id FROM users WHERE username = 'admin'"), &rc);
	if (!admin) {
		fprintf(stderr, "bench-flow: no admin user: run `fieldgrid init` on the database first\n");
		return 1;
	}
	fg_fmt(actor.id, sizeof actor.id, "%s", json_string_value(json_object_get(admin, "id")));
	fg_fmt(actor.username, sizeof actor.username, "admin");
	json_decref(admin);
	actor.roles = perm_role_bit("dispatcher"); /* the flow's own role, not admin's bypass */

	/* the scratch table of the plain inserts, and 16 work orders per client (so that no two transitions of a
	 * client touch the same row back to back) */
	if (db_exec(db, "CREATE TABLE IF NOT EXISTS bench_plain (id TEXT PRIMARY KEY, client INTEGER NOT NULL, at BIGINT NOT NULL)") != 0) {
		fprintf(stderr, "bench-flow: %s\n", db_errmsg(db));
		return 1;
	}
	int maxc = 1;
	for (int i = 0; i < ncounts; i++) {
		if (counts[i] < 1 || counts[i] > 64) {
			fprintf(stderr, "bench-flow: clients from 1 to 64\n");
			return 2;
		}
		if (counts[i] > maxc)
			maxc = counts[i];
	}
	int nids = 16 * maxc;
	char(*ids)[37] = fg_calloc((size_t)nids, 37);
	if (db_begin(db) != 0)
		return 1;
	int64_t now = fg_now_ms();
	for (int i = 0; i < nids; i++) {
		char number[40];
		fg_uuid7(ids[i]);
		fg_fmt(number, sizeof number, "BENCH-%s", ids[i]);
		if (db_run(db_q(db,
			"INSERT INTO work_orders (id, number, kind, status, priority, source, title, created_by, created_at, updated_at) "
			"VALUES ($1, $2, 'meter_rotation', 'new', 'normal', 'schedule', 'bench-flow', $3, $4, $4)",
			"ttti", ids[i], number, actor.id, now)) != DB_DONE) {
			fprintf(stderr, "bench-flow: %s\n", db_errmsg(db));
			return 1;
		}
	}
	if (db_commit(db) != 0)
		return 1;

	const char *sync = getenv("SYNC");
	printf("bench-flow: %s%s%s, about %d operations per run; flow: work_order cancel/reopen through flow_fire; plain: INSERT + audit_write\n",
	    db_kind_name(db), db_kind(db) == DB_SQLITE ? ", synchronous=" : "",
	    db_kind(db) == DB_SQLITE ? (sync && *sync ? sync : "full (as served)") : "", n);
	printf("%-8s %8s %14s %16s %6s %10s %14s %14s\n", "clients", "ops", "transitions/s", "plain inserts/s", "ratio",
	    "failed", "flow CPU us/op", "plain CPU us/op");
	int64_t audit0 = count(db, "SELECT COUNT(*) AS n FROM audit_log"), events0 = count(db, "SELECT COUNT(*) AS n FROM flow_events");
	for (int i = 0; i < ncounts; i++) {
		int c = counts[i];
		/* each client's orders start in "new": an even number of turns per order leaves them there */
		int per = nids / c, ops = n - n % (2 * per * c);
		if (ops <= 0)
			ops = 2 * per * c;
		int fp = 0, ff = 0;
		double cp = 0, cf = 0;
		double plain = measure(false, ops, c, ids, per * c, &fp, &cp);
		double flow = measure(true, ops, c, ids, per * c, &ff, &cf);
		char failed[32];
		fg_fmt(failed, sizeof failed, "%d/%d", ff, fp);
		printf("%-8d %8d %14.0f %16.0f %6.2f %10s %14.0f %14.0f\n", c, ops, flow, plain, flow / plain, failed, cf, cp);
		fflush(stdout);
	}
	int64_t audit1 = count(db, "SELECT COUNT(*) AS n FROM audit_log"), events1 = count(db, "SELECT COUNT(*) AS n FROM flow_events");
	printf("written: %lld audit records, %lld flow events (failed: transitions/plain inserts that failed, not counted)\n",
	    (long long)(audit1 - audit0), (long long)(events1 - events0));
	free(ids);
	db_close(db);
	return 0;
}
