#ifndef FG_LOGIN_H
#define FG_LOGIN_H
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"

#define LOGIN_MAX_FAILURES 5
#define LOGIN_LOCK_MS (15LL * 60 * 1000)

/* Checks a password and opens a session (optionally bound to one of the user's devices).
 * out: {"token","expires_at","user"}. Refusals: invalid_credentials, account_disabled, account_locked (details
 * retry_after in seconds), device_revoked, forbidden (someone else's device). Five failures in a row lock the
 * account for LOGIN_LOCK_MS, whatever password comes next. */
int login_password(db_t *db, const char *username, const char *password, const char *device_id, json_t **out,
    fg_err_t *err);

/* Step-up re-authentication before a signature (R3.4): the signer types their password again. Wrong passwords
 * count toward the same lock as logins (recorded in their own transaction, so a refused action cannot roll
 * them back). Refusals: reauth_failed (403), account_locked (429). Must be called outside a transaction. */
int login_reauth(db_t *db, const char *user_id, const char *password, fg_err_t *err);

/* Ends the session (audited). */
int login_logout(db_t *db, const char *user_id, const char *sid, fg_err_t *err);

#endif
