/* The scheduler thread of `fieldgrid serve` (DESIGN.md §1). Every TICK_S it advances running firmware campaigns;
 * every FG_FAULT_SCAN_S (60 s) it runs the fault scans (offline too long, SLA escalation); shortly after start and
 * then hourly the reminders, the credit sweep, the sweep of expired idempotency keys and sessions (maintenance.c)
 * and the inspection generation. Each run is idempotent (dedupe keys,
 * one inspection per plan and period, campaign claims under a row lock, one open fault per charger and fault), so
 * several servers running it cause no duplicates. It owns one database connection and stops at once when the
 * server stops. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/db/db.h"
#include "safety/kb/kb.h"
#include "shared/notify/notify.h"
#include "charging/inspections/inspections.h"
#include "charging/evusers/evusers.h"
#include "charging/faults/faults.h"
#include "cli/scheduler.h"
#include "cli/maintenance.h"
#include "core/http/http.h"

#define TICK_S 2        /* firmware campaigns */
#define HOURLY_S 3600   /* reminders, inspections */

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

static void
fault_scan(db_t *db)
{
	int64_t now = fg_now_ms();
	int raised = faults_offline_scan(db, now, NULL), moved = faults_escalate_due(db, now, NULL);
	if (raised < 0 || moved < 0)
		log_warn("faults: scan failed: %s", db_errmsg(db));
	else if (raised + moved > 0)
		log_info("faults: %d offline alarms raised, %d faults escalated", raised, moved);
}

static void
hourly(db_t *db)
{
	if (evusers_sweep(db) < 0) /* held connectors and reservations not used (R4.7) */
		log_warn("credit sweep failed: %s", db_errmsg(db));
	int n = notify_reminders(db);
	if (n < 0)
		log_warn("reminders: run failed: %s", db_errmsg(db));
	else if (n > 0)
		log_info("reminders: %d notifications added", n);
	maint_report_t m;
	if (maint_sweep(db, fg_now_ms(), IDEM_TTL_MS, &m) != 0) /* expired idempotency keys and sessions */
		log_warn("maintenance: sweep failed: %s", db_errmsg(db));
	else if (m.keys + m.sessions > 0)
		log_info("maintenance: %lld idempotency keys and %lld sessions deleted", (long long)m.keys, (long long)m.sessions);
	n = inspections_generate(db, NULL, fg_now_ms());
	if (n < 0)
		log_warn("inspections: generation failed: %s", db_errmsg(db));
	else if (n > 0)
		log_info("inspections: %d generated", n);
}

/* Only when a campaign runs: one cheap query otherwise. */
static void
tick(db_t *db)
{
	int rc;
	json_t *r = db_one(db_prepare(db, "SELECT id FROM firmware_campaigns WHERE status = 'running' LIMIT 1"), &rc);
	if (!r)
		return;
	json_decref(r);
	if (firmware_advance(db, NULL) < 0)
		log_warn("firmware: advancing campaigns failed: %s", db_errmsg(db));
}

static void *
loop(void *arg)
{
	const char *url = arg;
	db_t *db = NULL;
	int64_t next_hourly = fg_now_ms() + 10 * 1000; /* first run soon after start, once the server is up */
	int64_t next_scan = next_hourly;
	for (;;) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += TICK_S;
		pthread_mutex_lock(&lock);
		while (!stopping && pthread_cond_timedwait(&wake, &lock, &until) != ETIMEDOUT)
			;
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
		kb_request_start(db); /* the admins' knowledge-base edits, as a request would see them */
		tick(db);
		if (fg_now_ms() >= next_scan) {
			fault_scan(db);
			next_scan = fg_now_ms() + scan_every_s() * 1000LL;
		}
		if (fg_now_ms() >= next_hourly) {
			hourly(db);
			next_hourly = fg_now_ms() + HOURLY_S * 1000LL;
		}
		if (db_in_tx(db)) { /* never left open by a run; a broken connection is reopened */
			db_rollback(db);
			db_close(db);
			db = NULL;
		}
	}
	if (db)
		db_close(db);
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
