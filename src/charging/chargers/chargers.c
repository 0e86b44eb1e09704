/* Chargers (充电桩, R4.2) in the ledger for the REST API (the chargers module, chargers_internal.h): their rules,
 * create (with a first AuthorizationKey), update, key rotation, delete (only one that never spoke), the list and
 * the live board, with the derived online flag. Stations, id tags, history and commands have files of their own. */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "charging/chargers/chargers.h"
#include "charging/chargers/chargers_internal.h"

static const char *const kinds[] = {"ac", "dc", NULL};
static const char *const payments[] = {"manual", "card", "qr", "app", NULL};
static const char *const warranties[] = {"in_house", "external", NULL};

/* what a charger's read and the list show of each connector */
#define CONNECTOR_COLS "connector_id, status, error_code, info, vendor_error_code, status_at, updated_at"

json_t *
chargers_connectors(db_t *db, const char *charger_id)
{
	int rc;
	json_t *a = db_all(db_q(db, "SELECT " CONNECTOR_COLS " FROM connectors WHERE charger_id = $1 ORDER BY connector_id", "t",
				charger_id), &rc);
	return a ? a : json_array();
}

/* online = connected and heard from recently enough (a crashed server leaves the flag set; the clock ends it) */
static json_t *
shape(db_t *db, json_t *c, bool with_connectors)
{
	int64_t last = json_integer_value(json_object_get(c, "last_seen_at"));
	int64_t hb = json_integer_value(json_object_get(c, "heartbeat_interval"));
	bool online = json_integer_value(json_object_get(c, "online")) == 1 &&
	    last >= fg_now_ms() - (2 * hb * 1000 + CHARGERS_ONLINE_GRACE_MS);
	json_object_set_new(c, "online", json_boolean(online));
	if (with_connectors)
		json_object_set_new(c, "connectors", chargers_connectors(db, chg_str(c, "id")));
	return c;
}

json_t *
chargers_get(db_t *db, const char *id)
{
	int rc;
	json_t *c = db_one(db_q(db, "SELECT " CHG_CHARGER_COLS " FROM chargers WHERE id = $1", "t", id), &rc);
	return c ? shape(db, c, true) : NULL;
}

static int
charger_check(db_t *db, json_t *in, fg_err_t *err)
{
	const char *cp = chg_str(in, "charge_point_id");
	if (cp) {
		size_t n = strlen(cp);
		if (n < 1 || n > 48)
			return fg_err_field(err, "invalid_field", "charge_point_id", "1 to 48 characters");
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)cp[i] <= ' ' || (unsigned char)cp[i] >= 0x7f || strchr("/?#%:\"\\", cp[i]))
				return fg_err_field(err, "invalid_field", "charge_point_id", "printable ASCII without / ? # % : \" \\");
	}
	if (json_object_get(in, "kind") && !chg_one_of(chg_str(in, "kind"), kinds))
		return fg_err_field(err, "invalid_field", "kind", "ac or dc");
	if (json_object_get(in, "payment") && !chg_one_of(chg_str(in, "payment"), payments))
		return fg_err_field(err, "invalid_field", "payment", "manual, card, qr or app");
	if (json_object_get(in, "warranty") && !chg_one_of(chg_str(in, "warranty"), warranties))
		return fg_err_field(err, "invalid_field", "warranty", "in_house or external");
	json_t *sp = json_object_get(in, "security_profile");
	if (sp && json_integer_value(sp) != 0 && json_integer_value(sp) != 1)
		return fg_err_field(err, "invalid_field", "security_profile", "0 (no auth, test benches) or 1 (HTTP Basic)");
	json_t *cc = json_object_get(in, "connector_count");
	if (cc && (json_integer_value(cc) < 1 || json_integer_value(cc) > 32))
		return fg_err_field(err, "invalid_field", "connector_count", "1 to 32");
	json_t *hb = json_object_get(in, "heartbeat_interval");
	if (hb && (json_integer_value(hb) < 10 || json_integer_value(hb) > 86400))
		return fg_err_field(err, "invalid_field", "heartbeat_interval", "10 to 86400 seconds");
	json_t *rp = json_object_get(in, "rated_power_kw"); /* energy utilisation's denominator (kpis) */
	if (json_is_integer(rp) && (json_integer_value(rp) < 1 || json_integer_value(rp) > 2000))
		return fg_err_field(err, "invalid_field", "rated_power_kw", "1 to 2000 kW");
	const char *st = chg_str(in, "station_id");
	if (st) {
		json_t *s = chargers_station_get(db, st);
		if (!s)
			return fg_err_field(err, "invalid_field", "station_id", "no such station");
		json_decref(s);
	}
	return 0;
}

