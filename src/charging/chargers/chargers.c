/* The charger ledger for the REST API (see chargers.h). */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "core/base/util.h"
#include "core/db/qb.h"
#include "core/audit/audit.h"
#include "charging/chargers/chargers.h"

#define STATION_COLS "id, code, name, address, org_unit_id, note, created_at, updated_at, version"
#define CHARGER_COLS                                                                                                   \
	"id, charge_point_id, station_id, name, kind, payment, vendor, model, serial, firmware, warranty, "             \
	"security_profile, connector_count, heartbeat_interval, rated_power_kw, online, connected_at, last_seen_at, boot_at, " \
	"created_at, updated_at, version"
#define TX_COLS                                                                                                        \
	"id, transaction_id, charger_id, connector_id, id_tag, id_tag_status, start_at, meter_start, reservation_id, "  \
	"stop_at, meter_stop, stop_reason, stop_id_tag, energy_wh, orphan, reported_transaction_id, created_at, "       \
	"updated_at, version"
#define IDTAG_COLS "id, id_tag, status, expiry_at, parent_id_tag, holder, note, created_at, updated_at, version"
#define CMD_COLS                                                                                                       \
	"id, charger_id, action, payload, status, result, error_code, error_description, requested_by, requested_at, "  \
	"finished_at, version"

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static bool
one_of(const char *v, const char *const *set)
{
	for (; v && *set; set++)
		if (strcmp(v, *set) == 0)
			return true;
	return false;
}

/* UPDATE table SET version = version + 1, updated_at = now, <each field present in `in`> WHERE id = id */
static int
update_fields(db_t *db, const char *table, const char *id, json_t *in, const char *const *text_fields,
    const char *const *int_fields)
{
	qb_t q;
	qb_init(&q, "UPDATE ");
	qb_sql(&q, table);
	qb_sql(&q, " SET version = version + 1, updated_at = ");
	qb_int(&q, fg_now_ms());
	for (int pass = 0; pass < 2; pass++) {
		const char *const *fields = pass ? int_fields : text_fields;
		for (int i = 0; fields && fields[i]; i++) {
			json_t *v = json_object_get(in, fields[i]);
			if (!v)
				continue;
			qb_sql(&q, ", ");
			qb_sql(&q, fields[i]);
			qb_sql(&q, " = ");
			if (json_is_null(v))
				qb_sql(&q, "NULL");
			else if (pass)
				qb_int(&q, json_is_boolean(v) ? json_is_true(v) : json_integer_value(v));
			else
				qb_text(&q, json_string_value(v));
		}
	}
	qb_sql(&q, " WHERE id = ");
	qb_text(&q, id);
	int rc = db_run(qb_prepare(db, &q));
	qb_free(&q);
	return rc;
}

/* The versioned, audited update every ledger row shares: read it, check the caller's version, write the fields
 * given, audit before → after, commit. conflict_code/field name a unique column's refusal (NULL: none). */
static int
versioned_update(db_t *db, const char *actor_id, const char *table, const char *entity, json_t *(*get)(db_t *, const char *),
    const char *id, json_t *in, const char *const *text, const char *const *ints, const char *conflict_code,
    const char *conflict_field, json_t **out, fg_err_t *err)
{
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, table, id) != 0)
		return db_fail(db, err);
	json_t *before = get(db, id);
	if (!before) {
		fg_err_not_found(err, entity, id);
		return db_fail(db, err);
	}
	if (db_check_version(before, in, err)) {
		json_decref(before);
		return db_fail(db, err);
	}
	int rc = update_fields(db, table, id, in, text, ints);
	if (rc == DB_CONFLICT && conflict_code)
		fg_err_field(err, conflict_code, conflict_field, NULL);
	if (rc != DB_DONE) {
		json_decref(before);
		return db_fail(db, err);
	}
	return audit_commit(db, actor_id, "update", entity, id, before, get(db, id), out, err);
}

/* ---------- stations ---------- */

json_t *
chargers_station_get(db_t *db, const char *id)
{
	int rc;
	json_t *s = db_one(db_q(db, "SELECT " STATION_COLS " FROM stations WHERE id = $1", "t", id), &rc);
	if (!s)
		return NULL;
	json_t *n = db_one(db_q(db, "SELECT COUNT(*) AS n FROM chargers WHERE station_id = $1", "t", id), &rc);
	json_object_set_new(s, "charger_count", json_integer(n ? json_integer_value(json_object_get(n, "n")) : 0));
	json_decref(n);
	return s;
}

