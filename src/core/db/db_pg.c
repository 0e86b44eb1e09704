#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"
#include "core/base/log.h"
#include "core/db/db_impl.h"

static int
classify_result(db_t *db, PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	fg_fmt(db->err, sizeof db->err, "%s", res ? PQresultErrorMessage(res) : PQerrorMessage(db->pg));
	/* strip libpq's trailing newline so log lines stay single */
	size_t n = strlen(db->err);
	while (n && (db->err[n - 1] == '\n' || db->err[n - 1] == '\r'))
		db->err[--n] = 0;
	/* a connection that cannot go on: class 08 (connection exception), the server shutting down or starting
	 * (57P01-57P03), a read-only server (25006: the old primary came back as a standby), or no result at all */
	if (!state || strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0 || strcmp(state, "25006") == 0 ||
	    PQstatus(db->pg) != CONNECTION_OK)
		db->broken = true;
	if (state && strcmp(state, "23505") == 0)
		return DB_CONFLICT;
	if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0))
		return DB_BUSY;
	return DB_ERR;
}

db_t *
db_pg_open(const char *url, char *err, size_t errlen)
{
	db_t *db = fg_calloc(1, sizeof *db);
	db->kind = DB_PG;
	db->pg = PQconnectdb(url);
	if (PQstatus(db->pg) != CONNECTION_OK) {
		/* the URL may hold a password: name the failure, never the URL */
		fg_fmt(err, errlen, "cannot connect to PostgreSQL: %s", PQerrorMessage(db->pg));
		PQfinish(db->pg);
		free(db);
		return NULL;
	}
	PGresult *r = PQexec(db->pg, "SET client_min_messages = warning; SET TIME ZONE 'UTC'");
	PQclear(r);
	return db;
}

static void
ahead_clear(db_t *db)
{
	for (int i = 0; i < db->nahead; i++) {
		free(db->ahead[i].sql);
		for (int k = 0; k < db->ahead[i].nparams; k++)
			free(db->ahead[i].params[k]);
	}
	db->nahead = 0;
}

void
db_pg_close(db_t *db)
{
	ahead_clear(db);
	PQfinish(db->pg);
}

/* One statement's result in pipeline mode; the NULL that ends it is consumed. */
static PGresult *
pipeline_result(PGconn *c)
{
	PGresult *r = PQgetResult(c), *more;
	while (r && (more = PQgetResult(c)) != NULL) /* one result per statement; anything more is dropped */
		PQclear(more);
	return r;
}

/* Runs sql with its parameters (extended protocol, like PQexecParams). With statements queued ahead (db_pg_ahead),
 * they and sql go in one round trip, libpq's pipeline mode; an ahead statement's failure is returned as sql's result
 * (sql then did not run: PostgreSQL skips the rest of a pipeline after an error), so the caller sees the first
 * failure, the transaction aborted as after any failed statement. NULL when nothing could be sent or read. */
static PGresult *
pg_run(db_t *db, const char *sql, int nparams, const char *const *params)
{
	if (db->nahead == 0)
		return PQexecParams(db->pg, sql, nparams, NULL, params, NULL, NULL, 0);
	PGconn *c = db->pg;
	int n = db->nahead;
	bool ok = PQenterPipelineMode(c) == 1;
	for (int i = 0; ok && i < n; i++)
		ok = PQsendQueryParams(c, db->ahead[i].sql, db->ahead[i].nparams, NULL, (const char *const *)db->ahead[i].params,
			 NULL, NULL, 0) == 1;
	ok = ok && PQsendQueryParams(c, sql, nparams, NULL, params, NULL, NULL, 0) == 1 && PQpipelineSync(c) == 1;
	ahead_clear(db);
	if (!ok) {
		(void)PQexitPipelineMode(c);
		return NULL;
	}
	PGresult *fail = NULL, *res = NULL;
	for (int i = 0; i < n; i++) {
		PGresult *r = pipeline_result(c);
		if (!fail && (!r || PQresultStatus(r) == PGRES_FATAL_ERROR))
			fail = r;
		else
			PQclear(r);
	}
	res = pipeline_result(c);
	PGresult *sync;
	while ((sync = PQgetResult(c)) != NULL) { /* up to the sync point */
		ExecStatusType s = PQresultStatus(sync);
		PQclear(sync);
		if (s == PGRES_PIPELINE_SYNC)
			break;
	}
	(void)PQexitPipelineMode(c);
	if (fail) {
		PQclear(res);
		return fail;
	}
	return res;
}

