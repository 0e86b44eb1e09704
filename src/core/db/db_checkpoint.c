/* Background WAL checkpoints for the server (db.h db_checkpointer_start / db_checkpointer_stop).
 *
 * By default SQLite checkpoints in the connection that commits: a commit that leaves 1,000 pages or more in the WAL
 * copies them into the database file (and syncs it) before the commit returns. For a request that wrote much — a
 * rotation campaign's 500,000 items — that was 0.7 s of its 1 s commit, paid by the user who pressed the button
 * (measured, bench/meters). In the server every connection instead hands the work to one thread: its WAL hook
 * only notes the WAL's size, and the thread runs the same PASSIVE checkpoint (it never blocks readers or the writer,
 * and copies what no reader still needs) on its own connection. The command-line tools keep SQLite's default.
 * PostgreSQL checkpoints itself: nothing here runs for it. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/db/db_impl.h"

#define CKPT_PAGES 1000   /* as SQLite's own autocheckpoint */
#define CKPT_IDLE_MS 2000 /* and at least this often while the server runs, for the pages below the mark */

static atomic_bool on;
static pthread_t thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static bool stopping, due;
static char *url;

static int
wal_hook(void *arg, sqlite3 *lite, const char *name, int pages)
{
	(void)arg;
	(void)lite;
	(void)name;
	if (pages >= CKPT_PAGES) {
		pthread_mutex_lock(&lock);
		due = true;
		pthread_cond_signal(&wake);
		pthread_mutex_unlock(&lock);
	}
	return SQLITE_OK;
}

void
db_sqlite_checkpoint_setup(sqlite3 *lite)
{
	/* replaces SQLite's own hook, which is what runs the checkpoint in the committing connection */
	if (atomic_load(&on))
		sqlite3_wal_hook(lite, wal_hook, NULL);
}

static void
checkpoint(db_t *db)
{
	int log_pages = 0, done = 0;
	int rc = sqlite3_wal_checkpoint_v2(db->lite, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_pages, &done);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		log_warn("database: checkpoint: %s", sqlite3_errmsg(db->lite));
}

static void *
run(void *arg)
{
	(void)arg;
	char err[256];
	db_t *db = db_open(url, err, sizeof err);
	if (!db) {
		log_error("database: the checkpoint thread cannot open the database: %s", err);
		return NULL;
	}
	pthread_mutex_lock(&lock);
	while (!stopping) {
		if (!due) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += CKPT_IDLE_MS / 1000;
			pthread_cond_timedwait(&wake, &lock, &until);
		}
		due = false;
		bool stop = stopping;
		pthread_mutex_unlock(&lock);
		if (!stop)
			checkpoint(db);
		pthread_mutex_lock(&lock);
	}
	pthread_mutex_unlock(&lock);
	checkpoint(db); /* what the last requests wrote, before the server exits */
	db_close(db);
	return NULL;
}

int
db_checkpointer_start(const char *db_url)
{
	if (!db_url || strncmp(db_url, "postgres", 8) == 0)
		return 0;
	url = fg_strdup(db_url);
	stopping = due = false;
	atomic_store(&on, true); /* before the thread opens its connection, and before any server thread opens one */
	if (pthread_create(&thread, NULL, run, NULL) != 0) {
		atomic_store(&on, false);
		free(url);
		url = NULL;
		log_error("database: cannot start the checkpoint thread");
		return -1;
	}
	return 0;
}

void
db_checkpointer_stop(void)
{
	if (!url)
		return;
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(thread, NULL);
	atomic_store(&on, false);
	free(url);
	url = NULL;
}