int
chargers_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	char id[37], key[41] = "", hash[160] = "";
	int64_t now = fg_now_ms();
	if (charger_check(db, in, err))
		return -1;
	json_t *sp = json_object_get(in, "security_profile");
	int profile = sp ? (int)json_integer_value(sp) : 1;
	if (profile == 1)
		chg_new_key(key, hash);
	json_t *cc = json_object_get(in, "connector_count"), *hb = json_object_get(in, "heartbeat_interval");
	char rbuf[24];
	const char *rated = json_is_integer(json_object_get(in, "rated_power_kw")) &&
	    fg_fmt(rbuf, sizeof rbuf, "%lld", (long long)json_integer_value(json_object_get(in, "rated_power_kw"))) ? rbuf : NULL;
	fg_uuid7(id);
	if (db_begin(db) != 0)
		return db_fail(db, err);
	int rc = db_run(db_q(db,
	    "INSERT INTO chargers (id, charge_point_id, station_id, name, kind, payment, vendor, model, serial, firmware, "
	    "warranty, security_profile, auth_hash, connector_count, heartbeat_interval, created_at, updated_at, rated_power_kw) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, CAST($18 AS BIGINT))",
	    "tttttttttttitiiiit", id, chg_str(in, "charge_point_id"), chg_str(in, "station_id"), chg_str(in, "name"),
	    chg_str(in, "kind") ? chg_str(in, "kind") : "ac", chg_str(in, "payment") ? chg_str(in, "payment") : "card", chg_str(in, "vendor"),
	    chg_str(in, "model"), chg_str(in, "serial"), chg_str(in, "firmware"), chg_str(in, "warranty") ? chg_str(in, "warranty") : "in_house",
	    (int64_t)profile, profile == 1 ? hash : NULL, cc ? (int64_t)json_integer_value(cc) : 1,
	    hb ? (int64_t)json_integer_value(hb) : 300, now, now, rated));
	rc = chg_create_commit(db, actor_id, rc, "charger", id, chargers_get, "charge_point_id_taken", "charge_point_id", out,
	    err);
	if (rc == 0) /* shown this once */
		json_object_set_new(*out, "authorization_key", profile == 1 ? json_string(key) : json_null());
	sodium_memzero(key, sizeof key);
	return rc;
}

int
chargers_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	static const char *const text[] = {"station_id", "name", "kind", "payment", "vendor", "model", "serial", "firmware",
	    "warranty", NULL};
	static const char *const ints[] = {"connector_count", "heartbeat_interval", "rated_power_kw", NULL};
	if (charger_check(db, in, err))
		return -1;
	return chg_versioned_update(db, actor_id, "chargers", "charger", chargers_get, id, in, text, ints, NULL, NULL, out, err);
}

