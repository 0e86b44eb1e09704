#ifndef FG_TOOLS_IMPORT_H
#define FG_TOOLS_IMPORT_H
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"

/* Bulk import of the tool ledger from CSV or XLSX (R3.6, issue 4 item 2).
 *
 * The upload is read by the parse thread, one file at a time (bounded: 20 MiB, 20,000 rows, and the memory
 * budget of sheet.h / xlsx.h, checked while reading), while the request waits for its verdict, so an unreadable
 * or too large file or a header without the required columns is refused while the client waits; the HTTP thread
 * does no parsing. The rows are then checked and written by the import thread
 * of `fieldgrid serve`: every cell against the rules of POST /api/v1/tools (tools_check_new), asset numbers
 * against each other and the ledger. Any bad cell fails the whole import with a report naming each cell; else all
 * tools are written, each audited, in one transaction, so nothing partial is ever written. */

#define TOOLS_IMPORT_MAX_REPORT 1000 /* report entries kept; error_count counts them all */
#define TOOLS_IMPORT_MAX_QUEUE 4
/* uploads waiting to be read, besides the one being read: each waits in an HTTP thread (8 by default), so few */
#define TOOLS_IMPORT_MAX_PARSE_QUEUE 2
/* how long a request waits for its file to be read: a queue of 20 MiB files, each read in a second or two */
#define TOOLS_IMPORT_PARSE_WAIT_MS (60 * 1000)
#define TOOLS_IMPORT_RETRY_S 5 /* Retry-After of import_parse_busy */
/* 20,000 rows take seconds; a job open this long with no server working on it was lost with its server */
#define TOOLS_IMPORT_STALE_MS (10 * 60 * 1000)

/* Has the upload read (by the parse thread, waiting for its verdict) and queues the job. fd: the upload, n bytes
 * (the caller keeps it; it is dup'ed for the parse thread, never moved). content_type: the declared type
 * (text/csv, the xlsx type, or application/octet-stream to let the bytes say). out: the job as tools_import_get
 * shows it. Refusals: import_unsupported_type (415), import_unreadable, import_too_many_rows,
 * import_too_many_columns, import_cell_too_long, import_too_large (details.cap, limit), import_empty,
 * import_missing_column, import_duplicate_column (422), import_parse_busy (429, details.retry_after),
 * import_busy (503). */
int tools_import_submit(db_t *db, const char *actor_id, const char *content_type, int fd, size_t n,
    const char *filename, bool dry_run, const char *lang, json_t **out, fg_err_t *err);
/* The job: state, progress {phase, rows_checked, rows_written, rows_total, percent}, and when it failed the
 * error and its report [{row, column, field, cell, value, code, message}], messages in lang ("zh" | "en"). */
json_t *tools_import_get(db_t *db, const char *id, const char *lang);
/* The report as CSV (UTF-8 with a BOM, so Excel shows the Chinese), malloc'ed. NULL when there is no such job. */
char *tools_import_errors_csv(db_t *db, const char *id, const char *lang, size_t *len);
/* A header row with every column the import reads (zh names, the English ones in brackets). */
const char *tools_import_template_csv(void);

/* The field a header cell names (资产编号, asset_no, "资产编号(asset_no)", "类型 *" …), or NULL. */
const char *tools_import_field(const char *header);
/* A date as people type it into a spreadsheet (2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日) as YYYY-MM-DD;
 * false when it is none. */
bool tools_import_date(const char *s, char out[11]);

/* The parse thread and the import thread (which owns its database connection; stops between rows when asked,
 * rolling back). Without them (tests, tools), a file is read and its job run in the submitting thread. */
void tools_import_start(void);
void tools_import_stop(void);

#endif
