#ifndef FG_SHEET_H
#define FG_SHEET_H
#include <stddef.h>
#include "core/base/err.h"

/* A table read from an uploaded spreadsheet (csv.c, xlsx.c): rows of text cells, each row keeping the row number
 * the user sees in Excel, so an error report can say "C7". Every size is bounded here, because the bytes come
 * from a client: SHEET_MAX_ROWS rows with a value, SHEET_MAX_COLS columns, SHEET_MAX_CELL bytes per cell, and
 * over the whole file a budget checked as each cell is stored (issue 9: an 87 KB workbook that named one 4 KiB
 * shared string in 1.28 M cells once took the server to 2.2 GB). A 20,000-row ledger of 7–15 columns uses a
 * fraction of each budget; the most a file can make a sheet hold is about 50 MB (cells array 20 MB, text
 * 16 MiB, XLSX shared strings 8 MiB and their index 4 MB). */

#define SHEET_MAX_FILE (20 * 1024 * 1024)
#define SHEET_MAX_ROWS 20001 /* a header and 20,000 tools */
#define SHEET_MAX_COLS 64
#define SHEET_MAX_CELL 4096
#define SHEET_MAX_CELLS 500000              /* cells with a value: 25 per row of a full ledger */
#define SHEET_MAX_CHARS (16u * 1024 * 1024) /* bytes of cell text, a shared string counted at every use */

enum sheet_kind { SHEET_EMPTY = 0, SHEET_TEXT, SHEET_NUMBER, SHEET_BOOL, SHEET_ERROR };

typedef struct {
	const char *text; /* UTF-8, NUL-terminated, owned by the sheet; NULL when empty */
	unsigned char kind;
} sheet_cell_t;

struct sheet_chunk;

typedef struct {
	int nrows, ncols;
	int *rownum;         /* nrows: the 1-based row number shown by a spreadsheet program */
	sheet_cell_t *cells; /* nrows × ncols, row-major */
	size_t cap;          /* rows allocated */
	int date1904;        /* XLSX: the workbook counts dates from 1904 (old Mac Excel) */
	size_t ncells, nchars; /* the budget used so far */
	/* Every text the sheet holds, packed into large chunks: no allocation per cell, and a shared string used
	 * by many cells is stored once, the cells pointing at it. */
	struct sheet_chunk *pool;
} sheet_t;

/* sheet_set's refusals */
enum { SHEET_OK = 0, SHEET_E_COLS = -1, SHEET_E_CELLS = -2, SHEET_E_CHARS = -3 };

void sheet_init(sheet_t *s);
void sheet_free(sheet_t *s);
/* A row's cell (NULL when col is past the table). */
const sheet_cell_t *sheet_cell(const sheet_t *s, int row, int col);
/* Appends an empty row numbered rownum; -1 past SHEET_MAX_ROWS. */
int sheet_add_row(sheet_t *s, int rownum);
/* Copies len bytes of text (no NUL among them) into a cell of the last row; len 0 leaves the cell empty. Counts
 * toward SHEET_MAX_CELLS and SHEET_MAX_CHARS. SHEET_OK or a SHEET_E_* refusal. */
int sheet_set(sheet_t *s, int col, const char *text, size_t len, unsigned char kind);
/* The same for text the sheet already holds (from sheet_keep, len its length): the cell points at it. */
int sheet_set_kept(sheet_t *s, int col, const char *kept, size_t len, unsigned char kind);
/* Stores text in the sheet without making it a cell (XLSX shared strings), NUL-terminated; not counted. */
const char *sheet_keep(sheet_t *s, const char *text, size_t len);
/* Drops the last row if none of its cells has a value (blank lines in CSV, formatted but empty rows in XLSX). */
void sheet_drop_blank_tail(sheet_t *s);
/* "C7" for column index 2, row 7. out: at least 16 bytes. */
void sheet_ref(int col, int rownum, char *out, size_t n);

/* import_too_large naming the budget passed: details.cap ("cells", "chars", "inflated_bytes", "shared_strings",
 * "shared_string_chars", "xml_token") and details.limit. Returns -1. */
int sheet_too_large(fg_err_t *err, const char *cap, size_t limit);
/* The error for a SHEET_E_* from sheet_set: import_too_many_columns or import_too_large. Returns -1. */
int sheet_refusal(fg_err_t *err, int rc);

#endif
