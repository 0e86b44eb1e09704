/* The on-call roster (R1.4 "24 h reachability"): who is reachable, for what duty, from when to when. Phones are
 * shown as the directory shows them: in full to the roles that call people (SCOPE_PHONE_ROLES) and to oneself,
 * masked to everyone else. */
#include <string.h>
#include "core/audit/audit.h"
#include "core/base/util.h"
#include "shared/org/org.h"
#include "shared/org/scope.h"
#include "fieldwork/emergency/emergency.h"

#define ONCALL_COLS                                                                                                    \
	"c.id, c.user_id, u.display_name, u.phone, c.duty, c.org_unit_id, o.name AS org_unit_name, c.from_at, c.to_at, " \
	"c.created_by, c.created_at FROM on_call c JOIN users u ON u.id = c.user_id LEFT JOIN org_units o ON o.id = "   \
	"c.org_unit_id"

int
oncall_add(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	int rc;
	const char *uid = fg_jstr(in, "user_id"), *unit = fg_jstr(in, "org_unit_id");
	int64_t from = json_integer_value(json_object_get(in, "from_at")), to = json_integer_value(json_object_get(in, "to_at"));
	if (fg_blank(fg_jstr(in, "duty")))
		return fg_err_field(err, "invalid_field", "duty", "required");
	if (from <= 0)
		return fg_err_field(err, "invalid_field", "from_at", "epoch ms");
	if (to <= from)
		return fg_err_field(err, "invalid_field", "to_at", "after from_at");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	json_t *u = db_one(db_q(db, "SELECT id FROM users WHERE id = $1 AND disabled = 0", "t", uid), &rc);
	if (!u) {
		fg_err_field(err, "invalid_field", "user_id", "no such enabled user");
		return db_fail(db, err);
	}
	json_decref(u);
	if (unit && !(u = org_get(db, unit))) {
		fg_err_field(err, "invalid_field", "org_unit_id", "no such org unit");
		return db_fail(db, err);
	}
	json_decref(unit ? u : NULL);
	char id[37];
	fg_uuid7(id);
	if (db_run(db_q(db,
		"INSERT INTO on_call (id, user_id, duty, org_unit_id, from_at, to_at, created_by, created_at) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
		"ttttiiti", id, uid, fg_jstr(in, "duty"), unit, from, to, actor_id, fg_now_ms())) != DB_DONE)
		return db_fail(db, err);
	json_t *after = db_one(db_q(db, "SELECT " ONCALL_COLS " WHERE c.id = $1", "t", id), &rc);
	if (after)
		json_object_del(after, "phone"); /* the audit keeps who and when, not the number */
	return audit_commit(db, actor_id, "create", "on_call", id, NULL, after, out, err);
}

json_t *
oncall_list(db_t *db, const auth_user_t *viewer, int64_t at, bool all)
{
	int rc;
	json_t *items = all ? db_all(db_q(db, "SELECT " ONCALL_COLS " WHERE c.to_at > $1 ORDER BY c.from_at, u.display_name",
					   "i", at - 30LL * 24 * 3600 * 1000), &rc)
			    : db_all(db_q(db, "SELECT " ONCALL_COLS " WHERE c.from_at <= $1 AND c.to_at > $1 "
					      "ORDER BY c.duty, u.display_name", "i", at), &rc);
	if (!items)
		return NULL;
	json_t *it;
	size_t i;
	json_array_foreach(items, i, it) {
		int64_t f = json_integer_value(json_object_get(it, "from_at")), t = json_integer_value(json_object_get(it, "to_at"));
		json_object_set_new(it, "on_now", json_boolean(f <= at && t > at));
		scope_phone(db, viewer, it, "phone", fg_jstr(it, "user_id"), NULL);
	}
	return json_pack("{s:I, s:o}", "at", (json_int_t)at, "items", items);
}
