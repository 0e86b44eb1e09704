/* The working-day calendar: see calendar.h for what a working day is and how deadlines are counted. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/embed.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/calendar/calendar.h"
#include "core/events/events.h"

#define DAY_MS 86400000LL
#define SHANGHAI_MS (8LL * 3600 * 1000) /* UTC+8 all year: no DST in China since 1991 (calendar.h) */
#define MAX_SPAN 3660                   /* ten years of days: any real deadline is far shorter */
#define YEAR_MIN 1900
#define YEAR_MAX 2999

/* ---- civil dates as day numbers (days since 1970-01-01; Howard Hinnant's public-domain algorithms) ---- */

static int64_t
days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* 0 = Sunday … 6 = Saturday; day 0 (1970-01-01) was a Thursday */
static int
weekday(int64_t z)
{
	return (int)(((z + 4) % 7 + 7) % 7);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

static int64_t
local_day(int64_t ms)
{
	return floor_div(ms + SHANGHAI_MS, DAY_MS);
}

/* "YYYY-MM-DD" → day number; false when s is not a date of years YEAR_MIN..YEAR_MAX */
static bool
parse_day(const char *s, int64_t *z, int *year)
{
	int y, m, d;
	char tail;
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return false;
	if (y < YEAR_MIN || y > YEAR_MAX || m < 1 || m > 12 || d < 1)
		return false;
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[m - 1] + (m == 2 && leap))
		return false;
	*z = days_from_civil(y, m, d);
	if (year)
		*year = y;
	return true;
}

void
cal_local_day(int64_t ms, char out[11])
{
	int y, m, d;
	civil_from_days(local_day(ms), &y, &m, &d);
	fg_fmt(out, 11, "%04d-%02d-%02d", y, m, d);
}

/* ---- the snapshot ---- */

enum { K_DEFAULT = 0, K_HOLIDAY = 'H', K_WORKDAY = 'W' };

typedef struct {
	int year;
	int64_t first;          /* day number of 01-01 */
	unsigned char kind[366]; /* by day of year: K_* */
} cal_year_t;