void
db_pg_ahead(db_t *db, const char *sql, int nparams, const char *const *params)
{
	if (db->nahead == DB_AHEAD) { /* full: they go now, in one round trip of their own */
		struct db_ahead last = db->ahead[--db->nahead];
		PGresult *r = pg_run(db, last.sql, last.nparams, (const char *const *)last.params);
		/* a failure shows again on the next statement: the transaction is aborted */
		if (!r || (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK))
			(void)classify_result(db, r);
		PQclear(r);
		free(last.sql);
		for (int k = 0; k < last.nparams; k++)
			free(last.params[k]);
	}
	struct db_ahead *a = &db->ahead[db->nahead++];
	a->sql = fg_strdup(sql);
	a->nparams = nparams < DB_AHEAD_PARAMS ? nparams : DB_AHEAD_PARAMS;
	for (int k = 0; k < a->nparams; k++)
		a->params[k] = params[k] ? fg_strdup(params[k]) : NULL;
}

int
db_pg_exec(db_t *db, const char *sql)
{
	if (db->nahead == 1 && strcmp(db->ahead[0].sql, "BEGIN") == 0 && (strcmp(sql, "COMMIT") == 0 || strcmp(sql, "ROLLBACK") == 0)) {
		ahead_clear(db); /* a transaction that ran nothing: nothing to send */
		return 0;
	}
	/* one statement goes with those ahead of it; several (migrations) only through the simple protocol, after them */
	PGresult *res = db->nahead && !strchr(sql, ';') ? pg_run(db, sql, 0, NULL) : NULL;
	if (!res && db->nahead) {
		struct db_ahead last = db->ahead[--db->nahead];
		res = pg_run(db, last.sql, last.nparams, (const char *const *)last.params);
		free(last.sql);
		for (int k = 0; k < last.nparams; k++)
			free(last.params[k]);
		if (res && (PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK)) {
			PQclear(res);
			res = PQexec(db->pg, sql);
		}
	} else if (!res)
		res = PQexec(db->pg, sql);
	ExecStatusType s = PQresultStatus(res);
	int rc = (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) ? 0 : classify_result(db, res);
	PQclear(res);
	return rc;
}

db_stmt_t *
db_pg_prepare(db_t *db, const char *sql)
{
	db_stmt_t *st = fg_calloc(1, sizeof *st);
	st->db = db;
	st->sql = fg_strdup(sql);
	/* parameters are numbered by the highest $N the SQL names */
	for (const char *p = sql; *p; p++) {
		if (*p == '$' && p[1] >= '1' && p[1] <= '9') {
			int n = atoi(p + 1);
			if (n > st->nparams && n <= DB_MAX_PARAMS)
				st->nparams = n;
		}
	}
	return st;
}

int
db_pg_step(db_stmt_t *st)
{
	if (!st->executed) {
		st->executed = true;
		st->res = pg_run(st->db, st->sql, st->nparams, (const char *const *)st->params);
		ExecStatusType s = PQresultStatus(st->res);
		if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
			int rc = classify_result(st->db, st->res);
			if (rc == DB_ERR)
				log_error("postgres query failed: %s", st->db->err);
			PQclear(st->res);
			st->res = NULL;
			st->nrows = 0;
			return rc;
		}
		st->nrows = PQntuples(st->res);
		st->row = -1;
	}
	if (!st->res)
		return DB_ERR;
	if (st->row + 1 < st->nrows) {
		st->row++;
		return DB_ROW;
	}
	return DB_DONE;
}

void
db_pg_finalize(db_stmt_t *st)
{
	PQclear(st->res);
	for (int i = 0; i < DB_MAX_PARAMS; i++)
		free(st->params[i]);
	free(st->sql);
}

/* ---- COPY FROM STDIN for db_bulk (db_bulk.c) ---- */

int
db_pg_copy_begin(db_t *db, const char *sql)
{
	if (db->nahead) { /* BEGIN and row locks queued ahead go first: COPY cannot run in a pipeline */
		int rc = db_pg_exec(db, "SELECT 1");
		if (rc != 0)
			return rc;
	}
	PGresult *res = PQexec(db->pg, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		int rc = classify_result(db, res);
		PQclear(res);
		return rc;
	}
	PQclear(res);
	return 0;
}

int
db_pg_copy_put(db_t *db, const char *buf, size_t n)
{
	if (PQputCopyData(db->pg, buf, (int)n) != 1)
		return classify_result(db, NULL);
	return 0;
}

/* Ends the COPY (fail: with an error, so nothing of it is kept) and reads its result. */
int
db_pg_copy_end(db_t *db, const char *fail, int64_t *rows)
{
	int rc = 0;
	if (PQputCopyEnd(db->pg, fail) != 1)
		rc = classify_result(db, NULL);
	PGresult *res;
	while ((res = PQgetResult(db->pg)) != NULL) {
		if (PQresultStatus(res) == PGRES_COMMAND_OK) {
			if (rows)
				*rows = strtoll(PQcmdTuples(res), NULL, 10);
		} else if (rc == 0)
			rc = classify_result(db, res);
		PQclear(res);
	}
	return rc;
}
