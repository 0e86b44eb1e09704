#include <string.h>
#include <ctype.h>
#include <pthread.h>
#include "core/auth/password.h"

/* INTERACTIVE limits: about 0.1 s and 64 MiB per hash on these machines, the libsodium choice for logins. */
int
password_hash(const char *pw, char out[crypto_pwhash_STRBYTES])
{
	return crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

bool
password_verify(const char *hash, const char *pw)
{
	return hash && crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

static char burn_hash[crypto_pwhash_STRBYTES];
static pthread_once_t burn_once = PTHREAD_ONCE_INIT;

static void
burn_init(void)
{
	if (password_hash("fieldgrid-burn-only", burn_hash) != 0)
		burn_hash[0] = 0;
}

void
password_burn(const char *pw)
{
	pthread_once(&burn_once, burn_init);
	(void)password_verify(burn_hash, pw);
}

int
password_check_strength(const char *pw, fg_err_t *err)
{
	size_t n = strlen(pw);
	bool alpha = false, digit = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)pw[i];
		if (isdigit(c))
			digit = true;
		else if (isalpha(c) || c >= 0x80)
			alpha = true;
	}
	if (n < 10 || !alpha || !digit)
		return fg_err_field(err, "weak_password", "password", "at least 10 characters with letters and digits");
	if (n > 256)
		return fg_err_field(err, "invalid_field", "password", "at most 256 characters");
	return 0;
}

void
password_generate(char out[17])
{
	static const char alphabet[] = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";
	for (int i = 0; i < 16; i++)
		out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
	/* make sure the generated one passes our own rule */
	out[14] = alphabet[randombytes_uniform(23)];
	out[15] = "23456789"[randombytes_uniform(8)];
	out[16] = 0;
}
