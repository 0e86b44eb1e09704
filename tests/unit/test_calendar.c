/* The working-day calendar (src/core/calendar/calendar.c) on SQLite (a temp file) and PostgreSQL (FG_TEST_PG_URL;
 * the group is reported skipped without it). Every expected date below was worked out by hand from the State
 * Council's notices for 2025 and 2026 (../shared/domain/CALENDAR.md); the comments show the counting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include <cmocka.h>
#include <sodium.h>
#include "core/base/util.h"
#include "core/db/db.h"
#include "unit_db.h"
#include "core/db/migrate.h"
#include "core/calendar/calendar.h"


static int
ready(db_t *db, void **state, char *err)
{
	fg_err_t e = FG_ERR_INIT;
	if (!db || migrate_run(db, err, 256) < 0 || cal_seed(db, &e) != 0) {
		fprintf(stderr, "%s %s\n", err, e.code ? e.code : "");
		return -1;
	}
	*state = db;
	return 0;
}

static int
open_sqlite(void **state)
{
	char err[256] = "";
	return ready(unit_open_sqlite("cal", err, sizeof err), state, err);
}

static int
open_pg(void **state)
{
	char err[256] = "";
	bool skip;
	db_t *pg = unit_open_pg(&skip, err, sizeof err);
	if (skip) {
		*state = NULL;
		return 0;
	}
	return ready(pg, state, err);
}

static int
close_db(void **state)
{
	db_close(*state);
	unit_remove_sqlite();
	return 0;
}

#define SKIP_WITHOUT_DB()                                                                                              \
	do {                                                                                                           \
		if (!*state)                                                                                           \
			skip();                                                                                        \
	} while (0)

/* "YYYY-MM-DD HH:MM:SS.mmm" Shanghai wall time → epoch ms (UTC+8, no DST) */
static int64_t
sh(const char *s)
{
	struct tm tm = {0};
	int ms = 0;
	assert_non_null(strptime(s, "%Y-%m-%d %H:%M:%S", &tm));
	const char *dot = strchr(s, '.');
	if (dot)
		ms = atoi(dot + 1);
	return ((int64_t)timegm(&tm) - 8 * 3600) * 1000 + ms;
}

static int64_t
end_of(const char *day)
{
	char s[40];
	snprintf(s, sizeof s, "%s 23:59:59.999", day);
	return sh(s);
}

static cal_t *
cal(void **state)
{
	fg_err_t e = FG_ERR_INIT;
	cal_t *c = cal_get(*state, &e);
	assert_non_null(c);
	return c;
}

static bool
is_working(cal_t *c, const char *day)
{
	bool w = false;
	fg_err_t e = FG_ERR_INIT;
	assert_int_equal(cal_is_working_day(c, day, &w, &e), 0);
	return w;
}

/* the deadline n working days after start, as a day and exactly its last millisecond */
static void
expect_add(cal_t *c, const char *start, int n, const char *due_day)
{
	int64_t out = 0;
	fg_err_t e = FG_ERR_INIT;
	assert_int_equal(cal_add_working_days(c, sh(start), n, &out, &e), 0);
	char d[11];
	cal_local_day(out, d);
	assert_string_equal(d, due_day);
	assert_true(out == end_of(due_day));
	int back = -1;
	assert_int_equal(cal_working_days_between(c, sh(start), out, &back, &e), 0);
	assert_int_equal(back, n); /* between() undoes add() */
}

static void
make_up_weekend_days_are_working_days(void **state)
{
	SKIP_WITHOUT_DB();
	cal_t *c = cal(state);
	assert_true(is_working(c, "2026-01-04"));  /* Sun, after New Year */
	assert_true(is_working(c, "2026-02-14"));  /* Sat, before the Spring Festival */
	assert_true(is_working(c, "2026-02-28"));  /* Sat, after it */
	assert_true(is_working(c, "2026-05-09"));  /* Sat, after Labour Day */
	assert_true(is_working(c, "2026-09-20"));  /* Sun, before National Day */
	assert_true(is_working(c, "2026-10-10"));  /* Sat, after it */
	assert_true(is_working(c, "2025-01-26"));  /* Sun, 2025's Spring Festival */
	assert_true(is_working(c, "2025-10-11"));  /* Sat, 2025's National Day */
	assert_false(is_working(c, "2026-03-07")); /* an ordinary Saturday */
	assert_true(is_working(c, "2026-03-02"));  /* an ordinary Monday */
	cal_release(c);
}

