#ifndef FG_TOOLS_IMPORT_INTERNAL_H
#define FG_TOOLS_IMPORT_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/base/sheet.h"
#include "core/db/db.h"
#include "safety/tools/tools_import_cells.h"

/* Internal to the tool import; the rest of the server sees tools_import.h. One concern a file:
 *   tools_import_read.c   the upload: what type it is, the parse thread that reads it into a sheet, the header row
 *   tools_import_check.c  the rows: each against the rules of POST /api/v1/tools, asset numbers against each
 *                         other and the ledger, every bad cell into the report
 *   tools_import_write.c  the database writes: all checked rows in one transaction, the job's row and its outcome
 *   tools_import_jobs.c   the import thread and its queue, the submit glue, a job's run, its live progress
 *   tools_import_view.c   a job as the API shows it, its report as CSV, the template
 *   tools_import_cells.c  a cell's spelling as the API's value (tools_import_cells.h) */

/* An import: the file as read, its header mapped to the fields. */
typedef struct timp_job {
	char id[37], actor[64];
	bool dry_run;
	sheet_t sheet;
	int header_row;
	int col_of[NFIELDS]; /* the column of each field, -1 when the file has none */
	char *head[SHEET_MAX_COLS];
	struct timp_job *next;
} timp_job_t;

/* what the check and the write end with (besides a verdict in the report) */
enum { TIMP_DONE = 0, TIMP_STOPPED = 1, TIMP_INTERNAL = -1 };

/* tools_import_jobs.c */
void timp_job_free(timp_job_t *j);
int timp_data_rows(const timp_job_t *j);
/* Hands what a thread freed back to the system (a refused 40 MB file would otherwise stay in its arena). */
void timp_give_back(void);
bool timp_should_stop(void);
/* The running job's progress; a NULL phase or a negative count leaves that part as it is. */
void timp_progress(const char *phase, int checked, int written);
/* What the import thread knows of job id: here when it is queued or running; current when it is the one
 * running, with its live phase and counts. */
typedef struct {
	bool here, current;
	const char *phase;
	int checked, written;
} timp_live_t;
void timp_live(const char *id, timp_live_t *out);

/* tools_import_read.c */
/* A file being read (or read): in → fd, n, want_xlsx; out → job, or err; the file's encoding, hash and the
 * columns the ledger has no field for. The rest is the parse queue's. */
typedef struct timp_parse {
	int fd; /* a dup of the request's file; closed once it is mapped */
	size_t n;
	bool want_xlsx;
	bool taken, done, abandoned; /* taken by the thread; its verdict is in; its requester stopped waiting */
	timp_job_t *job;             /* accepted: the sheet, its header mapped */
	fg_err_t err;                /* refused */
	const char *enc;
	char sha[65];
	char *ignored; /* JSON: the columns the ledger has no field for */
	struct timp_parse *next;
} timp_parse_t;
/* Which reader the upload needs (by its declared type and its first bytes), or import_unsupported_type. */
int timp_sniff(const char *content_type, int fd, size_t n, bool *want_xlsx, fg_err_t *err);
/* Has the file read by the parse thread and waits for the verdict: 0 with *out (the caller's; its job or its err
 * set), or -1 with err when none came (queue full, stopping, waited too long). */
int timp_parse(int fd, size_t n, bool want_xlsx, timp_parse_t **out, fg_err_t *err);
void timp_parse_free(timp_parse_t *p);
void timp_parse_start(void);
void timp_parse_stop(void);

/* tools_import_check.c */
/* One bad cell of the report (field -1: the row as a whole; extra is taken). */
void timp_report(json_t *rep, int *count, const timp_job_t *j, int r, int field, const char *code, json_t *extra);
/* Checks every data row: each goes into rows as {"in": its fields, "r": its row}, each bad cell into rep
 * (counted in *nerr); *checked counts the rows done. TIMP_DONE, TIMP_STOPPED or TIMP_INTERNAL. */
int timp_check_rows(db_t *db, const timp_job_t *j, json_t *rep, int *nerr, json_t *rows, int *checked);

/* tools_import_write.c */
int timp_set_state(db_t *db, const char *id, const char *state, const char *phase);
/* Ends a job: its row gets the outcome, and the import is audited, in one transaction (or, with tx_open, in the
 * caller's, which it commits). */
int timp_finish(db_t *db, timp_job_t *j, bool tx_open, const char *error_code, json_t *rep, int nerr, int checked,
    int written);
/* Writes the checked rows, all or none. TIMP_DONE when the job is finished (written, or an asset number taken
 * since the check, reported), else TIMP_STOPPED or TIMP_INTERNAL with nothing written and the job not finished. */
int timp_write_rows(db_t *db, timp_job_t *j, json_t *rows, json_t *rep, int *nerr, int checked);

#endif
