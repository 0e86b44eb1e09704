#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sodium.h>
#include "core/base/csv.h"
#include "core/base/day.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/base/xlsx.h"
#include "core/audit/audit.h"
#include "safety/kb/kb.h"
#include "safety/tools/tools.h"
#include "safety/tools/tools_import.h"

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#include "safety/tools/tools_import_cells.h"

/* ---- jobs ---- */

typedef struct job {
	char id[37], actor[64];
	bool dry_run;
	sheet_t sheet;
	int header_row;
	int col_of[NFIELDS]; /* the column of each field, -1 when the file has none */
	char *head[SHEET_MAX_COLS];
	struct job *next;
} job_t;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_t thread;
static bool started, stopping;
static job_t *head_, *tail_;
static int queued;
/* the running job's progress: kept here, not in its row, so the writing transaction is never interrupted */
static struct {
	char id[37];
	const char *phase;
	int checked, written;
} live;

typedef struct parse {
	int fd; /* a dup of the request's file; closed once it is mapped */
	size_t n;
	bool want_xlsx;
	bool taken, done, abandoned; /* taken by the thread; its verdict is in; its requester stopped waiting */
	job_t *job;                  /* accepted: the sheet, its header mapped */
	fg_err_t err;                /* refused */
	const char *enc;
	char sha[65];
	char *ignored; /* JSON: the columns the ledger has no field for */
	struct parse *next;
} parse_t;

static pthread_mutex_t plock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pwake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t pdone; /* on CLOCK_MONOTONIC (parse_init), so a clock change never stretches a wait */
static pthread_once_t ponce = PTHREAD_ONCE_INIT;
static pthread_t pthread_id;
static bool pstarted, pstopping;
static parse_t *phead, *ptail;
static int pqueued;

static void *parse_loop(void *arg);

static void
job_free(job_t *j)
{
	if (!j)
		return;
	sheet_free(&j->sheet);
	for (int i = 0; i < SHEET_MAX_COLS; i++)
		free(j->head[i]);
	free(j);
}

/* Hands freed memory back to the system. A sheet is a few large blocks, but glibc keeps what a thread freed in
 * its arena (and raises its mmap threshold after a large free), so without this a refused 40 MB file would
 * leave the server 40 MB larger until some later allocation happened to reuse it. */
