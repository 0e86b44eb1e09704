#ifndef FG_CHARGERS_H
#define FG_CHARGERS_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/ocpp/ocpp_host.h"

/* Charging stations and chargers (充电站 / 充电桩, R4.1, R4.2, R4.12): the ledger, id tags, and what the OCPP
 * gateway (src/core/ocpp/) records. chargers.c and its siblings (listed in chargers_internal.h) hold the ledger
 * rules for the REST API; chargers_ocpp.c the writes of the gateway's writer thread (one transaction per batch of
 * charger messages). */

/* A charger is online while connected and heard from within 2 × heartbeat interval + this grace. */
#define CHARGERS_ONLINE_GRACE_MS (60 * 1000)

/* Stations. */
json_t *chargers_station_get(db_t *db, const char *id);
int chargers_station_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
int chargers_station_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err);
int chargers_station_list(db_t *db, const char *q, const char *cursor, int limit, json_t **out, fg_err_t *err);

/* Deletes a station that no charger refers to (409 station_has_chargers). version: the one the caller read. */
int chargers_station_delete(db_t *db, const char *actor_id, const char *id, int64_t version, fg_err_t *err);

/* Chargers. get: with connectors[] and the derived online flag; never the key or its hash. */
json_t *chargers_get(db_t *db, const char *id);
/* out gets authorization_key (the HTTP Basic password for security profile 1), shown this once. */
int chargers_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
int chargers_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err);
/* Deletes a charger entered by mistake: only one that never spoke (no transactions, commands, status reports,
 * meter values or events; else 409 charger_has_history). */
int chargers_delete(db_t *db, const char *actor_id, const char *id, int64_t version, fg_err_t *err);
/* A new AuthorizationKey. push = false: in force at once (set it on the charger by hand). push = true: recorded as
 * pending with a ChangeConfiguration command (out.command, its payload stored with the key redacted) that the
 * caller sends; the new key replaces the old one only when the charger answers Accepted. */
int chargers_rotate_key(db_t *db, const char *actor_id, const char *id, bool push, json_t **out, fg_err_t *err);
typedef struct {
	const char *station_id, *kind, *payment, *vendor, *model, *q, *cursor;
	int online; /* -1 any, 0, 1 */
	int limit;
} chargers_filter_t;
int chargers_list(db_t *db, const chargers_filter_t *f, json_t **out, fg_err_t *err);
/* The live board: every charger (up to 2000) with online, last_seen_at and each connector's status. */
json_t *chargers_live(db_t *db, const char *station_id);
json_t *chargers_connectors(db_t *db, const char *charger_id);
int chargers_transactions(db_t *db, const char *charger_id, const char *cursor, int limit, json_t **out, fg_err_t *err);
json_t *chargers_transaction_get(db_t *db, const char *id);
/* History, newest first: every StatusNotification (log = "status") or connects, boots, DataTransfer, diagnostics
 * and firmware reports (log = "events"). */
int chargers_history(db_t *db, const char *charger_id, const char *log, const char *cursor, int limit, json_t **out,
    fg_err_t *err);
json_t *chargers_meter_values(db_t *db, const char *charger_id, int64_t transaction_id, int limit);

/* Id tags (RFID cards, app users) that Authorize and StartTransaction check. */
int chargers_idtag_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
int chargers_idtag_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err);
int chargers_idtag_list(db_t *db, const char *cursor, int limit, json_t **out, fg_err_t *err);

/* Operator commands. create: records the command (status pending) for the gateway to send; the caller checked the
 * charger is connected. */
int chargers_command_create(db_t *db, const char *actor_id, const char *charger_id, const char *action, json_t *payload,
    json_t **out, fg_err_t *err);
json_t *chargers_command_get(db_t *db, const char *charger_id, const char *cmd_id);
/* Whether the API sends this OCPP action to chargers. */
bool chargers_command_known(const char *action);
/* Sends an operator command (chargers_commands.c): payload checked against the OCPP 1.6 schema, the command
 * recorded (pending), then queued at the gateway; the charger's answer settles the row. Inside a transaction (a
 * keyed write) the CALL leaves when it commits, never before (the answer may come at once, and a rollback must
 * send nothing); should the charger leave meanwhile, the row is settled "disconnected". Refusals:
 * command_not_supported, invalid_field (payload, timeout_s), not_found, charger_offline. out: the command. */
int chargers_command_send(db_t *db, const char *actor_id, const char *charger_id, const char *action, json_t *payload,
    int timeout_s, json_t **out, fg_err_t *err);
/* {node_id, node_name, since} of the live node holding the charger's connection, or JSON null. */
json_t *chargers_connection(db_t *db, const char *charger_id);
/* Whether charge point cpid is connected to a live node of the cluster (this one or another). */
bool chargers_reachable(db_t *db, const char *cpid);
/* Queues a recorded command (its row: cmd_id) at the gateway for charge point cpid once the row is committed: at
 * once outside a transaction (-1 when the charger has left: the row is settled "disconnected"), else after the
 * commit (0; a rollback sends nothing). payload is not taken. */
int chargers_command_push(db_t *db, const char *cpid, const char *cmd_id, const char *action, json_t *payload, int timeout_s);
int chargers_command_list(db_t *db, const char *charger_id, const char *cursor, int limit, json_t **out, fg_err_t *err);

/* --- the gateway's side (chargers_ocpp.c) --- */

/* What the handshake needs to admit a charger (the gateway's type: src/core/ocpp/ocpp.h). */
typedef ocpp_charger_auth_t chargers_auth_t;
/* 1 found, 0 unknown, -1 database error. */
int chargers_auth_lookup(db_t *db, const char *charge_point_id, chargers_auth_t *out);
/* Constant-time check of an HTTP Basic password against the stored hash. */
bool chargers_key_ok(const char *auth_hash, const char *key, size_t keylen);

/* One CALL from a charger, inside the writer's transaction. reply: the CALLRESULT payload. Returns 0, or -1 on a
 * database error (the writer rolls back and answers InternalError). */
int chargers_ocpp_call(db_t *db, const char *charger_id, const char *action, json_t *payload, int64_t recv_ms,
    json_t **reply);
/* Connection life: connected / disconnected / seen (a frame or a pong, written at most every few seconds). */
int chargers_ocpp_link(db_t *db, const char *charger_id, const char *what, int64_t at);
/* A command's outcome: status accepted|rejected|failed|timeout|disconnected. */
int chargers_ocpp_command_done(db_t *db, const char *cmd_id, const char *status, json_t *result, const char *error_code,
    const char *error_desc, int64_t at);

/* The gateway's host (src/core/ocpp/ocpp.h) made of the functions above; the chargers module registers it at
 * start-up. */
extern const ocpp_host_t chargers_ocpp_host;

#endif
