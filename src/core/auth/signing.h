#ifndef FG_SIGNING_H
#define FG_SIGNING_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"

/* Electronic signatures (R3.4, DESIGN.md §6): Ed25519 over a canonical content hash, by a key only the signer's
 * password unseals. A signature row names the entity, the role signed as, the signer, the time and the hash of
 * the content signed; verifying recomputes the content's hash from the live record, so any change after
 * signing shows. */

/* Signs entity/entity_id as `role` (inside the caller's transaction). The password must already have been
 * checked (login_reauth); it unseals the signer's key, or makes a new key when none opens with it. */
int signing_sign(db_t *db, const char *user_id, const char *password, const char *entity, const char *entity_id,
    const char *role, const char *canonical, fg_err_t *err);

/* Checks every signature of the entity against `canonical` (the content now).
 * out: {"valid": bool, "algorithm", "format", "canonical", "content_hash", "signatures": [{role, signer {id, name,
 * role}, signer_id, signer_name, signed_at, content_hash, algorithm, public_key, public_key_pem, key_id, signature,
 * signed_bytes, signed_text, valid, reason?}]} (keys and signatures in base64).
 * valid is false when there is no signature at all. */
json_t *signing_verify(db_t *db, const char *entity, const char *entity_id, const char *canonical);

/* The exact text a signature covers (malloc'ed; docs/api.md "Verifying a ticket's signatures"). */
char *signing_message(const char *entity, const char *entity_id, const char *role, const char *signer, int64_t at,
    const char *hash);
/* 0 when signature_b64 (64 bytes) is a valid Ed25519 signature of message_text by public_key_b64 (32 bytes); -1
 * otherwise. Needs no database: the offline verifier uses it. */
int signing_check_b64(const char *message_text, const char *public_key_b64, const char *signature_b64);
/* Standard base64 (malloc'ed). */
char *signing_b64(const unsigned char *in, size_t n);
/* An Ed25519 public key as a PEM SubjectPublicKeyInfo (malloc'ed), what openssl pkeyutl -pubin reads. */
char *signing_pem(const unsigned char pk[32]);

/* SHA-256 hex of a string. out: 65 bytes. */
void signing_hash(const char *s, char out[65]);

#endif
