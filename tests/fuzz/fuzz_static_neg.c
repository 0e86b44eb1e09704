/* libFuzzer target: what the static file server reads from a client (src/core/http/static_neg.c): the
 * Accept-Encoding header, If-None-Match, and a path that may name a file by its content hash. The input is split
 * at the first NUL byte, if any, into a header and an entity tag. Checks what must hold for any input: the coding
 * picked is one the server has a copy of; a tag always matches itself and "*"; an unhashed path is a proper,
 * shorter path with no hash left in it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/http/static_neg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = 0;
	const char *second = memchr(data, 0, size) ? s + strlen(s) + 1 : "\"x\"";
	for (int br = 0; br < 2; br++)
		for (int gz = 0; gz < 2; gz++) {
			enum static_coding c = static_pick_coding(s, br, gz);
			if ((c == STATIC_BR && !br) || (c == STATIC_GZIP && !gz))
				abort();
		}
	static_etag_match(s, second);
	static_etag_match(second, s);
	size_t n = strlen(s);
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"' && !memchr(s + 1, '"', n - 2) && !static_etag_match(s, s))
		abort();
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"' && !static_etag_match("*", s))
		abort();
	char plain[600], hash[STATIC_HASH_LEN + 1];
	if (static_unhash(s, plain, sizeof plain, hash)) {
		if (strlen(plain) != n - STATIC_HASH_LEN - 1 || strlen(hash) != STATIC_HASH_LEN)
			abort();
	}
	char tiny[4];
	static_unhash(s, tiny, sizeof tiny, hash);
	free(s);
	return 0;
}
