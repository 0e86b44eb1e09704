/* libFuzzer target: the CSV reader of the tool import takes whatever bytes a client uploads (any encoding). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = NULL;
	char *owned = NULL;
	size_t n = 0;
	const char *enc;
	fg_err_t e = FG_ERR_INIT;
	if (csv_decode((const char *)data, size, &text, &n, &owned, &enc, &e) != 0) {
		fg_err_clear(&e);
		return 0;
	}
	if (memchr(text, 0, n)) /* decoded text has no NUL */
		abort();
	sheet_t s;
	if (csv_parse(text, n, &s, &e) == 0) {
		if (s.nrows > SHEET_MAX_ROWS || s.ncols > SHEET_MAX_COLS || s.ncells > SHEET_MAX_CELLS || s.nchars > SHEET_MAX_CHARS)
			abort();
		for (int r = 0; r < s.nrows; r++) {
			if (r && s.rownum[r] <= s.rownum[r - 1])
				abort();
			for (int c = 0; c < s.ncols; c++) {
				const sheet_cell_t *x = sheet_cell(&s, r, c);
				if (x->text && strlen(x->text) > SHEET_MAX_CELL)
					abort();
			}
		}
		sheet_free(&s);
	} else if (!e.code) {
		abort();
	}
	fg_err_clear(&e);
	free(owned);
	return 0;
}
