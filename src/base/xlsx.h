#ifndef FG_XLSX_H
#define FG_XLSX_H
#include <stdbool.h>
#include <stddef.h>
#include "base/err.h"
#include "base/sheet.h"

/* The first worksheet of an Office Open XML workbook (.xlsx): a zip (libzip, read from memory) of XML parts
 * (expat, streamed, so an inflated part is never held whole). Shared strings, inline strings, numbers, booleans,
 * formula results (the cached value) and error cells; styles are not read, so a date arrives as its serial
 * number and xlsx_serial_date turns it into a day where the column means a date. Every size is bounded: at most
 * XLSX_MAX_INFLATED bytes inflated in all, SHEET_MAX_* for the table. Pure: no I/O beyond the buffer. */

#define XLSX_MAX_INFLATED (256u * 1024 * 1024)
#define XLSX_MAX_STRINGS 1000000

/* Refusals: import_unreadable (details.reason), import_too_many_rows, import_too_many_columns,
 * import_cell_too_long (details.cell). */
int xlsx_read(const void *data, size_t n, sheet_t *s, fg_err_t *err);

/* A date serial ("45292", "45292.5": the time is dropped) as YYYY-MM-DD. In the 1900 system serial 1 is
 * 1900-01-01 and Excel counts a 1900-02-29 that never was (serial 60, Lotus 1-2-3's bug), so 60 is refused and
 * later serials are shifted back by one; in the 1904 system serial 0 is 1904-01-01. out: 11 bytes. */
bool xlsx_serial_date(const char *v, bool date1904, char out[11]);

/* "C7" → col 2 (0-based), row 7; false when it is no cell reference. */
bool xlsx_parse_ref(const char *ref, int *col, int *row);

#endif