static void
give_back(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

static bool
should_stop(void)
{
	pthread_mutex_lock(&lock);
	bool s = stopping;
	pthread_mutex_unlock(&lock);
	return s;
}

static void
progress(const char *phase, int checked, int written)
{
	pthread_mutex_lock(&lock);
	if (phase)
		live.phase = phase;
	if (checked >= 0)
		live.checked = checked;
	if (written >= 0)
		live.written = written;
	pthread_mutex_unlock(&lock);
}

static int
data_rows(const job_t *j)
{
	return j->sheet.nrows - j->header_row - 1;
}

/* one bad cell of the report */
static void
report(json_t *rep, int *count, const job_t *j, int r, int field, const char *code, json_t *extra)
{
	(*count)++;
	if (json_array_size(rep) >= TOOLS_IMPORT_MAX_REPORT) {
		json_decref(extra);
		return;
	}
	int col = field >= 0 ? j->col_of[field] : -1, rownum = j->sheet.rownum[r];
	const sheet_cell_t *c = col >= 0 ? sheet_cell(&j->sheet, r, col) : NULL;
	char ref[16];
	sheet_ref(col, rownum, ref, sizeof ref);
	json_t *e = json_pack("{s:i, s:s?, s:s?, s:s?, s:s?, s:s}", "row", rownum, "column", col >= 0 ? j->head[col] : NULL,
	    "field", field >= 0 ? timp_fields[field] : NULL, "cell", col >= 0 ? ref : NULL, "value", c && c->text ? c->text : NULL,
	    "code", code);
	if (extra)
		json_object_update_new(e, extra);
	json_array_append_new(rep, e);
}

/* The row as the fields POST /api/v1/tools takes; keepers' spellings (合格, 绝缘手套, 2024/3/5, a date serial)
 * become the API's values, anything else stays as written so the rule check names it. */
static json_t *
row_fields(const job_t *j, int r)
{
	json_t *in = json_object();
	for (int f = 0; f < NFIELDS; f++) {
		const sheet_cell_t *c = j->col_of[f] >= 0 ? sheet_cell(&j->sheet, r, j->col_of[f]) : NULL;
		if (!c || !c->text)
			continue;
		char *v = timp_trim(c->text), day[11];
		const char *val = v;
		if (!*v) {
			free(v);
			continue;
		}
		if (f == F_DATE && c->kind == SHEET_NUMBER && xlsx_serial_date(v, j->sheet.date1904, day))
			val = day;
		else if (f == F_DATE && tools_import_date(v, day))
			val = day;
		else if (f == F_RESULT && timp_result_code(v))
			val = timp_result_code(v);
		else if (f == F_KIND && timp_kind_code(v))
			val = timp_kind_code(v);
		json_object_set_new(in, timp_fields[f], json_string(val));
		free(v);
	}
	return in;
}

static int
set_state(db_t *db, const char *id, const char *state, const char *phase)
{
	return db_run(db_q(db, "UPDATE tool_imports SET state = $1, phase = $2 WHERE id = $3", "ttt", state, phase, id));
}

/* Ends a job: its row gets the outcome, and the import is audited with it, in one transaction (or, when the
 * tools were written, in theirs: tx_open). */
static int
finish(db_t *db, job_t *j, bool tx_open, const char *error_code, json_t *rep, int nerr, int checked, int written)
{
	const char *state = error_code ? "failed" : "done";
	char *errs = rep && json_array_size(rep) ? json_dumps(rep, JSON_COMPACT) : NULL;
	int rc = tx_open ? 0 : db_begin(db);
	if (rc == 0)
		rc = db_run(db_q(db,
		    "UPDATE tool_imports SET state = $1, phase = $2, rows_checked = $3, rows_written = $4, error_code = $5, "
		    "error_count = $6, errors = $7, finished_at = $8 WHERE id = $9",
		    "ttiititit", state, state, (int64_t)checked, (int64_t)written, error_code, (int64_t)nerr, errs, fg_now_ms(),
		    j->id));
	free(errs);
	json_t *after = json_pack("{s:s, s:b, s:i, s:i, s:i, s:s?}", "state", state, "dry_run", j->dry_run, "rows",
	    data_rows(j), "created", written, "errors", nerr, "error_code", error_code);
	if (rc == 0)
		rc = audit_write(db, j->actor, "import", "tool_import", j->id, NULL, after);
	json_decref(after);
	if (rc == 0)
		rc = db_commit(db);
	if (rc != 0) {
		log_error("tool import %s: cannot record its outcome: %s", j->id, db_errmsg(db));
		db_rollback(db);
	}
	return rc;
}

static void
run(job_t *j)
{
	db_t *db = db_thread();
	if (!db) {
		log_error("tool import %s: no database connection", j->id);
		return;
	}
	kb_request_start(db); /* the tool kinds as admins last edited them */
	int total = data_rows(j), nerr = 0, checked = 0, written = 0;
	json_t *rep = json_array(), *rows = json_array(), *seen = json_object();
	progress("checking", 0, 0);
	if (set_state(db, j->id, "running", "checking") != 0)
		log_warn("tool import %s: cannot mark it running: %s", j->id, db_errmsg(db));
	for (int r = j->header_row + 1; r < j->sheet.nrows; r++) {
		if (should_stop())
			goto interrupted;
		json_t *in = row_fields(j, r);
		tools_issue_t is[8];
		int n = tools_check_new(in, is, 8);
		for (int k = 0; k < n && k < 8; k++)
			report(rep, &nerr, j, r, timp_field_index(is[k].field), is[k].code, NULL);
		const char *asset = json_string_value(json_object_get(in, "asset_no"));
		bool asset_bad = false;
		for (int k = 0; k < n && k < 8; k++)
			asset_bad |= strcmp(is[k].field, "asset_no") == 0;
		if (asset && !asset_bad) {
			json_t *first = json_object_get(seen, asset);
			int rc;
			if (first) {
				report(rep, &nerr, j, r, F_ASSET, "asset_no_duplicate", json_pack("{s:O}", "first_row", first));
			} else {
				json_object_set_new(seen, asset, json_integer(j->sheet.rownum[r]));
				json_t *hit = db_one(db_q(db, "SELECT id FROM tools WHERE asset_no = $1", "t", asset), &rc);
				if (hit)
					report(rep, &nerr, j, r, F_ASSET, "asset_no_taken", NULL);
				json_decref(hit);
				if (rc < 0) {
					json_decref(in);
					goto internal;
				}
			}
		}
		json_array_append_new(rows, json_pack("{s:o, s:i}", "in", in, "r", r));
		checked++;
		if (checked % 50 == 0 || checked == total)
			progress(NULL, checked, -1);
	}
	progress(NULL, checked, -1);
	if (nerr || j->dry_run) {
		finish(db, j, false, nerr ? "import_invalid_rows" : NULL, rep, nerr, checked, 0);
		goto out;
	}
	progress("writing", -1, 0);
	if (set_state(db, j->id, "running", "writing") != 0)
		log_warn("tool import %s: cannot mark it writing: %s", j->id, db_errmsg(db));
	/* one transaction for every row: the ledger gets all of the file or none of it */
	if (db_begin(db) != 0)
		goto internal;
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		if (should_stop()) {
			db_rollback(db);
			goto interrupted;
		}
		json_t *after = NULL;
		int rc = tools_insert(db, j->actor, json_object_get(row, "in"), &after);
		json_decref(after);
		if (rc == DB_CONFLICT) { /* another import or a keeper took the number since the check */
			db_rollback(db);
			report(rep, &nerr, j, (int)json_integer_value(json_object_get(row, "r")), F_ASSET, "asset_no_taken", NULL);
			finish(db, j, false, "import_invalid_rows", rep, nerr, checked, 0);
			goto out;
		}
		if (rc != DB_DONE) {
			log_error("tool import %s: row %zu: %s", j->id, i + 1, db_errmsg(db));
			db_rollback(db);
			goto internal;
		}
		written++;
		if (written % 50 == 0)
			progress(NULL, -1, written);
	}
	progress(NULL, -1, written);
	if (finish(db, j, true, NULL, rep, 0, checked, written) != 0) {
		written = 0;
		goto internal;
	}
	log_info("tool import %s: %d tools written", j->id, written);
	goto out;
interrupted:
	log_warn("tool import %s: the server is stopping; abandoned, nothing written", j->id);
	finish(db, j, false, "import_interrupted", rep, nerr, checked, 0);
	goto out;
internal:
	if (db_in_tx(db))
		db_rollback(db);
	finish(db, j, false, "internal", rep, nerr, checked, 0);
out:
	json_decref(rep);
	json_decref(rows);
	json_decref(seen);
}

