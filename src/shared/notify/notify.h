#ifndef FG_NOTIFY_H
#define FG_NOTIFY_H
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"

/* In-app notifications and the reminder job that writes them (R3.6, R2.2). */

/* Adds a notification unless the same (user, dedupe_key) exists. 1 added, 0 already there, -1 error. */
int notify_add(db_t *db, const char *user_id, const char *kind, const char *title, const char *body, const char *entity,
    const char *entity_id, const char *dedupe_key);
/* The daily reminders: tools overdue or due within 30 and 7 days → every tool keeper; certificates and exams
 * expiring within 60 days → the person and the managers. Returns how many notifications were added, -1 on error. */
int notify_reminders(db_t *db);
int notify_list(db_t *db, const char *user_id, bool unread_only, json_t **out, fg_err_t *err);
int notify_read(db_t *db, const char *user_id, const char *id, fg_err_t *err);

#endif
