/* What chargers reported, read back for the REST API (the chargers module, chargers_internal.h): charging
 * transactions, the status and event logs, meter values. The gateway's writer (chargers_ocpp.c) writes them;
 * nothing here writes. */
#include <string.h>
#include "core/base/util.h"
#include "charging/chargers/chargers.h"
#include "charging/chargers/chargers_internal.h"

#define TX_COLS                                                                                                        \
	"id, transaction_id, charger_id, connector_id, id_tag, id_tag_status, start_at, meter_start, reservation_id, "  \
	"stop_at, meter_stop, stop_reason, stop_id_tag, energy_wh, orphan, reported_transaction_id, created_at, "       \
	"updated_at, version"

json_t *
chargers_transaction_get(db_t *db, const char *id)
{
	int rc;
	return db_one(db_q(db, "SELECT " TX_COLS " FROM charge_transactions WHERE id = $1", "t", id), &rc);
}

int
chargers_transactions(db_t *db, const char *charger_id, const char *cursor, int limit, json_t **out, fg_err_t *err)
{
	if (qb_list(db, "SELECT " TX_COLS " FROM charge_transactions WHERE 1 = 1",
		"SELECT COUNT(*) AS n FROM charge_transactions WHERE 1 = 1", chg_charger_id_where, charger_id, "id", true, cursor,
		limit, out) != 0)
		return fg_err(err, "internal");
	size_t i;
	int rc;
	json_t *t;
	json_array_foreach(json_object_get(*out, "items"), i, t) {
		json_object_set_new(t, "orphan", json_boolean(json_integer_value(json_object_get(t, "orphan"))));
		json_t *tid = json_object_get(t, "transaction_id");
		int64_t n = json_integer_value(tid ? tid : json_object_get(t, "reported_transaction_id"));
		json_t *mv = db_one(db_q(db, "SELECT COUNT(*) AS n FROM meter_values WHERE charger_id = $1 AND transaction_id = $2",
					"ti", charger_id, n), &rc);
		json_object_set_new(t, "meter_value_count", json_integer(mv ? json_integer_value(json_object_get(mv, "n")) : 0));
		json_decref(mv);
	}
	return 0;
}

int
chargers_history(db_t *db, const char *charger_id, const char *log, const char *cursor, int limit, json_t **out,
    fg_err_t *err)
{
	bool status = strcmp(log, "status") == 0;
	int rc = status
	    ? qb_list(db, "SELECT id, connector_id, status, error_code, info, vendor_id, vendor_error_code, at, received_at "
			  "FROM charger_status_log WHERE 1 = 1",
		  "SELECT COUNT(*) AS n FROM charger_status_log WHERE 1 = 1", chg_charger_id_where, charger_id, "id", true, cursor,
		  limit, out)
	    : qb_list(db, "SELECT id, kind, payload, at FROM charger_events WHERE 1 = 1",
		  "SELECT COUNT(*) AS n FROM charger_events WHERE 1 = 1", chg_charger_id_where, charger_id, "id", true, cursor, limit,
		  out);
	if (rc != 0)
		return fg_err(err, "internal");
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(*out, "items"), i, x) {
		if (status)
			break;
		const char *p = chg_str(x, "payload");
		json_t *v = p ? json_loads(p, 0, NULL) : NULL; /* what the charger sent, as JSON again */
		json_object_set_new(x, "payload", v ? v : json_null());
	}
	return 0;
}

json_t *
chargers_meter_values(db_t *db, const char *charger_id, int64_t transaction_id, int limit)
{
	int rc;
	json_t *a = db_all(db_q(db,
	    "SELECT connector_id, transaction_id, at, measurand, value, unit, context, phase, location FROM meter_values "
	    "WHERE charger_id = $1 AND transaction_id = $2 ORDER BY at, id LIMIT $3", "tii", charger_id, transaction_id,
	    (int64_t)limit), &rc);
	return a ? a : json_array();
}
