/* SQLite's side of db_bulk_rows (db.h): rows held in the caller's memory, read as a table by one INSERT … SELECT.
 *
 * Why: SQLite fills a table and its indexes fastest from a set-based INSERT … SELECT, whose cursors on the table and
 * every index stay open and positioned from one row to the next (an appended key lands without a search from the
 * root); a prepared INSERT stepped once per row opens and seeks them again for every row (measured by the meter
 * import, 1,000,000 rows: 13.6 s of CPU against 8.4 s). Until now that meant writing the rows into a staging table
 * first and reading them back. This eponymous virtual table, fg_bulk_rows, reads them straight from the caller's
 * array instead: `SELECT c0, c1, … FROM fg_bulk_rows(?1)` with ?1 bound by sqlite3_bind_pointer to a db_bulk_set_t
 * (the pointer type "fg_bulk_rows": SQL text can never forge one). Values are text or NULL, as db_bulk_row's. */
#include <stdio.h>
#include <string.h>
#include "core/db/db_impl.h"

#define VT_COLS DB_MAX_PARAMS /* c0 … c31, then the hidden src */

typedef struct {
	sqlite3_vtab base;
} vt_t;

typedef struct {
	sqlite3_vtab_cursor base;
	const db_bulk_set_t *set;
	size_t row;
} vt_cursor_t;

static int
vt_connect(sqlite3 *lite, void *aux, int argc, const char *const *argv, sqlite3_vtab **out, char **err)
{
	(void)aux;
	(void)argc;
	(void)argv;
	(void)err;
	char sql[600] = "CREATE TABLE x(";
	size_t n = strlen(sql);
	for (int i = 0; i < VT_COLS; i++)
		n += (size_t)snprintf(sql + n, sizeof sql - n, "c%d,", i);
	snprintf(sql + n, sizeof sql - n, "src HIDDEN)");
	int rc = sqlite3_declare_vtab(lite, sql);
	if (rc != SQLITE_OK)
		return rc;
	vt_t *v = sqlite3_malloc(sizeof *v);
	if (!v)
		return SQLITE_NOMEM;
	memset(v, 0, sizeof *v);
	*out = &v->base;
	return SQLITE_OK;
}

static int
vt_disconnect(sqlite3_vtab *v)
{
	sqlite3_free(v);
	return SQLITE_OK;
}

/* only usable with src given (src = ?): the rows exist nowhere else */
static int
vt_best_index(sqlite3_vtab *v, sqlite3_index_info *info)
{
	(void)v;
	for (int i = 0; i < info->nConstraint; i++) {
		const struct sqlite3_index_constraint *c = &info->aConstraint[i];
		if (c->iColumn == VT_COLS && c->op == SQLITE_INDEX_CONSTRAINT_EQ) {
			if (!c->usable)
				return SQLITE_CONSTRAINT;
			info->aConstraintUsage[i].argvIndex = 1;
			info->aConstraintUsage[i].omit = 1;
			info->idxNum = 1;
			info->estimatedCost = 1;
			info->estimatedRows = 1000;
			return SQLITE_OK;
		}
	}
	return SQLITE_CONSTRAINT;
}

static int
vt_open(sqlite3_vtab *v, sqlite3_vtab_cursor **out)
{
	(void)v;
	vt_cursor_t *c = sqlite3_malloc(sizeof *c);
	if (!c)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof *c);
	*out = &c->base;
	return SQLITE_OK;
}

static int
vt_close(sqlite3_vtab_cursor *cur)
{
	sqlite3_free(cur);
	return SQLITE_OK;
}

static int
vt_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxs, int argc, sqlite3_value **argv)
{
	(void)idxs;
	vt_cursor_t *c = (vt_cursor_t *)cur;
	c->set = idx == 1 && argc == 1 ? sqlite3_value_pointer(argv[0], "fg_bulk_rows") : NULL;
	c->row = 0;
	return SQLITE_OK;
}

static int
vt_next(sqlite3_vtab_cursor *cur)
{
	((vt_cursor_t *)cur)->row++;
	return SQLITE_OK;
}

static int
vt_eof(sqlite3_vtab_cursor *cur)
{
	vt_cursor_t *c = (vt_cursor_t *)cur;
	return !c->set || c->row >= c->set->nrows;
}

static int
vt_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
	vt_cursor_t *c = (vt_cursor_t *)cur;
	const char *s = col < c->set->ncols ? c->set->vals[c->row * (size_t)c->set->ncols + (size_t)col] : NULL;
	if (s)
		sqlite3_result_text(ctx, s, -1, SQLITE_STATIC); /* the caller's memory outlives the statement's step */
	else
		sqlite3_result_null(ctx);
	return SQLITE_OK;
}

static int
vt_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
	*rowid = (sqlite3_int64)((vt_cursor_t *)cur)->row;
	return SQLITE_OK;
}

static const sqlite3_module module = {
	.iVersion = 0,
	.xCreate = NULL, /* eponymous only: no CREATE VIRTUAL TABLE */
	.xConnect = vt_connect,
	.xBestIndex = vt_best_index,
	.xDisconnect = vt_disconnect,
	.xOpen = vt_open,
	.xClose = vt_close,
	.xFilter = vt_filter,
	.xNext = vt_next,
	.xEof = vt_eof,
	.xColumn = vt_column,
	.xRowid = vt_rowid,
};

int
db_sqlite_bulk_module(sqlite3 *lite)
{
	return sqlite3_create_module(lite, "fg_bulk_rows", &module, NULL) == SQLITE_OK ? 0 : -1;
}
