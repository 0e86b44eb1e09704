#include <string.h>
#include <sodium.h>
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/auth/devices.h"

#define DEVICE_COLS "id, user_id, name, platform, created_at, last_seen_at, revoked_at, version"

static json_t *
device_get(db_t *db, const char *id)
{
	int rc;
	return db_one(db_q(db, "SELECT " DEVICE_COLS " FROM devices WHERE id = $1", "t", id), &rc);
}

int
devices_register(db_t *db, const auth_user_t *me, const char *name, const char *platform, json_t **out, fg_err_t *err)
{
	char id[37], sid[37], token[SESSION_TOKEN_LEN];
	int64_t now = fg_now_ms(), expires;

	if (!*name)
		return fg_err_field(err, "invalid_field", "name", "must not be empty");
	fg_uuid7(id);
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_run(db_q(db,
		"INSERT INTO devices (id, user_id, name, platform, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6)",
		"ttttii", id, me->id, name, platform, now, now)) != DB_DONE ||
	    session_create(db, me->id, id, token, sid, &expires) != 0)
		return db_fail(db, err);
	json_t *dev = device_get(db, id);
	if (!dev || audit_write(db, me->id, "register", "device", id, NULL, dev) != 0 || db_commit(db) != 0) {
		json_decref(dev);
		sodium_memzero(token, sizeof token);
		return db_fail(db, err);
	}
	*out = json_pack("{s:o, s:s, s:I}", "device", dev, "token", token, "expires_at", (json_int_t)expires);
	sodium_memzero(token, sizeof token);
	return 0;
}

int
devices_revoke(db_t *db, const auth_user_t *me, bool manage_any, const char *id, json_t **out, fg_err_t *err)
{
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "devices", id) != 0)
		return db_fail(db, err);
	json_t *before = device_get(db, id);
	/* someone else's device is "not found" to a non-admin: its existence is not theirs to learn */
	if (!before || (!manage_any && strcmp(json_string_value(json_object_get(before, "user_id")), me->id) != 0)) {
		json_decref(before);
		fg_err_not_found(err, "device", id);
		return db_fail(db, err);
	}
	int64_t now = fg_now_ms();
	if (db_run(db_q(db,
		"UPDATE devices SET revoked_at = COALESCE(revoked_at, $1), version = version + 1 WHERE id = $2", "it", now,
		id)) != DB_DONE ||
	    session_revoke_device(db, id) != 0) {
		json_decref(before);
		return db_fail(db, err);
	}
	json_t *after = device_get(db, id);
	if (!after || audit_write(db, me->id, "revoke", "device", id, before, after) != 0 || db_commit(db) != 0) {
		json_decref(before);
		json_decref(after);
		return db_fail(db, err);
	}
	json_decref(before);
	*out = after;
	return 0;
}

int
devices_list(db_t *db, const char *user_id, json_t **out, fg_err_t *err)
{
	int rc;
	json_t *rows = user_id
	    ? db_all(db_q(db, "SELECT " DEVICE_COLS " FROM devices WHERE user_id = $1 ORDER BY id", "t", user_id), &rc)
	    : db_all(db_prepare(db, "SELECT " DEVICE_COLS " FROM devices ORDER BY id LIMIT 1000"), &rc);
	if (!rows)
		return fg_err(err, "internal");
	*out = json_pack("{s:o}", "items", rows);
	return 0;
}
