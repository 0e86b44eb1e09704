#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include "core/base/util.h"
#include "core/base/log.h"
#include "core/db/db_impl.h"

db_t *
db_open(const char *url, char *err, size_t errlen)
{
	if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
		return db_pg_open(url, err, errlen);
	return db_sqlite_open(url, err, errlen);
}

static void hooks_drop(db_t *db, int level);

void
db_close(db_t *db)
{
	if (!db)
		return;
	hooks_drop(db, 0); /* a transaction left open is rolled back by the close: its effects never happen */
	if (db->kind == DB_PG)
		db_pg_close(db);
	else
		db_sqlite_close(db);
	free(db);
}

enum db_kind
db_kind(const db_t *db)
{
	return db->kind;
}

const char *
db_kind_name(const db_t *db)
{
	return db->kind == DB_PG ? "postgresql" : "sqlite";
}

const char *
db_errmsg(const db_t *db)
{
	return db->err;
}

void
db_errclear(db_t *db)
{
	db->err[0] = 0;
}

/* A statement about to run: what it reads counts for db_track_reads; what it writes is bumped when its
 * transaction commits, or (*now) once it has run when no transaction is open. */
static void
track(db_t *db, const char *sql, dbver_set_t *now, bool *autocommit)
{
	dbver_set_t t;
	bool w;
	dbver_classify(sql, &t, &w);
	*autocommit = false;
	if (!w) {
		dbver_or(&db->reads, &t);
		return;
	}
	db->wrote = true;
	if (db->depth > 0) {
		dbver_or(&db->pending, &t);
	} else {
		*now = t;
		*autocommit = true;
	}
}

int
db_exec(db_t *db, const char *sql)
{
	dbver_set_t t;
	bool autocommit;
	track(db, sql, &t, &autocommit);
	int rc = db->kind == DB_PG ? db_pg_exec(db, sql) : db_sqlite_exec(db, sql);
	if (autocommit)
		dbver_bump(&t);
	return rc;
}

void
db_track_start(db_t *db)
{
	memset(&db->reads, 0, sizeof db->reads);
	db->wrote = false;
}

bool
db_track_reads(const db_t *db, dbver_set_t *reads)
{
	*reads = db->reads;
	return !db->wrote;
}

struct db_hook {
	db_hook_fn fn;
	void (*drop)(void *arg);
	void *arg;
	int level; /* the transaction depth it belongs to: its savepoint's rollback drops it */
	struct db_hook *next;
};

void
db_after_commit(db_t *db, db_hook_fn fn, void *arg, void (*drop)(void *arg))
{
	if (db->depth == 0) {
		fn(db, arg);
		return;
	}
	struct db_hook *h = fg_calloc(1, sizeof *h), **tail = &db->hooks;
	*h = (struct db_hook){fn, drop, arg, db->depth, NULL};
	while (*tail) /* in registration order */
		tail = &(*tail)->next;
	*tail = h;
}

/* Drops the hooks registered at depth level or deeper (that savepoint or transaction rolled back). */
static void
hooks_drop(db_t *db, int level)
{
	for (struct db_hook **p = &db->hooks; *p;) {
		struct db_hook *h = *p;
		if (h->level < level) {
			p = &h->next;
			continue;
		}
		*p = h->next;
		if (h->drop)
			h->drop(h->arg);
		free(h);
	}
}

/* A released savepoint's hooks now belong to the transaction around it; the outermost commit runs them all. */
static void
hooks_committed(db_t *db, int level)
{
	if (level > 1) {
		for (struct db_hook *h = db->hooks; h; h = h->next)
			if (h->level >= level)
				h->level = level - 1;
		return;
	}
	struct db_hook *list = db->hooks;
	db->hooks = NULL; /* a hook may open transactions and register more: those run or queue on their own */
	while (list) {
		struct db_hook *h = list;
		list = h->next;
		h->fn(db, h->arg);
		free(h);
	}
}

int
db_depth(const db_t *db)
{
	return db->depth;
}

