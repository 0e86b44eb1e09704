#ifndef FG_DB_H
#define FG_DB_H
#include <stdint.h>
#include <stdbool.h>
#include <jansson.h>

/* One storage interface over SQLite and PostgreSQL (Dovecot lib-sql shape, ENGINEERING.md §5).
 * SQL is written once with $1..$N placeholders; the SQLite driver rewrites them to ?N so both engines number
 * them the same way. A db_t is one connection and must be used by one thread at a time (db_thread()). */

typedef struct db db_t;
typedef struct db_stmt db_stmt_t;

enum db_kind { DB_SQLITE = 1, DB_PG = 2 };

#define DB_MAX_PARAMS 32 /* $N placeholders one statement may use */

/* Results of db_step and error classes of db_errclass. */
enum {
	DB_ROW = 1,
	DB_DONE = 0,
	DB_ERR = -1,      /* anything else: the message is in db_errmsg */
	DB_CONFLICT = -2, /* unique / primary key violation (SQLite 2067/1555, SQLSTATE 23505) */
	DB_BUSY = -3,     /* retry: SQLITE_BUSY, 40001, 40P01 */
};

enum db_type { DB_T_NULL, DB_T_INT, DB_T_TEXT };

/* url: "postgres://…" / "postgresql://…" for PostgreSQL, anything else is a SQLite file path. */
db_t *db_open(const char *url, char *err, size_t errlen);
void db_close(db_t *db);
enum db_kind db_kind(const db_t *db);
const char *db_kind_name(const db_t *db); /* "sqlite" | "postgresql" */
const char *db_errmsg(const db_t *db);
/* Forgets the last error, so that a caller can tell whether the part it runs next failed in the database. */
void db_errclear(db_t *db);

/* Runs SQL without parameters; several statements allowed (migrations). 0 or a DB_* error. */
int db_exec(db_t *db, const char *sql) __attribute__((warn_unused_result));

/* Write transaction: SQLite takes the write lock at once (BEGIN IMMEDIATE) so busy_timeout applies. PostgreSQL sends
 * BEGIN with the transaction's first statement, in one round trip (libpq's pipeline mode): db_begin then returns 0
 * and a failure to begin is that statement's failure; a transaction that runs nothing sends nothing. */
int db_begin(db_t *db) __attribute__((warn_unused_result));
int db_commit(db_t *db) __attribute__((warn_unused_result));
void db_rollback(db_t *db);
bool db_in_tx(const db_t *db);

/* Effects outside the database (a command pushed to a charger, a job handed to a thread) must not happen for a
 * change that is later rolled back, nor before other connections can see it. db_after_commit runs fn(db, arg)
 * when the outermost transaction commits (at once when none is open), and drop(arg) instead when the savepoint or
 * transaction it was registered in rolls back. A keyed write runs its handler inside the router's transaction
 * (http/idempotency.c), so a handler's own db_commit is only a savepoint: this is how it defers its effects.
 * fn runs with no transaction open; drop may be NULL; after fn, drop is not called (fn owns arg). */
typedef void (*db_hook_fn)(db_t *db, void *arg);
void db_after_commit(db_t *db, db_hook_fn fn, void *arg, void (*drop)(void *arg));
/* Open transactions: 0 none, 1 the transaction, more: savepoints inside it. */
int db_depth(const db_t *db);
/* A part of a transaction that may fail alone (an event subscriber, src/core/events/): db_savepoint opens a savepoint
 * inside the open transaction (none open: -1, nothing done) and returns its handle (> 1); db_release keeps the part's
 * work, db_rollback_to undoes it (its db_after_commit hooks dropped), and both close the savepoint. Whatever the part
 * left open inside it is closed too: db_rollback_to undoes it, db_release undoes it all and fails (DB_ERR), since a
 * part that did not close its own transaction did not finish. Both engines; on PostgreSQL a failed statement inside
 * leaves the transaction usable again after db_rollback_to. */