static int
station_check(db_t *db, json_t *in, fg_err_t *err)
{
	if (json_object_get(in, "code") && !*str(in, "code"))
		return fg_err_field(err, "invalid_field", "code", "must not be empty");
	if (json_object_get(in, "name") && !*str(in, "name"))
		return fg_err_field(err, "invalid_field", "name", "must not be empty");
	const char *org = str(in, "org_unit_id");
	if (org) {
		int rc;
		json_t *o = db_one(db_q(db, "SELECT id FROM org_units WHERE id = $1", "t", org), &rc);
		if (!o)
			return fg_err_field(err, "invalid_field", "org_unit_id", "no such org unit");
		json_decref(o);
	}
	return 0;
}

int
chargers_station_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	char id[37];
	int64_t now = fg_now_ms();
	if (station_check(db, in, err))
		return -1;
	fg_uuid7(id);
	if (db_begin(db) != 0)
		return db_fail(db, err);
	int rc = db_run(db_q(db,
	    "INSERT INTO stations (id, code, name, address, org_unit_id, note, created_at, updated_at) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
	    "ttttttii", id, str(in, "code"), str(in, "name"), str(in, "address"), str(in, "org_unit_id"), str(in, "note"), now,
	    now));
	if (rc == DB_CONFLICT) {
		fg_err_field(err, "station_code_taken", "code", NULL);
		return db_fail(db, err);
	}
	json_t *after = rc == DB_DONE ? chargers_station_get(db, id) : NULL;
	if (!after || audit_write(db, actor_id, "create", "station", id, NULL, after) != 0 || db_commit(db) != 0) {
		json_decref(after);
		return db_fail(db, err);
	}
	*out = after;
	return 0;
}

int
chargers_station_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	static const char *const text[] = {"code", "name", "address", "org_unit_id", "note", NULL};
	if (station_check(db, in, err))
		return -1;
	return versioned_update(db, actor_id, "stations", "station", chargers_station_get, id, in, text, NULL,
	    "station_code_taken", "code", out, err);
}

/* the row's version must be the caller's */
static int
version_is(json_t *row, int64_t version, fg_err_t *err)
{
	json_t *in = json_pack("{s:I}", "version", (json_int_t)version);
	int rc = db_check_version(row, in, err);
	json_decref(in);
	return rc;
}

int
chargers_station_delete(db_t *db, const char *actor_id, const char *id, int64_t version, fg_err_t *err)
{
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "stations", id) != 0)
		return db_fail(db, err);
	json_t *before = chargers_station_get(db, id);
	if (!before) {
		fg_err_not_found(err, "station", id);
		return db_fail(db, err);
	}
	if (version_is(before, version, err))
		goto fail;
	if (json_integer_value(json_object_get(before, "charger_count")) > 0) {
		fg_err(err, "station_has_chargers");
		fg_err_detail(err, "charger_count", json_copy(json_object_get(before, "charger_count")));
		goto fail;
	}
	if (db_run(db_q(db, "DELETE FROM stations WHERE id = $1", "t", id)) != DB_DONE ||
	    audit_write(db, actor_id, "delete", "station", id, before, NULL) != 0 || db_commit(db) != 0)
		goto fail;
	json_decref(before);
	return 0;
fail:
	json_decref(before);
	return db_fail(db, err);
}

static void
station_where(qb_t *q, const void *filter)
{
	const char *s = filter;
	if (s && *s) {
		char pat[120];
		fg_fmt(pat, sizeof pat, "%%%s%%", s);
		qb_sql(q, " AND (lower(code) LIKE lower(");
		qb_text(q, pat);
		qb_sql(q, ") OR lower(name) LIKE lower(");
		qb_text(q, pat);
		qb_sql(q, "))");
	}
}

int
chargers_station_list(db_t *db, const char *q, const char *cursor, int limit, json_t **out, fg_err_t *err)
{
	if (qb_list(db, "SELECT " STATION_COLS " FROM stations WHERE 1 = 1", "SELECT COUNT(*) AS n FROM stations WHERE 1 = 1",
		station_where, q, "id", false, cursor, limit, out) != 0)
		return fg_err(err, "internal");
	return 0;
}

/* ---------- chargers ---------- */

static const char *const kinds[] = {"ac", "dc", NULL};
static const char *const payments[] = {"manual", "card", "qr", "app", NULL};
static const char *const warranties[] = {"in_house", "external", NULL};

