/* libFuzzer target: the CSV reader of the tool import takes whatever bytes a client uploads (any encoding); the
 * streaming reader of the meter import (csv_record) the same bytes, fed in two chunks cut where the first byte
 * says: it stays inside its buffers and gives the same records however the input is cut. */
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every record of in[0..n), the first `cut` bytes offered first; a hash of the fields and the outcome. */
static uint64_t
stream(const char *in, size_t n, size_t cut)
{
	static char out[64];
	const char *f[8], *why;
	size_t pos = 0, len = cut < n ? cut : n;
	bool eof = len == n;
	uint64_t h = 1469598103934665603ULL;
	for (;;) {
		int nf = 0;
		int k = csv_record(in, len, eof, ',', &pos, out, sizeof out, f, 8, &nf, &why);
		if (pos > len)
			abort();
		if (k == CSV_MORE) {
			if (eof)
				abort(); /* at the end of the input a record is whole or bad */
			len = n;
			eof = true;
			continue;
		}
		if (k != CSV_REC)
			return h ^ (uint64_t)(k + 7);
		for (int i = 0; i < nf; i++) {
			if (f[i] < out || f[i] >= out + sizeof out || strlen(f[i]) >= sizeof out)
				abort();
			for (const char *p = f[i]; *p; p++)
				h = (h ^ (unsigned char)*p) * 1099511628211ULL;
			h = (h ^ 0x100) * 1099511628211ULL;
		}
		h = (h ^ 0x200) * 1099511628211ULL;
	}
}

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
	if (n && stream(text, n, n) != stream(text, n, (unsigned char)text[0] % (n + 1)))
		abort();
	free(owned);
	return 0;
}
