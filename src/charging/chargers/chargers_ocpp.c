/* What the OCPP gateway's writer thread records (see chargers.h and src/core/ocpp/ocpp_gw.c). Every function runs
 * inside the writer's transaction; payloads were checked against the OCPP 1.6 schemas before they get here, so
 * the types are right, though values (ids, times) still need sense checks. */
#include <stdlib.h>
#include <string.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/ocpp/ocpp_frame.h"
#include "core/events/events.h"
#include "core/cluster/cluster.h"
#include "charging/chargers/chargers.h"
#include "charging/chargers/chargers_internal.h"

static int64_t
num(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* A nullable integer as text for CAST($N AS BIGINT): NULL when v is not an integer */
static const char *
inum(json_t *v, char buf[24])
{
	if (!json_is_integer(v))
		return NULL;
	fg_fmt(buf, 24, "%lld", (long long)json_integer_value(v));
	return buf;
}

int
chargers_auth_lookup(db_t *db, const char *cpid, chargers_auth_t *out)
{
	int rc;
	json_t *c = db_one(db_q(db, "SELECT id, charge_point_id, security_profile, heartbeat_interval, auth_hash FROM chargers "
				    "WHERE charge_point_id = $1", "t", cpid), &rc);
	if (!c)
		return rc == DB_DONE ? 0 : -1;
	memset(out, 0, sizeof *out);
	fg_fmt(out->id, sizeof out->id, "%s", fg_jstr(c, "id"));
	fg_fmt(out->charge_point_id, sizeof out->charge_point_id, "%s", fg_jstr(c, "charge_point_id"));
	out->security_profile = (int)num(c, "security_profile");
	out->heartbeat_interval = (int)num(c, "heartbeat_interval");
	fg_fmt(out->auth_hash, sizeof out->auth_hash, "%s", fg_jstr(c, "auth_hash") ? fg_jstr(c, "auth_hash") : "");
	json_decref(c);
	return 1;
}

int
chg_event(db_t *db, const char *charger_id, const char *kind, json_t *payload, int64_t at)
{
	char id[37], *p = payload ? json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	fg_uuid7(id);
	int rc = db_run(db_q(db, "INSERT INTO charger_events (id, charger_id, kind, payload, at) VALUES ($1, $2, $3, $4, $5)",
	    "tttti", id, charger_id, kind, p, at));
	free(p);
	return rc == DB_DONE ? 0 : -1;
}

static json_t *
now_time(void)
{
	char t[32];
	ocpp_format_time(fg_now_ms(), t);
	return json_string(t);
}

/* The charger's time when it sent one, else ours */
static int64_t
when(json_t *p, const char *key, int64_t recv_ms)
{
	int64_t ms;
	return fg_jstr(p, key) && ocpp_parse_time(fg_jstr(p, key), &ms) ? ms : recv_ms;
}

static json_t *
charger_row(db_t *db, const char *charger_id)
{
	int rc;
	return db_one(db_q(db, "SELECT id, charge_point_id, vendor, model, serial, firmware, heartbeat_interval FROM chargers "
			       "WHERE id = $1", "t", charger_id), &rc);
}

static int
boot(db_t *db, const char *charger_id, json_t *p, int64_t at, json_t **reply)
{
	json_t *before = charger_row(db, charger_id);
	if (!before)
		return -1;
	const char *serial = fg_jstr(p, "chargePointSerialNumber") ? fg_jstr(p, "chargePointSerialNumber") : fg_jstr(p, "chargeBoxSerialNumber");
	int rc = db_run(db_q(db, "UPDATE chargers SET vendor = $1, model = $2, serial = COALESCE($3, serial), "
				 "firmware = COALESCE($4, firmware), boot_at = $5, last_seen_at = $5 WHERE id = $6",
	    "ttttit", fg_jstr(p, "chargePointVendor"), fg_jstr(p, "chargePointModel"), serial, fg_jstr(p, "firmwareVersion"), at, charger_id));
	json_t *after = rc == DB_DONE ? charger_row(db, charger_id) : NULL;
	int ok = after && chg_event(db, charger_id, "boot", p, at) == 0;
	/* "charger.booted": a firmware campaign learns the version the charger came back with */
	if (ok) {
		json_t *d = json_pack("{s:s?, s:s?, s:s?, s:I}", "firmware", fg_jstr(p, "firmwareVersion"), "vendor",
		    fg_jstr(p, "chargePointVendor"), "model", fg_jstr(p, "chargePointModel"), "at", (json_int_t)at);
		ok = events_emit(db, "charger.booted", "charger", charger_id, d, NULL) == 0;
		json_decref(d);
	}
	if (ok && !json_equal(before, after)) /* the ledger learns vendor, model, serial, firmware from the charger */
		ok = audit_write(db, NULL, "boot", "charger", charger_id, before, after) == 0;
	int64_t interval = after ? num(after, "heartbeat_interval") : 300;
	json_decref(before);
	json_decref(after);
	if (!ok)
		return -1;
	*reply = json_pack("{s:s, s:o, s:I}", "status", "Accepted", "currentTime", now_time(), "interval", (json_int_t)interval);
	return 0;
}

/* idTagInfo for a tag: unknown → Invalid; a past expiry → Expired (OCPP.md: business refusals are replies).
 * IdToken is case-insensitive (OCPP 1.6 CiString20Type): "abc123" finds the tag registered as "AbC123". When canon
 * is given it receives the registered spelling (or the tag as sent when unknown), which is what a transaction
 * records, so the transaction belongs to that tag whatever case the charger used. */
static json_t *
tag_info(db_t *db, const char *tag, int64_t at, char *canon, size_t canon_n)
{
	int rc;
	json_t *t = tag ? db_one(db_q(db, "SELECT id_tag, status, expiry_at, parent_id_tag FROM id_tags WHERE lower(id_tag) = lower($1)",
				      "t", tag), &rc)
			: NULL;
	if (canon)
		fg_fmt(canon, canon_n, "%s", t ? fg_jstr(t, "id_tag") : tag ? tag : "");
	if (!t)
		return json_pack("{s:s}", "status", "Invalid");
	const char *status = fg_jstr(t, "status");
	json_t *exp = json_object_get(t, "expiry_at");
	if (strcmp(status, "Accepted") == 0 && json_is_integer(exp) && json_integer_value(exp) < at)
		status = "Expired";
	json_t *info = json_pack("{s:s}", "status", status);
	if (json_is_integer(exp)) {
		char ts[32];
		ocpp_format_time(json_integer_value(exp), ts);
		json_object_set_new(info, "expiryDate", json_string(ts));
	}
	if (fg_jstr(t, "parent_id_tag"))
		json_object_set_new(info, "parentIdTag", json_string(fg_jstr(t, "parent_id_tag")));
	json_decref(t);
	return info;
}

static json_t *
tx_by_id(db_t *db, const char *charger_id, int64_t tid)
{
	int rc;
	return db_one(db_q(db, "SELECT id, transaction_id, connector_id, id_tag, start_at, meter_start, stop_at, meter_stop, "
			       "stop_reason, energy_wh, orphan FROM charge_transactions WHERE transaction_id = $1 AND charger_id = $2",
			  "it", tid, charger_id), &rc);
}

/* StartTransaction: always answered with an integer id. A charger replaying its offline queue (or retrying a
 * Start whose answer it lost) sends the same connector, tag, timestamp and meterStart: it gets the same id. */
static int
start_tx(db_t *db, const char *charger_id, json_t *p, int64_t recv, json_t **reply)
{
	int rc;
	int64_t conn = num(p, "connectorId"), meter = num(p, "meterStart"), at = when(p, "timestamp", recv);
	char canon[64];
	json_t *info = tag_info(db, fg_jstr(p, "idTag"), at, canon, sizeof canon);
	const char *tag = canon;
	json_t *dup = db_one(db_q(db, "SELECT transaction_id FROM charge_transactions WHERE charger_id = $1 AND connector_id = $2 "
					  "AND id_tag = $3 AND start_at = $4 AND meter_start = $5", "titii",
				 charger_id, conn, tag, at, meter), &rc);
	if (dup) {
		*reply = json_pack("{s:o, s:O}", "idTagInfo", info, "transactionId", json_object_get(dup, "transaction_id"));
		json_decref(dup);
		return 0;
	}
	if (rc != DB_DONE)
		goto fail;
	json_t *mx = db_one(db_prepare(db, "SELECT COALESCE(MAX(transaction_id), 0) + 1 AS n FROM charge_transactions"), &rc);
	if (!mx)
		goto fail;
	int64_t tid = num(mx, "n");
	json_decref(mx);
	char id[37], rbuf[24];
	fg_uuid7(id);
	rc = db_run(db_q(db, "INSERT INTO charge_transactions (id, transaction_id, charger_id, connector_id, id_tag, "
				 "id_tag_status, start_at, meter_start, reservation_id, created_at, updated_at) "
				 "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CAST($9 AS BIGINT), $10, $10)",
	    "titittiiti", id, tid, charger_id, conn, tag, fg_jstr(info, "status"), at, meter,
	    inum(json_object_get(p, "reservationId"), rbuf), recv));
	json_t *after = rc == DB_DONE ? tx_by_id(db, charger_id, tid) : NULL;
	if (!after || audit_write(db, NULL, "ocpp_start", "charge_transaction", id, NULL, after) != 0) {
		json_decref(after);
		goto fail;
	}
	json_decref(after);
	*reply = json_pack("{s:o, s:I}", "idTagInfo", info, "transactionId", (json_int_t)tid);
	return 0;
fail:
	json_decref(info);
	return -1;
}

static int
meter_rows(db_t *db, const char *charger_id, int64_t conn, json_t *tid, json_t *values, int64_t recv)
{
	size_t i, j;
	json_t *mv, *sv;
	json_array_foreach(values, i, mv) {
		int64_t at = when(mv, "timestamp", recv);
		json_array_foreach(json_object_get(mv, "sampledValue"), j, sv) {
			char id[37], tbuf[24];
			fg_uuid7(id);
			const char *meas = fg_jstr(sv, "measurand") ? fg_jstr(sv, "measurand") : "Energy.Active.Import.Register";
			const char *unit = fg_jstr(sv, "unit") ? fg_jstr(sv, "unit") : (fg_jstr(sv, "measurand") ? NULL : "Wh");
			int rc = db_run(db_q(db, "INSERT INTO meter_values (id, charger_id, connector_id, transaction_id, at, measurand, "
						 "value, unit, context, phase, location, received_at) "
						 "VALUES ($1, $2, $3, CAST($4 AS BIGINT), $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING",
			    "ttititttttti", id, charger_id, conn, inum(tid, tbuf), at,
			    meas, fg_jstr(sv, "value"), unit, fg_jstr(sv, "context"), fg_jstr(sv, "phase"), fg_jstr(sv, "location"), recv));
			if (rc != DB_DONE)
				return -1;
		}
	}
	return 0;
}

/* StopTransaction: late and replayed Stops are accepted; a second Stop of a stopped transaction changes nothing;
 * a Stop whose Start never came is kept as an orphan so the energy is not lost. */
static int
stop_tx(db_t *db, const char *charger_id, json_t *p, int64_t recv, json_t **reply)
{
	int64_t tid = num(p, "transactionId"), meter = num(p, "meterStop"), at = when(p, "timestamp", recv);
	const char *tag = fg_jstr(p, "idTag");
	char canon[64]; /* stop_id_tag in the registered spelling, like the Start's */
	json_t *info = tag ? tag_info(db, tag, at, canon, sizeof canon) : NULL;
	if (tag)
		tag = canon;
	json_t *before = tx_by_id(db, charger_id, tid), *after = NULL;
	int rc = DB_DONE;
	char tbuf[24];
	fg_fmt(tbuf, sizeof tbuf, "%lld", (long long)tid);
	if (before && json_is_null(json_object_get(before, "stop_at"))) {
		json_t *ms = json_object_get(before, "meter_start");
		char ebuf[24];
		const char *energy = NULL;
		if (json_is_integer(ms) && meter >= json_integer_value(ms)) { /* a register reset leaves the energy unknown */
			fg_fmt(ebuf, sizeof ebuf, "%lld", (long long)(meter - json_integer_value(ms)));
			energy = ebuf;
		}
		rc = db_run(db_q(db, "UPDATE charge_transactions SET stop_at = $1, meter_stop = $2, stop_reason = $3, "
					 "stop_id_tag = $4, energy_wh = CAST($5 AS BIGINT), updated_at = $6, version = version + 1 WHERE id = $7",
		    "iittt" "it", at, meter, fg_jstr(p, "reason") ? fg_jstr(p, "reason") : "Local", tag, energy, recv, fg_jstr(before, "id")));
		after = rc == DB_DONE ? tx_by_id(db, charger_id, tid) : NULL;
		if (!after || audit_write(db, NULL, "ocpp_stop", "charge_transaction", fg_jstr(before, "id"), before, after) != 0)
			goto fail;
	} else if (!before) {
		int r2;
		json_t *taken = db_one(db_q(db, "SELECT id FROM charge_transactions WHERE transaction_id = $1", "i", tid), &r2);
		char id[37];
		fg_uuid7(id);
		rc = db_run(db_q(db, "INSERT INTO charge_transactions (id, transaction_id, charger_id, stop_at, meter_stop, "
					 "stop_reason, stop_id_tag, orphan, reported_transaction_id, created_at, updated_at) "
					 "VALUES ($1, CAST($2 AS BIGINT), $3, $4, $5, $6, $7, 1, $8, $9, $9)",
		    "tttiittii", id, taken ? NULL : tbuf, charger_id, at, meter, fg_jstr(p, "reason") ? fg_jstr(p, "reason") : "Local",
		    tag, tid, recv));
		json_decref(taken);
		if (rc != DB_DONE)
			goto fail;
		int r3;
		after = db_one(db_q(db, "SELECT id, transaction_id, reported_transaction_id, stop_at, meter_stop, orphan FROM "
					"charge_transactions WHERE id = $1", "t", id), &r3);
		if (!after || audit_write(db, NULL, "ocpp_stop_orphan", "charge_transaction", id, NULL, after) != 0)
			goto fail;
		log_warn("ocpp: StopTransaction %lld without a Start, kept as an orphan", (long long)tid);
	}
	json_t *td = json_object_get(p, "transactionData");
	if (td && (!before || json_is_null(json_object_get(before, "stop_at")))) {
		json_t *tidj = json_integer(tid);
		int mr = meter_rows(db, charger_id, before ? num(before, "connector_id") : 0, tidj, td, recv);
		json_decref(tidj);
		if (mr != 0)
			goto fail;
	}
	json_decref(before);
	json_decref(after);
	*reply = info ? json_pack("{s:o}", "idTagInfo", info) : json_object();
	return 0;
fail:
	json_decref(info);
	json_decref(before);
	json_decref(after);
	return -1;
}

/* StatusNotification: the connector keeps the newest status by the charger's clock, so a queue replayed after
 * an outage cannot overwrite a fresher state; every report goes to the log. */
static int
status(db_t *db, const char *charger_id, json_t *p, int64_t recv)
{
	char id[37];
	int64_t conn = num(p, "connectorId"), at = when(p, "timestamp", recv);
	fg_uuid7(id);
	int rc = db_run(db_q(db, "INSERT INTO charger_status_log (id, charger_id, connector_id, status, error_code, info, vendor_id, "
				 "vendor_error_code, at, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
	    "ttitttttii", id, charger_id, conn, fg_jstr(p, "status"), fg_jstr(p, "errorCode"), fg_jstr(p, "info"), fg_jstr(p, "vendorId"),
	    fg_jstr(p, "vendorErrorCode"), at, recv));
	if (rc != DB_DONE)
		return -1;
	rc = db_run(db_q(db, "INSERT INTO connectors (charger_id, connector_id, status, error_code, info, vendor_error_code, "
			     "status_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
			     "ON CONFLICT (charger_id, connector_id) DO UPDATE SET status = excluded.status, "
			     "error_code = excluded.error_code, info = excluded.info, vendor_error_code = excluded.vendor_error_code, "
			     "status_at = excluded.status_at, updated_at = excluded.updated_at "
			     "WHERE connectors.status_at IS NULL OR connectors.status_at <= excluded.status_at",
	    "tittttii", charger_id, conn, fg_jstr(p, "status"), fg_jstr(p, "errorCode"), fg_jstr(p, "info"), fg_jstr(p, "vendorErrorCode"), at,
	    recv));
	if (rc != DB_DONE)
		return -1;
	/* "connector.status" (at: the charger's time of the report): alarms are raised, counted or cleared by the
	 * faults module's rules; a car that stayed long after its session stopped costs its user credit (evusers) */
	json_t *d = json_pack("{s:I, s:s, s:s?, s:s?, s:s?, s:s?, s:I, s:I}", "connector_id", (json_int_t)conn, "status",
	    fg_jstr(p, "status"), "error_code", fg_jstr(p, "errorCode"), "info", fg_jstr(p, "info"), "vendor_id", fg_jstr(p, "vendorId"),
	    "vendor_error_code", fg_jstr(p, "vendorErrorCode"), "at", (json_int_t)at, "received_at", (json_int_t)recv);
	rc = events_emit(db, "connector.status", "charger", charger_id, d, NULL);
	json_decref(d);
	return rc;
}

int
chargers_ocpp_call(db_t *db, const char *charger_id, const char *action, json_t *p, int64_t recv, json_t **reply)
{
	*reply = NULL;
	if (strcmp(action, "BootNotification") == 0)
		return boot(db, charger_id, p, recv, reply);
	if (strcmp(action, "Heartbeat") == 0) {
		*reply = json_pack("{s:o}", "currentTime", now_time());
		return 0;
	}
	if (strcmp(action, "Authorize") == 0) {
		*reply = json_pack("{s:o}", "idTagInfo", tag_info(db, fg_jstr(p, "idTag"), recv, NULL, 0));
		return 0;
	}
	if (strcmp(action, "StartTransaction") == 0)
		return start_tx(db, charger_id, p, recv, reply);
	if (strcmp(action, "StopTransaction") == 0)
		return stop_tx(db, charger_id, p, recv, reply);
	if (strcmp(action, "MeterValues") == 0) {
		if (meter_rows(db, charger_id, num(p, "connectorId"), json_object_get(p, "transactionId"),
			json_object_get(p, "meterValue"), recv) != 0)
			return -1;
		*reply = json_object();
		return 0;
	}
	if (strcmp(action, "StatusNotification") == 0) {
		if (status(db, charger_id, p, recv) != 0)
			return -1;
		*reply = json_object();
		return 0;
	}
	if (strcmp(action, "DataTransfer") == 0) {
		/* recorded; no vendor extension is implemented, which the spec answers with UnknownVendorId */
		if (chg_event(db, charger_id, "data_transfer", p, recv) != 0)
			return -1;
		*reply = json_pack("{s:s}", "status", "UnknownVendorId");
		return 0;
	}
	if (strcmp(action, "DiagnosticsStatusNotification") == 0 || strcmp(action, "FirmwareStatusNotification") == 0) {
		if (chg_event(db, charger_id, action[0] == 'D' ? "diagnostics_status" : "firmware_status", p, recv) != 0)
			return -1;
		/* "charger.firmware_status": a firmware campaign follows its chargers */
		if (action[0] == 'F') {
			json_t *d = json_pack("{s:s, s:I}", "status", fg_jstr(p, "status"), "at", (json_int_t)recv);
			int rc = events_emit(db, "charger.firmware_status", "charger", charger_id, d, NULL);
			json_decref(d);
			if (rc != 0)
				return -1;
		}
		*reply = json_object();
		return 0;
	}
	log_error("ocpp: %s reached the writer but has no handler", action);
	return -1;
}

/* "charger.link" {what, at} for connected and seen (the faults module clears an offline alarm); a disconnect is no
 * news to anyone yet (the offline scan decides when silence is too long). */
static int
link_event(db_t *db, const char *charger_id, const char *what, int64_t at)
{
	json_t *d = json_pack("{s:s, s:I}", "what", what, "at", (json_int_t)at);
	int rc = events_emit(db, "charger.link", "charger", charger_id, d, NULL);
	json_decref(d);
	return rc;
}

int
chargers_ocpp_link(db_t *db, const char *charger_id, const char *what, int64_t at)
{
	int rc;
	if (strcmp(what, "connected") == 0)
		rc = db_run(db_q(db, "UPDATE chargers SET online = 1, connected_at = $1, last_seen_at = $1 WHERE id = $2", "it", at,
			 charger_id)) == DB_DONE && chg_presence_here(db, charger_id, at) == 0 ? DB_DONE : DB_ERR;
	else if (strcmp(what, "disconnected") == 0)
		return chg_presence_gone(db, charger_id, cluster_node_id(), at);
	else
		return db_run(db_q(db, "UPDATE chargers SET last_seen_at = $1 WHERE id = $2 AND (last_seen_at IS NULL OR "
					   "last_seen_at < $1)", "it", at, charger_id)) == DB_DONE ? link_event(db, charger_id, what, at) : -1;
	if (rc != DB_DONE || chg_event(db, charger_id, what, NULL, at) != 0)
		return -1;
	return strcmp(what, "connected") == 0 ? link_event(db, charger_id, what, at) : 0;
}

int
chargers_ocpp_command_done(db_t *db, const char *cmd_id, const char *status, json_t *result, const char *error_code,
    const char *error_desc, int64_t at)
{
	int rc;
	json_t *before = db_one(db_q(db, "SELECT id, charger_id, action, status FROM charger_commands WHERE id = $1", "t", cmd_id), &rc);
	if (!before)
		return rc == DB_DONE ? 0 : -1;
	if (strcmp(fg_jstr(before, "status"), "pending") != 0) { /* already settled (a late answer after the timeout) */
		json_decref(before);
		return 0;
	}
	if (strcmp(status, "answered") == 0) {
		/* the charger's own word: Accepted (and Unlocked, Scheduled, RebootRequired) or a refusal */
		const char *s = fg_jstr(result, "status");
		status = !s || strcmp(s, "Accepted") == 0 || strcmp(s, "Unlocked") == 0 || strcmp(s, "Scheduled") == 0 ||
			strcmp(s, "RebootRequired") == 0 ? "accepted" : "rejected";
	}
	char *r = result ? json_dumps(result, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	rc = db_run(db_q(db, "UPDATE charger_commands SET status = $1, result = $2, error_code = $3, error_description = $4, "
			     "finished_at = $5, version = version + 1 WHERE id = $6 AND status = 'pending'",
	    "ttttit", status, r, error_code, error_desc, at, cmd_id));
	free(r);
	/* a pushed AuthorizationKey is in force once the charger accepted it; otherwise the old key stays */
	if (rc == DB_DONE && strcmp(fg_jstr(before, "action"), "ChangeConfiguration") == 0) {
		int r2;
		json_t *ch = db_one(db_q(db, "SELECT id FROM chargers WHERE id = $1 AND pending_key_command = $2", "tt",
					  fg_jstr(before, "charger_id"), cmd_id), &r2);
		if (ch && strcmp(status, "accepted") == 0)
			rc = db_run(db_q(db, "UPDATE chargers SET auth_hash = pending_auth_hash, security_profile = 1, "
					     "pending_auth_hash = NULL, pending_key_command = NULL, updated_at = $1, version = version + 1 "
					     "WHERE id = $2", "it", at, fg_jstr(ch, "id")));
		else if (ch)
			rc = db_run(db_q(db, "UPDATE chargers SET pending_auth_hash = NULL, pending_key_command = NULL WHERE id = $1",
			    "t", fg_jstr(ch, "id")));
		if (ch && rc == DB_DONE)
			log_info("ocpp: a pushed AuthorizationKey was %s", strcmp(status, "accepted") == 0 ? "taken" : "not taken");
		json_decref(ch);
	}
	json_t *after = json_pack("{s:s, s:s, s:s?}", "status", status, "action", fg_jstr(before, "action"), "error_code", error_code);
	int ok = rc == DB_DONE && audit_write(db, NULL, "ocpp_result", "charger_command", cmd_id, before, after) == 0;
	json_decref(before);
	json_decref(after);
	return ok ? 0 : -1;
}

const ocpp_host_t chargers_ocpp_host = {
	.auth_lookup = chargers_auth_lookup,
	.key_ok = chargers_key_ok,
	.call = chargers_ocpp_call,
	.link = chargers_ocpp_link,
	.command_done = chargers_ocpp_command_done,
};