static void *
loop(void *arg)
{
	for (;;) {
		pthread_mutex_lock(&lock);
		while (!stopping && !head_)
			pthread_cond_wait(&wake, &lock);
		job_t *j = head_;
		if (stopping) {
			head_ = tail_ = NULL;
			queued = 0;
		} else {
			head_ = j->next;
			if (!head_)
				tail_ = NULL;
			queued--;
			fg_fmt(live.id, sizeof live.id, "%s", j->id);
			live.phase = "checking";
			live.checked = live.written = 0;
		}
		bool stop = stopping;
		pthread_mutex_unlock(&lock);
		if (stop) { /* what is still queued will not run: say so in its row */
			db_t *db = db_thread();
			while (j) {
				job_t *next = j->next;
				if (db)
					finish(db, j, false, "import_interrupted", NULL, 0, 0, 0);
				job_free(j);
				j = next;
			}
			break;
		}
		run(j);
		pthread_mutex_lock(&lock);
		live.id[0] = 0;
		pthread_mutex_unlock(&lock);
		job_free(j);
		give_back();
	}
	return NULL;
}

void
tools_import_start(void)
{
	pthread_mutex_lock(&lock);
	stopping = false;
	started = pthread_create(&thread, NULL, loop, NULL) == 0;
	pthread_mutex_unlock(&lock);
	if (!started)
		log_warn("tool import: cannot start its thread; imports run in the request");
	pthread_mutex_lock(&plock);
	pstopping = false;
	pstarted = pthread_create(&pthread_id, NULL, parse_loop, NULL) == 0;
	pthread_mutex_unlock(&plock);
	if (!pstarted)
		log_warn("tool import: cannot start its parse thread; uploads are read in the request");
}

