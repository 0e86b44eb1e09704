#include <string.h>
#include "core/base/util.h"
#include "core/base/log.h"
#include "core/audit/audit.h"
#include "shared/notify/notify.h"
#include "core/module/module.h"

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

json_t *
notify_role_users(db_t *db, const char *role)
{
	int rc;
	return db_all(db_q(db,
	    "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role = $1 AND u.disabled = 0", "t", role), &rc);
}

/* One run, one transaction, one audit record saying how many people were told. */
int
notify_run_reminders(db_t *db, const char *by, int (*fn)(db_t *db))
{
	if (db_begin(db) != 0)
		return -1;
	int added = fn(db);
	json_t *info = json_pack("{s:i, s:s}", "added", added, "by", by);
	if (added < 0 || audit_write(db, NULL, "run", "reminders", NULL, NULL, info) != 0 || db_commit(db) != 0) {
		json_decref(info);
		db_rollback(db);
		return -1;
	}
	json_decref(info);
	return added;
}

/* The modules' reminder jobs are named "<module>.reminders" (a module that reminds of its own deadlines). */
int
notify_reminders(db_t *db)
{
	int added = 0;
	int64_t now = fg_now_ms();
	FG_EACH_MODULE(m) {
		for (const fg_job_t *j = m->jobs; j && j->name; j++) {
			const char *dot = strchr(j->name, '.');
			if (!dot || strcmp(dot, ".reminders") != 0)
				continue;
			int n = j->run(db, now);
			if (n < 0)
				return -1;
			added += n;
		}
	}
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
