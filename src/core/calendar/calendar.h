#ifndef FG_CALENDAR_H
#define FG_CALENDAR_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"

/* The working-day calendar of mainland China (issue 10 item 5), for deadlines counted in working days (工作日).
 *
 * A working day is Monday to Friday, except the statutory holidays, plus the Saturdays and Sundays the State
 * Council declares make-up working days (调休上班). The exceptions come from the yearly notice
 * (国务院办公厅关于YYYY年部分节假日安排的通知), held per year in calendar_years / calendar_days (migration 0023);
 * data/calendar/cn.json ships the years known at build time and cal_seed copies in those the database lacks.
 * A year without a calendar_years row is unknown: anything that needs one of its days fails with
 * calendar_year_unknown (details.year) instead of assuming Monday–Friday.
 *
 * Days are Asia/Shanghai calendar days. China has had no daylight saving time since 1991 and the zone's offset is
 * a constant UTC+8, so an instant's local day is floor((ms + 8 h) / 1 day) from the epoch: no tz database, no
 * mktime, nothing that depends on the server's TZ.
 *
 * "N working days from an instant" (the counting of the service commitments, 十项承诺, ../shared/domain/CALENDAR.md):
 * the day of the start instant is day 0, whatever kind of day it is; the deadline is the END of the N-th working
 * day after it, 23:59:59.999 Shanghai time (a step done at any instant <= the deadline is on time). The start's
 * time of day is not carried over: accepted Friday 16:30, "within 1 working day" means by Monday 23:59:59.999.
 * N = 0 is the end of the start day itself. A start on a holiday counts from the next working day the same way
 * (accepted 2026-10-03, 1 working day → 2026-10-08 23:59:59.999).
 *
 * Thread-safe: a calendar is an immutable, reference-counted snapshot. cal_get returns the process's current one,
 * after checking settings 'calendar.generation' (one primary-key read), so an edit made by any server is seen by
 * the next call on every server; the old snapshot lives until its last holder releases it. */

typedef struct cal cal_t;

/* The current calendar (a new reference; release with cal_release), or NULL with err set (a database error). */
cal_t *cal_get(db_t *db, fg_err_t *err);
void cal_release(cal_t *cal);

/* day: "YYYY-MM-DD". *out = whether it is a working day. -1 with calendar_year_unknown (details.year) when its
 * year is not known, or invalid_field (field "day") when day is not a date. */
int cal_is_working_day(const cal_t *cal, const char *day, bool *out, fg_err_t *err);

/* The deadline N working days after start_ms (epoch milliseconds), as defined above: *out_ms is 23:59:59.999
 * Asia/Shanghai of the N-th working day after start's day (of start's day itself when n == 0). n: 0 to 3660,
 * else invalid_field (field "n"). calendar_year_unknown (details.year = the first unknown year reached) when
 * the count runs into a year that is not known. */
int cal_add_working_days(const cal_t *cal, int64_t start_ms, int n, int64_t *out_ms, fg_err_t *err);

/* Working days after from_ms's day up to and including to_ms's day: the inverse of cal_add_working_days
 * (between(s, add(s, n)) == n) and 0 within one day. Negative when to_ms's day is before from_ms's. Spans of
 * more than 3660 days are refused (invalid_field, field "to"); calendar_year_unknown as above. */
int cal_working_days_between(const cal_t *cal, int64_t from_ms, int64_t to_ms, int *out, fg_err_t *err);

/* The Asia/Shanghai day of an instant. out: 11 bytes. */
void cal_local_day(int64_t ms, char out[11]);

/* Database-level helpers (each one cal_get + the call + cal_release), for callers that do one computation. */
int cal_db_add_working_days(db_t *db, int64_t start_ms, int n, int64_t *out_ms, fg_err_t *err);
int cal_db_working_days_between(db_t *db, int64_t from_ms, int64_t to_ms, int *out, fg_err_t *err);

/* Copies in the years of data/calendar/cn.json that the database does not have yet (an admin's edit of a year is
 * never overwritten by a later binary's copy), audited with no actor as action "seed". Runs at start-up after the
 * migrations; safe to run on several servers at once. 0, or -1 (err). */
int cal_seed(db_t *db, fg_err_t *err);

/* The years known: {"items":[{year, source, holidays, workdays, version, updated_at, updated_by}]}, by year. */
int cal_years(db_t *db, json_t **out, fg_err_t *err);
/* One year: {year, source, version, updated_at, updated_by, days:[{day, kind, name}]} by day; not_found
 * (entity calendar_year) when the year is not known. */
int cal_year(db_t *db, int year, json_t **out, fg_err_t *err);
/* Replaces a year's exceptions (admins, with the next notice or a correction). body: {source, days:[{day, kind,
 * name}], version?}; kind "holiday" or "workday"; every day in the year, none twice; a "workday" is a Saturday or
 * Sunday (a make-up day on a weekday would change nothing). Creates the year when it is new. Audited in the same
 * transaction (entity calendar_year, id "YYYY", before/after the whole year); bumps the generation. *out: the year
 * as cal_year gives it. */
int cal_put_year(db_t *db, const char *actor_id, int year, json_t *body, json_t **out, fg_err_t *err);

#endif
