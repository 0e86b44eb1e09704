#include <string.h>
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "shared/org/org.h"

#define ORG_COLS "id, name, kind, parent_id, created_at, updated_at, version"

json_t *
org_get(db_t *db, const char *id)
{
	int rc;
	return db_one(db_q(db, "SELECT " ORG_COLS " FROM org_units WHERE id = $1", "t", id), &rc);
}

bool
org_valid_kind(const char *kind)
{
	return kind && (strcmp(kind, "company") == 0 || strcmp(kind, "department") == 0 || strcmp(kind, "team") == 0);
}

bool
org_within(db_t *db, const char *unit, const char *ancestor)
{
	int rc;
	if (!unit || !ancestor)
		return false;
	json_t *row = db_one(db_q(db,
	    "WITH RECURSIVE up(id, parent_id, depth) AS ("
	    " SELECT id, parent_id, 0 FROM org_units WHERE id = $1"
	    " UNION ALL SELECT o.id, o.parent_id, up.depth + 1 FROM org_units o JOIN up ON o.id = up.parent_id"
	    " WHERE up.depth < 64)"
	    " SELECT id FROM up WHERE id = $2",
	    "tt", unit, ancestor), &rc);
	bool yes = row != NULL;
	json_decref(row);
	return yes;
}

static int
check_parent(db_t *db, const char *parent, fg_err_t *err)
{
	if (!parent)
		return 0;
	json_t *p = org_get(db, parent);
	if (!p)
		return fg_err_field(err, "invalid_field", "parent_id", "no such org unit");
	json_decref(p);
	return 0;
}

int
org_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	const char *name = json_string_value(json_object_get(in, "name"));
	const char *kind = json_string_value(json_object_get(in, "kind"));
	const char *parent = json_string_value(json_object_get(in, "parent_id"));
	char id[37];
	int64_t now = fg_now_ms();

	if (!*name)
		return fg_err_field(err, "invalid_field", "name", "must not be empty");
	if (!org_valid_kind(kind))
		return fg_err_field(err, "invalid_field", "kind", "company, department or team");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (check_parent(db, parent, err))
		return db_fail(db, err);
	fg_uuid7(id);
	if (db_run(db_q(db,
		"INSERT INTO org_units (id, name, kind, parent_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
		"ttttii", id, name, kind, parent, now, now)) != DB_DONE)
		return db_fail(db, err);
	json_t *after = org_get(db, id);
	if (!after || audit_write(db, actor_id, "create", "org_unit", id, NULL, after) != 0 || db_commit(db) != 0) {
		json_decref(after);
		return db_fail(db, err);
	}
	*out = after;
	return 0;
}

int
org_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	const char *name = json_string_value(json_object_get(in, "name"));
	const char *kind = json_string_value(json_object_get(in, "kind"));
	json_t *pj = json_object_get(in, "parent_id");
	const char *parent = json_string_value(pj);

	if (name && !*name)
		return fg_err_field(err, "invalid_field", "name", "must not be empty");
	if (kind && !org_valid_kind(kind))
		return fg_err_field(err, "invalid_field", "kind", "company, department or team");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "org_units", id) != 0)
		return db_fail(db, err);
	json_t *before = org_get(db, id);
	if (!before) {
		fg_err_not_found(err, "org_unit", id);
		return db_fail(db, err);
	}
	if (db_check_version(before, in, err))
		goto fail;
	if (parent && (check_parent(db, parent, err) || (org_within(db, parent, id) &&
							    fg_err_field(err, "org_unit_cycle", "parent_id", NULL))))
		goto fail;
	if (db_run(db_q(db,
		"UPDATE org_units SET name = COALESCE($1, name), kind = COALESCE($2, kind), "
		"parent_id = CASE WHEN $3 = 1 THEN $4 ELSE parent_id END, updated_at = $5, version = version + 1 "
		"WHERE id = $6",
		"ttbtit", name, kind, pj != NULL, parent, fg_now_ms(), id)) != DB_DONE)
		goto fail;
	json_t *after = org_get(db, id);
	if (!after || audit_write(db, actor_id, "update", "org_unit", id, before, after) != 0 || db_commit(db) != 0) {
		json_decref(after);
		goto fail;
	}
	json_decref(before);
	*out = after;
	return 0;
fail:
	json_decref(before);
	return db_fail(db, err);
}

int
org_list(db_t *db, const char *kind, const char *parent_id, json_t **out, fg_err_t *err)
{
	int rc;
	json_t *rows = db_all(db_q(db,
	    "SELECT " ORG_COLS " FROM org_units WHERE (CAST($1 AS TEXT) IS NULL OR kind = $1) AND (CAST($2 AS TEXT) IS NULL OR parent_id = $2) "
	    "ORDER BY id LIMIT 5000",
	    "tt", kind, parent_id), &rc);
	if (!rows)
		return fg_err(err, "internal");
	*out = json_pack("{s:o, s:n, s:I}", "items", rows, "next_cursor", "total", (json_int_t)json_array_size(rows));
	return 0;
}

/* GET /me's org_unit_name (fg_module_t.me), so the app can show it to people who may not list org units */
void
org_me(db_t *db, const auth_user_t *u, json_t *me)
{
	json_t *org = u->org_unit_id[0] ? org_get(db, u->org_unit_id) : NULL;
	json_object_set(me, "org_unit_name", org ? json_object_get(org, "name") : json_null());
	json_decref(org);
}
