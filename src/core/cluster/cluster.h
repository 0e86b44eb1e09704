#ifndef FG_CLUSTER_H
#define FG_CLUSTER_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/db/db.h"

/* Many `fieldgrid serve` processes (nodes) on one database (issue 15; docs/architecture.md "Cluster").
 *
 * Each node registers itself in cluster_nodes when it starts (a fresh id per process), renews its lease every
 * FG_CLUSTER_BEAT_MS (default 2000) and marks itself stopped when it stops cleanly. A node whose lease
 * (FG_CLUSTER_LEASE_MS, default 10000) ran out without a stop is lost: the first live node to see it settles, in
 * one transaction and once, what the lost node held (cluster_on_lost hooks: its chargers, the commands routed
 * through it).
 *
 * On PostgreSQL nodes talk through LISTEN/NOTIFY: a message to one node (cluster_send) or to all (node NULL) is
 * sent by the sender's transaction and delivered when it commits; the receiving node's cluster thread runs the
 * topic's handler on its own connection. On SQLite (one process) there is one node and messages to it run its
 * handler directly after the commit. The same thread, on both engines, renews the lease and looks for lost nodes. */

/* This process's node id (a UUID; "" before cluster_start). */
const char *cluster_node_id(void);

/* What a message's receiver does (the cluster thread, on its connection; db is not in a transaction). */
typedef void (*cluster_handler_fn)(db_t *db, const char *payload);
/* Settles what a lost node held; runs inside the transaction that marks it lost. 0, or -1 (rolled back, tried
 * again at the next beat). */
typedef int (*cluster_lost_fn)(db_t *db, const char *node_id, int64_t now_ms);

/* What this node does when it finds that the others took it for lost (it stalled longer than the lease) and it has
 * registered again: what it held was settled by them, so what it still holds (chargers' sockets) must be given up
 * and taken again (the cluster thread; no database). */
typedef void (*cluster_rejoined_fn)(void);

/* Registration, before cluster_start (modules' start hooks). topic: up to 40 characters. */
void cluster_on(const char *topic, cluster_handler_fn fn);
void cluster_on_lost(cluster_lost_fn fn);
void cluster_on_rejoined(cluster_rejoined_fn fn);

/* Registers the node (name: its listen address, for people reading cluster_nodes) and starts its thread. 0 or -1.
 * Before the server takes requests or chargers. */
int cluster_start(const char *url, const char *name);
/* After the server stopped (its chargers' disconnections written): marks the node stopped and ends the thread. */
void cluster_stop(void);

/* Sends payload (at most 7000 bytes) under topic to node (NULL: every node, this one included) when db's
 * transaction commits, or now outside one. 0, or -1 (db's error). */
int cluster_send(db_t *db, const char *node_id, const char *topic, const char *payload);

/* The SQL condition "the node in column col is live" (its lease has not run out, it has not stopped) with the
 * lease's edge (now - cluster_lease_ms()) as parameter $param, written to buf: every query that asks whether a
 * node is live uses it (e.g. cluster_live_sql(buf, n, "p.node_id", 2)). */
const char *cluster_live_sql(char *buf, size_t n, const char *col, int param);
int64_t cluster_lease_ms(void);

/* The nodes and the scheduled jobs' turns, for GET /api/v1/cluster. */
json_t *cluster_status(db_t *db, int64_t now_ms);

#endif
