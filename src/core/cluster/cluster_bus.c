/* Messages between nodes (cluster.h cluster_send / cluster_on): PostgreSQL's NOTIFY on the receiver's channel
 * ("fgn_…", or "fg_all" for every node), "topic payload" as the notification's text. On SQLite there is one node:
 * a message is queued here after the commit and run by the node's thread, as a notification would be. */
#include <stdatomic.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/cluster/cluster.h"
#include "core/cluster/cluster_internal.h"

#define MAX_TOPICS 16
#define MAX_PAYLOAD 7000 /* NOTIFY takes under 8000 bytes */
#define MAX_LOCAL 4096   /* local messages waiting; more are dropped (logged): memory stays bounded */

static struct {
	char topic[41];
	cluster_handler_fn fn;
} topics[MAX_TOPICS];
static int ntopics;

typedef struct msg {
	struct msg *next;
	char *text; /* "topic payload" */
} msg_t;
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static msg_t *qhead, **qtail = &qhead;
static atomic_int qlen;

void
cluster_on(const char *topic, cluster_handler_fn fn)
{
	if (ntopics >= MAX_TOPICS || strlen(topic) > 40 || strchr(topic, ' ')) {
		log_error("cluster: cannot register topic %s", topic);
		return;
	}
	fg_fmt(topics[ntopics].topic, sizeof topics[ntopics].topic, "%s", topic);
	topics[ntopics++].fn = fn;
}

static void
dispatch(db_t *db, const char *text)
{
	size_t tl = strcspn(text, " ");
	const char *payload = text[tl] ? text + tl + 1 : "";
	for (int i = 0; i < ntopics; i++)
		if (strlen(topics[i].topic) == tl && memcmp(topics[i].topic, text, tl) == 0) {
			topics[i].fn(db, payload);
			if (db_in_tx(db)) { /* a handler must end what it began */
				log_error("cluster: %s left a transaction open; rolled back", topics[i].topic);
				db_rollback(db);
			}
			return;
		}
	log_warn("cluster: a message of unknown topic %.*s", (int)(tl < 40 ? tl : 40), text);
}

/* ---------- SQLite: the local queue ---------- */

static void
queue_text(char *text)
{
	if (atomic_load(&qlen) >= MAX_LOCAL) {
		log_warn("cluster: local message queue full; dropped %.40s", text);
		free(text);
		return;
	}
	msg_t *m = fg_calloc(1, sizeof *m);
	m->text = text;
	pthread_mutex_lock(&qlock);
	*qtail = m;
	qtail = &m->next;
	atomic_fetch_add(&qlen, 1);
	pthread_mutex_unlock(&qlock);
	cluster_wake();
}

static void
queue_after_commit(db_t *db, void *arg)
{
	(void)db;
	queue_text(arg);
}

bool
cluster_bus_pending(void)
{
	return atomic_load(&qlen) > 0;
}

void
cluster_bus_run_local(db_t *db)
{
	pthread_mutex_lock(&qlock);
	msg_t *m = qhead;
	qhead = NULL;
	qtail = &qhead;
	atomic_store(&qlen, 0);
	pthread_mutex_unlock(&qlock);
	while (m) {
		msg_t *next = m->next;
		dispatch(db, m->text);
		free(m->text);
		free(m);
		m = next;
	}
}

/* ---------- PostgreSQL: NOTIFY ---------- */

typedef struct {
	char **texts;
	size_t n, cap;
} got_t;

static void
collect(const char *chan, const char *payload, void *arg)
{
	(void)chan;
	got_t *g = arg;
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 8;
		g->texts = fg_realloc(g->texts, g->cap * sizeof *g->texts);
	}
	g->texts[g->n++] = fg_strdup(payload);
}

int
cluster_bus_receive(db_t *db, int timeout_ms)
{
	got_t g = {0};
	int rc = db_wait_notify(db, timeout_ms, collect, &g);
	/* the handlers run after the wait: they use the same connection for their queries */
	for (size_t i = 0; i < g.n; i++) {
		dispatch(db, g.texts[i]);
		free(g.texts[i]);
	}
	free(g.texts);
	return rc < 0 ? -1 : (int)g.n;
}

int
cluster_send(db_t *db, const char *node, const char *topic, const char *payload)
{
	size_t n = strlen(topic) + 1 + strlen(payload ? payload : "");
	if (n > MAX_PAYLOAD) {
		log_error("cluster: a %s message of %zu bytes is too long", topic, n);
		return -1;
	}
	char *text = fg_calloc(1, n + 1);
	snprintf(text, n + 1, "%s %s", topic, payload ? payload : "");
	if (db_kind(db) != DB_PG) {
		if (node && strcmp(node, cluster_node_id()) != 0) { /* one process: no other node to reach */
			log_warn("cluster: no node %s on SQLite; %s not sent", node, topic);
			free(text);
			return -1;
		}
		if (db_in_tx(db))
			db_after_commit(db, queue_after_commit, text, free);
		else
			queue_text(text);
		return 0;
	}
	char chan[64];
	if (node)
		cluster_channel_of(node, chan, sizeof chan);
	else
		fg_fmt(chan, sizeof chan, "fg_all");
	int rc;
	json_t *row = db_one(db_q(db, "SELECT pg_notify($1, $2) AS sent", "tt", chan, text), &rc);
	json_decref(row);
	free(text);
	return rc == DB_ROW ? 0 : -1;
}
