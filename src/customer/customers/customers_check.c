/* Identity numbers and masks (customers.h): pure functions, no database. */
#include <ctype.h>
#include <string.h>
#include "core/base/util.h"
#include "customer/customers/customers.h"
#include "shared/org/scope.h"

static bool
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* GB 11643-1999: 6-digit area, 8-digit birth date, 3-digit sequence, then a check character over the first 17
 * digits: Σ a_i·W_i mod 11 with W_i = 2^(17-i) mod 11, mapped through "10X98765432". */
int
customers_check_id_card(const char *in, char out[19], const char **reason)
{
	static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	static const char map[] = "10X98765432";
	if (!in || strlen(in) != 18)
		return *reason = "length", -1;
	int sum = 0;
	for (int i = 0; i < 18; i++) {
		char c = (char)toupper((unsigned char)in[i]);
		if (!(isdigit((unsigned char)c) || (i == 17 && c == 'X')))
			return *reason = "characters", -1;
		out[i] = c;
		if (i < 17)
			sum += (c - '0') * w[i];
	}
	out[18] = '\0';
	int y = (out[6] - '0') * 1000 + (out[7] - '0') * 100 + (out[8] - '0') * 10 + (out[9] - '0');
	int m = (out[10] - '0') * 10 + (out[11] - '0'), d = (out[12] - '0') * 10 + (out[13] - '0');
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap(y)))
		return *reason = "birth_date", -1;
	if (out[17] != map[sum % 11])
		return *reason = "check_digit", -1;
	return 0;
}

/* GB 32100-2015: 18 characters of the 31-character set below (no I, O, S, V, Z); the last is the check character
 * C18 = 31 − (Σ C_i·W_i mod 31), W_i = 3^(i-1) mod 31, 31 written as 0. */
int
customers_check_credit_code(const char *in, char out[19], const char **reason)
{
	static const char set[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	static const int w[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
	if (!in || strlen(in) != 18)
		return *reason = "length", -1;
	int sum = 0, v[18];
	for (int i = 0; i < 18; i++) {
		char c = (char)toupper((unsigned char)in[i]);
		const char *p = c ? strchr(set, c) : NULL;
		if (!p)
			return *reason = "characters", -1;
		out[i] = c;
		v[i] = (int)(p - set);
		if (i < 17)
			sum += v[i] * w[i];
	}
	out[18] = '\0';
	int check = 31 - sum % 31;
	if (v[17] != (check == 31 ? 0 : check))
		return *reason = "check_digit", -1;
	return 0;
}

void
customers_mask_name(const char *in, char *out, size_t n)
{
	scope_mask_name(in, out, n); /* one rule for every context (shared/org/scope.c) */
}

void
customers_mask_id(const char *in, char *out, size_t n)
{
	size_t len = strlen(in), o = 0;
	for (size_t i = 0; i < len && o + 1 < n; i++)
		out[o++] = (i < 3 || i + 4 >= len) ? in[i] : '*';
	if (n)
		out[o] = '\0';
}