/* Transactions nest: a domain function that opens its own transaction (orders_create, flow_fire …) can run
 * inside another one (an alarm that opens a work order), as a savepoint. Only the outermost commit makes the
 * work durable; a failed inner part rolls back to its savepoint and the caller decides about the rest. */
int
db_begin(db_t *db)
{
	char sql[48];
	if (db->depth == 0 && db->kind == DB_PG) {
		/* nothing to wait for: BEGIN goes to the server with the transaction's first statement, in its round trip
		 * (db_pg.c); should it fail, that statement fails */
		db_pg_ahead(db, "BEGIN", 0, NULL);
		db->depth++;
		return 0;
	}
	if (db->depth == 0)
		fg_fmt(sql, sizeof sql, "%s", "BEGIN IMMEDIATE");
	else
		fg_fmt(sql, sizeof sql, "SAVEPOINT fg_sp%d", db->depth);
	int rc = db_exec(db, sql);
	if (rc == 0)
		db->depth++;
	return rc;
}

int
db_commit(db_t *db)
{
	char sql[48];
	if (db->depth > 1)
		fg_fmt(sql, sizeof sql, "RELEASE SAVEPOINT fg_sp%d", db->depth - 1);
	else
		fg_fmt(sql, sizeof sql, "COMMIT");
	int rc = db_exec(db, sql);
	if (rc != 0) {
		db_rollback(db);
		return rc;
	}
	int level = db->depth;
	if (db->depth > 0)
		db->depth--;
	if (level == 1) { /* durable and visible: readers of these tables must not trust what they built before */
		dbver_bump(&db->pending);
		memset(&db->pending, 0, sizeof db->pending);
	}
	if (level > 0)
		hooks_committed(db, level);
	return rc;
}

void
db_rollback(db_t *db)
{
	if (db->depth == 0)
		return;
	char keep[sizeof db->err];
	memcpy(keep, db->err, sizeof keep); /* the caller wants the error that caused the rollback */
	if (db->depth == 1) {
		if (db_exec(db, "ROLLBACK") != 0) { /* the connection resets the transaction itself */ }
	} else {
		char sql[64];
		fg_fmt(sql, sizeof sql, "ROLLBACK TO SAVEPOINT fg_sp%d", db->depth - 1);
		if (db_exec(db, sql) == 0) {
			fg_fmt(sql, sizeof sql, "RELEASE SAVEPOINT fg_sp%d", db->depth - 1);
			if (db_exec(db, sql) != 0) { /* released with the outer transaction anyway */ }
		}
	}
	memcpy(db->err, keep, sizeof keep);
	hooks_drop(db, db->depth);
	if (db->depth == 1) /* nothing was written after all (a savepoint's rollback keeps the set: more is harmless) */
		memset(&db->pending, 0, sizeof db->pending);
	db->depth--;
}

int
db_savepoint(db_t *db)
{
	if (db->depth == 0) {
		fg_fmt(db->err, sizeof db->err, "a savepoint needs an open transaction");
		return -1;
	}
	return db_begin(db) == 0 ? db->depth : -1;
}

void
db_rollback_to(db_t *db, int sp)
{
	while (sp > 1 && db->depth >= sp)
		db_rollback(db);
}

int
db_release(db_t *db, int sp)
{
	if (sp < 2 || db->depth < sp) {
		fg_fmt(db->err, sizeof db->err, "savepoint %d is not open", sp);
		return DB_ERR;
	}
	if (db->depth > sp) {
		db_rollback_to(db, sp);
		fg_fmt(db->err, sizeof db->err, "a transaction was left open inside savepoint %d", sp);
		return DB_ERR;
	}
	return db_commit(db);
}

bool
db_in_tx(const db_t *db)
{
	return db->depth > 0;
}

/* Only names written in the code reach the SQL text; a name with anything else is a programming error. */
static bool
db_ident_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 63)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
			return false;
	return true;
}

