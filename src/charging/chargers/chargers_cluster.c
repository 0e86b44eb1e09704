/* Chargers anywhere, commands from anywhere (issue 15 item 1; docs/architecture.md "Cluster"). A charger's
 * WebSocket lives on one node; charger_presence says which, and is valid while that node's lease is. An operator's
 * command, a fault's remote fix or a firmware step may start on any node: its row is written there, and the node
 * that holds the charger is told through the cluster's messages (topic "ocpp.cmd") to send it; that node's writer
 * settles the row with the charger's answer, which every node reads. If the holding node dies first, the node
 * that finds it lost settles its commands "failed" (NodeLost) and its chargers offline: never pending forever. */
#include <stdlib.h>
#include <string.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/cluster/cluster.h"
#include "core/ocpp/ocpp.h"
#include "charging/chargers/chargers.h"
#include "charging/chargers/chargers_internal.h"

int
chg_presence_here(db_t *db, const char *charger_id, int64_t at)
{
	const char *me = cluster_node_id();
	if (!*me) /* not a server (the demo writes history through the same functions) */
		return 0;
	return db_run(db_q(db, "INSERT INTO charger_presence (charger_id, node_id, since) VALUES ($1, $2, $3) "
			       "ON CONFLICT (charger_id) DO UPDATE SET node_id = excluded.node_id, since = excluded.since",
		       "tti", charger_id, me, at)) == DB_DONE ? 0 : -1;
}

int
chg_presence_gone(db_t *db, const char *charger_id, const char *node_id, int64_t at)
{
	int rc;
	if (node_id && *node_id &&
	    db_run(db_q(db, "DELETE FROM charger_presence WHERE charger_id = $1 AND node_id = $2", "tt", charger_id, node_id)) !=
		DB_DONE)
		return -1;
	/* reconnected to another node before this one saw the old socket close: it stays online there */
	json_t *moved = db_one(db_q(db, "SELECT node_id FROM charger_presence WHERE charger_id = $1", "t", charger_id), &rc);
	if (!moved && rc != DB_DONE)
		return -1;
	if (!moved &&
	    db_run(db_q(db, "UPDATE chargers SET online = 0, last_seen_at = $1 WHERE id = $2", "it", at, charger_id)) != DB_DONE)
		return -1;
	json_decref(moved);
	return chg_event(db, charger_id, "disconnected", NULL, at);
}

/* The live node holding a charger's connection ({node_id, node_name, since}), found by col ("id" or
 * "charge_point_id") = value; NULL when none (rc: DB_DONE) or on a database error. */
static json_t *
live_presence(db_t *db, const char *col, const char *value, int *rc)
{
	char live[256], sql[640];
	cluster_live_sql(live, sizeof live, "p.node_id", 2);
	fg_fmt(sql, sizeof sql,
	    "SELECT p.node_id, n.name AS node_name, p.since FROM charger_presence p JOIN cluster_nodes n ON n.id = p.node_id "
	    "JOIN chargers c ON c.id = p.charger_id WHERE c.%s = $1 AND %s", col, live);
	return db_one(db_q(db, sql, "ti", value, fg_now_ms() - cluster_lease_ms()), rc);
}

int
chg_holder(db_t *db, const char *cpid, char node[37])
{
	node[0] = 0;
	if (ocpp_connected(cpid))
		return 1;
	if (!*cluster_node_id())
		return 0;
	int rc;
	json_t *row = live_presence(db, "charge_point_id", cpid, &rc);
	if (!row)
		return rc == DB_DONE ? 0 : -1;
	fg_fmt(node, 37, "%s", fg_jstr(row, "node_id"));
	json_decref(row);
	/* this node's own row while the socket is gone: not connected after all */
	return strcmp(node, cluster_node_id()) == 0 ? 0 : 2;
}

/* ---------- the node holding the charger: a routed command ---------- */

static void
settle(db_t *db, const char *cmd_id, const char *status, const char *code, const char *desc)
{
	if (db_begin(db) != 0)
		return;
	if (chargers_ocpp_command_done(db, cmd_id, status, NULL, code, desc, fg_now_ms()) != 0 || db_commit(db) != 0)
		db_rollback(db);
}

