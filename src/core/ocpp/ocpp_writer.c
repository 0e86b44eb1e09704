/* The gateway's writer: the only thread that writes what chargers send (docs/architecture.md "OCPP gateway").
 *
 * The loop pushes jobs (a CALL to record and answer, a connect/disconnect/seen, a command's outcome) onto a
 * mutex-guarded list and wakes us with an eventfd. We take everything queued (up to WRITER_BATCH) and run it in
 * one transaction: a charger fleet's StatusNotifications and MeterValues cost one commit per batch, not one
 * per message (group commit; no artificial delay: what arrives while a batch commits makes the next one).
 * Answers are built while the transaction is open and sent only after it commits, so a charger never drops a
 * queued transaction message that we did not store. If a batch fails, it is rolled back and each job is run
 * again in its own transaction, so only the job that fails gets an InternalError CALLERROR. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/db/db.h"
#include "core/ocpp/ocpp.h"
#include "core/ocpp/ocpp_frame.h"
#include "core/ocpp/ocpp_internal.h"

#define WRITER_BATCH 512

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static job_t *head, *tail;
static size_t backlog;
static int efd = -1;
static pthread_t thread;
static atomic_bool stopping;
static bool running;

void
writer_push(job_t *j)
{
	j->next = NULL;
	pthread_mutex_lock(&mu);
	if (tail)
		tail->next = j;
	else
		head = j;
	tail = j;
	backlog++;
	pthread_mutex_unlock(&mu);
	uint64_t one = 1;
	if (write(efd, &one, sizeof one) < 0 && errno != EAGAIN)
		log_error("ocpp writer: eventfd write: %s", strerror(errno));
}

size_t
writer_backlog(void)
{
	pthread_mutex_lock(&mu);
	size_t n = backlog;
	pthread_mutex_unlock(&mu);
	return n;
}

static void
job_free(job_t *j)
{
	json_decref(j->payload);
	free(j);
}

/* Runs one job; for a CALL, *frame gets the answer to send once the transaction commits. */
static int
run(db_t *db, job_t *j, char **frame)
{
	*frame = NULL;
	const ocpp_host_t *h = ocpp_host();
	if (!h) /* nothing registered to record it: the charger gets InternalError and sends it again */
		return -1;
	if (j->kind == JOB_LINK)
		return h->link(db, j->charger_id, j->action, j->at);
	if (j->kind == JOB_CMD_DONE)
		return h->command_done(db, j->msg_id, j->action, j->payload, j->error_code[0] ? j->error_code : NULL,
		    j->error_desc[0] ? j->error_desc : NULL, j->at);
	json_t *reply = NULL;
	if (h->call(db, j->charger_id, j->action, j->payload, j->at, &reply) != 0) {
		json_decref(reply);
		return -1;
	}
	*frame = ocpp_frame_result(j->msg_id, reply);
	json_decref(reply);
	return 0;
}

static void
answer(job_t *j, char *frame)
{
	if (j->kind == JOB_CALL)
		gw_reply(j->cpid, j->serial, j->msg_id, frame ? frame : ocpp_frame_error(j->msg_id, "InternalError", "storage failure"));
	else
		free(frame);
}

static void
batch(db_t *db, job_t **jobs, size_t n)
{
	char **frames = fg_calloc(n, sizeof *frames);
	bool ok = db && db_begin(db) == 0;
	for (size_t i = 0; ok && i < n; i++)
		ok = run(db, jobs[i], &frames[i]) == 0;
	if (ok && db_commit(db) == 0) {
		for (size_t i = 0; i < n; i++)
			answer(jobs[i], frames[i]);
		free(frames);
		return;
	}
	if (db) {
		log_warn("ocpp writer: a batch of %zu failed (%s); retrying one by one", n, db_errmsg(db));
		db_rollback(db);
	}
	for (size_t i = 0; i < n; i++) {
		free(frames[i]);
		frames[i] = NULL;
		bool one = db && db_begin(db) == 0 && run(db, jobs[i], &frames[i]) == 0 && db_commit(db) == 0;
		if (!one) {
			if (db) {
				log_error("ocpp writer: %s from %s failed: %s", jobs[i]->action, jobs[i]->cpid, db_errmsg(db));
				db_rollback(db);
			}
			free(frames[i]);
			frames[i] = NULL;
		}
		answer(jobs[i], frames[i]);
	}
	free(frames);
}

static void *
main_loop(void *arg)
{
	job_t **jobs = fg_calloc(WRITER_BATCH, sizeof *jobs);
	for (;;) {
		pthread_mutex_lock(&mu);
		size_t n = 0;
		while (head && n < WRITER_BATCH) {
			jobs[n++] = head;
			head = head->next;
			backlog--;
		}
		if (!head)
			tail = NULL;
		pthread_mutex_unlock(&mu);
		if (n == 0) {
			if (atomic_load(&stopping))
				break;
			uint64_t v;
			if (read(efd, &v, sizeof v) < 0 && errno != EINTR && errno != EAGAIN)
				log_error("ocpp writer: eventfd read: %s", strerror(errno));
			continue;
		}
		/* per batch: a connection lost to a failover is replaced (db_thread), else the batch fails and its chargers
		 * get InternalError and send again */
		db_t *db = db_thread();
		if (!db)
			log_error("ocpp writer: no database connection");
		batch(db, jobs, n);
		for (size_t i = 0; i < n; i++)
			job_free(jobs[i]);
	}
	free(jobs);
	return NULL;
}

int
writer_start(void)
{
	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0)
		return -1;
	atomic_store(&stopping, false);
	if (pthread_create(&thread, NULL, main_loop, NULL) != 0) {
		close(efd);
		efd = -1;
		return -1;
	}
	running = true;
	return 0;
}

/* Writes everything still queued, then ends. */
void
writer_stop(void)
{
	if (!running)
		return;
	atomic_store(&stopping, true);
	uint64_t one = 1;
	if (write(efd, &one, sizeof one) < 0)
		log_error("ocpp writer: eventfd write: %s", strerror(errno));
	pthread_join(thread, NULL);
	running = false;
	close(efd);
	efd = -1;
}
