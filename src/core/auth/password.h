#ifndef FG_PASSWORD_H
#define FG_PASSWORD_H
#include <stdbool.h>
#include <sodium.h>
#include "core/base/err.h"

/* argon2id through libsodium; the encoded string carries its own salt and cost. out: crypto_pwhash_STRBYTES. */
int password_hash(const char *pw, char out[crypto_pwhash_STRBYTES]);
bool password_verify(const char *hash, const char *pw);
/* Spends the same time as a verify, for unknown usernames, so timing does not tell which names exist. */
void password_burn(const char *pw);
/* At least 10 characters with a letter and a digit; err names the field "password". */
int password_check_strength(const char *pw, fg_err_t *err);
/* A random password for generated accounts: 16 characters from an unambiguous alphabet. out: 17 bytes. */
void password_generate(char out[17]);

#endif
