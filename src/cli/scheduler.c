/* The scheduler thread of `fieldgrid serve` (DESIGN.md §1): runs the reminders shortly after start and then every
 * hour, and the fault scans (offline alarms, SLA escalation) every minute; the run itself is idempotent (dedupe keys), so several servers running it cause no duplicates. It owns its
 * own database connection and stops at once when the server stops. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include "base/util.h"
#include "base/log.h"
#include "db/db.h"
#include "modules/notify/notify.h"
#include "modules/faults/faults.h"
#include "cli/scheduler.h"

static pthread_t thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static bool stopping, started;

/* Seconds between fault scans (offline too long, SLA escalation): FG_FAULT_SCAN_S, default 60. */
static int
scan_every_s(void)
{
	const char *v = getenv("FG_FAULT_SCAN_S");
	return v && atoi(v) > 0 ? atoi(v) : 60;
}

static void *
loop(void *arg)
{
	const char *url = arg;
	int wait_s = 10; /* first run soon after start, once the server is up */
	time_t next_reminders = 0;
	for (;;) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += wait_s;
		pthread_mutex_lock(&lock);
		while (!stopping && pthread_cond_timedwait(&wake, &lock, &until) != ETIMEDOUT)
			;
		bool stop = stopping;
		pthread_mutex_unlock(&lock);
		if (stop)
			break;
		char err[256];
		db_t *db = db_open(url, err, sizeof err);
		if (db) {
			if (time(NULL) >= next_reminders) {
				int n = notify_reminders(db);
				if (n < 0)
					log_warn("reminders: run failed: %s", db_errmsg(db));
				else if (n > 0)
					log_info("reminders: %d notifications added", n);
				next_reminders = time(NULL) + 3600;
			}
			int64_t now = fg_now_ms();
			int raised = faults_offline_scan(db, now, NULL), moved = faults_escalate_due(db, now, NULL);
			if (raised < 0 || moved < 0)
				log_warn("faults: scan failed: %s", db_errmsg(db));
			else if (raised + moved > 0)
				log_info("faults: %d offline alarms raised, %d faults escalated", raised, moved);
			db_close(db);
		} else {
			log_warn("scheduler: %s", err);
		}
		wait_s = scan_every_s();
	}
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