static void
holidays_are_off_including_their_weekend_days(void **state)
{
	SKIP_WITHOUT_DB();
	cal_t *c = cal(state);
	assert_false(is_working(c, "2026-02-15")); /* Sun, first day of the Spring Festival break */
	assert_false(is_working(c, "2026-02-16")); /* Mon inside it */
	assert_false(is_working(c, "2026-02-21")); /* Sat inside it */
	assert_false(is_working(c, "2026-02-23")); /* Mon, its last day */
	assert_true(is_working(c, "2026-02-24"));  /* Tue, back at work */
	assert_false(is_working(c, "2026-10-01"));
	assert_false(is_working(c, "2026-10-07")); /* Wed, last day of National Day */
	assert_true(is_working(c, "2026-10-08"));
	assert_false(is_working(c, "2026-09-25")); /* Fri, Mid-Autumn */
	assert_false(is_working(c, "2025-10-08")); /* Wed, 2025's merged National Day + Mid-Autumn */
	assert_false(is_working(c, "2025-01-01"));
	cal_release(c);
}

static void
deadlines_across_the_spring_festival(void **state)
{
	SKIP_WITHOUT_DB();
	cal_t *c = cal(state);
	/* accepted Fri 02-13: 1 = Sat 02-14 (make-up), 02-15…02-23 off, 2 = Tue 02-24, 3 = 02-25, 4 = 02-26, 5 = Fri 02-27 */
	expect_add(c, "2026-02-13 09:00:00", 1, "2026-02-14");
	expect_add(c, "2026-02-13 09:00:00", 2, "2026-02-24");
	expect_add(c, "2026-02-13 09:00:00", 5, "2026-02-27");
	/* 6 = Sat 02-28 (make-up), Sun 03-01 off, 7 = Mon 03-02 */
	expect_add(c, "2026-02-13 09:00:00", 6, "2026-02-28");
	expect_add(c, "2026-02-13 09:00:00", 7, "2026-03-02");
	/* the start's time of day is not carried over: accepted at 23:59 on Thu 02-12, 1 = Fri 02-13 to its end */
	expect_add(c, "2026-02-12 23:59:00", 1, "2026-02-13");
	/* the local day, not the UTC one: 00:30 on Sat 02-14 in Shanghai is still Fri 02-13 in UTC */
	expect_add(c, "2026-02-14 00:30:00", 1, "2026-02-24");
	expect_add(c, "2026-02-13 23:30:00", 1, "2026-02-14");
	cal_release(c);
}

static void
deadlines_across_national_day(void **state)
{
	SKIP_WITHOUT_DB();
	cal_t *c = cal(state);
	/* accepted Wed 09-30: 10-01…10-07 off, 1 = Thu 10-08, 2 = Fri 10-09, 3 = Sat 10-10 (make-up), Sun off,
	 * 4 = Mon 10-12, 5 = Tue 10-13 ("a home connected within 5 working days") */
	expect_add(c, "2026-09-30 18:00:00", 5, "2026-10-13");
	/* accepted Fri 09-18: Sat 09-19 off, 1 = Sun 09-20 (make-up) */
	expect_add(c, "2026-09-18 10:00:00", 1, "2026-09-20");
	/* accepted Thu 09-24: Mid-Autumn 09-25…09-27 off, 1 = Mon 09-28 */
	expect_add(c, "2026-09-24 10:00:00", 1, "2026-09-28");
	/* 2025: accepted Tue 09-30, 10-01…10-08 off, 1 = Thu 10-09, 2 = Fri 10-10, 3 = Sat 10-11 (make-up), 4 = Mon 10-13 */
	expect_add(c, "2025-09-30 10:00:00", 4, "2025-10-13");
	cal_release(c);
}