static int
lock_v(db_t *db, bool ahead, const char *table, va_list ap)
{
	const char *cols[4], *vals[4];
	int n = 0;
	for (const char *c; (c = va_arg(ap, const char *));) {
		if (n == 4 || !db_ident_ok(c)) {
			log_error("db_lock_where(%s): bad or too many columns", table ? table : "?");
			abort();
		}
		cols[n] = c;
		vals[n++] = va_arg(ap, const char *);
	}
	if (!db_ident_ok(table) || n == 0) {
		log_error("db_lock_where: bad table %s or no column", table ? table : "?");
		abort();
	}
	if (db->depth == 0) { /* a lock outside a transaction would end with its statement: a bug in the caller */
		fg_fmt(db->err, sizeof db->err, "db_lock_where(%s): not in a transaction", table);
		return DB_ERR;
	}
	/* SQLite: the write transaction (BEGIN IMMEDIATE) already excludes every other writer, and WAL readers never
	 * write, so what this transaction reads stays true until it commits. */
	if (db->kind != DB_PG)
		return 0;
	char sql[512]; /* fits: a table and 4 columns of at most 63 bytes each; fg_fmt truncates, never overruns */
	fg_fmt(sql, sizeof sql, "SELECT 1 FROM %s WHERE ", table);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(sql);
		fg_fmt(sql + len, sizeof sql - len, "%s%s = $%d", i ? " AND " : "", cols[i], i + 1);
	}
	size_t len = strlen(sql);
	fg_fmt(sql + len, sizeof sql - len, " FOR UPDATE");
	if (ahead) {
		db_pg_ahead(db, sql, n, vals);
		return 0;
	}
	db_stmt_t *st = db_prepare(db, sql);
	if (!st)
		return DB_ERR;
	for (int i = 0; i < n; i++)
		db_bind_text(st, i + 1, vals[i]);
	int rc = db_run(st);
	return rc == DB_DONE ? 0 : rc;
}

int
db_lock_where(db_t *db, const char *table, ...)
{
	va_list ap;
	va_start(ap, table);
	int rc = lock_v(db, false, table, ap);
	va_end(ap);
	return rc;
}

int
db_lock_row(db_t *db, const char *table, const char *id)
{
	return db_lock_where(db, table, "id", id, NULL);
}

static int
lock_ahead(db_t *db, const char *table, ...)
{
	va_list ap;
	va_start(ap, table);
	int rc = lock_v(db, true, table, ap);
	va_end(ap);
	return rc;
}

int
db_lock_row_ahead(db_t *db, const char *table, const char *id)
{
	return lock_ahead(db, table, "id", id, NULL);
}

db_stmt_t *
db_prepare(db_t *db, const char *sql)
{
	dbver_set_t t;
	bool autocommit;
	track(db, sql, &t, &autocommit);
	db_stmt_t *st = db->kind == DB_PG ? db_pg_prepare(db, sql) : db_sqlite_prepare(db, sql);
	if (st && autocommit) {
		st->autocommit_write = true;
		st->writes = t;
	}
	return st;
}

void
db_bind_text(db_stmt_t *st, int idx, const char *s)
{
	if (!s) {
		db_bind_null(st, idx);
		return;
	}
	if (st->ls) {
		sqlite3_bind_text(st->ls, idx, s, -1, SQLITE_TRANSIENT);
		return;
	}
	if (idx < 1 || idx > DB_MAX_PARAMS)
		return;
	free(st->params[idx - 1]);
	st->params[idx - 1] = fg_strdup(s);
	if (idx > st->nparams)
		st->nparams = idx;
}

void
db_bind_int(db_stmt_t *st, int idx, int64_t v)
{
	if (st->ls) {
		sqlite3_bind_int64(st->ls, idx, v);
		return;
	}
	char tmp[32];
	fg_fmt(tmp, sizeof tmp, "%lld", (long long)v);
	db_bind_text(st, idx, tmp);
}

void
db_bind_null(db_stmt_t *st, int idx)
{
	if (st->ls) {
		sqlite3_bind_null(st->ls, idx);
		return;
	}
	if (idx < 1 || idx > DB_MAX_PARAMS)
		return;
	free(st->params[idx - 1]);
	st->params[idx - 1] = NULL;
	if (idx > st->nparams)
		st->nparams = idx;
}

