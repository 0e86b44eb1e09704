/* The node's life in the cluster (cluster.h): registration, the lease it renews, the lost nodes it settles, and
 * the thread that receives the other nodes' messages. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/cluster/cluster.h"
#include "core/cluster/cluster_internal.h"

static char node_id[37];
static char channel[64]; /* "fgn_" and the id's 32 hex digits: this node's own LISTEN channel */
static pthread_t thread;
static bool started, stopping;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static char *url_;

#define MAX_LOST_HOOKS 8
static cluster_lost_fn lost_hooks[MAX_LOST_HOOKS];
static int nlost;
static cluster_rejoined_fn rejoined_hooks[MAX_LOST_HOOKS];
static int nrejoined;

const char *
cluster_node_id(void)
{
	return node_id;
}

void
cluster_channel_of(const char *id, char *out, size_t n)
{
	char hex[40];
	size_t k = 0;
	for (const char *p = id; *p && k < 32; p++)
		if (*p != '-')
			hex[k++] = *p;
	hex[k] = 0;
	fg_fmt(out, n, "fgn_%s", hex);
}

static int64_t
env_ms(const char *name, int64_t def)
{
	const char *v = getenv(name);
	long long x = v ? atoll(v) : 0;
	return x > 0 ? x : def;
}

int64_t
cluster_lease_ms(void)
{
	return env_ms("FG_CLUSTER_LEASE_MS", 10000);
}

static int64_t
beat_ms(void)
{
	return env_ms("FG_CLUSTER_BEAT_MS", 2000);
}

void
cluster_on_lost(cluster_lost_fn fn)
{
	if (nlost < MAX_LOST_HOOKS)
		lost_hooks[nlost++] = fn;
	else
		log_error("cluster: too many lost-node hooks");
}

void
cluster_on_rejoined(cluster_rejoined_fn fn)
{
	if (nrejoined < MAX_LOST_HOOKS)
		rejoined_hooks[nrejoined++] = fn;
	else
		log_error("cluster: too many rejoin hooks");
}

const char *
cluster_live_sql(char *buf, size_t n, const char *col, int param)
{
	fg_fmt(buf, n,
	    "EXISTS (SELECT 1 FROM cluster_nodes cn WHERE cn.id = %s AND cn.stopped_at IS NULL AND cn.lost_at IS NULL "
	    "AND cn.seen_at >= $%d)", col, param);
	return buf;
}

/* ---------- lease and lost nodes ---------- */

static int
beat(db_t *db, int64_t now)
{
	int rc;
	json_t *row = db_one(db_q(db, "UPDATE cluster_nodes SET seen_at = $1 WHERE id = $2 AND lost_at IS NULL RETURNING id",
				 "it", now, node_id), &rc);
	if (row) {
		json_decref(row);
		return 0;
	}
	if (rc != DB_DONE)
		return -1;
	/* the others took this node for lost (it stalled longer than the lease): what it held was settled by them (its
	 * chargers offline, its commands failed). It comes back as live and gives up what it still holds — its chargers'
	 * sockets, closed so that they connect again (through nginx, to any node) and their presence is written anew;
	 * kept open, they would stay connected here while the ledger says offline until their next reconnection. */
	log_error("cluster: this node (%s) was taken for lost by the others; it registers again", node_id);
	if (db_run(db_q(db, "UPDATE cluster_nodes SET seen_at = $1, lost_at = NULL WHERE id = $2", "it", now, node_id)) != DB_DONE)
		return -1;
	for (int k = 0; k < nrejoined; k++)
		rejoined_hooks[k]();
	return 0;
}

/* Each node whose lease ran out: marked lost by exactly one live node (the conditional UPDATE), which runs the
 * hooks in the same transaction. */
static void
reap(db_t *db, int64_t now)
{
	int rc;
	int64_t edge = now - cluster_lease_ms();
	json_t *ids = db_all(db_q(db, "SELECT id FROM cluster_nodes WHERE stopped_at IS NULL AND lost_at IS NULL AND "
				      "seen_at < $1 AND id <> $2 ORDER BY seen_at LIMIT 16", "it", edge, node_id), &rc);
	size_t i;
	json_t *r;
	json_array_foreach(ids, i, r) {
		const char *id = fg_jstr(r, "id");
		if (db_begin(db) != 0)
			break;
		json_t *won = db_one(db_q(db, "UPDATE cluster_nodes SET lost_at = $1 WHERE id = $2 AND lost_at IS NULL AND "
					      "stopped_at IS NULL AND seen_at < $3 RETURNING id", "iti", now, id, edge), &rc);
		int bad = won ? 0 : 1;
		json_decref(won);
		for (int k = 0; !bad && k < nlost; k++)
			bad = lost_hooks[k](db, id, now) != 0;
		if (bad || db_commit(db) != 0) {
			db_rollback(db);
			continue;
		}
		log_warn("cluster: node %s lost (no lease since %lld ms); what it held is settled", id,
		    (long long)(now - edge));
	}
	json_decref(ids);
}