struct cal {
	char gen[40]; /* settings 'calendar.generation' this snapshot was read at */
	int refs;     /* under mu */
	int n;
	cal_year_t *years; /* by year */
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static cal_t *current; /* holds one reference */

void
cal_release(cal_t *cal)
{
	if (!cal)
		return;
	pthread_mutex_lock(&mu);
	bool last = --cal->refs == 0;
	pthread_mutex_unlock(&mu);
	if (last) {
		free(cal->years);
		free(cal);
	}
}

static const cal_year_t *
find_year(const cal_t *cal, int year)
{
	for (int i = 0; i < cal->n; i++)
		if (cal->years[i].year == year)
			return &cal->years[i];
	return NULL;
}

static int
unknown_year(fg_err_t *err, int year)
{
	fg_err(err, "calendar_year_unknown");
	fg_err_detail_int(err, "year", year);
	return -1;
}

/* 1 working, 0 not, -1 year unknown (err set) */
static int
working(const cal_t *cal, int64_t z, fg_err_t *err)
{
	int y, m, d;
	civil_from_days(z, &y, &m, &d);
	const cal_year_t *cy = find_year(cal, y);
	if (!cy)
		return unknown_year(err, y);
	unsigned char k = cy->kind[z - cy->first];
	if (k == K_HOLIDAY)
		return 0;
	if (k == K_WORKDAY)
		return 1;
	int wd = weekday(z);
	return wd >= 1 && wd <= 5;
}

int
cal_is_working_day(const cal_t *cal, const char *day, bool *out, fg_err_t *err)
{
	int64_t z;
	if (!parse_day(day, &z, NULL))
		return fg_err_field(err, "invalid_field", "day", "a date YYYY-MM-DD");
	int w = working(cal, z, err);
	if (w < 0)
		return -1;
	*out = w == 1;
	return 0;
}

int
cal_add_working_days(const cal_t *cal, int64_t start_ms, int n, int64_t *out_ms, fg_err_t *err)
{
	if (n < 0 || n > MAX_SPAN)
		return fg_err_field(err, "invalid_field", "n", "0 to 3660 working days");
	int64_t z = local_day(start_ms);
	for (int count = 0; count < n;) {
		int w = working(cal, ++z, err);
		if (w < 0)
			return -1;
		count += w;
	}
	*out_ms = (z + 1) * DAY_MS - SHANGHAI_MS - 1; /* the day's last millisecond, Shanghai time */
	return 0;
}

int
cal_working_days_between(const cal_t *cal, int64_t from_ms, int64_t to_ms, int *out, fg_err_t *err)
{
	int64_t a = local_day(from_ms), b = local_day(to_ms);
	int sign = 1;
	if (b < a) {
		int64_t t = a;
		a = b;
		b = t;
		sign = -1;
	}
	if (b - a > MAX_SPAN)
		return fg_err_field(err, "invalid_field", "to", "at most 3660 days after from");
	int count = 0;
	for (int64_t z = a + 1; z <= b; z++) {
		int w = working(cal, z, err);
		if (w < 0)
			return -1;
		count += w;
	}
	*out = sign * count;
	return 0;
}

static cal_t *
load(db_t *db, const char *gen, fg_err_t *err)
{
	int rc;
	json_t *years = db_all(db_prepare(db, "SELECT year FROM calendar_years ORDER BY year"), &rc);
	json_t *days = years ? db_all(db_prepare(db, "SELECT day, kind FROM calendar_days"), &rc) : NULL;
	if (!days) {
		json_decref(years);
		log_error("calendar: %s", db_errmsg(db));
		fg_err(err, "internal");
		return NULL;
	}
	cal_t *c = fg_calloc(1, sizeof *c);
	fg_fmt(c->gen, sizeof c->gen, "%s", gen);
	c->refs = 1;
	c->n = (int)json_array_size(years);
	c->years = fg_calloc(c->n ? (size_t)c->n : 1, sizeof *c->years);
	size_t i;
	json_t *v;
	json_array_foreach(years, i, v) {
		c->years[i].year = (int)json_integer_value(json_object_get(v, "year"));
		c->years[i].first = days_from_civil(c->years[i].year, 1, 1);
	}
	json_array_foreach(days, i, v) {
		int64_t z;
		int y;
		const char *kind = json_string_value(json_object_get(v, "kind"));
		if (!parse_day(json_string_value(json_object_get(v, "day")), &z, &y) || !kind)
			continue; /* cannot happen through cal_put_year's checks */
		cal_year_t *cy = (cal_year_t *)find_year(c, y);
		if (cy)
			cy->kind[z - cy->first] = strcmp(kind, "holiday") == 0 ? K_HOLIDAY : K_WORKDAY;
	}
	json_decref(years);
	json_decref(days);
	return c;
}

cal_t *
cal_get(db_t *db, fg_err_t *err)
{
	int rc;
	json_t *row = db_one(db_prepare(db, "SELECT value FROM settings WHERE key = 'calendar.generation'"), &rc);
	if (!row && rc != DB_DONE) {
		log_error("calendar: %s", db_errmsg(db));
		fg_err(err, "internal");
		return NULL;
	}
	char gen[40];
	fg_fmt(gen, sizeof gen, "%s", row ? json_string_value(json_object_get(row, "value")) : "");
	json_decref(row);
	pthread_mutex_lock(&mu);
	if (current && strcmp(current->gen, gen) == 0) {
		current->refs++;
		pthread_mutex_unlock(&mu);
		return current;
	}
	pthread_mutex_unlock(&mu);
	/* loaded outside the lock: other threads keep using the old snapshot meanwhile */
	cal_t *c = load(db, gen, err);
	if (!c)
		return NULL;
	pthread_mutex_lock(&mu);
	cal_t *old = current;
	current = c;
	c->refs++; /* the caller's, besides the cache's */
	bool drop = old && --old->refs == 0;
	pthread_mutex_unlock(&mu);
	if (drop) {
		free(old->years);
		free(old);
	}
	return c;
}

int
cal_db_add_working_days(db_t *db, int64_t start_ms, int n, int64_t *out_ms, fg_err_t *err)
{
	cal_t *c = cal_get(db, err);
	if (!c)
		return -1;
	int rc = cal_add_working_days(c, start_ms, n, out_ms, err);
	cal_release(c);
	return rc;
}

int
cal_db_working_days_between(db_t *db, int64_t from_ms, int64_t to_ms, int *out, fg_err_t *err)
{
	cal_t *c = cal_get(db, err);
	if (!c)
		return -1;
	int rc = cal_working_days_between(c, from_ms, to_ms, out, err);
	cal_release(c);
	return rc;
}

/* ---- reading and editing the table ---- */

static int
fail_db(db_t *db, fg_err_t *err)
{
	log_error("calendar: %s", db_errmsg(db));
	return fg_err(err, "internal");
}

int
cal_years(db_t *db, json_t **out, fg_err_t *err)
{
	int rc;
	json_t *items = db_all(db_prepare(db,
	    "SELECT y.year, y.source, y.version, y.updated_at, y.updated_by, "
	    "(SELECT COUNT(*) FROM calendar_days d WHERE d.year = y.year AND d.kind = 'holiday') AS holidays, "
	    "(SELECT COUNT(*) FROM calendar_days d WHERE d.year = y.year AND d.kind = 'workday') AS workdays "
	    "FROM calendar_years y ORDER BY y.year"), &rc);
	if (!items)
		return fail_db(db, err);
	*out = json_pack("{s:o}", "items", items);
	return 0;
}

/* The year as the API shows it; NULL with *rc DB_DONE when it is not known. */
static json_t *
year_doc(db_t *db, int year, int *rc)
{
	json_t *y = db_one(db_q(db, "SELECT year, source, version, updated_at, updated_by FROM calendar_years WHERE year = $1",
				 "i", (int64_t)year), rc);
	if (!y)
		return NULL;
	json_t *days = db_all(db_q(db, "SELECT day, kind, name FROM calendar_days WHERE year = $1 ORDER BY day", "i", (int64_t)year), rc);
	if (!days) {
		json_decref(y);
		return NULL;
	}
	json_object_set_new(y, "days", days);
	return y;
}

int
cal_year(db_t *db, int year, json_t **out, fg_err_t *err)
{
	int rc;
	json_t *y = year_doc(db, year, &rc);
	if (!y) {
		if (rc != DB_DONE)
			return fail_db(db, err);
		char id[16];
		fg_fmt(id, sizeof id, "%d", year);
		return fg_err_not_found(err, "calendar_year", id);
	}
	*out = y;
	return 0;
}

static int
bad(fg_err_t *err, const char *code, const char *field, const char *reason)
{
	return fg_err_field(err, code, field, reason);
}

/* The checks of a year's exceptions, shared by admins' edits and the shipped file. */
static int
check_year(int year, json_t *body, fg_err_t *err)
{
	char f[48];
	const char *key;
	json_t *v;
	if (year < YEAR_MIN || year > YEAR_MAX)
		return bad(err, "invalid_field", "year", "a year 1900 to 2999");
	if (!json_is_object(body))
		return fg_err(err, "invalid_json");
	json_object_foreach(body, key, v) {
		if (strcmp(key, "source") != 0 && strcmp(key, "days") != 0 && strcmp(key, "version") != 0)
			return bad(err, "unknown_field", key, NULL);
	}
	json_t *source = json_object_get(body, "source"), *days = json_object_get(body, "days");
	if (!source)
		return bad(err, "missing_field", "source", NULL);
	if (!json_is_string(source) || !*json_string_value(source) || strlen(json_string_value(source)) > 1000)
		return bad(err, "invalid_field", "source", "name the notice the days come from (1 to 1000 bytes)");
	if (!days)
		return bad(err, "missing_field", "days", NULL);
	if (!json_is_array(days) || json_array_size(days) > 366)
		return bad(err, "invalid_field", "days", "a list of at most 366 days");
	json_t *v2 = json_object_get(body, "version");
	if (v2 && !json_is_integer(v2))
		return bad(err, "invalid_field", "version", "an integer");
	json_t *seen = json_object();
	size_t i;
	json_array_foreach(days, i, v) {
		int64_t z;
		int y;
		const char *day = json_string_value(json_object_get(v, "day"));
		const char *kind = json_string_value(json_object_get(v, "kind"));
		const char *name = json_string_value(json_object_get(v, "name"));
		const char *k2;
		json_t *x;
		int rc = 0;
		if (!json_is_object(v)) {
			fg_fmt(f, sizeof f, "days[%zu]", i);
			rc = bad(err, "invalid_field", f, "an object {day, kind, name}");
		} else {
			json_object_foreach(v, k2, x) {
				if (strcmp(k2, "day") != 0 && strcmp(k2, "kind") != 0 && strcmp(k2, "name") != 0) {
					fg_fmt(f, sizeof f, "days[%zu].%.20s", i, k2);
					rc = bad(err, "unknown_field", f, NULL);
					break;
				}
			}
		}
		if (rc == 0 && (!parse_day(day, &z, &y) || y != year)) {
			fg_fmt(f, sizeof f, "days[%zu].day", i);
			char why[48];
			fg_fmt(why, sizeof why, "a date YYYY-MM-DD in %d", year);
			rc = bad(err, "invalid_field", f, why);
		} else if (rc == 0 && json_object_get(seen, day)) {
			fg_fmt(f, sizeof f, "days[%zu].day", i);
			rc = bad(err, "invalid_field", f, "listed twice");
		} else if (rc == 0 && (!kind || (strcmp(kind, "holiday") != 0 && strcmp(kind, "workday") != 0))) {
			fg_fmt(f, sizeof f, "days[%zu].kind", i);
			rc = bad(err, "invalid_field", f, "holiday or workday");
		} else if (rc == 0 && strcmp(kind, "workday") == 0 && weekday(z) != 0 && weekday(z) != 6) {
			fg_fmt(f, sizeof f, "days[%zu].kind", i);
			rc = bad(err, "invalid_field", f, "a make-up working day is a Saturday or Sunday");
		} else if (rc == 0 && (!name || !*name || strlen(name) > 100)) {
			fg_fmt(f, sizeof f, "days[%zu].name", i);
			rc = bad(err, "invalid_field", f, "the holiday's name (1 to 100 bytes)");
		}
		if (rc) {
			json_decref(seen);
			return -1;
		}
		json_object_set_new(seen, day, json_true());
	}
	json_decref(seen);
	return 0;
}

/* Every calendar write holds this row first: writers on all servers queue here, and the new token tells every
 * server's cache (cal_get) that it is stale. A uuid rather than a counter, so two databases never share one. */
static int
lock_generation(db_t *db)
{
	return db_lock_where(db, "settings", "key", "calendar.generation", NULL);
}

static int
bump(db_t *db)
{
	char gen[37];
	fg_uuid7(gen);
	return db_run(db_q(db, "UPDATE settings SET value = $1 WHERE key = 'calendar.generation'", "t", gen));
}

/* Writes the year's row and days (the transaction is open and the generation locked). */
static int
write_year(db_t *db, const char *actor_id, int year, json_t *body, bool exists)
{
	const char *source = json_string_value(json_object_get(body, "source"));
	int rc = exists ? db_run(db_q(db,
				  "UPDATE calendar_years SET source = $1, updated_by = $2, updated_at = $3, version = version + 1 WHERE year = $4",
				  "ttii", source, actor_id, fg_now_ms(), (int64_t)year))
			: db_run(db_q(db, "INSERT INTO calendar_years (year, source, updated_by, updated_at) VALUES ($1, $2, $3, $4)",
				  "itti", (int64_t)year, source, actor_id, fg_now_ms()));
	if (rc == DB_DONE && exists)
		rc = db_run(db_q(db, "DELETE FROM calendar_days WHERE year = $1", "i", (int64_t)year));
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(body, "days"), i, d) {
		if (rc != DB_DONE)
			break;
		rc = db_run(db_q(db, "INSERT INTO calendar_days (day, year, kind, name) VALUES ($1, $2, $3, $4)", "titt",
		    json_string_value(json_object_get(d, "day")), (int64_t)year, json_string_value(json_object_get(d, "kind")),
		    json_string_value(json_object_get(d, "name"))));
	}
	return rc == DB_DONE ? bump(db) : rc;
}

