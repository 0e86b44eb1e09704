#include <stdlib.h>
#include <string.h>
#include "base/util.h"
#include "base/sheet.h"

void
sheet_init(sheet_t *s)
{
	memset(s, 0, sizeof *s);
}

void
sheet_free(sheet_t *s)
{
	for (size_t i = 0; i < (size_t)s->nrows * (size_t)s->ncols; i++)
		free(s->cells[i].text);
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
		size_t cap = s->cap ? s->cap * 2 : 64;
		s->cells = fg_realloc(s->cells, cap * (size_t)s->ncols * sizeof *s->cells);
		s->rownum = fg_realloc(s->rownum, cap * sizeof *s->rownum);
		s->cap = cap;
	}
	memset(&s->cells[(size_t)s->nrows * (size_t)s->ncols], 0, (size_t)s->ncols * sizeof *s->cells);
	s->rownum[s->nrows++] = rownum;
	return 0;
}

int
sheet_set(sheet_t *s, int col, char *text, unsigned char kind)
{
	if (col < 0 || col >= SHEET_MAX_COLS || s->nrows == 0) {
		free(text);
		return -1;
	}
	if (col >= s->ncols) /* grow by doubling, so a wide sheet does not copy the table once per column */
		widen(s, col + 1 > s->ncols * 2 ? col + 1 : (s->ncols * 2 > SHEET_MAX_COLS ? SHEET_MAX_COLS : s->ncols * 2));
	sheet_cell_t *c = &s->cells[(size_t)(s->nrows - 1) * (size_t)s->ncols + (size_t)col];
	free(c->text);
	c->text = text;
	c->kind = text ? kind : SHEET_EMPTY;
	return 0;
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
	for (int c = 0; c < s->ncols; c++) {
		free(row[c].text);
		row[c].text = NULL;
	}
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