static void
on_command(db_t *db, const char *cmd_id)
{
	int rc;
	json_t *c = db_one(db_q(db, "SELECT c.action, c.payload, c.status, c.timeout_s, ch.charge_point_id FROM charger_commands c "
				    "JOIN chargers ch ON ch.id = c.charger_id WHERE c.id = $1", "t", cmd_id), &rc);
	if (!c) {
		if (rc != DB_DONE)
			log_warn("ocpp: routed command %s: %s", cmd_id, db_errmsg(db));
		return;
	}
	if (strcmp(fg_jstr(c, "status"), "pending") == 0) {
		json_t *payload = json_loads(fg_jstr(c, "payload") ? fg_jstr(c, "payload") : "{}", 0, NULL);
		json_t *to = json_object_get(c, "timeout_s");
		int timeout_s = json_is_integer(to) ? (int)json_integer_value(to) : 30;
		if (ocpp_send_command(fg_jstr(c, "charge_point_id"), cmd_id, fg_jstr(c, "action"), payload, timeout_s) != 0)
			settle(db, cmd_id, "disconnected", NULL, "the charger disconnected");
		json_decref(payload);
	}
	json_decref(c);
}

/* ---------- a lost (or stopped) node ---------- */

static int
on_lost(db_t *db, const char *node_id, int64_t now)
{
	int rc;
	json_t *held = db_all(db_q(db, "SELECT charger_id FROM charger_presence WHERE node_id = $1", "t", node_id), &rc);
	json_t *cmds = db_all(db_q(db, "SELECT id FROM charger_commands WHERE via_node = $1 AND status = 'pending'", "t", node_id), &rc);
	if (!held || !cmds) {
		json_decref(held);
		json_decref(cmds);
		return -1;
	}
	size_t i;
	json_t *r;
	int bad = 0;
	json_array_foreach(held, i, r) if (!bad) bad = chg_presence_gone(db, fg_jstr(r, "charger_id"), node_id, now) != 0;
	json_array_foreach(cmds, i, r) if (!bad) bad = chargers_ocpp_command_done(db, fg_jstr(r, "id"), "failed", NULL,
		"NodeLost", "the node holding the charger's connection stopped before the charger answered", now) != 0;
	if (!bad && (json_array_size(held) || json_array_size(cmds)))
		log_info("cluster: node %s held %zu chargers and %zu commands in flight: settled", node_id,
		    json_array_size(held), json_array_size(cmds));
	json_decref(held);
	json_decref(cmds);
	return bad ? -1 : 0;
}

/* This node was taken for lost and came back: the others set its chargers offline, so each connects again and its
 * presence is written by whichever node takes it (core/cluster/cluster.h). */
static void
on_rejoined(void)
{
	ocpp_close_all("this node was taken for lost by the cluster");
}

void
chg_cluster_start(void)
{
	cluster_on("ocpp.cmd", on_command);
	cluster_on_lost(on_lost);
	cluster_on_rejoined(on_rejoined);
}

bool
chargers_reachable(db_t *db, const char *cpid)
{
	char node[37];
	return chg_holder(db, cpid, node) > 0;
}

json_t *
chargers_connection(db_t *db, const char *charger_id)
{
	int rc;
	json_t *row = live_presence(db, "id", charger_id, &rc);
	return row ? row : json_null();
}

/* The job chargers.command_sweep: a command still pending well past its timeout was never settled by a node —
 * its message was lost (the holder restarted between the commit and its LISTEN) or its writer's row failed — and
 * is ended "timeout", so none stays pending forever. */
int
chg_command_sweep(db_t *db, int64_t now)
{
	int rc, n = 0;
	/* timeout_s + 60 s of grace: the holder's own timeout settles it first in every normal case */
	json_t *stale = db_all(db_q(db, "SELECT id FROM charger_commands WHERE status = 'pending' AND requested_at < $1 AND "
				     "requested_at + (COALESCE(timeout_s, 30) + 60) * 1000 < $1 ORDER BY requested_at LIMIT 200",
				  "i", now), &rc);
	if (!stale)
		return -1;
	size_t i;
	json_t *r;
	json_array_foreach(stale, i, r) {
		if (db_begin(db) != 0)
			break;
		if (chargers_ocpp_command_done(db, fg_jstr(r, "id"), "timeout", NULL, NULL,
			"no node settled the command in time", now) != 0 || db_commit(db) != 0) {
			db_rollback(db);
			continue;
		}
		n++;
	}
	json_decref(stale);
	return n;
}
