#include <time.h>
#include "core/base/util.h"
#include "core/base/counter.h"

int64_t
counter_next(db_t *db, const char *name)
{
	int rc;
	json_t *row = db_one(db_q(db,
	    "INSERT INTO counters (name, value) VALUES ($1, 1) "
	    "ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
	    "t", name), &rc);
	if (!row)
		return -1;
	int64_t v = json_integer_value(json_object_get(row, "value"));
	json_decref(row);
	return v;
}

int
counter_number(db_t *db, const char *prefix, char out[32])
{
	/* the working day is China's: UTC+8, no daylight saving */
	time_t t = (time_t)(fg_now_ms() / 1000) + 8 * 3600;
	struct tm tm;
	char day[16], name[48];
	gmtime_r(&t, &tm);
	strftime(day, sizeof day, "%Y%m%d", &tm);
	fg_fmt(name, sizeof name, "%s%s", prefix, day);
	int64_t n = counter_next(db, name);
	if (n < 0)
		return -1;
	fg_fmt(out, 32, "%s%s-%04lld", prefix, day, (long long)n);
	return 0;
}
