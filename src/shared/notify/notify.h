#ifndef FG_NOTIFY_H
#define FG_NOTIFY_H
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"

/* In-app notifications (R3.6, R2.2): any module adds them; modules remind of their own deadlines through them. */

/* Adds a notification unless the same (user, dedupe_key) exists. 1 added, 0 already there, -1 error. */
int notify_add(db_t *db, const char *user_id, const char *kind, const char *title, const char *body, const char *entity,
    const char *entity_id, const char *dedupe_key);
/* The enabled users holding a role: [{id}], NULL on error. */
json_t *notify_role_users(db_t *db, const char *role);
/* One reminder run of a module (the module's job "<module>.reminders"): fn adds its notifications through notify_add;
 * one transaction and one audit record ("run" "reminders" {added, by}). Returns how many were added, -1 on error.
 * The reminders themselves belong to the modules whose deadlines they are (tools: tests due; people: certificates
 * expiring); notify only delivers. */
int notify_run_reminders(db_t *db, const char *by, int (*fn)(db_t *db));
/* Every module's reminder job once, now (POST /reminders/actions/run). Returns how many were added, -1 on error. */
int notify_reminders(db_t *db);
int notify_list(db_t *db, const char *user_id, bool unread_only, json_t **out, fg_err_t *err);
int notify_read(db_t *db, const char *user_id, const char *id, fg_err_t *err);

#endif