static void
starting_on_a_holiday_counts_from_the_next_working_day(void **state)
{
	SKIP_WITHOUT_DB();
	cal_t *c = cal(state);
	expect_add(c, "2026-10-03 11:00:00", 1, "2026-10-08"); /* Sat inside National Day */
	expect_add(c, "2026-10-03 11:00:00", 3, "2026-10-10");
	expect_add(c, "2026-02-16 08:00:00", 1, "2026-02-24"); /* Mon inside the Spring Festival */
	cal_release(c);
}

static void
adding_zero_days_ends_the_start_day(void **state)
{
	SKIP_WITHOUT_DB();
	cal_t *c = cal(state);
	expect_add(c, "2026-02-13 09:00:00", 0, "2026-02-13");
	expect_add(c, "2026-02-16 09:00:00", 0, "2026-02-16"); /* even a holiday: day 0 is the start day */
	expect_add(c, "2026-03-02 00:00:00.000", 0, "2026-03-02");
	int64_t out;
	fg_err_t e = FG_ERR_INIT;
	assert_int_equal(cal_add_working_days(c, sh("2026-03-02 10:00:00"), -1, &out, &e), -1);
	assert_string_equal(e.code, "invalid_field");
	fg_err_clear(&e);
	cal_release(c);
}

static void
between_counts_days_after_the_start_up_to_the_end(void **state)
{
	SKIP_WITHOUT_DB();
	cal_t *c = cal(state);
	int n = 99;
	fg_err_t e = FG_ERR_INIT;
	assert_int_equal(cal_working_days_between(c, sh("2026-02-13 09:00:00"), sh("2026-02-27 08:00:00"), &n, &e), 0);
	assert_int_equal(n, 5);
	assert_int_equal(cal_working_days_between(c, sh("2026-02-27 08:00:00"), sh("2026-02-13 09:00:00"), &n, &e), 0);
	assert_int_equal(n, -5);
	assert_int_equal(cal_working_days_between(c, sh("2026-02-13 09:00:00"), sh("2026-02-13 23:00:00"), &n, &e), 0);
	assert_int_equal(n, 0);
	/* the whole Spring Festival break: Sat 02-14 is the only working day from Fri 02-13 to Mon 02-23 */
	assert_int_equal(cal_working_days_between(c, sh("2026-02-13 09:00:00"), sh("2026-02-23 09:00:00"), &n, &e), 0);
	assert_int_equal(n, 1);
	cal_release(c);
}

static void
a_year_without_a_notice_is_refused_not_guessed(void **state)
{
	SKIP_WITHOUT_DB();
	cal_t *c = cal(state);
	fg_err_t e = FG_ERR_INIT;
	int64_t out = 0;
	/* Mon 2026-12-28: 1 = 12-29, 2 = 12-30, 3 = Thu 12-31; the 4th would be in 2027, whose notice is not held */
	expect_add(c, "2026-12-28 10:00:00", 3, "2026-12-31");
	assert_int_equal(cal_add_working_days(c, sh("2026-12-28 10:00:00"), 4, &out, &e), -1);
	assert_string_equal(e.code, "calendar_year_unknown");
	assert_int_equal(json_integer_value(json_object_get(e.details, "year")), 2027);
	fg_err_clear(&e);
	bool w;
	assert_int_equal(cal_is_working_day(c, "2027-01-04", &w, &e), -1);
	assert_string_equal(e.code, "calendar_year_unknown");
	fg_err_clear(&e);
	int n;
	assert_int_equal(cal_working_days_between(c, sh("2026-12-30 10:00:00"), sh("2027-01-05 10:00:00"), &n, &e), -1);
	assert_string_equal(e.code, "calendar_year_unknown");
	fg_err_clear(&e);
	/* a start in an unknown year needs no day of it: 2024-12-31 → 2025-01-01 off, 1 = Thu 2025-01-02 */
	expect_add(c, "2024-12-31 10:00:00", 1, "2025-01-02");
	cal_release(c);
}

static json_t *
year_body(const char *source, const char *days_json)
{
	json_t *days = json_loads(days_json, 0, NULL);
	assert_non_null(days);
	return json_pack("{s:s, s:o}", "source", source, "days", days);
}

