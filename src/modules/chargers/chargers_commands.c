#include <string.h>
#include <strings.h>
#include "base/util.h"
#include "ocpp/ocpp.h"
#include "ocpp/ocpp_schema.h"
#include "modules/chargers/chargers.h"

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
	/* the charger may answer within milliseconds: its row must be committed before the CALL leaves */
	if (db_in_tx(db))
		return fg_err(err, "internal");
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
	if (!ocpp_connected(cpid)) {
		fg_err(err, "charger_offline");
		fg_err_detail_str(err, "charge_point_id", cpid);
		return -1;
	}
	json_t *made = NULL;
	if (chargers_command_create(db, actor_id, charger_id, action, payload, &made, err) != 0)
		return -1;
	const char *cmd_id = json_string_value(json_object_get(made, "id"));
	if (ocpp_send_command(cpid, cmd_id, action, payload, timeout_s) != 0) { /* it left between the check and now */
		if (db_begin(db) == 0) {
			if (chargers_ocpp_command_done(db, cmd_id, "disconnected", NULL, NULL, "the charger disconnected", fg_now_ms()) != 0 ||
			    db_commit(db) != 0)
				db_rollback(db);
		}
		json_decref(made);
		fg_err(err, "charger_offline");
		fg_err_detail_str(err, "charge_point_id", cpid);
		return -1;
	}
	*out = made;
	return 0;
}
