#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"
#include "core/base/csv.h"

static bool
utf8_valid(const unsigned char *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		size_t len;
		unsigned long cp;
		if (c < 0x80) {
			if (c == 0)
				return false; /* a NUL is no text a spreadsheet writes */
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0) {
			len = 2;
			cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			len = 3;
			cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + len > n)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		/* overlong forms, surrogates and past U+10FFFF are not UTF-8 */
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += len;
	}
	return true;
}

static int
convert(const char *from, const char *in, size_t n, char **out, size_t *outlen)
{
	iconv_t cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1)
		return -1;
	size_t cap = n / 2 * 3 + 16; /* GB18030 → UTF-8 grows at most 3/2, UTF-16 → UTF-8 at most 3/2 */
	char *buf = fg_malloc(cap), *ip = (char *)in, *op = buf;
	size_t il = n, ol = cap - 1;
	size_t rc = iconv(cd, &ip, &il, &op, &ol);
	iconv_close(cd);
	if (rc == (size_t)-1 || il != 0) {
		free(buf);
		return -1;
	}
	*op = 0;
	*outlen = (size_t)(op - buf);
	*out = buf;
	return 0;
}

int
csv_decode(const char *in, size_t n, const char **text, size_t *textlen, char **owned, const char **enc, fg_err_t *err)
{
	const unsigned char *u = (const unsigned char *)in;
	char *tmp = NULL;
	size_t tn = 0;
	*owned = NULL;
	/* UTF-8 (the common case) is read where it lies: no copy of a file that may be 20 MiB */
	if (n >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
		*enc = "utf-16le";
		if (convert("UTF-16LE", in + 2, n - 2, &tmp, &tn) != 0)
			goto bad;
	} else if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
		*enc = "utf-8";
		if (!utf8_valid(u + 3, n - 3))
			goto bad;
		*text = in + 3;
		*textlen = n - 3;
		return 0;
	} else if (utf8_valid(u, n)) {
		*enc = "utf-8";
		*text = in;
		*textlen = n;
		return 0;
	} else {
		*enc = "gb18030";
		if (convert("GB18030", in, n, &tmp, &tn) != 0)
			goto bad;
	}
	/* whatever it came from, what goes on is valid UTF-8 without NUL */
	if (!utf8_valid((unsigned char *)tmp, tn)) {
		free(tmp);
		goto bad;
	}
	*owned = tmp;
	*text = tmp;
	*textlen = tn;
	return 0;
bad:
	fg_err(err, "import_unreadable");
	fg_err_detail_str(err, "reason", "not text in UTF-8, GB18030 or UTF-16");
	return -1;
}

/* The delimiter: a comma, unless the first line has none outside quotes and has a tab or semicolon instead. */
static char
delimiter(const char *p, size_t n)
{
	bool q = false;
	int tabs = 0, semis = 0;
	for (size_t i = 0; i < n && (q || (p[i] != '\n' && p[i] != '\r')); i++) {
		if (p[i] == '"')
			q = !q;
		else if (!q && p[i] == ',')
			return ',';
		else if (!q && p[i] == '\t')
			tabs++;
		else if (!q && p[i] == ';')
			semis++;
	}
	return tabs ? '\t' : semis ? ';' : ',';
}

static int
fail(fg_err_t *err, const char *code, const char *reason, int row)
{
	fg_err(err, code);
	if (reason)
		fg_err_detail_str(err, "reason", reason);
	if (row)
		fg_err_detail_int(err, "row", row);
	return -1;
}

