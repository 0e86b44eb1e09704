/* The scheduler thread of `fieldgrid serve` (DESIGN.md §1): runs every module's periodic jobs (fg_module_t.jobs —
 * firmware campaigns every 2 s, fault scans every minute, reminders, sweeps and inspection generation hourly …), each
 * at its own period, on one database connection of its own. Every node of a cluster runs this thread, and each
 * period of a job runs on one of them: the node that wins the job's turn (core/jobs/job_clock.c); the others wake
 * when the next turn is due, so a job goes on when the node that ran it dies. Jobs stay idempotent besides (dedupe
 * keys, claims under row locks). It stops at once when the server stops. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/db/db.h"
#include "core/module/module.h"
#include "core/cluster/cluster.h"
#include "core/jobs/job_clock.h"
#include "core/jobs/scheduler.h"

#define MAX_WAIT_MS 2000 /* the longest sleep, so a stop or a short period is never waited on for long */

static pthread_t thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static bool stopping, started;

typedef struct {
	const fg_job_t *job;
	int64_t period_ms, next_ms;
} slot_t;

static int64_t
period_ms(const fg_job_t *j)
{
	const char *v = j->every_env ? getenv(j->every_env) : NULL;
	int s = v && atoi(v) > 0 ? atoi(v) : j->every_s;
	return (s > 0 ? s : 1) * 1000LL;
}

/* false when the job left a transaction open: the connection is then rolled back and replaced (it may be broken) */
static bool
run(db_t *db, slot_t *s)
{
	int64_t now = fg_now_ms(), next_at;
	if (!job_clock_claim(db, s->job->name, s->period_ms, now, &next_at)) {
		/* another node has this turn: wake for the next one, or sooner to see whether that node is still live (a
		 * lost node's turn is free once its lease ran out); after a database error, soon, on a new connection */
		int64_t recheck = now + 3 * cluster_lease_ms();
		s->next_ms = next_at > now ? (next_at < recheck ? next_at : recheck) : now + MAX_WAIT_MS;
		if (next_at == 0)
			log_warn("%s: cannot take its turn: %s", s->job->name, db_errmsg(db));
		return next_at != 0 && !db_in_tx(db);
	}
	s->next_ms = now + s->period_ms;
	int n = s->job->run(db, now);
	if (n < 0)
		log_warn("%s: run failed: %s", s->job->name, db_errmsg(db));
	else if (n > 0)
		log_info("%s: %d done", s->job->name, n);
	if (db_in_tx(db)) { /* a job must commit or roll back what it began */
		log_error("%s left a transaction open; rolled back", s->job->name);
		db_rollback(db);
		return false;
	}
	job_clock_done(db, s->job->name, fg_now_ms());
	s->next_ms = fg_now_ms() + s->period_ms; /* a period from its end, as one node alone would */
	return true;
}

static void *
loop(void *arg)
{
	const char *url = arg;
	db_t *db = NULL;
	size_t n = 0;
	FG_EACH_MODULE(m) for (const fg_job_t *j = m->jobs; j && j->name; j++) n++;
	slot_t *slots = fg_calloc(n ? n : 1, sizeof *slots);
	size_t i = 0;
	int64_t start = fg_now_ms();
	FG_EACH_MODULE(m) for (const fg_job_t *j = m->jobs; j && j->name; j++) {
		slots[i].job = j;
		slots[i].period_ms = period_ms(j);
		slots[i].next_ms = start + j->first_after_s * 1000LL;
		i++;
	}
	for (;;) {
		int64_t now = fg_now_ms(), due = now + MAX_WAIT_MS;
		for (i = 0; i < n; i++)
			if (slots[i].next_ms < due)
				due = slots[i].next_ms;
		if (due > now) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			int64_t ns = until.tv_nsec + (due - now) * 1000000LL;
			until.tv_sec += ns / 1000000000LL;
			until.tv_nsec = ns % 1000000000LL;
			pthread_mutex_lock(&lock);
			while (!stopping && pthread_cond_timedwait(&wake, &lock, &until) != ETIMEDOUT)
				;
			pthread_mutex_unlock(&lock);
		}
		pthread_mutex_lock(&lock);
		bool stop = stopping;
		pthread_mutex_unlock(&lock);
		if (stop)
			break;
		if (!db) {
			char err[256];
			db = db_open(url, err, sizeof err);
			if (!db) {
				log_warn("scheduler: %s", err);
				continue;
			}
		}
		module_request_start(db); /* e.g. the admins' knowledge-base edits, as a request would see them */
		for (i = 0; i < n; i++) {
			if (fg_now_ms() < slots[i].next_ms)
				continue;
			bool ok = run(db, &slots[i]); /* sets the slot's next wake */
			if (!ok) {
				db_close(db);
				db = NULL;
				break;
			}
		}
	}
	if (db)
		db_close(db);
	free(slots);
	return NULL;
}

void
scheduler_start(const char *url)
{
	started = pthread_create(&thread, NULL, loop, (void *)url) == 0;
	if (!started)
		log_warn("scheduler: cannot start its thread; reminders will not run");
}

void
scheduler_stop(void)
{
	if (!started)
		return;
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(thread, NULL);
}
