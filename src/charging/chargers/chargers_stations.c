/* Charging stations (充电站, R4.1) in the ledger (the chargers module, chargers_internal.h): their rules, create,
 * update, delete (only without chargers) and the list. */
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "charging/chargers/chargers.h"
#include "charging/chargers/chargers_internal.h"

json_t *
chargers_station_get(db_t *db, const char *id)
{
	int rc;
	json_t *s = db_one(db_q(db, "SELECT " CHG_STATION_COLS " FROM stations WHERE id = $1", "t", id), &rc);
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
	if (json_object_get(in, "code") && !*chg_str(in, "code"))
		return fg_err_field(err, "invalid_field", "code", "must not be empty");
	if (json_object_get(in, "name") && !*chg_str(in, "name"))
		return fg_err_field(err, "invalid_field", "name", "must not be empty");
	const char *org = chg_str(in, "org_unit_id");
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
	    "ttttttii", id, chg_str(in, "code"), chg_str(in, "name"), chg_str(in, "address"), chg_str(in, "org_unit_id"), chg_str(in, "note"), now,
	    now));
	return chg_create_commit(db, actor_id, rc, "station", id, chargers_station_get, "station_code_taken", "code", out, err);
}

int
chargers_station_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	static const char *const text[] = {"code", "name", "address", "org_unit_id", "note", NULL};
	if (station_check(db, in, err))
		return -1;
	return chg_versioned_update(db, actor_id, "stations", "station", chargers_station_get, id, in, text, NULL,
	    "station_code_taken", "code", out, err);
}

int
chargers_station_delete(db_t *db, const char *actor_id, const char *id, int64_t version, fg_err_t *err)
{
	json_t *before;
	if (chg_begin_row(db, "stations", "station", id, chargers_station_get, &before, err))
		return -1;
	if (chg_version_is(before, version, err))
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
	if (qb_list(db, "SELECT " CHG_STATION_COLS " FROM stations WHERE 1 = 1", "SELECT COUNT(*) AS n FROM stations WHERE 1 = 1",
		station_where, q, "id", false, cursor, limit, out) != 0)
		return fg_err(err, "internal");
	return 0;
}
