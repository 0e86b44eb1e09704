#ifndef FG_DAY_H
#define FG_DAY_H
#include <stdbool.h>

/* Calendar days as "YYYY-MM-DD" (the working day in Asia/Shanghai), for test due dates and expiries. */

bool day_valid(const char *s);
/* s plus n months; a day past the new month's end becomes its last day (08-31 + 6 → 02-28, or 02-29 in a leap
 * year), as a test cycle is read. out: 11 bytes. */
bool day_add_months(const char *s, int months, char out[11]);
/* s plus n days (n may be negative). out: 11 bytes. */
bool day_add_days(const char *s, long n, char out[11]);
/* Days from a to b (b − a). */
long day_diff(const char *a, const char *b);
/* Today in Asia/Shanghai. out: 11 bytes. */
void day_today(char out[11]);

#endif
