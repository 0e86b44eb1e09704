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

void
db_pg_close(db_t *db)
{
	PQfinish(db->pg);
}

int
db_pg_exec(db_t *db, const char *sql)
{
	PGresult *res = PQexec(db->pg, sql);
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
		st->res = PQexecParams(st->db->pg, st->sql, st->nparams, NULL, (const char *const *)st->params, NULL,
		    NULL, 0);
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