json_t *
chargers_connectors(db_t *db, const char *charger_id)
{
	int rc;
	json_t *a = db_all(db_q(db,
	    "SELECT connector_id, status, error_code, info, vendor_error_code, status_at, updated_at FROM connectors "
	    "WHERE charger_id = $1 ORDER BY connector_id", "t", charger_id), &rc);
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
		json_object_set_new(c, "connectors", chargers_connectors(db, str(c, "id")));
	return c;
}

json_t *
chargers_get(db_t *db, const char *id)
{
	int rc;
	json_t *c = db_one(db_q(db, "SELECT " CHARGER_COLS " FROM chargers WHERE id = $1", "t", id), &rc);
	return c ? shape(db, c, true) : NULL;
}

static int
charger_check(db_t *db, json_t *in, fg_err_t *err)
{
	const char *cp = str(in, "charge_point_id");
	if (cp) {
		size_t n = strlen(cp);
		if (n < 1 || n > 48)
			return fg_err_field(err, "invalid_field", "charge_point_id", "1 to 48 characters");
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)cp[i] <= ' ' || (unsigned char)cp[i] >= 0x7f || strchr("/?#%:\"\\", cp[i]))
				return fg_err_field(err, "invalid_field", "charge_point_id", "printable ASCII without / ? # % : \" \\");
	}
	if (json_object_get(in, "kind") && !one_of(str(in, "kind"), kinds))
		return fg_err_field(err, "invalid_field", "kind", "ac or dc");
	if (json_object_get(in, "payment") && !one_of(str(in, "payment"), payments))
		return fg_err_field(err, "invalid_field", "payment", "manual, card, qr or app");
	if (json_object_get(in, "warranty") && !one_of(str(in, "warranty"), warranties))
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
	const char *st = str(in, "station_id");
	if (st) {
		json_t *s = chargers_station_get(db, st);
		if (!s)
			return fg_err_field(err, "invalid_field", "station_id", "no such station");
		json_decref(s);
	}
	return 0;
}

/* "b2$<salt hex>$<BLAKE2b-256(salt ‖ key) hex>": the key is 20 random bytes, so a keyed fast hash suffices */
static void
key_hash(const char *key, size_t keylen, const unsigned char salt[16], char out[160])
{
	unsigned char h[32];
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	crypto_generichash_update(&st, salt, 16);
	crypto_generichash_update(&st, (const unsigned char *)key, keylen);
	crypto_generichash_final(&st, h, sizeof h);
	char sh[33], hh[65];
	fg_hex(salt, 16, sh);
	fg_hex(h, sizeof h, hh);
	fg_fmt(out, 160, "b2$%s$%s", sh, hh);
	sodium_memzero(h, sizeof h);
}

bool
chargers_key_ok(const char *auth_hash, const char *key, size_t keylen)
{
	unsigned char salt[16];
	size_t bin = 0;
	if (!auth_hash || strncmp(auth_hash, "b2$", 3) != 0 || strlen(auth_hash) < 3 + 32 + 1 + 64 || auth_hash[35] != '$')
		return false;
	if (sodium_hex2bin(salt, sizeof salt, auth_hash + 3, 32, NULL, &bin, NULL) != 0 || bin != 16)
		return false;
	char want[160];
	key_hash(key, keylen, salt, want);
	return strlen(want) == strlen(auth_hash) && sodium_memcmp(want, auth_hash, strlen(want)) == 0;
}

/* AuthorizationKey: 20 random bytes as 40 hex characters (the form ChangeConfiguration sets, OCPP.md) */
static void
new_key(char key[41], char hash[160])
{
	unsigned char raw[20], salt[16];
	randombytes_buf(raw, sizeof raw);
	randombytes_buf(salt, sizeof salt);
	fg_hex(raw, sizeof raw, key);
	key_hash(key, 40, salt, hash);
	sodium_memzero(raw, sizeof raw);
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
		new_key(key, hash);
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
	    "tttttttttttitiiiit", id, str(in, "charge_point_id"), str(in, "station_id"), str(in, "name"),
	    str(in, "kind") ? str(in, "kind") : "ac", str(in, "payment") ? str(in, "payment") : "card", str(in, "vendor"),
	    str(in, "model"), str(in, "serial"), str(in, "firmware"), str(in, "warranty") ? str(in, "warranty") : "in_house",
	    (int64_t)profile, profile == 1 ? hash : NULL, cc ? (int64_t)json_integer_value(cc) : 1,
	    hb ? (int64_t)json_integer_value(hb) : 300, now, now, rated));
	if (rc == DB_CONFLICT) {
		fg_err_field(err, "charge_point_id_taken", "charge_point_id", NULL);
		return db_fail(db, err);
	}
	json_t *after = rc == DB_DONE ? chargers_get(db, id) : NULL;
	if (!after || audit_write(db, actor_id, "create", "charger", id, NULL, after) != 0 || db_commit(db) != 0) {
		json_decref(after);
		return db_fail(db, err);
	}
	json_object_set_new(after, "authorization_key", profile == 1 ? json_string(key) : json_null());
	sodium_memzero(key, sizeof key);
	*out = after;
	return 0;
}