void
tools_import_stop(void)
{
	pthread_mutex_lock(&lock);
	bool was = started;
	stopping = true;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	if (was)
		pthread_join(thread, NULL);
	pthread_mutex_lock(&lock);
	started = false;
	pthread_mutex_unlock(&lock);
	pthread_mutex_lock(&plock);
	bool pwas = pstarted;
	pstopping = true;
	pthread_cond_signal(&pwake);
	pthread_mutex_unlock(&plock);
	if (pwas)
		pthread_join(pthread_id, NULL);
	pthread_mutex_lock(&plock);
	pstarted = false;
	pthread_mutex_unlock(&plock);
}

/* ---- the upload ---- */

static bool
type_is(const char *declared, const char *t)
{
	size_t n = strlen(t);
	return strncasecmp(declared, t, n) == 0 && (declared[n] == 0 || declared[n] == ';' || declared[n] == ' ');
}

static int
unsupported(fg_err_t *err, const char *reason)
{
	fg_err(err, "import_unsupported_type");
	fg_err_detail_str(err, "reason", reason);
	fg_err_detail_str(err, "accepted", "text/csv, " XLSX_TYPE);
	return -1;
}

/* The header: the first of the first ten rows that names two known columns (a ledger often starts with a title
 * row such as "安全工器具台账"). */
static int
map_header(job_t *j, json_t **ignored, fg_err_t *err)
{
	const sheet_t *s = &j->sheet;
	int best = -1;
	for (int r = 0; r < s->nrows && r < 10 && best < 0; r++) {
		int known = 0;
		for (int c = 0; c < s->ncols; c++) {
			const sheet_cell_t *x = sheet_cell(s, r, c);
			known += x->text && tools_import_field(x->text) != NULL;
		}
		if (known >= 2)
			best = r;
	}
	j->header_row = best < 0 ? 0 : best;
	for (int f = 0; f < NFIELDS; f++)
		j->col_of[f] = -1;
	*ignored = json_array();
	for (int c = 0; c < s->ncols; c++) {
		const sheet_cell_t *x = sheet_cell(s, j->header_row, c);
		if (!x->text)
			continue;
		j->head[c] = timp_trim(x->text);
		int f = timp_field_index(tools_import_field(x->text));
		char ref[16];
		sheet_ref(c, s->rownum[j->header_row], ref, sizeof ref);
		if (f < 0) {
			if (*j->head[c]) /* kept in the file, not in the ledger: say so rather than drop it silently */
				json_array_append_new(*ignored, json_pack("{s:s, s:s}", "column", j->head[c], "cell", ref));
			continue;
		}
		if (j->col_of[f] >= 0) {
			char first[16];
			sheet_ref(j->col_of[f], s->rownum[j->header_row], first, sizeof first);
			fg_err(err, "import_duplicate_column");
			fg_err_detail_str(err, "field", timp_fields[f]);
			fg_err_detail(err, "cells", json_pack("[s, s]", first, ref));
			return -1;
		}
		j->col_of[f] = c;
	}
	for (int f = 0; f <= F_KIND; f++) {
		if (j->col_of[f] < 0) {
			fg_err(err, "import_missing_column");
			fg_err_detail_str(err, "field", timp_fields[f]);
			fg_err_detail_str(err, "expected", f == F_ASSET ? "资产编号 / asset_no" : "工器具类型 / kind");
			return -1;
		}
	}
	if (data_rows(j) < 1) {
		fg_err(err, "import_empty");
		fg_err_detail_str(err, "reason", "no rows below the header");
		return -1;
	}
	return 0;
}

/* ---- reading the upload: one file at a time, off the HTTP threads ----
 *
 * Reading a workbook is the costly part of an import (inflating, XML, up to the sheet's budget), so it is not
 * done by the HTTP thread that received the file: the request hands a dup of the upload's descriptor to the parse
 * thread, which reads one file at a time from a short queue, and waits (bounded) for the verdict, so a file that
 * cannot be read or passes a budget is still refused in the POST's own answer. A full queue is 429 with
 * Retry-After; the thread's memory is handed back after every file. */

static void
parse_init(void)
{
	pthread_condattr_t a;
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&pdone, &a);
	pthread_condattr_destroy(&a);
}

static void
parse_free(parse_t *p)
{
	if (!p)
		return;
	if (p->fd >= 0)
		close(p->fd);
	job_free(p->job);
	fg_err_clear(&p->err);
	free(p->ignored);
	free(p);
}