int db_savepoint(db_t *db) __attribute__((warn_unused_result));
int db_release(db_t *db, int sp) __attribute__((warn_unused_result));
void db_rollback_to(db_t *db, int sp);
/* Row locks for read-check-write (no lost update, docs/architecture.md "Storage: concurrency"). Call inside a
 * write transaction, before reading the rows whose state a check depends on: they are then locked until the
 * outermost commit or rollback, and what is read after the call is the committed state, which no other writer
 * can change until then. PostgreSQL: SELECT 1 FROM table WHERE col = $1 [AND col2 = $2 …] FOR UPDATE (a second
 * writer waits there, then reads the first one's result). SQLite: nothing to do, BEGIN IMMEDIATE already holds
 * the database's only write lock. Table and column names must be identifiers written in the code, never input
 * (checked: [a-z_] only, else abort). Returns 0 whether or not a row matched (the caller's own read then says
 * "not found"), or a DB_* error (DB_BUSY: a deadlock broken by PostgreSQL).
 * db_lock_where takes column/value pairs and a NULL after the last pair. */
int db_lock_row(db_t *db, const char *table, const char *id) __attribute__((warn_unused_result));
int db_lock_where(db_t *db, const char *table, ...) __attribute__((warn_unused_result, sentinel));
/* db_lock_row for a caller whose next statement reads the locked row and fails as a whole when that read fails
 * (the flow engine): on PostgreSQL the lock is not waited for but sent with that next statement, in its round trip,
 * and a failure to lock (a deadlock broken by PostgreSQL) is that statement's failure, which did not run. SQLite: as
 * db_lock_row. Returns 0, or DB_ERR outside a transaction. */
int db_lock_row_ahead(db_t *db, const char *table, const char *id) __attribute__((warn_unused_result));

db_stmt_t *db_prepare(db_t *db, const char *sql);
/* Prepares and binds in one call. fmt: one letter per parameter $1..$N:
 *   t  const char *      (NULL binds SQL NULL)
 *   i  int64_t
 *   b  int (0/1 stored as an integer)
 *   n  nothing: SQL NULL
 * Returns NULL on a prepare error (db_errmsg says why). */
db_stmt_t *db_q(db_t *db, const char *sql, const char *fmt, ...);
void db_bind_text(db_stmt_t *st, int idx, const char *s);
void db_bind_int(db_stmt_t *st, int idx, int64_t v);
void db_bind_null(db_stmt_t *st, int idx);
int db_step(db_stmt_t *st) __attribute__((warn_unused_result));
void db_finalize(db_stmt_t *st);

int db_col_count(db_stmt_t *st);
const char *db_col_name(db_stmt_t *st, int i);
enum db_type db_col_type(db_stmt_t *st, int i);
bool db_col_null(db_stmt_t *st, int i);
const char *db_col_text(db_stmt_t *st, int i); /* valid until the next step; NULL for NULL */
int64_t db_col_int(db_stmt_t *st, int i);
/* The current row as an object {column: value}; integers stay integers. */
json_t *db_row_json(db_stmt_t *st);

/* Runs a statement that returns no rows (or ignores them). 0, or the DB_* error; finalizes st. */
int db_run(db_stmt_t *st) __attribute__((warn_unused_result));
/* Runs a statement and returns its first row as an object (NULL when no row); finalizes st.
 * *rc gets DB_ROW, DB_DONE or the error. */
json_t *db_one(db_stmt_t *st, int *rc);
/* Runs a statement and returns all rows as an array (NULL on error); finalizes st. */
json_t *db_all(db_stmt_t *st, int *rc);

/* One connection per thread, opened on first use from the URL set by db_thread_setup, closed at thread exit. */
void db_thread_setup(const char *url);
/* The server's WAL checkpoints in a thread of their own (db_checkpoint.c), not in the request that commits:
 * start before the first connection is opened, stop after the last writer. Nothing on PostgreSQL. 0 or -1. */
int db_checkpointer_start(const char *url);
void db_checkpointer_stop(void);
/* The thread's connection; on PostgreSQL one found broken (db_broken) is replaced first. NULL when none can be
 * opened (the database is down, or no host of the URL is a primary yet). */
