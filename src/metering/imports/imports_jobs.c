/* The API's meter imports run on a thread of their own (imports.h mimp_submit): a million rows take seconds, more
 * than a request should hold a connection. One at a time per server: SQLite has one writer anyway, and two
 * imports of the same city's file at once can only conflict. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "metering/imports/imports.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	bool busy, started, joinable;
	pthread_t th;
	char id[37], actor[64];
	int fd;
	mimp_progress_t pg;
} cur;

static void *
worker(void *arg)
{
	(void)arg;
	db_t *db = db_thread();
	fg_err_t e = FG_ERR_INIT;
	if (!db || mimp_run(db, cur.actor, cur.id, cur.fd, &cur.pg, &e) != 0)
		log_info("meter import %s failed: %s", cur.id, e.code ? e.code : "no database");
	fg_err_clear(&e);
	close(cur.fd);
	pthread_mutex_lock(&mu);
	cur.busy = false;
	pthread_mutex_unlock(&mu);
	return NULL;
}

int
mimp_submit(db_t *db, const char *actor_id, int fd, size_t n, const char *filename, json_t **out, fg_err_t *err)
{
	pthread_mutex_lock(&mu);
	if (cur.busy) {
		fg_err(err, "meter_import_running");
		fg_err_detail_str(err, "import_id", cur.id);
		pthread_mutex_unlock(&mu);
		return -1;
	}
	char id[37];
	if (mimp_open(db, actor_id, filename, (int64_t)n, id, err) != 0) {
		pthread_mutex_unlock(&mu);
		return -1;
	}
	if (cur.joinable) { /* the last one ended (busy is false): collect its thread */
		pthread_join(cur.th, NULL);
		cur.joinable = false;
	}
	int dfd = dup(fd);
	memset(&cur.pg, 0, sizeof cur.pg);
	fg_fmt(cur.id, sizeof cur.id, "%s", id);
	fg_fmt(cur.actor, sizeof cur.actor, "%s", actor_id);
	cur.fd = dfd;
	if (!cur.started || dfd < 0) { /* no runner (a tool, a test): run it here */
		pthread_mutex_unlock(&mu);
		int rc = dfd < 0 ? -1 : mimp_run(db, actor_id, id, dfd, NULL, err);
		if (dfd >= 0)
			close(dfd);
		(void)rc;
		fg_err_clear(err); /* the outcome is the import's: the client reads it there */
	} else {
		cur.busy = true;
		if (pthread_create(&cur.th, NULL, worker, NULL) != 0) {
			cur.busy = false;
			close(dfd);
			pthread_mutex_unlock(&mu);
			return fg_err(err, "internal");
		}
		cur.joinable = true;
		pthread_mutex_unlock(&mu);
	}
	*out = mimp_get(db, id);
	return *out ? 0 : fg_err(err, "internal");
}

bool
mimp_live(const char *id, json_t **progress)
{
	pthread_mutex_lock(&mu);
	bool here = cur.busy && strcmp(cur.id, id) == 0;
	if (here) {
		int64_t r = atomic_load(&cur.pg.bytes_read), t = atomic_load(&cur.pg.bytes_total);
		static const char *const names[] = {"reading", "checking", "writing"};
		const char *phase = names[atomic_load(&cur.pg.phase) % 3];
		/* reading is most of the work; the last per cent is the move into the ledger */
		int pct = t > 0 ? (int)(r * 99 / t) : 0;
		*progress = json_pack("{s:s, s:I, s:I, s:I, s:i}", "phase", phase, "bytes_read", (json_int_t)r, "bytes_total",
		    (json_int_t)t, "rows", (json_int_t)atomic_load(&cur.pg.rows), "percent", pct > 99 ? 99 : pct);
	}
	pthread_mutex_unlock(&mu);
	return here;
}

int
mimp_start(void)
{
	cur.started = true;
	return 0;
}

/* Shutdown: the running import stops at its next record and rolls back (nothing partial), then is joined. */
void
mimp_stop(void)
{
	pthread_mutex_lock(&mu);
	atomic_store(&cur.pg.stop, true);
	bool join = cur.joinable;
	cur.joinable = false;
	cur.started = false;
	pthread_mutex_unlock(&mu);
	if (join)
		pthread_join(cur.th, NULL);
}
