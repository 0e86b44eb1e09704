#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/base/util.h"
#include "core/ocpp/ocpp.h"
#include "core/ocpp/ocpp_schema.h"
#include "core/audit/audit.h"
#include "core/cluster/cluster.h"
#include "charging/chargers/chargers.h"
#include "charging/chargers/chargers_internal.h"

/* Operator commands as a domain call, so the REST API, fault triage (a remote Reset) and reservations
 * (ReserveNow) send them the same way: the payload checked against the charger's own schema, the command recorded,
 * then queued at the gateway, whose writer settles the row with the charger's answer. */

static const char *const commands[] = {"RemoteStartTransaction", "RemoteStopTransaction", "Reset", "UnlockConnector",
    "ChangeAvailability", "GetConfiguration", "ChangeConfiguration", "ClearCache", "TriggerMessage", "ReserveNow",
    "CancelReservation", "UpdateFirmware", "GetDiagnostics", "DataTransfer", NULL};

bool
chargers_command_known(const char *action)
{
	for (int i = 0; action && commands[i]; i++)
		if (strcmp(commands[i], action) == 0)
			return true;
	return false;
}

/* The charger left before its command could leave: the row says so rather than waiting for a timeout. */
static void
settle_disconnected(db_t *db, const char *cmd_id)
{
	if (db_begin(db) != 0)
		return;
	if (chargers_ocpp_command_done(db, cmd_id, "disconnected", NULL, NULL, "the charger disconnected", fg_now_ms()) != 0 ||
	    db_commit(db) != 0)
		db_rollback(db);
}

typedef struct {
	char cpid[80], cmd_id[40], action[40];
	json_t *payload;
	int timeout_s;
} push_t;

static void
push_drop(void *arg)
{
	push_t *p = arg;
	json_decref(p->payload);
	free(p);
}

/* After the commit that made the command's row visible to the gateway's writer, which settles it. */
static void
push_now(db_t *db, void *arg)
{
	push_t *p = arg;
	if (ocpp_send_command(p->cpid, p->cmd_id, p->action, p->payload, p->timeout_s) != 0)
		settle_disconnected(db, p->cmd_id);
	push_drop(p);
}

int
chargers_command_push(db_t *db, const char *cpid, const char *cmd_id, const char *action, json_t *payload, int timeout_s)
{
	/* the node that sends it is written on the row: should that node die before the answer, the node that finds it
	 * lost settles the command (chargers_cluster.c) */
	char node[37];
	int where = chg_holder(db, cpid, node);
	if (where < 0 || db_run(db_q(db, "UPDATE charger_commands SET via_node = $1, timeout_s = $2 WHERE id = $3", "tit",
				 where == 2 ? node : cluster_node_id(), (int64_t)timeout_s, cmd_id)) != DB_DONE) {
		if (!db_in_tx(db))
			settle_disconnected(db, cmd_id);
		return -1;
	}
	if (where == 2) { /* another node holds the charger: it sends the command once this row is committed */
		if (cluster_send(db, node, "ocpp.cmd", cmd_id) == 0)
			return 0;
		if (!db_in_tx(db))
			settle_disconnected(db, cmd_id);
		return -1;
	}
	/* the charger may answer within milliseconds: its row must be committed before the CALL leaves */
	if (!db_in_tx(db)) {
		if (ocpp_send_command(cpid, cmd_id, action, payload, timeout_s) == 0)
			return 0;
		settle_disconnected(db, cmd_id);
		return -1;
	}
	push_t *p = fg_calloc(1, sizeof *p);
	fg_fmt(p->cpid, sizeof p->cpid, "%s", cpid);
	fg_fmt(p->cmd_id, sizeof p->cmd_id, "%s", cmd_id);
	fg_fmt(p->action, sizeof p->action, "%s", action);
	p->payload = json_incref(payload);
	p->timeout_s = timeout_s;
	db_after_commit(db, push_now, p, push_drop);
	return 0;
}