int
chargers_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	static const char *const text[] = {"station_id", "name", "kind", "payment", "vendor", "model", "serial", "firmware",
	    "warranty", NULL};
	static const char *const ints[] = {"connector_count", "heartbeat_interval", "rated_power_kw", NULL};
	if (charger_check(db, in, err))
		return -1;
	return versioned_update(db, actor_id, "chargers", "charger", chargers_get, id, in, text, ints, NULL, NULL, out, err);
}

int
chargers_rotate_key(db_t *db, const char *actor_id, const char *id, bool push, json_t **out, fg_err_t *err)
{
	char key[41], hash[160], cmd_id[37] = "";
	new_key(key, hash);
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "chargers", id) != 0)
		return db_fail(db, err);
	json_t *before = chargers_get(db, id), *after = NULL, *cmd = NULL;
	if (!before) {
		fg_err_not_found(err, "charger", id);
		return db_fail(db, err);
	}
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
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "chargers", id) != 0)
		return db_fail(db, err);
	json_t *before = chargers_get(db, id);
	if (!before) {
		fg_err_not_found(err, "charger", id);
		return db_fail(db, err);
	}
	if (version_is(before, version, err))
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
	if (f->kind && !one_of(f->kind, kinds))
		return fg_err_field(err, "invalid_query", "kind", "ac or dc");
	if (f->payment && !one_of(f->payment, payments))
		return fg_err_field(err, "invalid_query", "payment", "manual, card, qr or app");
	if (qb_list(db, "SELECT " CHARGER_COLS " FROM chargers WHERE 1 = 1", "SELECT COUNT(*) AS n FROM chargers WHERE 1 = 1",
		charger_where, f, "id", false, f->cursor, f->limit, out) != 0)
		return fg_err(err, "internal");
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(*out, "items"), i, c) shape(db, c, true);
	return 0;
}

