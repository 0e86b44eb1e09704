#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"
#include "core/base/sheet.h"

/* Text is packed into chunks of SHEET_CHUNK bytes (a cell is at most SHEET_MAX_CELL, an XLSX shared string too):
 * a few large blocks instead of one malloc per cell, so a refused file hands back a handful of blocks. */
#define SHEET_CHUNK (256u * 1024)

struct sheet_chunk {
	struct sheet_chunk *next;
	size_t used, size;
	char data[];
};

void
sheet_init(sheet_t *s)
{
	memset(s, 0, sizeof *s);
}

void
sheet_free(sheet_t *s)
{
	for (struct sheet_chunk *c = s->pool, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(s->cells);
	free(s->rownum);
	sheet_init(s);
}

const sheet_cell_t *
sheet_cell(const sheet_t *s, int row, int col)
{
	if (row < 0 || row >= s->nrows || col < 0 || col >= s->ncols)
		return NULL;
	return &s->cells[(size_t)row * (size_t)s->ncols + (size_t)col];
}

const char *
sheet_keep(sheet_t *s, const char *text, size_t len)
{
	struct sheet_chunk *c = s->pool;
	if (!c || c->size - c->used < len + 1) {
		size_t size = len + 1 > SHEET_CHUNK ? len + 1 : SHEET_CHUNK;
		c = fg_malloc(sizeof *c + size);
		c->size = size;
		c->used = 0;
		c->next = s->pool;
		s->pool = c;
	}
	char *p = c->data + c->used;
	memcpy(p, text, len);
	p[len] = 0;
	c->used += len + 1;
	return p;
}

/* Widens every row to ncols columns; the table stays row-major so a row is one contiguous run of cells. */
static void
widen(sheet_t *s, int ncols)
{
	sheet_cell_t *c = fg_calloc(s->cap ? s->cap : 1, (size_t)ncols * sizeof *c);
	for (int r = 0; r < s->nrows; r++)
		memcpy(&c[(size_t)r * (size_t)ncols], &s->cells[(size_t)r * (size_t)s->ncols], (size_t)s->ncols * sizeof *c);
	free(s->cells);
	s->cells = c;
	s->ncols = ncols;
}

int
sheet_add_row(sheet_t *s, int rownum)
{
	if (s->nrows >= SHEET_MAX_ROWS)
		return -1;
	if (s->ncols == 0)
		widen(s, 1);
	if ((size_t)s->nrows == s->cap) {
		/* doubling, but never past the most rows a sheet may have: the largest table is allocated once */
		size_t cap = s->cap ? s->cap * 2 : 64;
		if (cap > SHEET_MAX_ROWS)
			cap = SHEET_MAX_ROWS;
		s->cells = fg_realloc(s->cells, cap * (size_t)s->ncols * sizeof *s->cells);
		s->rownum = fg_realloc(s->rownum, cap * sizeof *s->rownum);
		s->cap = cap;
	}
	memset(&s->cells[(size_t)s->nrows * (size_t)s->ncols], 0, (size_t)s->ncols * sizeof *s->cells);
	s->rownum[s->nrows++] = rownum;
	return 0;
}

/* The cell col of the last row, the table widened to hold it; NULL past SHEET_MAX_COLS. */
static sheet_cell_t *
slot(sheet_t *s, int col)
{
	if (col < 0 || col >= SHEET_MAX_COLS || s->nrows == 0)
		return NULL;
	if (col >= s->ncols) /* grow by doubling, so a wide sheet does not copy the table once per column */
		widen(s, col + 1 > s->ncols * 2 ? col + 1 : (s->ncols * 2 > SHEET_MAX_COLS ? SHEET_MAX_COLS : s->ncols * 2));
	return &s->cells[(size_t)(s->nrows - 1) * (size_t)s->ncols + (size_t)col];
}

/* Counts a cell of len bytes against the file's budget before anything is stored. */
static int
spend(sheet_t *s, size_t len)
{
	if (s->ncells >= SHEET_MAX_CELLS)
		return SHEET_E_CELLS;
	if (len > SHEET_MAX_CHARS - s->nchars)
		return SHEET_E_CHARS;
	s->ncells++;
	s->nchars += len;
	return SHEET_OK;
}

int
sheet_set(sheet_t *s, int col, const char *text, size_t len, unsigned char kind)
{
	sheet_cell_t *c = slot(s, col);
	if (!c)
		return SHEET_E_COLS;
	if (len == 0) {
		c->text = NULL;
		c->kind = SHEET_EMPTY;
		return SHEET_OK;
	}
	int rc = spend(s, len);
	if (rc != SHEET_OK)
		return rc;
	c->text = sheet_keep(s, text, len);
	c->kind = kind;
	return SHEET_OK;
}

int
sheet_set_kept(sheet_t *s, int col, const char *kept, size_t len, unsigned char kind)
{
	sheet_cell_t *c = slot(s, col);
	if (!c)
		return SHEET_E_COLS;
	if (!kept || len == 0) {
		c->text = NULL;
		c->kind = SHEET_EMPTY;
		return SHEET_OK;
	}
	int rc = spend(s, len);
	if (rc != SHEET_OK)
		return rc;
	c->text = kept;
	c->kind = kind;
	return SHEET_OK;
}

void
sheet_drop_blank_tail(sheet_t *s)
{
	if (s->nrows == 0)
		return;
	sheet_cell_t *row = &s->cells[(size_t)(s->nrows - 1) * (size_t)s->ncols];
	for (int c = 0; c < s->ncols; c++)
		if (row[c].text && row[c].text[0])
			return;
	memset(row, 0, (size_t)s->ncols * sizeof *row);
	s->nrows--;
}

void
sheet_ref(int col, int rownum, char *out, size_t n)
{
	char letters[8];
	int i = 0;
	for (int v = col + 1; v > 0 && i < 7; v = (v - 1) / 26)
		letters[i++] = (char)('A' + (v - 1) % 26);
	char rev[8];
	for (int j = 0; j < i; j++)
		rev[j] = letters[i - 1 - j];
	rev[i] = 0;
	fg_fmt(out, n, "%s%d", rev, rownum);
}

int
sheet_too_large(fg_err_t *err, const char *cap, size_t limit)
{
	fg_err(err, "import_too_large");
	fg_err_detail_str(err, "cap", cap);
	fg_err_detail_int(err, "limit", (long long)limit);
	return -1;
}

int
sheet_refusal(fg_err_t *err, int rc)
{
	if (rc == SHEET_E_CELLS)
		return sheet_too_large(err, "cells", SHEET_MAX_CELLS);
	if (rc == SHEET_E_CHARS)
		return sheet_too_large(err, "chars", SHEET_MAX_CHARS);
	return fg_err(err, "import_too_many_columns");
}