static const char *
put_error(db_t *db, int year, json_t *body, const char **field)
{
	static char code[64], fld[64];
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = cal_put_year(db, NULL, year, body, &out, &e);
	json_decref(body);
	json_decref(out);
	if (rc == 0)
		return "ok";
	snprintf(code, sizeof code, "%s", e.code);
	snprintf(fld, sizeof fld, "%s", json_string_value(json_object_get(e.details, "field")) ?: "");
	*field = fld;
	fg_err_clear(&e);
	return code;
}

static void
an_edit_is_checked(void **state)
{
	SKIP_WITHOUT_DB();
	db_t *db = *state;
	const char *f = NULL;
	/* 2199-01-01 is a Tuesday, 2199-01-05 a Saturday */
	assert_string_equal(put_error(db, 2199, year_body("t", "[{\"day\":\"2198-12-31\",\"kind\":\"holiday\",\"name\":\"x\"}]"), &f), "invalid_field");
	assert_string_equal(f, "days[0].day");
	assert_string_equal(put_error(db, 2199, year_body("t", "[{\"day\":\"2199-02-30\",\"kind\":\"holiday\",\"name\":\"x\"}]"), &f), "invalid_field");
	assert_string_equal(f, "days[0].day");
	assert_string_equal(put_error(db, 2199, year_body("t", "[{\"day\":\"2199-01-01\",\"kind\":\"holiday\",\"name\":\"x\"},"
								     "{\"day\":\"2199-01-01\",\"kind\":\"holiday\",\"name\":\"x\"}]"), &f), "invalid_field");
	assert_string_equal(f, "days[1].day");
	assert_string_equal(put_error(db, 2199, year_body("t", "[{\"day\":\"2199-01-01\",\"kind\":\"off\",\"name\":\"x\"}]"), &f), "invalid_field");
	assert_string_equal(f, "days[0].kind");
	assert_string_equal(put_error(db, 2199, year_body("t", "[{\"day\":\"2199-01-01\",\"kind\":\"workday\",\"name\":\"x\"}]"), &f), "invalid_field");
	assert_string_equal(f, "days[0].kind"); /* a make-up day on a Tuesday */
	assert_string_equal(put_error(db, 2199, year_body("t", "[{\"day\":\"2199-01-05\",\"kind\":\"workday\",\"name\":\"\"}]"), &f), "invalid_field");
	assert_string_equal(f, "days[0].name");
	assert_string_equal(put_error(db, 2199, year_body("", "[]"), &f), "invalid_field");
	assert_string_equal(f, "source");
	assert_string_equal(put_error(db, 2199, json_pack("{s:s, s:[], s:i}", "source", "t", "days", "extra", 1), &f), "unknown_field");
	assert_string_equal(f, "extra");
	assert_string_equal(put_error(db, 2199, json_pack("{s:s}", "source", "t"), &f), "missing_field");
	assert_string_equal(f, "days");
}

static int64_t
audit_count(db_t *db, const char *id)
{
	int rc;
	json_t *row = db_one(db_q(db, "SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'calendar_year' AND entity_id = $1", "t", id), &rc);
	int64_t n = json_integer_value(json_object_get(row, "n"));
	json_decref(row);
	return n;
}