json_t *
chargers_live(db_t *db, const char *station_id)
{
	int rc;
	json_t *rows = station_id
	    ? db_all(db_q(db, "SELECT " CHARGER_COLS " FROM chargers WHERE station_id = $1 ORDER BY charge_point_id LIMIT 2000",
			  "t", station_id), &rc)
	    : db_all(db_prepare(db, "SELECT " CHARGER_COLS " FROM chargers ORDER BY charge_point_id LIMIT 2000"), &rc);
	if (!rows)
		return NULL;
	json_t *conns = db_all(db_prepare(db, "SELECT charger_id, connector_id, status, error_code, updated_at FROM connectors "
					      "ORDER BY charger_id, connector_id"), &rc);
	json_t *by = json_object(), *x;
	size_t i;
	json_array_foreach(conns, i, x) {
		const char *cid = str(x, "charger_id");
		json_t *a = json_object_get(by, cid);
		if (!a) {
			a = json_array();
			json_object_set_new(by, cid, a);
		}
		json_object_del(x, "charger_id");
		json_array_append(a, x);
	}
	json_decref(conns);
	json_t *items = json_array();
	size_t online = 0;
	json_array_foreach(rows, i, x) {
		shape(db, x, false);
		json_t *a = json_object_get(by, str(x, "id"));
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

json_t *
chargers_transaction_get(db_t *db, const char *id)
{
	int rc;
	return db_one(db_q(db, "SELECT " TX_COLS " FROM charge_transactions WHERE id = $1", "t", id), &rc);
}

static void
charger_id_where(qb_t *q, const void *filter)
{
	qb_sql(q, " AND charger_id = ");
	qb_text(q, filter);
}

int
chargers_transactions(db_t *db, const char *charger_id, const char *cursor, int limit, json_t **out, fg_err_t *err)
{
	if (qb_list(db, "SELECT " TX_COLS " FROM charge_transactions WHERE 1 = 1",
		"SELECT COUNT(*) AS n FROM charge_transactions WHERE 1 = 1", charger_id_where, charger_id, "id", true, cursor,
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
		  "SELECT COUNT(*) AS n FROM charger_status_log WHERE 1 = 1", charger_id_where, charger_id, "id", true, cursor,
		  limit, out)
	    : qb_list(db, "SELECT id, kind, payload, at FROM charger_events WHERE 1 = 1",
		  "SELECT COUNT(*) AS n FROM charger_events WHERE 1 = 1", charger_id_where, charger_id, "id", true, cursor, limit,
		  out);
	if (rc != 0)
		return fg_err(err, "internal");
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(*out, "items"), i, x) {
		if (status)
			break;
		const char *p = str(x, "payload");
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

/* ---------- id tags ---------- */

static const char *const tag_statuses[] = {"Accepted", "Blocked", "Expired", "Invalid", NULL};

static json_t *
idtag_get(db_t *db, const char *id)
{
	int rc;
	return db_one(db_q(db, "SELECT " IDTAG_COLS " FROM id_tags WHERE id = $1", "t", id), &rc);
}

static int
idtag_check(json_t *in, fg_err_t *err)
{
	const char *t = str(in, "id_tag");
	if (json_object_get(in, "id_tag") && (!t || !*t || strlen(t) > 20))
		return fg_err_field(err, "invalid_field", "id_tag", "1 to 20 characters (OCPP IdToken)");
	if (json_object_get(in, "status") && !one_of(str(in, "status"), tag_statuses))
		return fg_err_field(err, "invalid_field", "status", "Accepted, Blocked, Expired or Invalid");
	if (str(in, "parent_id_tag") && strlen(str(in, "parent_id_tag")) > 20)
		return fg_err_field(err, "invalid_field", "parent_id_tag", "at most 20 characters");
	return 0;
}

int
chargers_idtag_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	char id[37];
	int64_t now = fg_now_ms();
	if (idtag_check(in, err))
		return -1;
	json_t *exp = json_object_get(in, "expiry_at");
	char ebuf[24] = "";
	if (json_is_integer(exp))
		fg_fmt(ebuf, sizeof ebuf, "%lld", (long long)json_integer_value(exp));
	fg_uuid7(id);
	if (db_begin(db) != 0)
		return db_fail(db, err);
	int rc = db_run(db_q(db,
	    "INSERT INTO id_tags (id, id_tag, status, expiry_at, parent_id_tag, holder, note, created_at, updated_at) "
	    "VALUES ($1, $2, $3, CAST($4 AS BIGINT), $5, $6, $7, $8, $9)",
	    "tttttttii", id, str(in, "id_tag"), str(in, "status") ? str(in, "status") : "Accepted", ebuf[0] ? ebuf : NULL,
	    str(in, "parent_id_tag"), str(in, "holder"), str(in, "note"), now, now));
	if (rc == DB_CONFLICT) {
		fg_err_field(err, "id_tag_taken", "id_tag", NULL);
		return db_fail(db, err);
	}
	json_t *after = rc == DB_DONE ? idtag_get(db, id) : NULL;
	if (!after || audit_write(db, actor_id, "create", "id_tag", id, NULL, after) != 0 || db_commit(db) != 0) {
		json_decref(after);
		return db_fail(db, err);
	}
	*out = after;
	return 0;
}

int
chargers_idtag_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	static const char *const text[] = {"status", "parent_id_tag", "holder", "note", NULL};
	static const char *const ints[] = {"expiry_at", NULL};
	if (idtag_check(in, err))
		return -1;
	return versioned_update(db, actor_id, "id_tags", "id_tag", idtag_get, id, in, text, ints, NULL, NULL, out, err);
}

static void
no_where(qb_t *q, const void *filter)
{
}

int
chargers_idtag_list(db_t *db, const char *cursor, int limit, json_t **out, fg_err_t *err)
{
	if (qb_list(db, "SELECT " IDTAG_COLS " FROM id_tags WHERE 1 = 1", "SELECT COUNT(*) AS n FROM id_tags WHERE 1 = 1", no_where,
		NULL, "id", false, cursor, limit, out) != 0)
		return fg_err(err, "internal");
	return 0;
}

/* ---------- commands ---------- */

static json_t *
cmd_shape(json_t *c)
{
	if (!c)
		return NULL;
	const char *keys[] = {"payload", "result"};
	for (int i = 0; i < 2; i++) {
		const char *s = str(c, keys[i]);
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
		"SELECT COUNT(*) AS n FROM charger_commands WHERE 1 = 1", charger_id_where, charger_id, "id", true, cursor, limit,
		out) != 0)
		return fg_err(err, "internal");
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(*out, "items"), i, c) cmd_shape(c);
	return 0;
}
