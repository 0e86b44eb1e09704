#ifndef FG_METERING_IMPORTS_H
#define FG_METERING_IMPORTS_H
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"

/* The meter ledger's BULK loader (issue 12 item 4): `fieldgrid import meters FILE.csv` and POST
 * /api/v1/metering/imports load a city's meters — a million rows — into metering_assets.
 *
 * Ownership: the assets module (src/metering/assets) is the only writer of metering_assets row by row (its moves,
 * its audit per change). This module is the one exception, by the lead's decision (issue 12): it INSERTs new rows,
 * never updates one, in one set-based statement, because a per-row path through the assets module cannot load a
 * million rows in seconds. The import itself is audited (file hash, row count) and every row names it (import_id);
 * no move is written per row (migration 0036's header).
 *
 * The file is streamed (1 MiB at a time, csv_record of core/base/csv.c) and checked on a reader thread into
 * batches (imports_pipe.h) while the caller's thread loads the batch before into the ledger by the db layer's bulk
 * path (db_bulk_rows: on PostgreSQL a COPY, on SQLite one INSERT … SELECT per batch): memory stays bounded whatever
 * the file's size. When the ledger refuses a taken asset number, all of it rolls back and a second pass stages the
 * whole file to name every duplicate (in the file, or already in the ledger). All of it is one transaction: any bad row and
 * NOTHING is written, the report naming each bad cell. See imports.c run() for the measurements behind this.
 *
 * Columns (header names in English or Chinese, any order; * required): asset_no 资产编号 *, kind 类别 (meter | ct |
 * pt | terminal | seal; default meter), subtype 子类, model 型号, manufacturer 厂家, batch 批次, accuracy_class 准确度等级,
 * rated 规格, ratio 变比, constant 常数, produced_on 出厂日期, verified_on 检定日期, sampling 抽检结论 (passed |
 * failed), status 状态 (in_stock | installed; default in_stock), point_no 计量点编号, transformer_area 台区,
 * installed_on 安装日期, org_unit 单位 (an org unit's id or name), note 备注. installed needs point_no,
 * transformer_area and installed_on. Dates YYYY-MM-DD (or YYYY/M/D). UTF-8 (a BOM is fine). */

#define MIMP_MAX_REPORT 1000 /* bad cells kept in the report; error_count counts them all */

enum { MIMP_READING = 0, MIMP_CHECKING = 1, MIMP_WRITING = 2 };
/* What a running import has done, read by other threads (GET shows it live). */
typedef struct {
	_Atomic int64_t bytes_read, bytes_total, rows;
	atomic_bool stop; /* set by the server's shutdown: the import rolls back */
	_Atomic int phase; /* MIMP_READING, MIMP_CHECKING (duplicates), MIMP_WRITING (into the ledger) */
} mimp_progress_t;

/* Creates the import's row (state running) and commits it. out_id: 37 bytes. */
int mimp_open(db_t *db, const char *actor_id, const char *filename, int64_t bytes, char out_id[37], fg_err_t *err);
/* Runs import id over the file fd (read from its start; the caller closes it): all rows or none, then the import's
 * row gets its outcome and the import is audited. 0 (done) or -1: err import_invalid_rows (the report is on the
 * row), import_unreadable, import_empty, meter_import_missing_column, import_duplicate_column, import_interrupted,
 * internal. pg may be NULL. */
int mimp_run(db_t *db, const char *actor_id, const char *id, int fd, mimp_progress_t *pg, fg_err_t *err);
/* The import as the API shows it ({id, state, filename, sha256, rows_total, rows_written, error_count, error_code,
 * report, progress {phase, bytes_read, bytes_total, rows, percent}, created_by, created_at, finished_at}), or NULL. */
json_t *mimp_get(db_t *db, const char *id);

/* The API's background runner (imports_jobs.c): one import at a time per server. */
int mimp_submit(db_t *db, const char *actor_id, int fd, size_t n, const char *filename, json_t **out, fg_err_t *err);
int mimp_start(void);
void mimp_stop(void);
/* The live progress of import id when this server runs it (false otherwise). */
bool mimp_live(const char *id, json_t **progress);

/* A date as a spreadsheet holds it: 2024-03-05, 2024/3/5 → YYYY-MM-DD; false when it is none (pure). */
bool mimp_date(const char *s, char out[11]);

#endif
