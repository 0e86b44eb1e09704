/* The portal's outside input in its own file (no database, no HTTP), so a fuzz target can take it alone
 * (tests/fuzz/fuzz_portal_input.c): phone numbers and application numbers as strangers type them. */
#include <ctype.h>
#include <string.h>
#include "core/base/util.h"
#include "customer/portal/portal.h"

bool
portal_phone_norm(const char *in, char out[12])
{
	if (!in)
		return false;
	char d[32];
	size_t n = 0;
	const char *p = in;
	if (p[0] == '+') {
		if (p[1] != '8' || p[2] != '6')
			return false;
		p += 3;
	}
	for (; *p; p++) {
		if (*p == ' ' || *p == '-')
			continue;
		if (*p < '0' || *p > '9' || n >= sizeof d - 1)
			return false;
		d[n++] = *p;
	}
	d[n] = 0;
	/* a mainland mobile: 11 digits, 1 then 3–9 */
	if (n != 11 || d[0] != '1' || d[1] < '3')
		return false;
	memcpy(out, d, 12);
	return true;
}

bool
portal_number_norm(const char *in, char out[33])
{
	if (!in)
		return false;
	size_t n = strlen(in);
	if (n < 4 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (!isalnum(c) && c != '-')
			return false;
		out[i] = (char)toupper(c);
	}
	out[n] = 0;
	return true;
}

void
portal_phone_mask(const char *phone, char out[16])
{
	size_t n = phone ? strlen(phone) : 0;
	if (n < 7) {
		fg_fmt(out, 16, "****");
		return;
	}
	fg_fmt(out, 16, "%.3s****%s", phone, phone + n - 4);
}