/* Reads the file into p->job, or says why not in p->err. The file is mapped read-only: its pages are the page
 * cache's, not the heap's, and leave with munmap. */
static void
parse_read(parse_t *p)
{
	void *map = MAP_FAILED;
	struct stat st;
	if (fstat(p->fd, &st) == 0 && (size_t)st.st_size >= p->n)
		map = mmap(NULL, p->n, PROT_READ, MAP_PRIVATE, p->fd, 0);
	close(p->fd);
	p->fd = -1;
	if (map == MAP_FAILED) {
		log_error("tool import: cannot map the upload: %s", strerror(errno));
		fg_err(&p->err, "internal");
		return;
	}
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, map, p->n);
	fg_hex(h, sizeof h, p->sha);
	job_t *j = fg_calloc(1, sizeof *j);
	int rc;
	if (p->want_xlsx) {
		rc = xlsx_read(map, p->n, &j->sheet, &p->err);
	} else {
		const char *text = NULL;
		char *owned = NULL;
		size_t tn = 0;
		rc = csv_decode(map, p->n, &text, &tn, &owned, &p->enc, &p->err);
		if (rc == 0)
			rc = csv_parse(text, tn, &j->sheet, &p->err);
		free(owned);
	}
	munmap(map, p->n);
	if (rc == 0 && j->sheet.nrows == 0) {
		fg_err(&p->err, "import_empty");
		fg_err_detail_str(&p->err, "reason", "the file has no rows");
		rc = -1;
	}
	json_t *ignored = NULL;
	if (rc == 0)
		rc = map_header(j, &ignored, &p->err);
	if (rc != 0) {
		if (p->err.code && strcmp(p->err.code, "import_too_many_rows") == 0)
			fg_err_detail_int(&p->err, "limit", SHEET_MAX_ROWS - 1);
		json_decref(ignored);
		job_free(j);
		return;
	}
	p->ignored = json_dumps(ignored, JSON_COMPACT);
	json_decref(ignored);
	p->job = j;
}

static void *
parse_loop(void *arg)
{
	pthread_mutex_lock(&plock);
	for (;;) {
		while (!pstopping && !phead)
			pthread_cond_wait(&pwake, &plock);
		if (pstopping)
			break;
		parse_t *p = phead;
		phead = p->next;
		if (!phead)
			ptail = NULL;
		pqueued--;
		p->taken = true;
		pthread_mutex_unlock(&plock);
		parse_read(p);
		pthread_mutex_lock(&plock);
		p->done = true;
		if (p->abandoned) /* its request gave up waiting: nobody else will free it */
			parse_free(p);
		pthread_cond_broadcast(&pdone);
		pthread_mutex_unlock(&plock);
		give_back();
		pthread_mutex_lock(&plock);
	}
	/* stopping: what still waits will not be read */
	for (parse_t *p = phead, *next; p; p = next) {
		next = p->next;
		fg_err(&p->err, "unavailable");
		p->done = true;
	}
	phead = ptail = NULL;
	pqueued = 0;
	pthread_cond_broadcast(&pdone);
	pthread_mutex_unlock(&plock);
	return NULL;
}

/* The parse thread's verdict on p: 0 with p->job or p->err set (p stays the caller's), or -1 with err set when
 * no verdict came (queue full, stopping, waited too long; p is then freed or left to the thread). */
