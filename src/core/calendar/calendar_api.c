/* HTTP glue of the working-day calendar: read (anyone signed in), edit a year (admins, calendar.write), and the
 * deadline arithmetic as a read so clients show the same date the server will enforce. */
#include <stdlib.h>
#include <string.h>
#include "core/http/routes.h"
#include "core/calendar/calendar.h"

/* {year} from the path: four digits, else 400 naming "year" */
static int
path_year(req_t *r, int *year)
{
	const char *s = r->params[0];
	char *end;
	long y = strtol(s, &end, 10);
	if (strlen(s) != 4 || *end || y < 1900 || y > 2999) {
		fg_err_t e = FG_ERR_INIT;
		fg_err_field(&e, "invalid_field", "year", "a year 1900 to 2999");
		http_error(r, &e);
		return -1;
	}
	*year = (int)y;
	return 0;
}

static void
list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = cal_years(r->db, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
get_year(req_t *r)
{
	int year;
	if (path_year(r, &year))
		return;
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = cal_year(r->db, year, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
put_year(req_t *r)
{
	int year;
	if (path_year(r, &year))
		return;
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = cal_put_year(r->db, r->user.id, year, r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

/* A query parameter that must be an integer in [lo, hi]; answers 400 itself. */
static int
query_int(req_t *r, const char *name, long long lo, long long hi, long long *out)
{
	const char *s = http_query(r, name);
	char *end = NULL;
	long long v = s && *s ? strtoll(s, &end, 10) : 0;
	if (!s || !*s || *end || v < lo || v > hi) {
		fg_err_t e = FG_ERR_INIT;
		fg_err_field(&e, "invalid_query", name, "an integer in range");
		http_error(r, &e);
		return -1;
	}
	*out = v;
	return 0;
}

/* GET /api/v1/calendar/deadline?start=<epoch ms>&working_days=N */
static void
deadline(req_t *r)
{
	long long start, n;
	if (query_int(r, "start", 0, 32503680000000LL, &start) || query_int(r, "working_days", 0, 3660, &n))
		return;
	fg_err_t e = FG_ERR_INIT;
	int64_t due;
	if (cal_db_add_working_days(r->db, start, (int)n, &due, &e) != 0) {
		http_error(r, &e);
		return;
	}
	char sd[11], dd[11];
	cal_local_day(start, sd);
	cal_local_day(due, dd);
	http_json(r, 200, json_pack("{s:I, s:s, s:I, s:I, s:s}", "start", (json_int_t)start, "start_day", sd, "working_days",
				   (json_int_t)n, "deadline", (json_int_t)due, "deadline_day", dd));
}

const route_t calendar_routes[] = {
	{"GET", "/api/v1/calendar", list, "", 0, .resp = "Items"},
	{"GET", "/api/v1/calendar/deadline", deadline, "", 0, .errors = HTTP_ERRORS("calendar_year_unknown")},
	{"GET", "/api/v1/calendar/{year}", get_year, "", 0, .errors = HTTP_ERRORS("invalid_field")},
	{"PUT", "/api/v1/calendar/{year}", put_year, "calendar.write", 0, .errors = HTTP_ERRORS("version_conflict"),
	    .doc = "The body {source, days: [{day, kind, name}], version?} is checked by the calendar (calendar.c), which names each bad field (days[i].day …)."},
	{0},
};