int
cal_put_year(db_t *db, const char *actor_id, int year, json_t *body, json_t **out, fg_err_t *err)
{
	if (check_year(year, body, err))
		return -1;
	if (db_begin(db) != 0 || lock_generation(db) != 0)
		return db_fail(db, err);
	int rc;
	json_t *before = year_doc(db, year, &rc);
	if (!before && rc != DB_DONE)
		return db_fail(db, err);
	json_t *version = json_object_get(body, "version");
	if (version && json_integer_value(version) != (before ? json_integer_value(json_object_get(before, "version")) : 0)) {
		fg_err(err, "version_conflict");
		fg_err_detail_int(err, "current_version", before ? json_integer_value(json_object_get(before, "version")) : 0);
		json_decref(before);
		return db_fail(db, err);
	}
	char id[16];
	fg_fmt(id, sizeof id, "%d", year);
	if (write_year(db, actor_id, year, body, before != NULL) != DB_DONE) {
		json_decref(before);
		return db_fail(db, err);
	}
	json_t *after = year_doc(db, year, &rc);
	/* what counts in working days learns it in this transaction (flow deadlines waiting for the year) */
	json_t *ev = json_pack("{s:i}", "year", year);
	rc = events_emit(db, "calendar.year_changed", "calendar_year", id, ev, actor_id);
	json_decref(ev);
	if (rc != 0) {
		json_decref(before);
		json_decref(after);
		return db_fail(db, err);
	}
	return audit_commit(db, actor_id, before ? "update" : "create", "calendar_year", id, before, after, out, err);
}