static int
parse_verdict(parse_t *p, fg_err_t *err)
{
	pthread_once(&ponce, parse_init);
	pthread_mutex_lock(&plock);
	if (!pstarted) { /* no parse thread (a test, a tool): the caller reads the file */
		pthread_mutex_unlock(&plock);
		parse_read(p);
		return 0;
	}
	if (pstopping || pqueued >= TOOLS_IMPORT_MAX_PARSE_QUEUE) {
		bool down = pstopping;
		pthread_mutex_unlock(&plock);
		parse_free(p);
		if (down)
			return fg_err(err, "unavailable");
		fg_err(err, "import_parse_busy");
		fg_err_detail_int(err, "limit", TOOLS_IMPORT_MAX_PARSE_QUEUE);
		fg_err_detail_int(err, "retry_after", TOOLS_IMPORT_RETRY_S);
		return -1;
	}
	if (ptail)
		ptail->next = p;
	else
		phead = p;
	ptail = p;
	pqueued++;
	pthread_cond_signal(&pwake);
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += TOOLS_IMPORT_PARSE_WAIT_MS / 1000;
	while (!p->done) {
		if (pthread_cond_timedwait(&pdone, &plock, &until) == ETIMEDOUT && !p->done) {
			if (p->taken) {
				p->abandoned = true;
			} else { /* still queued: take it out */
				parse_t **pp = &phead, *prev = NULL;
				while (*pp && *pp != p) {
					prev = *pp;
					pp = &(*pp)->next;
				}
				if (*pp) {
					*pp = p->next;
					if (ptail == p)
						ptail = prev;
					pqueued--;
				}
			}
			bool keep = p->abandoned;
			pthread_mutex_unlock(&plock);
			if (!keep)
				parse_free(p);
			log_warn("tool import: no verdict on an upload within %d s", TOOLS_IMPORT_PARSE_WAIT_MS / 1000);
			fg_err(err, "import_busy");
			fg_err_detail_int(err, "retry_after", TOOLS_IMPORT_RETRY_S);
			return -1;
		}
	}
	pthread_mutex_unlock(&plock);
	return 0;
}

static void enqueue(db_t *db, void *arg);
static void drop_job(void *arg);

int
tools_import_submit(db_t *db, const char *actor_id, const char *content_type, int fd, size_t n, const char *filename,
    bool dry_run, const char *lang, json_t **out, fg_err_t *err)
{
	/* the first bytes say what the file is; reading four bytes is no parsing */
	unsigned char u[4] = {0};
	ssize_t got = pread(fd, u, n < 4 ? n : 4, 0);
	if (got < 0) {
		log_error("tool import: cannot read the upload: %s", strerror(errno));
		return fg_err(err, "internal");
	}
	bool zip = got == 4 && memcmp(u, "PK\x03\x04", 4) == 0, ole = got == 4 && memcmp(u, "\xD0\xCF\x11\xE0", 4) == 0;
	const char *declared = content_type ? content_type : "application/octet-stream";
	bool want_xlsx;
	if (type_is(declared, XLSX_TYPE))
		want_xlsx = true;
	else if (type_is(declared, "text/csv") || type_is(declared, "application/csv") || type_is(declared, "text/plain") ||
	    type_is(declared, "application/vnd.ms-excel")) /* what Windows browsers call a .csv */
		want_xlsx = ole;
	else if (type_is(declared, "application/octet-stream"))
		want_xlsx = zip || ole;
	else
		return unsupported(err, "CSV or XLSX");
	if (want_xlsx && !zip && !ole)
		return unsupported(err, "the body is not an XLSX workbook");
	if (!want_xlsx && zip)
		return unsupported(err, "the body is a zip (an XLSX workbook?), not CSV");
	if (filename && strlen(filename) > 200)
		return fg_err_field(err, "invalid_query", "filename", "at most 200 characters");
	pthread_mutex_lock(&lock);
	bool busy = started && queued >= TOOLS_IMPORT_MAX_QUEUE;
	pthread_mutex_unlock(&lock);
	if (busy) /* the jobs' queue is full: reading the file would be wasted */
		return fg_err(err, "import_busy");

	parse_t *p = fg_calloc(1, sizeof *p);
	p->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0); /* the thread may read it after the request has ended */
	p->n = n;
	p->want_xlsx = want_xlsx;
	if (p->fd < 0) {
		log_error("tool import: cannot dup the upload: %s", strerror(errno));
		free(p);
		return fg_err(err, "internal");
	}
	if (parse_verdict(p, err) != 0)
		return -1;
	if (!p->job) {
		*err = p->err;
		p->err = (fg_err_t)FG_ERR_INIT;
		parse_free(p);
		return -1;
	}
	job_t *j = p->job;
	p->job = NULL;
	fg_uuid7(j->id);
	fg_fmt(j->actor, sizeof j->actor, "%s", actor_id);
	j->dry_run = dry_run;
	pthread_mutex_lock(&lock);
	busy = started && queued >= TOOLS_IMPORT_MAX_QUEUE;
	bool down = stopping;
	pthread_mutex_unlock(&lock);
	if (busy || down) {
		parse_free(p);
		job_free(j);
		give_back();
		return fg_err(err, down ? "unavailable" : "import_busy");
	}
	if (db_begin(db) != 0 ||
	    db_run(db_q(db,
		"INSERT INTO tool_imports (id, state, phase, dry_run, format, encoding, filename, sha256, size, rows_total, "
		"ignored_columns, created_by, created_at) VALUES ($1, 'queued', 'queued', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
		"tbttttiitti", j->id, (int)dry_run, want_xlsx ? "xlsx" : "csv", p->enc, filename, p->sha, (int64_t)n,
		(int64_t)data_rows(j), p->ignored, actor_id, fg_now_ms())) != DB_DONE ||
	    db_commit(db) != 0) {
		parse_free(p);
		job_free(j);
		give_back();
		return db_fail(db, err);
	}
	parse_free(p);
	char id[37];
	fg_fmt(id, sizeof id, "%s", j->id);
	/* The import thread reads and settles the job's row on its own connection: inside a keyed write (the router's
	 * transaction) the job is handed over once that commits, and dropped with it on a rollback. */
	db_after_commit(db, enqueue, j, drop_job);
	*out = tools_import_get(db, id, lang);
	return *out ? 0 : fg_err(err, "internal");
}