int
chargers_command_send(db_t *db, const char *actor_id, const char *charger_id, const char *action, json_t *payload,
    int timeout_s, json_t **out, fg_err_t *err)
{
	if (!chargers_command_known(action)) {
		fg_err(err, "command_not_supported");
		fg_err_detail_str(err, "action", action);
		return -1;
	}
	if (timeout_s < 1 || timeout_s > 600)
		return fg_err_field(err, "invalid_field", "timeout_s", "1 to 600 seconds");
	ocpp_fault_t ft;
	if (ocpp_schema_check(ocpp_schema_get(action, false), payload, &ft) != 0) {
		/* the charger would refuse it (its schemas are the same): say which field before sending anything */
		fg_err_field(err, "invalid_field", "payload", ft.desc);
		fg_err_detail_str(err, "ocpp_error", ft.code);
		return -1;
	}
	const char *ck = json_string_value(json_object_get(payload, "key"));
	if (strcmp(action, "ChangeConfiguration") == 0 && ck && strcasecmp(ck, "AuthorizationKey") == 0)
		/* the key would sit in the command's row and the audit in clear, and our hash would not follow it */
		return fg_err_field(err, "invalid_field", "payload",
		    "set AuthorizationKey with POST /chargers/{id}/actions/rotate-key {\"push\":true}");
	json_t *c = chargers_get(db, charger_id);
	if (!c)
		return fg_err_not_found(err, "charger", charger_id);
	char cpid[80];
	fg_fmt(cpid, sizeof cpid, "%s", json_string_value(json_object_get(c, "charge_point_id")));
	json_decref(c);
	if (!chargers_reachable(db, cpid)) { /* on no node of the cluster */
		fg_err(err, "charger_offline");
		fg_err_detail_str(err, "charge_point_id", cpid);
		return -1;
	}
	json_t *made = NULL;
	if (chargers_command_create(db, actor_id, charger_id, action, payload, &made, err) != 0)
		return -1;
	const char *cmd_id = json_string_value(json_object_get(made, "id"));
	if (chargers_command_push(db, cpid, cmd_id, action, payload, timeout_s) != 0) { /* it left between the check and now */
		json_decref(made);
		fg_err(err, "charger_offline");
		fg_err_detail_str(err, "charge_point_id", cpid);
		return -1;
	}
	*out = made;
	return 0;
}

/* ---------- the commands' rows ---------- */

#define CMD_COLS                                                                                                       \
	"id, charger_id, action, payload, status, result, error_code, error_description, requested_by, requested_at, "  \
	"finished_at, version"

static json_t *
cmd_shape(json_t *c)
{
	if (!c)
		return NULL;
	const char *keys[] = {"payload", "result"};
	for (int i = 0; i < 2; i++) {
		const char *s = chg_str(c, keys[i]);
		json_t *v = s ? json_loads(s, 0, NULL) : NULL;
		json_object_set_new(c, keys[i], v ? v : json_null());
	}
	return c;
}

int
chargers_command_create(db_t *db, const char *actor_id, const char *charger_id, const char *action, json_t *payload,
    json_t **out, fg_err_t *err)
{
	char id[37];
	fg_uuid7(id);
	char *p = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
	if (db_begin(db) != 0) {
		free(p);
		return db_fail(db, err);
	}
	int rc = db_run(db_q(db,
	    "INSERT INTO charger_commands (id, charger_id, action, payload, status, requested_by, requested_at) "
	    "VALUES ($1, $2, $3, $4, 'pending', $5, $6)", "ttttti", id, charger_id, action, p, actor_id, fg_now_ms()));
	free(p);
	json_t *after = rc == DB_DONE ? chargers_command_get(db, charger_id, id) : NULL;
	if (!after || audit_write(db, actor_id, "create", "charger_command", id, NULL, after) != 0 || db_commit(db) != 0) {
		json_decref(after);
		return db_fail(db, err);
	}
	*out = after;
	return 0;
}

json_t *
chargers_command_get(db_t *db, const char *charger_id, const char *cmd_id)
{
	int rc;
	return cmd_shape(db_one(db_q(db, "SELECT " CMD_COLS " FROM charger_commands WHERE id = $1 AND charger_id = $2", "tt",
				    cmd_id, charger_id), &rc));
}

int
chargers_command_list(db_t *db, const char *charger_id, const char *cursor, int limit, json_t **out, fg_err_t *err)
{
	if (qb_list(db, "SELECT " CMD_COLS " FROM charger_commands WHERE 1 = 1",
		"SELECT COUNT(*) AS n FROM charger_commands WHERE 1 = 1", chg_charger_id_where, charger_id, "id", true, cursor, limit,
		out) != 0)
		return fg_err(err, "internal");
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(*out, "items"), i, c) cmd_shape(c);
	return 0;
}
