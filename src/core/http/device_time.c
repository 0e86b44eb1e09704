/* The X-Device-Time header's value (http.h http_device_time_parse): outside input on every write a phone replays,
 * kept apart from the reply code so tests/fuzz/fuzz_request_headers.c can feed it anything. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "core/http/http.h"

/* Epoch milliseconds, digits only: what Date.now() sends. Anything else (a date string, a negative or absurd
 * number) is refused rather than guessed at: a wrong device time would sit beside the record for good. */
int
http_device_time_parse(const char *v, int64_t *out)
{
	int64_t n = 0;
	size_t len = strlen(v);
	bool ok = len > 0 && len <= 15;
	for (size_t i = 0; ok && i < len; i++) {
		ok = v[i] >= '0' && v[i] <= '9';
		n = n * 10 + (v[i] - '0');
	}
	if (!ok || n <= 0)
		return -1;
	*out = n;
	return 0;
}
