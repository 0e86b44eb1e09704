#ifndef FG_SHEET_H
#define FG_SHEET_H
#include <stddef.h>

/* A table read from an uploaded spreadsheet (csv.c, xlsx.c): rows of text cells, each row keeping the row number
 * the user sees in Excel, so an error report can say "C7". Every size is bounded here, because the bytes come
 * from a client: SHEET_MAX_ROWS rows with a value, SHEET_MAX_COLS columns, SHEET_MAX_CELL bytes per cell. */

#define SHEET_MAX_FILE (20 * 1024 * 1024)
#define SHEET_MAX_ROWS 20001 /* a header and 20,000 tools */
#define SHEET_MAX_COLS 64
#define SHEET_MAX_CELL 4096

enum sheet_kind { SHEET_EMPTY = 0, SHEET_TEXT, SHEET_NUMBER, SHEET_BOOL, SHEET_ERROR };

typedef struct {
	char *text; /* UTF-8, NUL-terminated; NULL when empty */
	unsigned char kind;
} sheet_cell_t;

typedef struct {
	int nrows, ncols;
	int *rownum;         /* nrows: the 1-based row number shown by a spreadsheet program */
	sheet_cell_t *cells; /* nrows × ncols, row-major */
	size_t cap;          /* rows allocated */
	int date1904;        /* XLSX: the workbook counts dates from 1904 (old Mac Excel) */
} sheet_t;

void sheet_init(sheet_t *s);
void sheet_free(sheet_t *s);
/* A row's cell (NULL when col is past the table). */
const sheet_cell_t *sheet_cell(const sheet_t *s, int row, int col);
/* Appends an empty row numbered rownum; -1 past SHEET_MAX_ROWS. */
int sheet_add_row(sheet_t *s, int rownum);
/* Sets a cell of the last row (takes text, which may be NULL); -1 when col >= SHEET_MAX_COLS. */
int sheet_set(sheet_t *s, int col, char *text, unsigned char kind);
/* Drops the last row if none of its cells has a value (blank lines in CSV, formatted but empty rows in XLSX). */
void sheet_drop_blank_tail(sheet_t *s);
/* "C7" for column index 2, row 7. out: at least 16 bytes. */
void sheet_ref(int col, int rownum, char *out, size_t n);

#endif