/* ---------- the thread ---------- */

static db_t *
connect_node(void)
{
	char err[256];
	db_t *db = db_open(url_, err, sizeof err);
	if (!db) {
		log_warn("cluster: %s", err);
		return NULL;
	}
	if (db_kind(db) == DB_PG) {
		char sql[128];
		fg_fmt(sql, sizeof sql, "LISTEN fg_all; LISTEN %s", channel);
		if (db_exec(db, sql) != 0) {
			log_warn("cluster: LISTEN: %s", db_errmsg(db));
			db_close(db);
			return NULL;
		}
	}
	return db;
}

static bool
is_stopping(void)
{
	pthread_mutex_lock(&lock);
	bool s = stopping;
	pthread_mutex_unlock(&lock);
	return s;
}

static void
wait_ms(int ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	int64_t ns = until.tv_nsec + (int64_t)ms * 1000000LL;
	until.tv_sec += ns / 1000000000LL;
	until.tv_nsec = ns % 1000000000LL;
	pthread_mutex_lock(&lock);
	if (!stopping && !cluster_bus_pending())
		pthread_cond_timedwait(&wake, &lock, &until);
	pthread_mutex_unlock(&lock);
}

void
cluster_wake(void)
{
	pthread_mutex_lock(&lock);
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
}

static void *
loop(void *arg)
{
	(void)arg;
	db_t *db = NULL;
	int64_t next_beat = 0;
	while (!is_stopping()) {
		if (!db && !(db = connect_node())) {
			wait_ms(1000);
			continue;
		}
		cluster_bus_run_local(db);
		if (db_kind(db) == DB_PG) {
			/* a short wait, so a stop is not waited on for long */
			if (cluster_bus_receive(db, 250) < 0) {
				log_warn("cluster: the listening connection failed (%s); reconnecting", db_errmsg(db));
				db_close(db);
				db = NULL;
				continue;
			}
		} else
			wait_ms(250);
		int64_t now = fg_now_ms();
		if (now >= next_beat) {
			if (beat(db, now) != 0) {
				log_warn("cluster: lease: %s", db_errmsg(db));
				db_close(db);
				db = NULL;
				continue;
			}
			reap(db, now);
			next_beat = now + beat_ms();
		}
	}
	if (db)
		db_close(db);
	return NULL;
}

int
cluster_start(const char *url, const char *name)
{
	fg_uuid7(node_id);
	cluster_channel_of(node_id, channel, sizeof channel);
	free(url_);
	url_ = fg_strdup(url);
	char err[256];
	db_t *db = db_open(url, err, sizeof err);
	if (!db) {
		log_error("cluster: %s", err);
		return -1;
	}
	int64_t now = fg_now_ms();
	int rc = db_run(db_q(db, "INSERT INTO cluster_nodes (id, name, started_at, seen_at) VALUES ($1, $2, $3, $3)",
	    "tti", node_id, name ? name : "", now));
	if (rc != DB_DONE)
		log_error("cluster: cannot register this node: %s", db_errmsg(db));
	db_close(db);
	if (rc != DB_DONE)
		return -1;
	stopping = false;
	started = pthread_create(&thread, NULL, loop, NULL) == 0;
	if (!started) {
		log_error("cluster: cannot start its thread");
		return -1;
	}
	log_info("cluster: node %s (%s)", node_id, name ? name : "");
	return 0;
}

void
cluster_stop(void)
{
	if (!started)
		return;
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(thread, NULL);
	started = false;
	char err[256];
	db_t *db = db_open(url_, err, sizeof err);
	if (!db) {
		log_warn("cluster: cannot mark this node stopped: %s", err);
		return;
	}
	/* what it held goes with it, as when it is lost, but at once */
	int64_t now = fg_now_ms();
	int bad = db_begin(db) != 0 ||
		db_run(db_q(db, "UPDATE cluster_nodes SET stopped_at = $1, seen_at = $1 WHERE id = $2", "it", now, node_id)) !=
		    DB_DONE;
	for (int k = 0; !bad && k < nlost; k++)
		bad = lost_hooks[k](db, node_id, now) != 0;
	if (bad || db_commit(db) != 0) {
		log_warn("cluster: cannot mark this node stopped: %s", db_errmsg(db));
		db_rollback(db);
	}
	db_close(db);
}
