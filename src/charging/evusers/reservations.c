#include <string.h>
#include "core/base/counter.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/ocpp/ocpp_frame.h"
#include "charging/chargers/chargers.h"
#include "charging/evusers/evusers.h"

/* Reservations (R4.7): recorded first (so the charger's answer has a row to land on), then ReserveNow goes out
 * through the gateway like any operator command. The status is read from what happened, never stored twice: the
 * charger's answer to ReserveNow, a session started with the reservation's id, the expiry, a cancellation. */

#define R_COLS "r.id, r.reservation_id, r.charger_id, c.charge_point_id, r.connector_id, r.id_tag, r.expiry_at, r.command_id, " \
	       "r.cancel_command_id, r.cancelled_at, r.no_show_at, r.failed_reason, r.created_by, r.created_at, r.updated_at, r.version"

static json_t *
command(db_t *db, json_t *r, const char *key)
{
	const char *id = fg_jstr(r, key);
	return id ? chargers_command_get(db, fg_jstr(r, "charger_id"), id) : NULL;
}

/* What became of it; "active" is whether it still holds the connector. */
static json_t *
shape(db_t *db, json_t *r)
{
	if (!r)
		return NULL;
	int rc;
	const char *st = "requested";
	json_t *cmd = command(db, r, "command_id"), *used = db_one(db_q(db,
	    "SELECT transaction_id FROM charge_transactions WHERE charger_id = $1 AND reservation_id = $2 LIMIT 1", "ti",
	    fg_jstr(r, "charger_id"), json_integer_value(json_object_get(r, "reservation_id"))), &rc);
	const char *cs = fg_jstr(cmd, "status");
	const char *answer = fg_jstr(json_object_get(cmd, "result"), "status");
	if (fg_jstr(r, "failed_reason"))
		st = "failed";
	else if (used)
		st = "used";
	else if (!json_is_null(json_object_get(r, "cancelled_at")) && json_object_get(r, "cancelled_at"))
		st = "cancelled";
	else if (cs && strcmp(cs, "pending") == 0)
		st = "requested";
	else if (cs && strcmp(cs, "accepted") == 0)
		st = json_integer_value(json_object_get(r, "expiry_at")) < fg_now_ms() ? "expired" : "accepted";
	else if (cs && strcmp(cs, "rejected") == 0 && answer)
		st = strcmp(answer, "Occupied") == 0 ? "occupied" : strcmp(answer, "Faulted") == 0 ? "faulted"
		    : strcmp(answer, "Unavailable") == 0 ? "unavailable" : "rejected";
	else if (cs)
		st = "failed"; /* a CALLERROR, a timeout, the charger gone */
	json_object_set_new(r, "status", json_string(st));
	json_object_set_new(r, "active", json_boolean(strcmp(st, "requested") == 0 || strcmp(st, "accepted") == 0));
	json_object_set_new(r, "charger_answer", answer ? json_string(answer) : json_null());
	json_object_set(r, "transaction_id", used ? json_object_get(used, "transaction_id") : json_null());
	json_decref(cmd);
	json_decref(used);
	return r;
}

json_t *
evusers_reservation_get(db_t *db, const char *id)
{
	int rc;
	return shape(db, db_one(db_q(db, "SELECT " R_COLS " FROM reservations r JOIN chargers c ON c.id = r.charger_id WHERE r.id = $1",
				     "t", id), &rc));
}

json_t *
evusers_reservations(db_t *db, const char *charger_id, const char *id_tag)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT " R_COLS " FROM reservations r JOIN chargers c ON c.id = r.charger_id "
				       "WHERE (CAST($1 AS TEXT) IS NULL OR r.charger_id = $1) AND (CAST($2 AS TEXT) IS NULL OR lower(r.id_tag) = lower($2)) "
				       "ORDER BY r.id DESC LIMIT 500", "tt", charger_id, id_tag), &rc);
	if (!rows)
		return NULL;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) shape(db, r);
	return json_pack("{s:o}", "items", rows);
}

static int
set_field(db_t *db, const char *actor_id, const char *id, const char *sql, const char *v)
{
	if (db_begin(db) != 0)
		return -1;
	if (db_lock_row(db, "reservations", id) != 0) {
		db_rollback(db);
		return -1;
	}
	json_t *before = evusers_reservation_get(db, id);
	int ok = before && db_run(db_q(db, sql, "tit", v, fg_now_ms(), id)) == DB_DONE;
	json_t *after = ok ? evusers_reservation_get(db, id) : NULL;
	ok = ok && after && audit_write(db, actor_id, "update", "reservation", id, before, after) == 0 && db_commit(db) == 0;
	json_decref(before);
	json_decref(after);
	if (!ok)
		db_rollback(db);
	return ok ? 0 : -1;
}

