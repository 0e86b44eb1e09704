/* A charger's AuthorizationKey (security profile 1, HTTP Basic; the chargers module, chargers_internal.h): minted
 * here, stored only as a salted hash, checked at the WebSocket handshake (chargers_key_ok). Kept apart so the one
 * place that handles a key in the clear is small and easy to review. */
#include <string.h>
#include <sodium.h>
#include "core/base/util.h"
#include "charging/chargers/chargers.h"
#include "charging/chargers/chargers_internal.h"

/* "b2$<salt hex>$<BLAKE2b-256(salt ‖ key) hex>": the key is 20 random bytes, so a keyed fast hash suffices */
static void
key_hash(const char *key, size_t keylen, const unsigned char salt[16], char out[160])
{
	unsigned char h[32];
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	crypto_generichash_update(&st, salt, 16);
	crypto_generichash_update(&st, (const unsigned char *)key, keylen);
	crypto_generichash_final(&st, h, sizeof h);
	char sh[33], hh[65];
	fg_hex(salt, 16, sh);
	fg_hex(h, sizeof h, hh);
	fg_fmt(out, 160, "b2$%s$%s", sh, hh);
	sodium_memzero(h, sizeof h);
}

bool
chargers_key_ok(const char *auth_hash, const char *key, size_t keylen)
{
	unsigned char salt[16];
	size_t bin = 0;
	if (!auth_hash || strncmp(auth_hash, "b2$", 3) != 0 || strlen(auth_hash) < 3 + 32 + 1 + 64 || auth_hash[35] != '$')
		return false;
	if (sodium_hex2bin(salt, sizeof salt, auth_hash + 3, 32, NULL, &bin, NULL) != 0 || bin != 16)
		return false;
	char want[160];
	key_hash(key, keylen, salt, want);
	return strlen(want) == strlen(auth_hash) && sodium_memcmp(want, auth_hash, strlen(want)) == 0;
}

/* the form ChangeConfiguration sets, OCPP.md */
void
chg_new_key(char key[41], char hash[160])
{
	unsigned char raw[20], salt[16];
	randombytes_buf(raw, sizeof raw);
	randombytes_buf(salt, sizeof salt);
	fg_hex(raw, sizeof raw, key);
	key_hash(key, 40, salt, hash);
	sodium_memzero(raw, sizeof raw);
}