static void
drop_job(void *arg)
{
	job_free(arg);
}

/* Hands a job whose row is committed to the import thread (or runs it here when there is none). */
static void
enqueue(db_t *db, void *arg)
{
	job_t *j = arg;
	pthread_mutex_lock(&lock);
	bool threaded = started && !stopping, late = started && stopping;
	if (threaded) {
		if (tail_)
			tail_->next = j;
		else
			head_ = j;
		tail_ = j;
		queued++;
		pthread_cond_signal(&wake);
	}
	pthread_mutex_unlock(&lock);
	if (late) { /* the server began to stop since the check above: the thread will not take it */
		finish(db, j, false, "import_interrupted", NULL, 0, 0, 0);
		job_free(j);
	} else if (!threaded) { /* no import thread (a test, a tool): the request does the work */
		run(j);
		job_free(j);
	}
}

/* ---- reading a job ---- */

static const char *
message(const char *code, const char *lang)
{
	const errcat_t *c = errcat_find(code);
	return strcmp(lang, "en") == 0 ? c->en : c->zh;
}

json_t *
tools_import_get(db_t *db, const char *id, const char *lang)
{
	int rc;
	json_t *j = db_one(db_q(db,
	    "SELECT id, state, phase, dry_run, format, encoding, filename, size, rows_total, rows_checked, rows_written, "
	    "error_code, error_count, errors, ignored_columns, created_by, created_at, finished_at FROM tool_imports "
	    "WHERE id = $1", "t", id), &rc);
	if (!j)
		return NULL;
	json_int_t total = json_integer_value(json_object_get(j, "rows_total"));
	json_int_t checked = json_integer_value(json_object_get(j, "rows_checked"));
	json_int_t written = json_integer_value(json_object_get(j, "rows_written"));
	const char *phase = json_string_value(json_object_get(j, "phase"));
	const char *state = json_string_value(json_object_get(j, "state"));
	bool here = false, open = strcmp(state, "queued") == 0 || strcmp(state, "running") == 0;
	pthread_mutex_lock(&lock);
	if (live.id[0] && strcmp(live.id, id) == 0) {
		here = true;
		if (strcmp(state, "running") == 0) {
			phase = live.phase;
			checked = live.checked;
			written = live.written;
		}
	}
	for (job_t *q = head_; q && !here; q = q->next)
		here = strcmp(q->id, id) == 0;
	pthread_mutex_unlock(&lock);
	/* A job no server has touched for TOOLS_IMPORT_STALE_MS was lost with its server (a crash, a kill): none of
	 * it was committed, so it is shown as interrupted rather than leaving a poller waiting for ever. */
	if (open && !here && fg_now_ms() - json_integer_value(json_object_get(j, "created_at")) > TOOLS_IMPORT_STALE_MS) {
		state = "failed";
		phase = "failed";
		json_object_set_new(j, "state", json_string(state));
		json_object_set_new(j, "error_code", json_string("import_interrupted"));
	}
	/* checking and writing each count for half of the bar (a dry run only checks) */
	bool dry = json_integer_value(json_object_get(j, "dry_run")) != 0;
	int pct = total <= 0 ? 0 : dry ? (int)(checked * 100 / total) : (int)((checked + written) * 50 / total);
	if (strcmp(state, "done") == 0 || strcmp(state, "failed") == 0)
		pct = 100;
	json_object_set_new(j, "progress", json_pack("{s:s, s:I, s:I, s:I, s:i}", "phase", phase, "rows_total", total,
					       "rows_checked", checked, "rows_written", written, "percent", pct));
	json_object_set_new(j, "dry_run", json_boolean(dry));
	json_object_set_new(j, "created", json_integer(strcmp(state, "done") == 0 ? written : 0));
	const char *code = json_string_value(json_object_get(j, "error_code"));
	json_object_set_new(j, "error", code ? json_pack("{s:s, s:s}", "code", code, "message", message(code, lang)) : json_null());
	json_t *errs = json_loads(json_string_value(json_object_get(j, "errors")) ? json_string_value(json_object_get(j, "errors")) : "[]",
	    0, NULL);
	if (!json_is_array(errs)) {
		json_decref(errs);
		errs = json_array();
	}
	size_t i;
	json_t *e;
	json_array_foreach(errs, i, e) json_object_set_new(e, "message",
	    json_string(message(json_string_value(json_object_get(e, "code")), lang)));
	json_object_set_new(j, "errors", errs);
	const char *ig = json_string_value(json_object_get(j, "ignored_columns"));
	json_t *ign = ig ? json_loads(ig, 0, NULL) : NULL;
	json_object_set_new(j, "ignored_columns", json_is_array(ign) ? ign : json_array());
	if (ign && !json_is_array(ign))
		json_decref(ign);
	json_object_del(j, "error_code");
	json_object_del(j, "rows_checked");
	json_object_del(j, "rows_written");
	json_object_del(j, "phase");
	return j;
}