int
evusers_reserve(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	const char *charger_id = fg_jstr(in, "charger_id"), *tag = fg_jstr(in, "id_tag");
	json_int_t conn = json_integer_value(json_object_get(in, "connector_id"));
	json_int_t minutes = json_integer_value(json_object_get(in, "minutes"));
	if (minutes < 5 || minutes > 240)
		return fg_err_field(err, "invalid_field", "minutes", "5 to 240");
	json_t *c = chargers_get(db, charger_id);
	if (!c)
		return fg_err_field(err, "invalid_field", "charger_id", "no such charger");
	json_int_t count = json_integer_value(json_object_get(c, "connector_count"));
	json_decref(c);
	if (conn < 1 || conn > count)
		return fg_err_field(err, "invalid_field", "connector_id", "a connector of this charger (1 …)");
	int rc;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	/* one live reservation per connector: the check below and the insert hold while the charger's row is locked */
	if (db_lock_row(db, "chargers", charger_id) != 0)
		return db_fail(db, err);
	/* OCPP IdToken is case-insensitive: the registered spelling is what the reservation and the charger get */
	json_t *t = db_one(db_q(db, "SELECT id_tag, status FROM id_tags WHERE lower(id_tag) = lower($1)", "t", tag), &rc);
	if (!t) {
		fg_err_field(err, "invalid_field", "id_tag", "not a registered id tag");
		return db_fail(db, err);
	}
	bool blocked = strcmp(fg_jstr(t, "status"), "Accepted") != 0;
	char canon[64];
	fg_fmt(canon, sizeof canon, "%s", fg_jstr(t, "id_tag"));
	tag = canon;
	json_decref(t);
	if (blocked) { /* the charger would refuse the tag anyway; a blocked user does not hold a connector */
		fg_err_field(err, "id_tag_blocked", "id_tag", NULL);
		return db_fail(db, err);
	}
	int64_t now = fg_now_ms(), expiry = now + minutes * 60000;
	/* one live reservation per connector: an earlier one still requested or accepted and not run out */
	json_t *mine = evusers_reservations(db, charger_id, NULL), *x;
	size_t i;
	json_array_foreach(json_object_get(mine, "items"), i, x) {
		if (json_is_true(json_object_get(x, "active")) && json_integer_value(json_object_get(x, "connector_id")) == conn &&
		    json_integer_value(json_object_get(x, "expiry_at")) > now) {
			fg_err(err, "reservation_overlap");
			fg_err_detail_str(err, "reservation", fg_jstr(x, "id"));
			json_decref(mine);
			return db_fail(db, err);
		}
	}
	json_decref(mine);
	char id[37];
	fg_uuid7(id);
	int64_t rid = counter_next(db, "ocpp_reservation_id");
	if (rid < 0 || db_run(db_q(db, "INSERT INTO reservations (id, reservation_id, charger_id, connector_id, id_tag, expiry_at, "
				       "created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
				  "titititi", id, rid, charger_id, (int64_t)conn, tag, expiry, actor_id, now)) != DB_DONE)
		return db_fail(db, err);
	json_t *after = evusers_reservation_get(db, id);
	if (!after || audit_write(db, actor_id, "create", "reservation", id, NULL, after) != 0 || db_commit(db) != 0) {
		json_decref(after);
		return db_fail(db, err);
	}
	json_decref(after);
	char ts[32];
	ocpp_format_time(expiry, ts);
	json_t *payload = json_pack("{s:I, s:s, s:s, s:I}", "connectorId", conn, "expiryDate", ts, "idTag", tag, "reservationId",
	    (json_int_t)rid), *cmd = NULL;
	fg_err_t send = FG_ERR_INIT;
	int sent = chargers_command_send(db, actor_id, charger_id, "ReserveNow", payload, 30, &cmd, &send);
	json_decref(payload);
	if (sent == 0 ? set_field(db, actor_id, id, "UPDATE reservations SET command_id = $1, updated_at = $2 WHERE id = $3",
			    fg_jstr(cmd, "id")) != 0
		      : set_field(db, actor_id, id, "UPDATE reservations SET failed_reason = $1, updated_at = $2 WHERE id = $3",
			    send.code) != 0) {
		json_decref(cmd);
		fg_err_clear(&send);
		return fg_err(err, "internal");
	}
	json_decref(cmd);
	if (sent != 0) { /* recorded as failed, and the caller hears why */
		*err = send;
		fg_err_detail_str(err, "reservation", id);
		return -1;
	}
	*out = evusers_reservation_get(db, id);
	return 0;
}

int
evusers_reservation_cancel(db_t *db, const char *actor_id, const char *id, json_t **out, fg_err_t *err)
{
	json_t *r = evusers_reservation_get(db, id);
	if (!r)
		return fg_err_not_found(err, "reservation", id);
	bool active = json_is_true(json_object_get(r, "active"));
	json_t *payload = json_pack("{s:O}", "reservationId", json_object_get(r, "reservation_id")), *cmd = NULL;
	char charger_id[40];
	fg_fmt(charger_id, sizeof charger_id, "%s", fg_jstr(r, "charger_id"));
	json_decref(r);
	if (!active) {
		json_decref(payload);
		return fg_err(err, "reservation_not_active");
	}
	int rc = chargers_command_send(db, actor_id, charger_id, "CancelReservation", payload, 30, &cmd, err);
	json_decref(payload);
	if (rc != 0)
		return -1;
	/* cancelled on our side at once: the connector is the user's no longer, whatever the charger answers */
	rc = set_field(db, actor_id, id, "UPDATE reservations SET cancel_command_id = $1, cancelled_at = $2, updated_at = $2 WHERE id = $3",
	    fg_jstr(cmd, "id"));
	json_decref(cmd);
	if (rc != 0)
		return fg_err(err, "internal");
	*out = evusers_reservation_get(db, id);
	return 0;
}
