/* libFuzzer target: the customer portal's phone and application-number parsers (outside input from anyone, before
 * any session): never past their buffers, and what they accept is canonical (parsing it again gives itself). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "customer/portal/portal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = 0;
	char ph[12], ph2[12], num[33], num2[33], m[16];
	if (portal_phone_norm(s, ph)) {
		if (strlen(ph) != 11 || !portal_phone_norm(ph, ph2) || strcmp(ph, ph2) != 0)
			abort();
		portal_phone_mask(ph, m);
		if (strlen(m) != 11 || strncmp(m + 3, "****", 4) != 0)
			abort();
	}
	if (portal_number_norm(s, num)) {
		if (!portal_number_norm(num, num2) || strcmp(num, num2) != 0)
			abort();
	}
	portal_phone_mask(s, m);
	free(s);
	return 0;
}