db_t *db_thread(void);
/* The read-only URL of a standby (FIELDGRID_READ_DB) for reports and KPIs (routes with .standby), or NULL; and the
 * thread's connection to it: NULL when none is set or it cannot be reached (then read from the primary). */
void db_thread_setup_standby(const char *url);
db_t *db_thread_standby(void);
/* PostgreSQL: the connection is gone or read-only now (a failover); its thread should get a new one. */
bool db_broken(const db_t *db);
const char *db_thread_url(void);

/* PostgreSQL's LISTEN/NOTIFY, for the nodes of a cluster (core/cluster): after LISTEN (db_exec) on this
 * connection, waits up to timeout_ms for notifications and calls fn for each one. The number handled, 0 when none
 * came in time (and always 0 on SQLite, after sleeping nothing), -1 when the connection failed. */
typedef void (*db_notify_fn)(const char *channel, const char *payload, void *arg);
int db_wait_notify(db_t *db, int timeout_ms, db_notify_fn fn, void *arg);

/* The operand of "col IN …" over the ids in $1, bound as one JSON array of strings: a page of rows can fetch
 * what each row needs in one statement (not one per row) whatever its size, with DB_MAX_PARAMS placeholders. */
const char *db_in_json(const db_t *db);

/* What a piece of work read (issue 10 item 10, core/http/rcache.c): db_track_start forgets; db_track_reads gives
 * the tables named by the statements prepared since (see core/db/dbver.h) and returns false when one of them
 * wrote. */
#include "core/db/dbver.h"
void db_track_start(db_t *db);
bool db_track_reads(const db_t *db, dbver_set_t *reads);

/* Bulk load (issue 12 item 4: a million meters): many rows into one table inside the open write transaction, the
 * fastest way each engine has — SQLite one prepared INSERT reused row after row, or (db_bulk_rows) one
 * INSERT … SELECT per set of rows; PostgreSQL COPY … FROM STDIN in text format, the rows sent in 256 KiB chunks.
 * Narrow on purpose: plain text values (NULL for SQL NULL). A row's failure (a constraint) shows at db_bulk_row or
 * db_bulk_rows on SQLite and at db_bulk_end on PostgreSQL (the COPY fails as a whole); either way the caller rolls
 * back. table and cols are identifiers written in the code ([a-z_0-9], else abort). While a bulk load is open the
 * connection runs nothing else. */
typedef struct db_bulk db_bulk_t;
db_bulk_t *db_bulk_begin(db_t *db, const char *table, const char *const *cols, int ncols);
/* vals: ncols values; 0 or a DB_* error (the load is then failed: db_bulk_end reports it and frees). */
int db_bulk_row(db_bulk_t *b, const char *const *vals) __attribute__((warn_unused_result));
/* nrows rows at once: vals holds nrows × ncols values, row after row, and need live only for the call. SQLite: one
 * INSERT … SELECT reading them through a virtual table (db_bulk_vtab.c: the table's and indexes' cursors stay
 * positioned from row to row, the fastest way SQLite fills a table; a failed row fails the call, and the statement's
 * rows are undone with it); PostgreSQL: each row as db_bulk_row. 0 or a DB_* error, as db_bulk_row. */
int db_bulk_rows(db_bulk_t *b, const char *const *vals, size_t nrows) __attribute__((warn_unused_result));
/* Ends and frees the load: 0 with *rows (may be NULL) the rows loaded, or the first DB_* error. */
int db_bulk_end(db_bulk_t *b, int64_t *rows) __attribute__((warn_unused_result));

/* Builds the database URL for a data directory and an optional --db value. */
void db_url_for(const char *data_dir, const char *db_opt, char *out, size_t n);



#include "core/base/err.h"
/* Ends a failed write: rolls back, logs the database message, and reports "internal" unless the caller already
 * set a domain code. Returns -1. */
int db_fail(db_t *db, fg_err_t *err);
/* Optimistic concurrency: the "version" a client sent must be the row's current one, else version_conflict with
 * details.current_version. Returns 0 or -1. */
int db_check_version(json_t *row, json_t *in, fg_err_t *err);

#endif
