/* libFuzzer target: the Accept-Language header parser (outside input on every request). */
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
	const char *l = http_lang(s);
	if (strcmp(l, "zh") != 0 && strcmp(l, "en") != 0)
		abort();
	free(s);
	return 0;
}
