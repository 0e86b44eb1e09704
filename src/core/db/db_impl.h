#ifndef FG_DB_IMPL_H
#define FG_DB_IMPL_H
/* Private to src/db: the driver structs behind db.h. */
#include <sqlite3.h>
#include <libpq-fe.h>
#include "core/db/db.h"
#include "core/db/dbver.h"


/* Prepared statements kept per connection, keyed by their SQL text: the same few dozen queries run on every
 * request, and preparing is most of a short query's cost. */
#define DB_STMT_CACHE 96
#define DB_AHEAD 4        /* statements waiting to go ahead of the next one */
#define DB_AHEAD_PARAMS 4 /* their parameters */
typedef struct {
	uint64_t hash;
	char *sql;
	sqlite3_stmt *st;
	bool busy;
} db_cached_t;

struct db {
	enum db_kind kind;
	sqlite3 *lite;
	db_cached_t cache[DB_STMT_CACHE];
	int ncache;
	PGconn *pg;
	/* PostgreSQL: statements whose rows nobody reads (BEGIN, a row lock), sent with the next statement in the same
	 * round trip (db_pg.c, libpq's pipeline mode) */
	struct db_ahead {
		char *sql;
		int nparams;
		char *params[DB_AHEAD_PARAMS];
	} ahead[DB_AHEAD];
	int nahead;
	int depth; /* open transactions: 0 none, 1 the transaction, more: savepoints inside it (db_begin nests) */
	struct db_hook *hooks; /* db_after_commit: run when the outermost transaction commits, dropped on rollback */
	/* data versions (dbver.h): the tables the open transaction wrote, bumped when it commits; and, since
	 * db_track_start, the tables read and whether anything was written */
	dbver_set_t pending, reads;
	bool wrote;
	/* PostgreSQL: the connection is gone or can no longer write (the server went away, or it is a standby now
	 * after a failover): db_thread replaces it at the thread's next use */
	bool broken;
	char err[512];
};

struct db_stmt {
	db_t *db;
	/* sqlite */
	sqlite3_stmt *ls;
	int slot; /* index in db->cache, or -1 */
	/* postgres: parameters kept as text until the first step runs the query */
	char *sql;
	int nparams;
	char *params[DB_MAX_PARAMS];
	PGresult *res;
	int row, nrows;
	bool executed;
	/* a write run outside a transaction: the tables whose generations go up once it has run */
	bool autocommit_write;
	dbver_set_t writes;
};

db_t *db_sqlite_open(const char *path, char *err, size_t errlen);
db_t *db_pg_open(const char *url, char *err, size_t errlen);
void db_sqlite_close(db_t *db);
/* db_bulk_vtab.c: the fg_bulk_rows virtual table over a db_bulk_set_t (db_bulk_rows on SQLite), registered on each
 * new connection. 0 or -1. */
typedef struct {
	const char *const *vals; /* nrows × ncols, row after row; NULL is SQL NULL */
	size_t nrows;
	int ncols;
} db_bulk_set_t;
int db_sqlite_bulk_module(sqlite3 *lite);
/* db_checkpoint.c: a new connection's WAL hook, when the server checkpoints in the background */
void db_sqlite_checkpoint_setup(sqlite3 *lite);
void db_pg_close(db_t *db);
int db_sqlite_exec(db_t *db, const char *sql);
int db_pg_exec(db_t *db, const char *sql);
db_stmt_t *db_sqlite_prepare(db_t *db, const char *sql);
db_stmt_t *db_pg_prepare(db_t *db, const char *sql);
/* Queues a statement to go ahead of the next one (copies sql and params). */
void db_pg_ahead(db_t *db, const char *sql, int nparams, const char *const *params);
int db_sqlite_step(db_stmt_t *st);
int db_pg_step(db_stmt_t *st);
void db_sqlite_finalize(db_stmt_t *st);
void db_pg_finalize(db_stmt_t *st);

/* COPY … FROM STDIN (db_bulk.c): begin (after the statements queued ahead), data, end (fail: abort with that
 * message). 0 or a DB_* error. */
int db_pg_copy_begin(db_t *db, const char *sql);
int db_pg_copy_put(db_t *db, const char *buf, size_t n);
int db_pg_copy_end(db_t *db, const char *fail, int64_t *rows);

/* Rewrites $N placeholders to ?N outside string literals (exposed for unit tests). */
char *db_sqlite_rewrite(const char *sql);

#endif
