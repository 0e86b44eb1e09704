/* The tool import's jobs (the tool import, tools_import_internal.h): the submit glue (the upload sniffed and read,
 * the job's row inserted, the job queued once that commits), the import thread and its short queue, one job's run
 * (check, then write or finish), and its live progress, kept here rather than in its row so the writing
 * transaction is never interrupted. Without the thread (tests, tools) a job runs in the submitting request. */
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "safety/kb/kb.h"
#include "safety/tools/tools_import.h"
#include "safety/tools/tools_import_internal.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_t thread;
static bool started, stopping;
static timp_job_t *head_, *tail_;
static int queued;
/* the running job's progress: kept here, not in its row, so the writing transaction is never interrupted */
static struct {
	char id[37];
	const char *phase;
	int checked, written;
} live;

void
timp_job_free(timp_job_t *j)
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
void
timp_give_back(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

bool
timp_should_stop(void)
{
	pthread_mutex_lock(&lock);
	bool s = stopping;
	pthread_mutex_unlock(&lock);
	return s;
}

void
timp_progress(const char *phase, int checked, int written)
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

int
timp_data_rows(const timp_job_t *j)
{
	return j->sheet.nrows - j->header_row - 1;
}

void
timp_live(const char *id, timp_live_t *out)
{
	*out = (timp_live_t){0};
	pthread_mutex_lock(&lock);
	if (live.id[0] && strcmp(live.id, id) == 0) {
		out->here = out->current = true;
		out->phase = live.phase;
		out->checked = live.checked;
		out->written = live.written;
	}
	for (timp_job_t *q = head_; q && !out->here; q = q->next)
		out->here = strcmp(q->id, id) == 0;
	pthread_mutex_unlock(&lock);
}

static void
run(timp_job_t *j)
{
	db_t *db = db_thread();
	if (!db) {
		log_error("tool import %s: no database connection", j->id);
		return;
	}
	kb_request_start(db); /* the tool kinds as admins last edited them */
	int nerr = 0, checked = 0;
	json_t *rep = json_array(), *rows = json_array();
	timp_progress("checking", 0, 0);
	if (timp_set_state(db, j->id, "running", "checking") != 0)
		log_warn("tool import %s: cannot mark it running: %s", j->id, db_errmsg(db));
	int rc = timp_check_rows(db, j, rep, &nerr, rows, &checked);
	if (rc == TIMP_DONE) {
		timp_progress(NULL, checked, -1);
		if (nerr || j->dry_run)
			timp_finish(db, j, false, nerr ? "import_invalid_rows" : NULL, rep, nerr, checked, 0);
		else
			rc = timp_write_rows(db, j, rows, rep, &nerr, checked);
	}
	if (rc == TIMP_STOPPED) {
		log_warn("tool import %s: the server is stopping; abandoned, nothing written", j->id);
		timp_finish(db, j, false, "import_interrupted", rep, nerr, checked, 0);
	} else if (rc == TIMP_INTERNAL) {
		if (db_in_tx(db))
			db_rollback(db);
		timp_finish(db, j, false, "internal", rep, nerr, checked, 0);
	}
	json_decref(rep);
	json_decref(rows);
}

static void *
loop(void *arg)
{
	for (;;) {
		pthread_mutex_lock(&lock);
		while (!stopping && !head_)
			pthread_cond_wait(&wake, &lock);
		timp_job_t *j = head_;
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
				timp_job_t *next = j->next;
				if (db)
					timp_finish(db, j, false, "import_interrupted", NULL, 0, 0, 0);
				timp_job_free(j);
				j = next;
			}
			break;
		}
		run(j);
		pthread_mutex_lock(&lock);
		live.id[0] = 0;
		pthread_mutex_unlock(&lock);
		timp_job_free(j);
		timp_give_back();
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
	timp_parse_start();
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
	timp_parse_stop();
}

static void
drop_job(void *arg)
{
	timp_job_free(arg);
}

/* Hands a job whose row is committed to the import thread (or runs it here when there is none). */
static void
enqueue(db_t *db, void *arg)
{
	timp_job_t *j = arg;
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
		timp_finish(db, j, false, "import_interrupted", NULL, 0, 0, 0);
		timp_job_free(j);
	} else if (!threaded) { /* no import thread (a test, a tool): the request does the work */
		run(j);
		timp_job_free(j);
	}
}

int
tools_import_submit(db_t *db, const char *actor_id, const char *content_type, int fd, size_t n, const char *filename,
    bool dry_run, const char *lang, json_t **out, fg_err_t *err)
{
	bool want_xlsx;
	if (timp_sniff(content_type, fd, n, &want_xlsx, err) != 0)
		return -1;
	if (filename && strlen(filename) > 200)
		return fg_err_field(err, "invalid_query", "filename", "at most 200 characters");
	pthread_mutex_lock(&lock);
	bool busy = started && queued >= TOOLS_IMPORT_MAX_QUEUE;
	pthread_mutex_unlock(&lock);
	if (busy) /* the jobs' queue is full: reading the file would be wasted */
		return fg_err(err, "import_busy");

	timp_parse_t *p;
	if (timp_parse(fd, n, want_xlsx, &p, err) != 0)
		return -1;
	if (!p->job) {
		*err = p->err;
		p->err = (fg_err_t)FG_ERR_INIT;
		timp_parse_free(p);
		return -1;
	}
	timp_job_t *j = p->job;
	p->job = NULL;
	fg_uuid7(j->id);
	fg_fmt(j->actor, sizeof j->actor, "%s", actor_id);
	j->dry_run = dry_run;
	pthread_mutex_lock(&lock);
	busy = started && queued >= TOOLS_IMPORT_MAX_QUEUE;
	bool down = stopping;
	pthread_mutex_unlock(&lock);
	if (busy || down) {
		timp_parse_free(p);
		timp_job_free(j);
		timp_give_back();
		return fg_err(err, down ? "unavailable" : "import_busy");
	}
	if (db_begin(db) != 0 ||
	    db_run(db_q(db,
		"INSERT INTO tool_imports (id, state, phase, dry_run, format, encoding, filename, sha256, size, rows_total, "
		"ignored_columns, created_by, created_at) VALUES ($1, 'queued', 'queued', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
		"tbttttiitti", j->id, (int)dry_run, want_xlsx ? "xlsx" : "csv", p->enc, filename, p->sha, (int64_t)n,
		(int64_t)timp_data_rows(j), p->ignored, actor_id, fg_now_ms())) != DB_DONE ||
	    db_commit(db) != 0) {
		timp_parse_free(p);
		timp_job_free(j);
		timp_give_back();
		return db_fail(db, err);
	}
	timp_parse_free(p);
	char id[37];
	fg_fmt(id, sizeof id, "%s", j->id);
	/* The import thread reads and settles the job's row on its own connection: inside a keyed write (the router's
	 * transaction) the job is handed over once that commits, and dropped with it on a rollback. */
	db_after_commit(db, enqueue, j, drop_job);
	*out = tools_import_get(db, id, lang);
	return *out ? 0 : fg_err(err, "internal");
}
