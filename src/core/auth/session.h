#ifndef FG_SESSION_H
#define FG_SESSION_H
#include <stdint.h>
#include "core/base/err.h"
#include "core/db/db.h"

/* The caller of a request, resolved from its session token. */
typedef struct {
	char id[37];
	char username[65];
	char display_name[129];
	uint32_t roles;
	char org_unit_id[37]; /* "" when none */
	char session_id[37];
	char device_id[37]; /* "" when the session is not bound to a device */
} auth_user_t;

#define SESSION_IDLE_MS (12LL * 3600 * 1000)    /* a session unused this long ends */
#define SESSION_MAX_MS (7LL * 24 * 3600 * 1000) /* and none outlives a week */
#define SESSION_TOKEN_LEN 44                    /* 32 random bytes, base64url without padding, + NUL */

/* Creates a session inside the caller's transaction. token gets the secret the client keeps; only its BLAKE2b
 * hash is stored. */
int session_create(db_t *db, const char *user_id, const char *device_id, char token[SESSION_TOKEN_LEN],
    char sid[37], int64_t *expires_at) __attribute__((warn_unused_result));

/* Resolves a token to its user: unauthenticated (unknown, expired, revoked, disabled user) or device_revoked.
 * Slides the expiry at most once a minute. */
int session_resolve(db_t *db, const char *token, auth_user_t *u, fg_err_t *err);

/* Ends sessions (inside the caller's transaction). 0 or a DB_* error. */
int session_revoke(db_t *db, const char *sid);
int session_revoke_user(db_t *db, const char *user_id, const char *except_sid);
int session_revoke_device(db_t *db, const char *device_id);

/* Forgets every resolved session this process keeps (session_resolve's cache): at once, and again when the
 * caller's transaction commits. Call it from any change to what a session resolves to (a user's roles, org
 * unit, name, disabled flag; the revocations above call it themselves). */
void session_cache_invalidate(db_t *db);

/* Loads a user's roles as a bit set. */
uint32_t session_user_roles(db_t *db, const char *user_id);

/* Registers the cluster message that drops every node's resolved sessions (the auth module's start). */
void session_cluster_start(void);

#endif
