/* libFuzzer target: the request headers the server reads as values (outside input on every write): X-Device-Time
 * (http_device_time_parse: digits only, a positive count of milliseconds, no overflow). The flows' ?names= list is
 * split by the router's query reader and checked name by name against the known flows. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = 0;
	int64_t n = -1;
	if (http_device_time_parse(s, &n) == 0) {
		/* taken: only digits (up to the first NUL, as a header is read), and a positive value */
		size_t len = strlen(s);
		if (n <= 0 || len == 0)
			abort();
		for (size_t i = 0; i < len; i++)
			if (s[i] < '0' || s[i] > '9')
				abort();
	}
	free(s);
	return 0;
}
