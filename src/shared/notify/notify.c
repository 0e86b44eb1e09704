#include <string.h>
#include "core/base/util.h"
#include "core/base/log.h"
#include "core/audit/audit.h"
#include "shared/notify/notify.h"
#include "safety/people/people.h"
#include "safety/tools/tools.h"

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

int
notify_add(db_t *db, const char *user_id, const char *kind, const char *title, const char *body, const char *entity,
    const char *entity_id, const char *dedupe_key)
{
	char id[37];
	fg_uuid7(id);
	int rc = db_run(db_q(db,
	    "INSERT INTO notifications (id, user_id, kind, title, body, entity, entity_id, dedupe_key, created_at) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (user_id, dedupe_key) DO NOTHING",
	    "tttttttti", id, user_id, kind, title, body, entity, entity_id, dedupe_key, fg_now_ms()));
	/* ON CONFLICT DO NOTHING hides which case it was: the new id exists only when the row went in */
	if (rc != DB_DONE)
		return -1;
	json_t *row = db_one(db_q(db, "SELECT id FROM notifications WHERE id = $1", "t", id), &rc);
	int added = row != NULL;
	json_decref(row);
	return added;
}

static json_t *
with_role(db_t *db, const char *role)
{
	int rc;
	return db_all(db_q(db,
	    "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role = $1 AND u.disabled = 0", "t", role), &rc);
}

static int reminders(db_t *db);

/* One run, one transaction, one audit record saying how many people were told. */
int
notify_reminders(db_t *db)
{
	if (db_begin(db) != 0)
		return -1;
	int added = reminders(db);
	json_t *info = json_pack("{s:i}", "added", added);
	if (added < 0 || audit_write(db, NULL, "run", "reminders", NULL, NULL, info) != 0 || db_commit(db) != 0) {
		json_decref(info);
		db_rollback(db);
		return -1;
	}
	json_decref(info);
	return added;
}

static int
reminders(db_t *db)
{
	int added = 0;
	json_t *keepers = with_role(db, "tool_keeper"), *managers = with_role(db, "manager");
	json_t *tools = tools_due(db, TOOLS_DUE_SOON_DAYS), *people = people_expiring(db, 60), *t, *k;
	size_t i, j;
	if (!keepers || !managers || !tools || !people) {
		added = -1;
		goto out;
	}
	json_array_foreach(tools, i, t) {
		json_int_t days = json_integer_value(json_object_get(t, "days_to_due"));
		/* three moments worth a message: 30 days before, 7 days before, and overdue */
		const char *stage = days < 0 ? "overdue" : days <= 7 ? "due7" : "due30";
		char title[256], key[160];
		if (days < 0)
			fg_fmt(title, sizeof title, "工器具 %s（%s）已超过试验有效期（%s），禁止使用", str(t, "asset_no"),
			    str(t, "kind_name") ? str(t, "kind_name") : str(t, "kind"), str(t, "next_test_due"));
		else
			fg_fmt(title, sizeof title, "工器具 %s（%s）将于 %s 到期送检（剩余 %lld 天）", str(t, "asset_no"),
			    str(t, "kind_name") ? str(t, "kind_name") : str(t, "kind"), str(t, "next_test_due"), (long long)days);
		fg_fmt(key, sizeof key, "tool:%s:%s:%s", str(t, "id"), str(t, "next_test_due"), stage);
		json_array_foreach(keepers, j, k) {
			int r = notify_add(db, str(k, "id"), days < 0 ? "tool_overdue" : "tool_due", title, NULL, "tool", str(t, "id"), key);
			if (r < 0) {
				added = -1;
				goto out;
			}
			added += r;
		}
	}
	json_array_foreach(people, i, t) {
		json_int_t days = json_integer_value(json_object_get(t, "days_to_expiry"));
		char title[256], key[160];
		fg_fmt(title, sizeof title, days < 0 ? "%s 的「%s」已于 %s 过期" : "%s 的「%s」将于 %s 到期", str(t, "display_name"),
		    str(t, "name"), str(t, "expires_on"));
		fg_fmt(key, sizeof key, "qual:%s:%s:%s", str(t, "id"), str(t, "expires_on"), days < 0 ? "expired" : "soon");
		int r = notify_add(db, str(t, "user_id"), "qualification_expiry", title, NULL, "qualification", str(t, "id"), key);
		if (r < 0) {
			added = -1;
			goto out;
		}
		added += r;
		json_array_foreach(managers, j, k) {
			r = notify_add(db, str(k, "id"), "qualification_expiry", title, NULL, "qualification", str(t, "id"), key);
			if (r < 0) {
				added = -1;
				goto out;
			}
			added += r;
		}
	}
out:
	json_decref(keepers);
	json_decref(managers);
	json_decref(tools);
	json_decref(people);
	return added;
}

int
notify_list(db_t *db, const char *user_id, bool unread_only, json_t **out, fg_err_t *err)
{
	int rc;
	json_t *rows = db_all(db_q(db,
	    "SELECT id, kind, title, body, entity, entity_id, created_at, read_at FROM notifications WHERE user_id = $1 "
	    "AND ($2 = 0 OR read_at IS NULL) ORDER BY created_at DESC, id DESC LIMIT 200", "ti", user_id, (int64_t)unread_only),
	    &rc);
	json_t *cnt = rows ? db_one(db_q(db, "SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL", "t",
				    user_id), &rc)
			   : NULL;
	if (!rows || !cnt) {
		json_decref(rows);
		return fg_err(err, "internal");
	}
	*out = json_pack("{s:o, s:O}", "items", rows, "unread", json_object_get(cnt, "n"));
	json_decref(cnt);
	return 0;
}

int
notify_read(db_t *db, const char *user_id, const char *id, fg_err_t *err)
{
	int rc;
	json_t *row = db_one(db_q(db, "SELECT id FROM notifications WHERE id = $1 AND user_id = $2", "tt", id, user_id), &rc);
	if (!row)
		return fg_err_not_found(err, "notification", id);
	json_decref(row);
	if (db_begin(db) != 0 ||
	    db_run(db_q(db, "UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2", "it", fg_now_ms(), id)) != DB_DONE ||
	    audit_write(db, user_id, "read", "notification", id, NULL, NULL) != 0 || db_commit(db) != 0)
		return db_fail(db, err);
	return 0;
}
