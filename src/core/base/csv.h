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

#endif
