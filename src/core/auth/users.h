#ifndef FG_USERS_H
#define FG_USERS_H
#include <stdbool.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"

/* Accounts and roles (R3.1, R2.16). Inputs are JSON objects already checked against the endpoint's field
 * spec (types, unknown fields); these functions apply the rules, write in one transaction and audit it.
 * actor_id NULL means the system (CLI). */

/* The user as the API shows it (roles included, never the password hash), or NULL. */
json_t *users_get(db_t *db, const char *id);
json_t *users_get_by_name(db_t *db, const char *username);

int users_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
/* in may hold display_name, roles, org_unit_id, phone, password; "version" must match. A new password ends
 * the user's other sessions (keep_sid is the caller's own session, kept). */
int users_update(db_t *db, const char *actor_id, const char *keep_sid, const char *id, json_t *in, json_t **out,
    fg_err_t *err);
/* Disabling ends every session of the user at once; enabling also lifts a login lock. */
int users_set_disabled(db_t *db, const char *actor_id, const char *id, bool disabled, json_t **out, fg_err_t *err);

typedef struct {
	const char *q, *role, *org_unit_id, *cursor;
	int disabled; /* -1 any, 0, 1 */
	int limit;
} users_filter_t;
int users_list(db_t *db, const users_filter_t *f, json_t **out, fg_err_t *err);
/* Enabled accounts unused for `days` days: candidates for removal (R2.16). */
int users_unused(db_t *db, int days, json_t **out, fg_err_t *err);

/* Rules shared with the CLI and demo loader. */
bool users_valid_username(const char *s);

#endif