/* ---- the shipped years ---- */

/* data/calendar/cn.json's years as PUT bodies: {"2026": {source, days:[…]}}; NULL when the file is broken */
static json_t *shipped;
static pthread_once_t shipped_once = PTHREAD_ONCE_INIT;

static void
expand_shipped(void)
{
	const embed_file_t *f = embed_find("data/calendar/cn.json");
	json_error_t je;
	json_t *doc = f ? json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, &je) : NULL;
	if (!doc) {
		log_error("calendar: data/calendar/cn.json %s", f ? je.text : "is missing");
		return;
	}
	json_t *out = json_object(), *y, *h, *w;
	size_t i, j, k;
	json_array_foreach(json_object_get(doc, "years"), i, y) {
		json_t *days = json_array();
		json_array_foreach(json_object_get(y, "holidays"), j, h) {
			const char *name = json_string_value(json_object_get(h, "name"));
			json_t *off = json_object_get(h, "off");
			int64_t a, b;
			if (!name || !parse_day(json_string_value(json_array_get(off, 0)), &a, NULL) ||
			    !parse_day(json_string_value(json_array_get(off, 1)), &b, NULL) || b < a || b - a > 31) {
				log_error("calendar: data/calendar/cn.json year %d has a bad holiday", (int)json_integer_value(json_object_get(y, "year")));
				json_decref(days);
				days = NULL;
				break;
			}
			for (int64_t z = a; z <= b; z++) {
				char day[11];
				int yy, mm, dd;
				civil_from_days(z, &yy, &mm, &dd);
				fg_fmt(day, sizeof day, "%04d-%02d-%02d", yy, mm, dd);
				json_array_append_new(days, json_pack("{s:s, s:s, s:s}", "day", day, "kind", "holiday", "name", name));
			}
			json_array_foreach(json_object_get(h, "workdays"), k, w)
				json_array_append_new(days, json_pack("{s:O, s:s, s:s}", "day", w, "kind", "workday", "name", name));
		}
		if (!days)
			continue;
		char key[16];
		int year = (int)json_integer_value(json_object_get(y, "year"));
		fg_fmt(key, sizeof key, "%d", year);
		json_t *body = json_pack("{s:O, s:o}", "source", json_object_get(y, "source"), "days", days);
		fg_err_t e = FG_ERR_INIT;
		if (!body || check_year(year, body, &e) != 0) { /* a build error: the unit tests check the file */
			log_error("calendar: data/calendar/cn.json year %d does not pass the checks (%s)", year, e.code ? e.code : "not an object");
			fg_err_clear(&e);
			json_decref(body);
			continue;
		}
		json_object_set_new(out, key, body);
	}
	json_decref(doc);
	shipped = out;
}

