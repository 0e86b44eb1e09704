#ifndef FG_DEVICES_H
#define FG_DEVICES_H
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/auth/session.h"

/* A crew member's phone or tablet bound to the account (R3.1). The device holds a session token bound to it;
 * revoking the device ends that session and refuses the token from then on (device_revoked). */

/* Registers a device of the caller and opens a session bound to it. out: {"device","token"}. */
int devices_register(db_t *db, const auth_user_t *me, const char *name, const char *platform, json_t **out,
    fg_err_t *err);
/* The owner or an admin (manage_any) may revoke. */
int devices_revoke(db_t *db, const auth_user_t *me, bool manage_any, const char *id, json_t **out, fg_err_t *err);
/* {"items":[…]} for one user. */
int devices_list(db_t *db, const char *user_id, json_t **out, fg_err_t *err);

#endif
