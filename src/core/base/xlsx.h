#ifndef FG_XLSX_H
#define FG_XLSX_H
#include <stdbool.h>
#include <stddef.h>
#include "core/base/err.h"
#include "core/base/sheet.h"

/* The first worksheet of an Office Open XML workbook (.xlsx): a zip (libzip, read from memory) of XML parts
 * (expat, streamed, so an inflated part is never held whole). Shared strings, inline strings, numbers, booleans,
 * formula results (the cached value) and error cells; styles are not read, so a date arrives as its serial
 * number and xlsx_serial_date turns it into a day where the column means a date. Every size is bounded and
 * checked while reading: SHEET_MAX_* for the table and its budget (cells, chars: a shared string counts at every
 * cell that uses it, though it is stored once), and below for the zip and its XML. Pure: no I/O beyond the
 * buffer. */

#define XLSX_MAX_INFLATED (64u * 1024 * 1024)   /* bytes inflated over every part read */
#define XLSX_MAX_STRINGS SHEET_MAX_CELLS        /* entries of the shared-string table */
#define XLSX_MAX_STRING_CHARS (8u * 1024 * 1024) /* bytes of text in the shared-string table */
#define XLSX_MAX_TOKEN (1024u * 1024)           /* bytes of XML with no event: one tag, comment or attribute */
#define XLSX_MAX_DEPTH 64                       /* element nesting (a worksheet uses 7) */
#define XLSX_MAX_ENTRIES 10000                  /* files in the zip */
#define XLSX_MAX_DIRECTORY (1024u * 1024)       /* bytes of the zip's central directory */

/* Refusals: import_unreadable (details.reason), import_too_many_rows, import_too_many_columns,
 * import_cell_too_long (details.cell), import_too_large (details.cap: "inflated_bytes", "xml_token",
 * "zip_entries", "zip_directory_bytes", "shared_strings", "shared_string_chars", "cells", "chars"; details.limit; details.cell for the
 * last two). */
int xlsx_read(const void *data, size_t n, sheet_t *s, fg_err_t *err);

/* A date serial ("45292", "45292.5": the time is dropped) as YYYY-MM-DD. In the 1900 system serial 1 is
 * 1900-01-01 and Excel counts a 1900-02-29 that never was (serial 60, Lotus 1-2-3's bug), so 60 is refused and
 * later serials are shifted back by one; in the 1904 system serial 0 is 1904-01-01. out: 11 bytes. */
bool xlsx_serial_date(const char *v, bool date1904, char out[11]);

/* "C7" → col 2 (0-based), row 7; false when it is no cell reference. */
bool xlsx_parse_ref(const char *ref, int *col, int *row);

#endif
