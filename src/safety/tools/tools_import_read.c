/* Reading a tool-ledger upload (the tool import, tools_import_internal.h): from the request's bytes to a job whose
 * sheet is read and whose header is mapped to the fields, or a refusal that says why.
 *
 * Reading a workbook is the costly part of an import (inflating, XML, up to the sheet's budget), so it is not
 * done by the HTTP thread that received the file: the request hands a dup of the upload's descriptor to the parse
 * thread, which reads one file at a time from a short queue, and waits (bounded) for the verdict, so a file that
 * cannot be read or passes a budget is still refused in the POST's own answer. A full queue is 429 with
 * Retry-After; the thread's memory is handed back after every file. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sodium.h>
#include "core/base/csv.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/base/xlsx.h"
#include "safety/tools/tools_import.h"
#include "safety/tools/tools_import_internal.h"

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

static pthread_mutex_t plock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pwake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t pdone; /* on CLOCK_MONOTONIC (parse_init), so a clock change never stretches a wait */
static pthread_once_t ponce = PTHREAD_ONCE_INIT;
static pthread_t pthread_id;
static bool pstarted, pstopping;
static timp_parse_t *phead, *ptail;
static int pqueued;

/* ---- what the upload is ---- */

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

int
timp_sniff(const char *content_type, int fd, size_t n, bool *want_xlsx, fg_err_t *err)
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
	if (type_is(declared, XLSX_TYPE))
		*want_xlsx = true;
	else if (type_is(declared, "text/csv") || type_is(declared, "application/csv") || type_is(declared, "text/plain") ||
	    type_is(declared, "application/vnd.ms-excel")) /* what Windows browsers call a .csv */
		*want_xlsx = ole;
	else if (type_is(declared, "application/octet-stream"))
		*want_xlsx = zip || ole;
	else
		return unsupported(err, "CSV or XLSX");
	if (*want_xlsx && !zip && !ole)
		return unsupported(err, "the body is not an XLSX workbook");
	if (!*want_xlsx && zip)
		return unsupported(err, "the body is a zip (an XLSX workbook?), not CSV");
	return 0;
}

/* ---- the header ---- */

/* The header: the first of the first ten rows that names two known columns (a ledger often starts with a title
 * row such as "安全工器具台账"). */
static int
map_header(timp_job_t *j, json_t **ignored, fg_err_t *err)
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
	if (timp_data_rows(j) < 1) {
		fg_err(err, "import_empty");
		fg_err_detail_str(err, "reason", "no rows below the header");
		return -1;
	}
	return 0;
}

/* ---- the parse thread ---- */

static void
parse_init(void)
{
	pthread_condattr_t a;
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&pdone, &a);
	pthread_condattr_destroy(&a);
}

void
timp_parse_free(timp_parse_t *p)
{
	if (!p)
		return;
	if (p->fd >= 0)
		close(p->fd);
	timp_job_free(p->job);
	fg_err_clear(&p->err);
	free(p->ignored);
	free(p);
}

/* Reads the file into p->job, or says why not in p->err. The file is mapped read-only: its pages are the page
 * cache's, not the heap's, and leave with munmap. */
static void
parse_read(timp_parse_t *p)
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
	timp_job_t *j = fg_calloc(1, sizeof *j);
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
		timp_job_free(j);
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
		timp_parse_t *p = phead;
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
			timp_parse_free(p);
		pthread_cond_broadcast(&pdone);
		pthread_mutex_unlock(&plock);
		timp_give_back();
		pthread_mutex_lock(&plock);
	}
	/* stopping: what still waits will not be read */
	for (timp_parse_t *p = phead, *next; p; p = next) {
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
parse_verdict(timp_parse_t *p, fg_err_t *err)
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
		timp_parse_free(p);
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
				timp_parse_t **pp = &phead, *prev = NULL;
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
				timp_parse_free(p);
			log_warn("tool import: no verdict on an upload within %d s", TOOLS_IMPORT_PARSE_WAIT_MS / 1000);
			fg_err(err, "import_busy");
			fg_err_detail_int(err, "retry_after", TOOLS_IMPORT_RETRY_S);
			return -1;
		}
	}
	pthread_mutex_unlock(&plock);
	return 0;
}

int
timp_parse(int fd, size_t n, bool want_xlsx, timp_parse_t **out, fg_err_t *err)
{
	timp_parse_t *p = fg_calloc(1, sizeof *p);
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
	*out = p;
	return 0;
}

void
timp_parse_start(void)
{
	pthread_mutex_lock(&plock);
	pstopping = false;
	pstarted = pthread_create(&pthread_id, NULL, parse_loop, NULL) == 0;
	pthread_mutex_unlock(&plock);
	if (!pstarted)
		log_warn("tool import: cannot start its parse thread; uploads are read in the request");
}

void
timp_parse_stop(void)
{
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