db_stmt_t *
db_q(db_t *db, const char *sql, const char *fmt, ...)
{
	db_stmt_t *st = db_prepare(db, sql);
	if (!st)
		return NULL;
	va_list ap;
	va_start(ap, fmt);
	for (int i = 0; fmt && fmt[i]; i++) {
		switch (fmt[i]) {
		case 't':
			db_bind_text(st, i + 1, va_arg(ap, const char *));
			break;
		case 'i':
			db_bind_int(st, i + 1, va_arg(ap, int64_t));
			break;
		case 'b':
			db_bind_int(st, i + 1, va_arg(ap, int) ? 1 : 0);
			break;
		default:
			db_bind_null(st, i + 1);
			break;
		}
	}
	va_end(ap);
	return st;
}

int
db_step(db_stmt_t *st)
{
	int rc = st->ls ? db_sqlite_step(st) : db_pg_step(st);
	if (st->autocommit_write) { /* ran (or failed) on its own: bump once, after it */
		st->autocommit_write = false;
		dbver_bump(&st->writes);
	}
	return rc;
}

void
db_finalize(db_stmt_t *st)
{
	if (!st)
		return;
	if (st->ls)
		db_sqlite_finalize(st);
	else
		db_pg_finalize(st);
	free(st);
}

int
db_col_count(db_stmt_t *st)
{
	return st->ls ? sqlite3_column_count(st->ls) : PQnfields(st->res);
}

const char *
db_col_name(db_stmt_t *st, int i)
{
	return st->ls ? sqlite3_column_name(st->ls, i) : PQfname(st->res, i);
}

bool
db_col_null(db_stmt_t *st, int i)
{
	if (st->ls)
		return sqlite3_column_type(st->ls, i) == SQLITE_NULL;
	return PQgetisnull(st->res, st->row, i);
}

enum db_type
db_col_type(db_stmt_t *st, int i)
{
	if (db_col_null(st, i))
		return DB_T_NULL;
	if (st->ls)
		return sqlite3_column_type(st->ls, i) == SQLITE_INTEGER ? DB_T_INT : DB_T_TEXT;
	switch (PQftype(st->res, i)) {
	case 20: /* int8 */
	case 21: /* int2 */
	case 23: /* int4 */
		return DB_T_INT;
	default:
		return DB_T_TEXT;
	}
}

const char *
db_col_text(db_stmt_t *st, int i)
{
	if (db_col_null(st, i))
		return NULL;
	if (st->ls)
		return (const char *)sqlite3_column_text(st->ls, i);
	return PQgetvalue(st->res, st->row, i);
}

int64_t
db_col_int(db_stmt_t *st, int i)
{
	if (st->ls)
		return sqlite3_column_int64(st->ls, i);
	if (PQgetisnull(st->res, st->row, i))
		return 0;
	return strtoll(PQgetvalue(st->res, st->row, i), NULL, 10);
}

json_t *
db_row_json(db_stmt_t *st)
{
	json_t *o = json_object();
	int n = db_col_count(st);
	for (int i = 0; i < n; i++) {
		json_t *v;
		switch (db_col_type(st, i)) {
		case DB_T_NULL:
			v = json_null();
			break;
		case DB_T_INT:
			v = json_integer(db_col_int(st, i));
			break;
		default:
			v = json_string(db_col_text(st, i));
			if (!v) /* not UTF-8: cannot come from our writes; never hand it on */
				v = json_null();
			break;
		}
		json_object_set_new(o, db_col_name(st, i), v);
	}
	return o;
}

int
db_run(db_stmt_t *st)
{
	if (!st)
		return DB_ERR;
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		;
	db_finalize(st);
	return rc;
}

json_t *
db_one(db_stmt_t *st, int *rc)
{
	json_t *row = NULL;
	if (!st) {
		*rc = DB_ERR;
		return NULL;
	}
	*rc = db_step(st);
	if (*rc == DB_ROW)
		row = db_row_json(st);
	db_finalize(st);
	return row;
}