int
chargers_rotate_key(db_t *db, const char *actor_id, const char *id, bool push, json_t **out, fg_err_t *err)
{
	char key[41], hash[160], cmd_id[37] = "";
	chg_new_key(key, hash);
	json_t *before, *after = NULL, *cmd = NULL;
	if (chg_begin_row(db, "chargers", "charger", id, chargers_get, &before, err))
		return -1;
	int64_t now = fg_now_ms();
	int rc;
	if (push) {
		fg_uuid7(cmd_id);
		rc = db_run(db_q(db, "INSERT INTO charger_commands (id, charger_id, action, payload, status, requested_by, requested_at) "
				     "VALUES ($1, $2, 'ChangeConfiguration', '{\"key\":\"AuthorizationKey\",\"value\":\"(redacted)\"}', "
				     "'pending', $3, $4)", "ttti", cmd_id, id, actor_id, now));
		if (rc == DB_DONE)
			rc = db_run(db_q(db, "UPDATE chargers SET pending_auth_hash = $1, pending_key_command = $2, updated_at = $3, "
					     "version = version + 1 WHERE id = $4", "ttit", hash, cmd_id, now, id));
		cmd = rc == DB_DONE ? chargers_command_get(db, id, cmd_id) : NULL;
		if (!cmd || audit_write(db, actor_id, "create", "charger_command", cmd_id, NULL, cmd) != 0)
			goto fail;
	} else if (db_run(db_q(db, "UPDATE chargers SET auth_hash = $1, security_profile = 1, pending_auth_hash = NULL, "
				   "pending_key_command = NULL, version = version + 1, updated_at = $2 WHERE id = $3",
			   "tit", hash, now, id)) != DB_DONE) {
		goto fail;
	}
	after = chargers_get(db, id);
	if (!after || audit_write(db, actor_id, push ? "push_key" : "rotate_key", "charger", id, before, after) != 0 ||
	    db_commit(db) != 0)
		goto fail;
	json_decref(before);
	json_object_set_new(after, "authorization_key", json_string(key));
	if (cmd)
		json_object_set_new(after, "command", cmd);
	sodium_memzero(key, sizeof key);
	*out = after;
	return 0;
fail:
	json_decref(before);
	json_decref(after);
	json_decref(cmd);
	return db_fail(db, err);
}

int
chargers_delete(db_t *db, const char *actor_id, const char *id, int64_t version, fg_err_t *err)
{
	static const char *const history[] = {"charge_transactions", "charger_commands", "charger_status_log", "meter_values",
	    "charger_events", NULL};
	json_t *before;
	if (chg_begin_row(db, "chargers", "charger", id, chargers_get, &before, err))
		return -1;
	if (chg_version_is(before, version, err))
		goto fail;
	for (int i = 0; history[i]; i++) {
		char sql[128];
		int rc;
		fg_fmt(sql, sizeof sql, "SELECT 1 AS x FROM %s WHERE charger_id = $1 LIMIT 1", history[i]);
		json_t *row = db_one(db_q(db, sql, "t", id), &rc);
		if (row || rc != DB_DONE) {
			json_decref(row);
			if (rc == DB_ROW) {
				fg_err(err, "charger_has_history");
				fg_err_detail_str(err, "table", history[i]);
			}
			goto fail;
		}
	}
	if (db_run(db_q(db, "DELETE FROM connectors WHERE charger_id = $1", "t", id)) != DB_DONE ||
	    db_run(db_q(db, "DELETE FROM chargers WHERE id = $1", "t", id)) != DB_DONE ||
	    audit_write(db, actor_id, "delete", "charger", id, before, NULL) != 0 || db_commit(db) != 0)
		goto fail;
	json_decref(before);
	return 0;
fail:
	json_decref(before);
	return db_fail(db, err);
}

static void
charger_where(qb_t *q, const void *filter)
{
	const chargers_filter_t *f = filter;
	const char *cols[] = {"station_id", "kind", "payment", "vendor", "model"};
	const char *vals[] = {f->station_id, f->kind, f->payment, f->vendor, f->model};
	for (int i = 0; i < 5; i++) {
		if (vals[i]) {
			qb_sql(q, " AND ");
			qb_sql(q, cols[i]);
			qb_sql(q, " = ");
			qb_text(q, vals[i]);
		}
	}
	if (f->online >= 0) {
		/* the same rule as shape(): connected and heard from within 2 × interval + grace */
		qb_sql(q, f->online ? " AND (" : " AND NOT (");
		qb_sql(q, "online = 1 AND last_seen_at IS NOT NULL AND last_seen_at >= CAST(");
		qb_int(q, fg_now_ms() - CHARGERS_ONLINE_GRACE_MS);
		qb_sql(q, " AS BIGINT) - 2000 * CAST(heartbeat_interval AS BIGINT))");
	}
	if (f->q && *f->q) {
		char pat[120];
		fg_fmt(pat, sizeof pat, "%%%s%%", f->q);
		qb_sql(q, " AND (lower(charge_point_id) LIKE lower(");
		qb_text(q, pat);
		qb_sql(q, ") OR lower(COALESCE(name, '')) LIKE lower(");
		qb_text(q, pat);
		qb_sql(q, ") OR lower(COALESCE(serial, '')) LIKE lower(");
		qb_text(q, pat);
		qb_sql(q, "))");
	}
}