int
csv_parse(const char *in, size_t n, sheet_t *s, fg_err_t *err)
{
	char d = delimiter(in, n);
	fg_buf_t cell;
	size_t i = 0;
	int rec = 0, col = 0;
	sheet_init(s);
	fg_buf_init(&cell, SHEET_MAX_CELL);
	if (n == 0)
		return 0;
	for (;;) {
		/* the start of a record */
		if (col == 0) {
			if (i >= n)
				break;
			rec++;
			if (sheet_add_row(s, rec) != 0) {
				fg_buf_free(&cell);
				sheet_free(s);
				return fail(err, "import_too_many_rows", NULL, rec);
			}
		}
		/* one field */
		cell.len = 0;
		bool quoted = i < n && in[i] == '"';
		if (quoted) {
			i++;
			for (;;) {
				if (i >= n) {
					fg_buf_free(&cell);
					sheet_free(s);
					return fail(err, "import_unreadable", "a quoted field is not closed", rec);
				}
				if (in[i] == '"') {
					if (i + 1 < n && in[i + 1] == '"') {
						if (fg_buf_append(&cell, "\"", 1) != 0)
							goto too_long;
						i += 2;
						continue;
					}
					i++;
					break;
				}
				if (fg_buf_append(&cell, &in[i], 1) != 0)
					goto too_long;
				i++;
			}
			if (i < n && in[i] != d && in[i] != '\n' && in[i] != '\r') {
				fg_buf_free(&cell);
				sheet_free(s);
				return fail(err, "import_unreadable", "text after a closing quote", rec);
			}
		} else {
			/* a quote inside an unquoted field is kept as it is, as Excel reads it */
			size_t start = i;
			while (i < n && in[i] != d && in[i] != '\n' && in[i] != '\r')
				i++;
			if (fg_buf_append(&cell, &in[start], i - start) != 0)
				goto too_long;
		}
		int set = sheet_set(s, col, cell.data, cell.len, SHEET_TEXT);
		if (set != SHEET_OK) {
			fg_buf_free(&cell);
			sheet_free(s);
			sheet_refusal(err, set);
			fg_err_detail_int(err, "row", rec);
			return -1;
		}
		if (i < n && in[i] == d) {
			i++;
			col++;
			if (i >= n) { /* "a,b," at the very end: one more empty field */
				col = 0;
				sheet_drop_blank_tail(s);
			}
			continue;
		}
		/* end of record: CRLF, LF, CR or the end of the input */
		if (i < n && in[i] == '\r') {
			i++;
			if (i < n && in[i] == '\n')
				i++;
		} else if (i < n && in[i] == '\n') {
			i++;
		}
		col = 0;
		sheet_drop_blank_tail(s);
	}
	fg_buf_free(&cell);
	return 0;
too_long:
	fg_buf_free(&cell);
	sheet_free(s);
	return fail(err, "import_cell_too_long", NULL, rec);
}

/* ---- one record at a time (csv.h csv_record) ---- */

char
csv_delimiter(const char *in, size_t n)
{
	return delimiter(in, n);
}

int
csv_record(const char *in, size_t n, bool eof, char d, size_t *pos, char *out, size_t outcap, const char **fields,
    int maxf, int *nf, const char **why)
{
	size_t i = *pos, o = 0;
	int f = 0;
	*why = NULL;
	if (i >= n)
		return eof ? CSV_END : CSV_MORE;
	for (;;) {
		if (f == maxf) {
			*why = "too_many_columns";
			return CSV_BAD;
		}
		/* a field not begun when the chunk ends: whether it is quoted is the next chunk's to say (an empty quoted
		 * field and an empty plain one take their terminator differently) */
		if (i >= n && !eof)
			return CSV_MORE;
		fields[f++] = out + o;
		bool quoted = i < n && in[i] == '"';
		if (quoted) {
			i++;
			for (;;) {
				if (i >= n) {
					if (!eof)
						return CSV_MORE;
					*why = "unclosed_quote";
					return CSV_BAD;
				}
				if (in[i] == '"') {
					if (i + 1 >= n && !eof)
						return CSV_MORE; /* "" or the closing quote: the next byte says which */
					if (i + 1 < n && in[i + 1] == '"') {
						if (o + 1 >= outcap)
							goto too_long;
						out[o++] = '"';
						i += 2;
						continue;
					}
					i++;
					break;
				}
				if (o + 1 >= outcap)
					goto too_long;
				out[o++] = in[i++];
			}
			if (i < n && in[i] != d && in[i] != '\n' && in[i] != '\r') {
				*why = "text_after_quote";
				return CSV_BAD;
			}
		} else {
			size_t start = i;
			while (i < n && in[i] != d && in[i] != '\n' && in[i] != '\r')
				i++;
			if (o + (i - start) + 1 >= outcap)
				goto too_long;
			memcpy(out + o, in + start, i - start);
			o += i - start;
		}
		if (o >= outcap) /* an empty quoted field ("") writes no byte before its terminator: no check above saw it */
			goto too_long;
		out[o++] = 0;
		if (i >= n && !eof)
			return CSV_MORE; /* the record may go on in the next chunk */
		if (i < n && in[i] == d) {
			i++;
			continue;
		}
		if (i < n && in[i] == '\r') {
			if (i + 1 >= n && !eof)
				return CSV_MORE;
			i++;
			if (i < n && in[i] == '\n')
				i++;
		} else if (i < n && in[i] == '\n')
			i++;
		*nf = f;
		*pos = i;
		return CSV_REC;
	}
too_long:
	*why = "cell_too_long";
	return CSV_BAD;
}

bool
csv_utf8_valid(const char *p, size_t n)
{
	return utf8_valid((const unsigned char *)p, n);
}
