#include <string.h>
#include <sodium.h>
#include "core/base/util.h"
#include "core/base/log.h"
#include "core/auth/signing.h"

void
signing_hash(const char *s, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
	fg_hex(h, sizeof h, out);
}

/* What is signed: the statement "signer S, as role R, at time T, signs content hash H of entity E/ID", as the
 * UTF-8 text "fieldgrid-signature-v1\nE\nID\nR\nS\nT\nH" (T: milliseconds since 1970 in decimal, H: the SHA-256 of
 * the entity's canonical content in lower-case hex; no trailing newline). docs/api.md publishes this form so
 * anyone can rebuild the bytes and check the Ed25519 signature with a standard tool. */
char *
signing_message(const char *entity, const char *entity_id, const char *role, const char *signer, int64_t at,
    const char *hash)
{
	size_t n = strlen(entity) + strlen(entity_id) + strlen(role) + strlen(signer) + strlen(hash) + 96;
	char *m = fg_malloc(n);
	fg_fmt(m, n, "fieldgrid-signature-v1\n%s\n%s\n%s\n%s\n%lld\n%s", entity, entity_id, role, signer, (long long)at, hash);
	return m;
}

static char *
message(const char *entity, const char *entity_id, const char *role, const char *signer, int64_t at, const char *hash)
{
	return signing_message(entity, entity_id, role, signer, at, hash);
}

char *
signing_b64(const unsigned char *in, size_t n)
{
	size_t len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	char *out = fg_malloc(len);
	sodium_bin2base64(out, len, in, n, sodium_base64_VARIANT_ORIGINAL);
	return out;
}

/* The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT
 * STRING (32 bytes) }; the raw key follows. */
static const unsigned char spki_ed25519[12] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

char *
signing_pem(const unsigned char pk[32])
{
	unsigned char der[44];
	memcpy(der, spki_ed25519, sizeof spki_ed25519);
	memcpy(der + sizeof spki_ed25519, pk, 32);
	char *b = signing_b64(der, sizeof der);
	size_t n = strlen(b) + 64;
	char *pem = fg_malloc(n);
	fg_fmt(pem, n, "-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n", b);
	free(b);
	return pem;
}

static int
unb64(const char *b64, unsigned char *out, size_t n)
{
	size_t got = 0;
	if (!b64 || sodium_base642bin(out, n, b64, strlen(b64), NULL, &got, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    got != n)
		return -1;
	return 0;
}

int
signing_check_b64(const char *message_text, const char *public_key_b64, const char *signature_b64)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
	if (!message_text || unb64(public_key_b64, pk, sizeof pk) || unb64(signature_b64, sig, sizeof sig))
		return -1;
	return crypto_sign_verify_detached(sig, (const unsigned char *)message_text, strlen(message_text), pk) == 0 ? 0 : -1;
}

static int
unhex(const char *hex, unsigned char *out, size_t n)
{
	size_t got = 0;
	if (!hex || sodium_hex2bin(out, n, hex, strlen(hex), NULL, &got, NULL) != 0 || got != n)
		return -1;
	return 0;
}

static int
derive(const char *password, const unsigned char *salt, unsigned char key[crypto_secretbox_KEYBYTES])
{
	return crypto_pwhash(key, crypto_secretbox_KEYBYTES, password, strlen(password), salt,
	    crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13);
}

/* The newest key of the user that the password opens, or a new one sealed with it. */
static int
user_key(db_t *db, const char *user_id, const char *password, unsigned char sk[crypto_sign_SECRETKEYBYTES],
    char pk_hex[2 * crypto_sign_PUBLICKEYBYTES + 1])
{
	int rc;
	unsigned char key[crypto_secretbox_KEYBYTES];
	json_t *row = db_one(db_q(db,
	    "SELECT public_key, sealed_secret, salt, nonce FROM signing_keys WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1",
	    "t", user_id), &rc);
	if (rc < 0)
		return -1;
	if (row) {
		unsigned char salt[crypto_pwhash_SALTBYTES], nonce[crypto_secretbox_NONCEBYTES];
		unsigned char sealed[crypto_sign_SECRETKEYBYTES + crypto_secretbox_MACBYTES];
		bool ok = unhex(json_string_value(json_object_get(row, "salt")), salt, sizeof salt) == 0 &&
		    unhex(json_string_value(json_object_get(row, "nonce")), nonce, sizeof nonce) == 0 &&
		    unhex(json_string_value(json_object_get(row, "sealed_secret")), sealed, sizeof sealed) == 0 &&
		    derive(password, salt, key) == 0 &&
		    crypto_secretbox_open_easy(sk, sealed, sizeof sealed, nonce, key) == 0;
		sodium_memzero(key, sizeof key);
		if (ok) {
			fg_fmt(pk_hex, 2 * crypto_sign_PUBLICKEYBYTES + 1, "%s", json_string_value(json_object_get(row, "public_key")));
			json_decref(row);
			return 0;
		}
		json_decref(row); /* sealed under an older password: make a new key below */
	}
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], salt[crypto_pwhash_SALTBYTES], nonce[crypto_secretbox_NONCEBYTES];
	unsigned char sealed[crypto_sign_SECRETKEYBYTES + crypto_secretbox_MACBYTES];
	char salt_hex[2 * sizeof salt + 1], nonce_hex[2 * sizeof nonce + 1], sealed_hex[2 * sizeof sealed + 1];
	crypto_sign_keypair(pk, sk);
	randombytes_buf(salt, sizeof salt);
	randombytes_buf(nonce, sizeof nonce);
	if (derive(password, salt, key) != 0)
		return -1;
	crypto_secretbox_easy(sealed, sk, crypto_sign_SECRETKEYBYTES, nonce, key);
	sodium_memzero(key, sizeof key);
	fg_hex(pk, sizeof pk, pk_hex);
	fg_hex(salt, sizeof salt, salt_hex);
	fg_hex(nonce, sizeof nonce, nonce_hex);
	fg_hex(sealed, sizeof sealed, sealed_hex);
	rc = db_run(db_q(db,
	    "INSERT INTO signing_keys (user_id, public_key, sealed_secret, salt, nonce, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
	    "ttttti", user_id, pk_hex, sealed_hex, salt_hex, nonce_hex, fg_now_ms()));
	return rc == DB_DONE ? 0 : -1;
}

