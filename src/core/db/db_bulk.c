/* Bulk load (db.h db_bulk_*): a prepared INSERT reused on SQLite, COPY FROM STDIN on PostgreSQL. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "core/base/util.h"
#include "core/base/log.h"
#include "core/db/db_impl.h"

#define BULK_CHUNK (256 * 1024)

struct db_bulk {
	db_t *db;
	int ncols, rc;
	int64_t rows;
	db_stmt_t *st;   /* SQLite */
	db_stmt_t *many; /* SQLite: the INSERT … SELECT of db_bulk_rows, prepared at its first use */
	char *many_sql;
	char *buf;     /* PostgreSQL: the COPY data waiting to be sent */
	size_t len;
};

static void
ident(const char *s)
{
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_' || (*p >= '0' && *p <= '9')))
			abort(); /* names are the code's, never input */
}

db_bulk_t *
db_bulk_begin(db_t *db, const char *table, const char *const *cols, int ncols)
{
	if (ncols < 1 || ncols > DB_MAX_PARAMS || db->depth == 0)
		return NULL; /* inside a transaction only: its rollback is the caller's "nothing partial" */
	ident(table);
	char sql[4096];
	size_t n = 0;
#define ADD(...) n += (size_t)snprintf(sql + n, n < sizeof sql ? sizeof sql - n : 0, __VA_ARGS__)
	ADD(db->kind == DB_PG ? "COPY %s (" : "INSERT INTO %s (", table);
	for (int i = 0; i < ncols; i++) {
		ident(cols[i]);
		ADD("%s%s", i ? ", " : "", cols[i]);
	}
	if (db->kind == DB_PG)
		ADD(") FROM STDIN");
	else {
		ADD(") VALUES (");
		for (int i = 0; i < ncols; i++)
			ADD("%s$%d", i ? ", " : "", i + 1);
		ADD(")");
	}
#undef ADD
	if (n >= sizeof sql)
		abort();
	db_bulk_t *b = fg_calloc(1, sizeof *b);
	b->db = db;
	b->ncols = ncols;
	/* what the load writes goes up with the transaction's other writes (dbver.h) */
	char w[200];
	fg_fmt(w, sizeof w, "INSERT INTO %s", table);
	dbver_set_t t;
	bool wr;
	dbver_classify(w, &t, &wr);
	dbver_or(&db->pending, &t);
	db->wrote = true;
	if (db->kind == DB_PG) {
		b->rc = db_pg_copy_begin(db, sql);
		b->buf = fg_malloc(BULK_CHUNK + 64 * 1024);
	} else {
		b->st = db_prepare(db, sql);
		if (!b->st)
			b->rc = DB_ERR;
		/* db_bulk_rows' statement: the same columns from the virtual table's c0 … */
		char many[4096];
		size_t m = 0, at = (size_t)(strstr(sql, ") VALUES (") - sql);
		m += (size_t)snprintf(many + m, sizeof many - m, "%.*s) SELECT ", (int)at, sql);
		for (int i = 0; i < ncols; i++)
			m += (size_t)snprintf(many + m, m < sizeof many ? sizeof many - m : 0, "%sc%d", i ? ", " : "", i);
		m += (size_t)snprintf(many + m, m < sizeof many ? sizeof many - m : 0, " FROM fg_bulk_rows(?1)");
		if (m >= sizeof many)
			abort();
		b->many_sql = fg_strdup(many);
	}
	return b;
}

static int
flush(db_bulk_t *b)
{
	int rc = b->len ? db_pg_copy_put(b->db, b->buf, b->len) : 0;
	b->len = 0;
	return rc;
}

/* COPY text format: backslash, tab, newline and carriage return escaped; \N is NULL */
static int
put(db_bulk_t *b, const char *s)
{
	if (!s) {
		memcpy(b->buf + b->len, "\\N", 2);
		b->len += 2;
		return 0;
	}
	for (; *s; s++) {
		if (b->len + 2 > BULK_CHUNK + 60 * 1024) {
			int rc = flush(b);
			if (rc)
				return rc;
		}
		char c = *s;
		if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
			b->buf[b->len++] = '\\';
			c = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : '\\';
		}
		b->buf[b->len++] = c;
	}
	return 0;
}

int
db_bulk_row(db_bulk_t *b, const char *const *vals)
{
	if (b->rc)
		return b->rc;
	if (b->db->kind == DB_PG) {
		for (int i = 0; i < b->ncols && !b->rc; i++) {
			if (i)
				b->buf[b->len++] = '\t';
			b->rc = put(b, vals[i]);
		}
		if (!b->rc) {
			b->buf[b->len++] = '\n';
			if (b->len >= BULK_CHUNK)
				b->rc = flush(b);
		}
	} else {
		/* the values outlive the step: bound without a copy */
		for (int i = 0; i < b->ncols; i++)
			sqlite3_bind_text(b->st->ls, i + 1, vals[i], -1, SQLITE_STATIC); /* NULL binds NULL */
		int rc = db_sqlite_step(b->st);
		sqlite3_reset(b->st->ls);
		if (rc != DB_DONE)
			b->rc = rc == DB_ROW ? DB_ERR : rc;
	}
	if (!b->rc)
		b->rows++;
	return b->rc;
}

int
db_bulk_rows(db_bulk_t *b, const char *const *vals, size_t nrows)
{
	if (b->rc || b->db->kind == DB_PG) {
		for (size_t i = 0; i < nrows && !b->rc; i++)
			b->rc = db_bulk_row(b, vals + i * (size_t)b->ncols);
		return b->rc;
	}
	if (!nrows)
		return 0;
	if (!b->many && !(b->many = db_prepare(b->db, b->many_sql)))
		return b->rc = DB_ERR;
	db_bulk_set_t set = {.vals = vals, .nrows = nrows, .ncols = b->ncols};
	sqlite3_bind_pointer(b->many->ls, 1, &set, "fg_bulk_rows", NULL);
	int rc = db_sqlite_step(b->many);
	sqlite3_reset(b->many->ls);
	sqlite3_clear_bindings(b->many->ls); /* the set lives on this stack frame only */
	if (rc != DB_DONE)
		b->rc = rc == DB_ROW ? DB_ERR : rc;
	else
		b->rows += (int64_t)nrows;
	return b->rc;
}

int
db_bulk_end(db_bulk_t *b, int64_t *rows)
{
	int rc = b->rc;
	if (b->db->kind == DB_PG) {
		if (!rc)
			rc = flush(b);
		int erc = db_pg_copy_end(b->db, rc ? "the load failed" : NULL, NULL);
		if (!rc)
			rc = erc;
		free(b->buf);
	} else {
		db_finalize(b->st);
		db_finalize(b->many);
		free(b->many_sql);
	}
	if (rows)
		*rows = b->rows;
	free(b);
	return rc;
}
