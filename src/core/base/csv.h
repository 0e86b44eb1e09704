#ifndef FG_CSV_H
#define FG_CSV_H
#include <stddef.h>
#include "core/base/err.h"
#include "core/base/sheet.h"

/* CSV as spreadsheet programs write it (RFC 4180): quoted fields with "" for a quote, CRLF, LF or CR line ends,
 * the delimiter a comma (or a tab or semicolon when the first line has no comma). Pure: no I/O. */

/* Makes the bytes UTF-8: strips a UTF-8 BOM; UTF-16LE with a BOM (Excel "Unicode text") and anything not valid
 * UTF-8 is converted from GB18030 (a superset of GBK/GB2312, what Chinese Excel's "CSV" writes) with iconv.
 * text/textlen: the UTF-8 (no NUL inside, not NUL-terminated): inside in when it already was UTF-8, else the
 * converted copy, which *owned then holds (malloc'ed; NULL when nothing was copied). enc gets "utf-8",
 * "utf-16le" or "gb18030". Refusal: import_unreadable (details.reason). */
int csv_decode(const char *in, size_t n, const char **text, size_t *textlen, char **owned, const char **enc,
    fg_err_t *err);

/* Parses UTF-8 CSV into s (rows numbered by record, counting blank ones, as a spreadsheet shows them; blank
 * records are not kept). Refusals: import_unreadable (details.reason, row), import_too_many_rows,
 * import_too_many_columns, import_cell_too_long, import_too_large (details.cap "cells" | "chars", limit)
 * (details.row). */
int csv_parse(const char *in, size_t n, sheet_t *s, fg_err_t *err);

/* Streaming (a file too large to hold: the meter import's million rows), by the rules of csv_parse, one record at
 * a time from in[*pos..n): the caller reads the file in chunks and keeps the unread tail. The record's fields go to
 * out (NUL-terminated, outcap bytes in all), fields[0..*nf) pointing into it. Returns CSV_REC (*pos moved past the
 * record; a blank line is one empty field), CSV_MORE (the record may go on past n and eof is false: nothing moved;
 * give more bytes), CSV_END (nothing left) or CSV_BAD (*why: "unclosed_quote", "text_after_quote", "cell_too_long",
 * "too_many_columns"; the caller stops: a record boundary is no longer known). UTF-8 is the caller's to check. */
enum { CSV_BAD = -1, CSV_MORE = 0, CSV_REC = 1, CSV_END = 2 };
#include <stdbool.h>
int csv_record(const char *in, size_t n, bool eof, char d, size_t *pos, char *out, size_t outcap, const char **fields,
    int maxf, int *nf, const char **why);
/* The delimiter csv_parse would use for text starting at in: ',' unless the first line has none but tabs or ';'. */
char csv_delimiter(const char *in, size_t n);
/* Whether n bytes are UTF-8 without NUL (csv_decode's test). */
bool csv_utf8_valid(const char *p, size_t n);

#endif