static int
missing_years(db_t *db, json_t **missing)
{
	int rc;
	json_t *have = db_all(db_prepare(db, "SELECT year FROM calendar_years"), &rc);
	if (!have)
		return -1;
	*missing = json_array();
	const char *key;
	json_t *body, *h;
	size_t i;
	json_object_foreach(shipped, key, body) {
		bool found = false;
		json_array_foreach(have, i, h) found = found || json_integer_value(json_object_get(h, "year")) == atoi(key);
		if (!found)
			json_array_append_new(*missing, json_string(key));
	}
	json_decref(have);
	return 0;
}

int
cal_seed(db_t *db, fg_err_t *err)
{
	pthread_once(&shipped_once, expand_shipped);
	if (!shipped)
		return fg_err(err, "internal");
	json_t *missing = NULL;
	if (missing_years(db, &missing) != 0)
		return fail_db(db, err);
	size_t n = json_array_size(missing);
	json_decref(missing);
	if (n == 0) /* the usual start: nothing to write, no transaction */
		return 0;
	if (db_begin(db) != 0 || lock_generation(db) != 0 || missing_years(db, &missing) != 0) /* again, under the lock */
		return db_fail(db, err);
	size_t i;
	json_t *k;
	json_array_foreach(missing, i, k) {
		int year = atoi(json_string_value(k));
		int rc;
		json_t *after = NULL;
		if (write_year(db, NULL, year, json_object_get(shipped, json_string_value(k)), false) != DB_DONE ||
		    !(after = year_doc(db, year, &rc)) ||
		    audit_write(db, NULL, "seed", "calendar_year", json_string_value(k), NULL, after) != 0) {
			json_decref(after);
			json_decref(missing);
			return db_fail(db, err);
		}
		json_decref(after);
		log_info("calendar: year %d loaded from data/calendar/cn.json", year);
	}
	json_decref(missing);
	if (db_commit(db) != 0)
		return db_fail(db, err);
	return 0;
}