static void
an_edit_is_audited_and_reaches_the_next_calendar(void **state)
{
	SKIP_WITHOUT_DB();
	db_t *db = *state;
	const char *f = NULL;
	int64_t audits = audit_count(db, "2199");
	/* 2199 as a known year with one holiday on Tue 01-01 and Sat 01-05 worked */
	assert_string_equal(put_error(db, 2199, year_body("test notice", "[{\"day\":\"2199-01-01\",\"kind\":\"holiday\",\"name\":\"元旦\"},"
									     "{\"day\":\"2199-01-05\",\"kind\":\"workday\",\"name\":\"元旦\"}]"), &f), "ok");
	assert_int_equal(audit_count(db, "2199"), audits + 1);
	cal_t *before = cal(state);
	assert_false(is_working(before, "2199-01-01"));
	assert_true(is_working(before, "2199-01-05"));
	assert_true(is_working(before, "2199-01-02"));
	/* the next edit takes 01-01 back and makes Wed 01-02 a holiday */
	assert_string_equal(put_error(db, 2199, year_body("test notice, corrected",
							"[{\"day\":\"2199-01-02\",\"kind\":\"holiday\",\"name\":\"元旦\"}]"), &f), "ok");
	assert_int_equal(audit_count(db, "2199"), audits + 2);
	cal_t *after = cal(state);
	assert_true(after != before);
	assert_true(is_working(after, "2199-01-01"));
	assert_false(is_working(after, "2199-01-02"));
	assert_false(is_working(after, "2199-01-05"));
	/* a snapshot taken before the edit stays as it was for its holder */
	assert_false(is_working(before, "2199-01-01"));
	cal_release(before);
	cal_release(after);
	/* a stale version is refused */
	json_t *body = year_body("x", "[]");
	json_object_set_new(body, "version", json_integer(1));
	assert_string_equal(put_error(db, 2199, body, &f), "version_conflict");
	/* and seeding again changes nothing that is there */
	fg_err_t e = FG_ERR_INIT;
	assert_int_equal(cal_seed(db, &e), 0);
	cal_t *c = cal(state);
	assert_false(is_working(c, "2199-01-02"));
	assert_true(is_working(c, "2026-02-14"));
	cal_release(c);
}

/* Readers on their own connections take and drop snapshots while edits replace them: under ASan a snapshot
 * freed while held, or a lost reference, is a failure. */
typedef struct {
	const char *url;
	int errors;
} reader_arg_t;

static void *
reader(void *p)
{
	reader_arg_t *a = p;
	char err[256];
	db_t *db = db_open(a->url, err, sizeof err);
	if (!db) {
		a->errors++;
		return NULL;
	}
	for (int i = 0; i < 300; i++) {
		fg_err_t e = FG_ERR_INIT;
		cal_t *c = cal_get(db, &e);
		int64_t out;
		if (!c || cal_add_working_days(c, sh("2026-09-30 18:00:00"), 5, &out, &e) != 0 || out != end_of("2026-10-13"))
			a->errors++;
		fg_err_clear(&e);
		cal_release(c);
	}
	db_close(db);
	return NULL;
}

static void
snapshots_are_shared_safely_between_threads(void **state)
{
	SKIP_WITHOUT_DB();
	db_t *db = *state;
	reader_arg_t args[3];
	pthread_t t[3];
	const char *url = db_kind(db) == DB_PG ? getenv("FG_TEST_PG_URL") : unit_sqlite_path;
	for (int i = 0; i < 3; i++) {
		args[i] = (reader_arg_t){url, 0};
		assert_int_equal(pthread_create(&t[i], NULL, reader, &args[i]), 0);
	}
	const char *f = NULL;
	for (int i = 0; i < 10; i++) /* edits of another year: the readers' answer never changes */
		assert_string_equal(put_error(db, 2198, year_body(i % 2 ? "a" : "b", "[]"), &f), "ok");
	for (int i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(args[i].errors, 0);
	}
}

#define CAL_TESTS                                                                                                      \
	cmocka_unit_test(make_up_weekend_days_are_working_days), cmocka_unit_test(holidays_are_off_including_their_weekend_days), \
	    cmocka_unit_test(deadlines_across_the_spring_festival), cmocka_unit_test(deadlines_across_national_day),       \
	    cmocka_unit_test(starting_on_a_holiday_counts_from_the_next_working_day),                                    \
	    cmocka_unit_test(adding_zero_days_ends_the_start_day), cmocka_unit_test(between_counts_days_after_the_start_up_to_the_end), \
	    cmocka_unit_test(a_year_without_a_notice_is_refused_not_guessed), cmocka_unit_test(an_edit_is_checked),       \
	    cmocka_unit_test(an_edit_is_audited_and_reaches_the_next_calendar),                                          \
	    cmocka_unit_test(snapshots_are_shared_safely_between_threads)

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {CAL_TESTS};
	int failed = cmocka_run_group_tests_name("calendar on SQLite", tests, open_sqlite, close_db);
	failed += cmocka_run_group_tests_name("calendar on PostgreSQL", tests, open_pg, close_db);
	return failed;
}