json_t *
db_all(db_stmt_t *st, int *rc)
{
	if (!st) {
		*rc = DB_ERR;
		return NULL;
	}
	json_t *arr = json_array();
	while ((*rc = db_step(st)) == DB_ROW)
		json_array_append_new(arr, db_row_json(st));
	db_finalize(st);
	if (*rc != DB_DONE) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

/* Per-thread connections: libmicrohttpd's pool threads each get their own, as libpq and SQLite want; and, when a
 * standby's URL is set, a second one to it for the reads that may lag (db_thread_standby). */
static char *thread_url, *standby_url;
static pthread_key_t thread_key, standby_key;
static pthread_once_t thread_once = PTHREAD_ONCE_INIT;

static void
thread_close(void *p)
{
	db_close(p);
}

static void
thread_key_init(void)
{
	pthread_key_create(&thread_key, thread_close);
	pthread_key_create(&standby_key, thread_close);
}

void
db_thread_setup(const char *url)
{
	pthread_once(&thread_once, thread_key_init);
	free(thread_url);
	thread_url = fg_strdup(url);
}

void
db_thread_setup_standby(const char *url)
{
	pthread_once(&thread_once, thread_key_init);
	free(standby_url);
	standby_url = url && *url ? fg_strdup(url) : NULL;
}

db_t *
db_thread_standby(void)
{
	if (!standby_url)
		return NULL;
	pthread_once(&thread_once, thread_key_init);
	db_t *db = pthread_getspecific(standby_key);
	if (db && !db_broken(db))
		return db;
	if (db) {
		pthread_setspecific(standby_key, NULL);
		db_close(db);
	}
	char err[256];
	db = db_open(standby_url, err, sizeof err);
	if (!db) { /* the caller reads from the primary instead */
		log_warn("database: the standby for reports cannot be reached (%s); reading from the primary", err);
		return NULL;
	}
	pthread_setspecific(standby_key, db);
	return db;
}

const char *
db_thread_url(void)
{
	return thread_url;
}

bool
db_broken(const db_t *db)
{
	return db && db->kind == DB_PG && (db->broken || PQstatus(db->pg) != CONNECTION_OK);
}

db_t *
db_thread(void)
{
	pthread_once(&thread_once, thread_key_init);
	db_t *db = pthread_getspecific(thread_key);
	if (db && !db_broken(db))
		return db;
	if (db) { /* after a failover or a restart of PostgreSQL: a new connection, to whichever host is the primary now */
		log_warn("database: this thread's connection is gone (%s); connecting again", db->err);
		pthread_setspecific(thread_key, NULL);
		db_close(db);
	}
	char err[256];
	db = db_open(thread_url, err, sizeof err);
	if (!db)
		return NULL;
	pthread_setspecific(thread_key, db);
	return db;
}

const char *
db_in_json(const db_t *db)
{
	return db->kind == DB_PG ? "(SELECT json_array_elements_text($1::json))" : "(SELECT value FROM json_each($1))";
}

void
db_url_for(const char *data_dir, const char *db_opt, char *out, size_t n)
{
	if (db_opt && *db_opt)
		fg_fmt(out, n, "%s", db_opt);
	else
		fg_fmt(out, n, "%s/fieldgrid.db", data_dir);
}

int
db_fail(db_t *db, fg_err_t *err)
{
	if (!err->code && db_broken(db)) { /* not the request's fault: it may be sent again (503, retry) */
		log_warn("database unavailable: %s", db_errmsg(db));
		fg_err(err, "unavailable");
	} else if (!err->code) {
		log_error("database: %s", db_errmsg(db));
		fg_err(err, "internal");
	}
	db_rollback(db);
	return -1;
}

int
db_check_version(json_t *row, json_t *in, fg_err_t *err)
{
	json_t *cur = json_object_get(row, "version");
	if (json_integer_value(cur) == json_integer_value(json_object_get(in, "version")))
		return 0;
	fg_err(err, "version_conflict");
	fg_err_detail(err, "current_version", json_copy(cur));
	return -1;
}