int
chargers_list(db_t *db, const chargers_filter_t *f, json_t **out, fg_err_t *err)
{
	if (f->kind && !chg_one_of(f->kind, kinds))
		return fg_err_field(err, "invalid_query", "kind", "ac or dc");
	if (f->payment && !chg_one_of(f->payment, payments))
		return fg_err_field(err, "invalid_query", "payment", "manual, card, qr or app");
	if (qb_list(db, "SELECT " CHG_CHARGER_COLS " FROM chargers WHERE 1 = 1", "SELECT COUNT(*) AS n FROM chargers WHERE 1 = 1",
		charger_where, f, "id", false, f->cursor, f->limit, out) != 0)
		return fg_err(err, "internal");
	/* the page's connectors in one statement (not one per charger: a page of 50 was 51 statements) */
	json_t *items = json_object_get(*out, "items"), *ids = json_array(), *c;
	size_t i;
	json_array_foreach(items, i, c) json_array_append_new(ids, json_string(chg_str(c, "id")));
	char sql[512];
	fg_fmt(sql, sizeof sql,
	    "SELECT charger_id, " CONNECTOR_COLS " FROM connectors WHERE charger_id IN %s ORDER BY charger_id, connector_id",
	    db_in_json(db));
	char *arg = json_dumps(ids, JSON_COMPACT);
	json_decref(ids);
	int rc;
	json_t *rows = arg ? db_all(db_q(db, sql, "t", arg), &rc) : NULL;
	free(arg);
	if (!rows) {
		json_decref(*out);
		*out = NULL;
		return fg_err(err, "internal");
	}
	json_t *by = fg_json_group_by(rows, "charger_id");
	json_decref(rows);
	json_array_foreach(items, i, c) {
		shape(db, c, false);
		json_t *a = json_object_get(by, chg_str(c, "id"));
		json_object_set_new(c, "connectors", a ? json_incref(a) : json_array());
	}
	json_decref(by);
	return 0;
}

json_t *
chargers_live(db_t *db, const char *station_id)
{
	int rc;
	json_t *rows = station_id
	    ? db_all(db_q(db, "SELECT " CHG_CHARGER_COLS " FROM chargers WHERE station_id = $1 ORDER BY charge_point_id LIMIT 2000",
			  "t", station_id), &rc)
	    : db_all(db_prepare(db, "SELECT " CHG_CHARGER_COLS " FROM chargers ORDER BY charge_point_id LIMIT 2000"), &rc);
	if (!rows)
		return NULL;
	json_t *conns = db_all(db_prepare(db, "SELECT charger_id, connector_id, status, error_code, updated_at FROM connectors "
					      "ORDER BY charger_id, connector_id"), &rc);
	json_t *by = fg_json_group_by(conns, "charger_id"), *x;
	json_decref(conns);
	size_t i;
	json_t *items = json_array();
	size_t online = 0;
	json_array_foreach(rows, i, x) {
		shape(db, x, false);
		json_t *a = json_object_get(by, chg_str(x, "id"));
		online += json_is_true(json_object_get(x, "online"));
		json_array_append_new(items, json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:o}", "id", json_object_get(x, "id"),
						 "charge_point_id", json_object_get(x, "charge_point_id"), "station_id",
						 json_object_get(x, "station_id"), "name", json_object_get(x, "name"), "kind",
						 json_object_get(x, "kind"), "online", json_object_get(x, "online"), "last_seen_at",
						 json_object_get(x, "last_seen_at"), "connected_at", json_object_get(x, "connected_at"),
						 "connectors", a ? json_incref(a) : json_array()));
	}
	size_t total = json_array_size(rows);
	json_decref(rows);
	json_decref(by);
	return json_pack("{s:o, s:I, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total, "online", (json_int_t)online,
	    "offline", (json_int_t)(total - online), "at", (json_int_t)fg_now_ms());
}