int
signing_sign(db_t *db, const char *user_id, const char *password, const char *entity, const char *entity_id,
    const char *role, const char *canonical, fg_err_t *err)
{
	unsigned char sk[crypto_sign_SECRETKEYBYTES], sig[crypto_sign_BYTES];
	char pk_hex[2 * crypto_sign_PUBLICKEYBYTES + 1], sig_hex[2 * crypto_sign_BYTES + 1], hash[65], id[37];
	if (user_key(db, user_id, password, sk, pk_hex) != 0) {
		sodium_memzero(sk, sizeof sk);
		return fg_err(err, "internal");
	}
	int64_t at = fg_now_ms();
	signing_hash(canonical, hash);
	char *m = message(entity, entity_id, role, user_id, at, hash);
	crypto_sign_detached(sig, NULL, (const unsigned char *)m, strlen(m), sk);
	sodium_memzero(sk, sizeof sk);
	free(m);
	fg_hex(sig, sizeof sig, sig_hex);
	fg_uuid7(id);
	if (db_run(db_q(db,
		"INSERT INTO signatures (id, entity, entity_id, role, signer_id, signed_at, content_hash, public_key, signature) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
		"tttttittt", id, entity, entity_id, role, user_id, at, hash, pk_hex, sig_hex)) != DB_DONE)
		return fg_err(err, "internal");
	return 0;
}

json_t *
signing_verify(db_t *db, const char *entity, const char *entity_id, const char *canonical)
{
	int rc;
	char now_hash[65];
	signing_hash(canonical, now_hash);
	json_t *rows = db_all(db_q(db,
	    "SELECT s.id, s.role, s.signer_id, u.display_name AS signer_name, s.signed_at, s.content_hash, s.public_key, "
	    "s.signature, (SELECT COUNT(*) FROM signing_keys k WHERE k.user_id = s.signer_id AND k.public_key = s.public_key) "
	    "AS known_key FROM signatures s JOIN users u ON u.id = s.signer_id "
	    "WHERE s.entity = $1 AND s.entity_id = $2 ORDER BY s.signed_at, s.id",
	    "tt", entity, entity_id), &rc);
	if (!rows)
		return NULL;
	bool all = json_array_size(rows) > 0;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		const char *hash = json_string_value(json_object_get(r, "content_hash"));
		unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
		char *m = message(entity, entity_id, json_string_value(json_object_get(r, "role")),
		    json_string_value(json_object_get(r, "signer_id")), json_integer_value(json_object_get(r, "signed_at")), hash);
		const char *reason = NULL;
		bool pk_ok = unhex(json_string_value(json_object_get(r, "public_key")), pk, sizeof pk) == 0;
		bool sig_ok = unhex(json_string_value(json_object_get(r, "signature")), sig, sizeof sig) == 0;
		if (!pk_ok || !sig_ok || crypto_sign_verify_detached(sig, (const unsigned char *)m, strlen(m), pk) != 0)
			reason = "signature_invalid"; /* the signature row itself was altered */
		else if (json_integer_value(json_object_get(r, "known_key")) == 0)
			reason = "unknown_key";
		else if (strcmp(hash, now_hash) != 0)
			reason = "content_changed"; /* the entity differs from what was signed */
		/* what an outsider checks with: the algorithm, the key, the signature and the exact bytes signed */
		json_object_set_new(r, "signer", json_pack("{s:O, s:O, s:O}", "id", json_object_get(r, "signer_id"), "name",
						     json_object_get(r, "signer_name"), "role", json_object_get(r, "role")));
		json_object_set_new(r, "algorithm", json_string("Ed25519"));
		if (pk_ok) {
			char hx[17];
			unsigned char kh[crypto_hash_sha256_BYTES];
			crypto_hash_sha256(kh, pk, sizeof pk);
			fg_hex(kh, 8, hx);
			char *b = signing_b64(pk, sizeof pk), *pem = signing_pem(pk);
			json_object_set_new(r, "public_key", json_string(b));
			json_object_set_new(r, "public_key_pem", json_string(pem));
			json_object_set_new(r, "key_id", json_string(hx));
			free(b);
			free(pem);
		} else {
			json_object_set_new(r, "public_key", json_null());
		}
		if (sig_ok) {
			char *b = signing_b64(sig, sizeof sig);
			json_object_set_new(r, "signature", json_string(b));
			free(b);
		} else {
			json_object_set_new(r, "signature", json_null());
		}
		char *mb = signing_b64((const unsigned char *)m, strlen(m));
		json_object_set_new(r, "signed_bytes", json_string(mb));
		json_object_set_new(r, "signed_text", json_string(m));
		free(mb);
		free(m);
		json_object_set_new(r, "valid", json_boolean(!reason));
		if (reason) {
			json_object_set_new(r, "reason", json_string(reason));
			all = false;
		}
		json_object_del(r, "known_key");
		json_object_del(r, "id");
	}
	return json_pack("{s:b, s:s, s:s, s:s, s:s, s:o}", "valid", all, "algorithm", "Ed25519", "format",
	    "fieldgrid-signature-v1", "canonical", canonical, "content_hash", now_hash, "signatures", rows);
}