/* A CSV field: quoted when it must be; a value that a spreadsheet would run as a formula gets a leading
 * apostrophe (the report echoes what an uploader typed). */
static void
csv_field(fg_buf_t *b, const char *v, bool last)
{
	if (!v)
		v = "";
	bool formula = strchr("=+-@\t\r", v[0]) && v[0];
	bool quote = formula || strpbrk(v, ",\"\r\n") != NULL;
	if (quote)
		fg_buf_append(b, "\"", 1);
	if (formula)
		fg_buf_append(b, "'", 1);
	for (const char *p = v; *p; p++) {
		if (*p == '"')
			fg_buf_append(b, "\"", 1);
		fg_buf_append(b, p, 1);
	}
	if (quote)
		fg_buf_append(b, "\"", 1);
	fg_buf_append(b, last ? "\r\n" : ",", last ? 2 : 1);
}

char *
tools_import_errors_csv(db_t *db, const char *id, const char *lang, size_t *len)
{
	json_t *j = tools_import_get(db, id, lang);
	if (!j)
		return NULL;
	fg_buf_t b;
	fg_buf_init(&b, 16u * 1024 * 1024);
	bool en = strcmp(lang, "en") == 0;
	fg_buf_append(&b, "\xEF\xBB\xBF", 3);
	const char *hd[] = {en ? "row" : "行", en ? "cell" : "单元格", en ? "column" : "列", en ? "value" : "值",
	    en ? "code" : "代码", en ? "message" : "说明"};
	for (int k = 0; k < 6; k++)
		csv_field(&b, hd[k], k == 5);
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(j, "errors"), i, e) {
		char row[16];
		fg_fmt(row, sizeof row, "%lld", (long long)json_integer_value(json_object_get(e, "row")));
		const char *col = json_string_value(json_object_get(e, "column"));
		csv_field(&b, row, false);
		csv_field(&b, json_string_value(json_object_get(e, "cell")), false);
		csv_field(&b, col ? col : json_string_value(json_object_get(e, "field")), false);
		csv_field(&b, json_string_value(json_object_get(e, "value")), false);
		csv_field(&b, json_string_value(json_object_get(e, "code")), false);
		csv_field(&b, json_string_value(json_object_get(e, "message")), true);
	}
	json_decref(j);
	fg_buf_append(&b, "", 1); /* NUL for callers that read it as a string */
	*len = b.len - 1;
	return b.data;
}

const char *
tools_import_template_csv(void)
{
	return "\xEF\xBB\xBF"
	       "资产编号(asset_no),工器具类型(kind),名称(name),库房(store),存放位置(location),上次试验日期(last_test_date),"
	       "试验结果(last_test_result)\r\n";
}
