#include <stdio.h>
#include <string.h>
#include <time.h>
#include "core/base/util.h"
#include "core/base/day.h"

static bool
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
mdays(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && leap(y) ? 29 : d[m - 1];
}

static bool
parse(const char *s, int *y, int *m, int *d)
{
	char tail;
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' || sscanf(s, "%4d-%2d-%2d%c", y, m, d, &tail) != 3)
		return false;
	return *y >= 1900 && *y <= 2999 && *m >= 1 && *m <= 12 && *d >= 1 && *d <= mdays(*y, *m);
}

bool
day_valid(const char *s)
{
	int y, m, d;
	return parse(s, &y, &m, &d);
}

bool
day_add_months(const char *s, int months, char out[11])
{
	int y, m, d;
	if (!parse(s, &y, &m, &d) || months < 0 || months > 1200)
		return false;
	int total = (m - 1) + months;
	y += total / 12;
	m = total % 12 + 1;
	if (d > mdays(y, m))
		d = mdays(y, m);
	return fg_fmt(out, 11, "%04d-%02d-%02d", y, m, d);
}

/* days since 1970-01-01 (civil from days, Howard Hinnant's algorithm inverted) */
static long
ordinal(int y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

bool
day_add_days(const char *s, long n, char out[11])
{
	int y, m, d;
	if (!parse(s, &y, &m, &d) || n < -400000 || n > 400000)
		return false;
	long z = ordinal(y, m, d) + n + 719468; /* days to civil (Howard Hinnant) */
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	int dd = (int)(doy - (153 * mp + 2) / 5 + 1);
	int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
	long yy = yoe + era * 400 + (mm <= 2);
	return fg_fmt(out, 11, "%04ld-%02d-%02d", yy, mm, dd);
}

long
day_diff(const char *a, const char *b)
{
	int ya, ma, da, yb, mb, db;
	if (!parse(a, &ya, &ma, &da) || !parse(b, &yb, &mb, &db))
		return 0;
	return ordinal(yb, mb, db) - ordinal(ya, ma, da);
}

void
day_today(char out[11])
{
	time_t t = (time_t)(fg_now_ms() / 1000) + 8 * 3600;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}
