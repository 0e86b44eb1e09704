#ifndef FG_SIGNING_H
#define FG_SIGNING_H
#include <stdbool.h>
#include <jansson.h>
#include "base/err.h"
#include "db/db.h"

/* Electronic signatures (R3.4, DESIGN.md §6): Ed25519 over a canonical content hash, by a key only the signer's
 * password unseals. A signature row names the entity, the role signed as, the signer, the time and the hash of
 * the content signed; verifying recomputes the content's hash from the live record, so any change after
 * signing shows. */

/* Signs entity/entity_id as `role` (inside the caller's transaction). The password must already have been
 * checked (login_reauth); it unseals the signer's key, or makes a new key when none opens with it. */
int signing_sign(db_t *db, const char *user_id, const char *password, const char *entity, const char *entity_id,
    const char *role, const char *canonical, fg_err_t *err);

/* Checks every signature of the entity against `canonical` (the content now).
 * out: {"valid": bool, "content_hash", "signatures": [{role, signer_id, signer_name, signed_at, valid, reason?}]}.
 * valid is false when there is no signature at all. */
json_t *signing_verify(db_t *db, const char *entity, const char *entity_id, const char *canonical);

/* SHA-256 hex of a string. out: 65 bytes. */
void signing_hash(const char *s, char out[65]);

#endif
