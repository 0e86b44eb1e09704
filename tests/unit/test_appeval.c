/* The evaluation's arithmetic (src/customer/evaluation/appeval_calc.c) on a hand-worked example: five applications
 * of September–October 2026 walked through their stages across the Mid-Autumn (09-25..27 off) and National Day
 * (10-01..07 off; Sunday 09-20 and Saturday 10-10 are make-up working days) holidays, with a hold, a stage fired
 * late, a stage left late without firing, a cancellation, an application taken in August, ratings, feedback and
 * complaints. Every due instant below is what the clock would have armed (counted by hand from the State Council's
 * 2026 notice, data/calendar/cn.json), every figure is worked out in the comments. The calendar is the real one
 * (a migrated SQLite database with the shipped years): the working days are the clock's own counting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>
#include "core/base/util.h"
#include "core/db/db.h"
#include "unit_db.h"
#include "core/db/migrate.h"
#include "core/calendar/calendar.h"
#include "customer/evaluation/appeval.h"

#define H_MS (3600LL * 1000)
#define DAY_MS (24 * H_MS)

/* days since 1970-01-01 (H. Hinnant's days_from_civil) */
static int64_t
civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return era * 146097 + (int64_t)(yoe * 365 + yoe / 4 - yoe / 100 + doy) - 719468;
}

/* an instant, Asia/Shanghai (UTC+8) */
static int64_t
T(unsigned m, unsigned d, int h, int mi)
{
	return civil(2026, m, d) * DAY_MS - 8 * H_MS + h * H_MS + mi * 60000LL;
}

/* the end of a Shanghai day: where a working-day deadline falls */
static int64_t
END(unsigned m, unsigned d)
{
	return T(m, d, 0, 0) + DAY_MS - 1;
}

/* The parts of data/flows/application.json the arithmetic reads: the states (the customer's turn stops the
 * process clock), the end states, and the actions that hold and resume the clocks. */
static json_t *
flow(void)
{
	return json_loads("{\"states\": [{\"code\": \"accepted\"}, {\"code\": \"documents_missing\", \"process_clock\": false},"
			  " {\"code\": \"survey\"}, {\"code\": \"scheme\"}, {\"code\": \"installation\"}, {\"code\": \"powered\"},"
			  " {\"code\": \"archived\"}, {\"code\": \"cancelled\"}],"
			  " \"process_deadline\": {\"ends\": [\"powered\", \"archived\", \"cancelled\"]},"
			  " \"transitions\": [{\"action\": \"hold\", \"stay\": true, \"pause\": true},"
			  " {\"action\": \"resume\", \"stay\": true, \"resume\": true}]}",
	    0, NULL);
}

static json_t *
ev(const char *action, const char *from, const char *to, int64_t at)
{
	return json_pack("{s:s, s:s, s:s, s:I}", "action", action, "from_state", from, "to_state", to, "at", (json_int_t)at);
}

/* a timer row: kind, state, armed at, due (0: not known), fired (0: no), ended (0: open), paused (0: running) */
static json_t *
tm(const char *kind, const char *state, int64_t created, int64_t due, int64_t fired, int64_t ended, int64_t paused)
{
	static int n;
	char id[16];
	snprintf(id, sizeof id, "t%03d", ++n);
	json_t *t = json_pack("{s:s, s:s, s:s, s:I}", "id", id, "kind", kind, "state", state, "created_at", (json_int_t)created);
	json_object_set_new(t, "due_at", due ? json_integer(due) : json_null());
	json_object_set_new(t, "fired_at", fired ? json_integer(fired) : json_null());
	json_object_set_new(t, "ended_at", ended ? json_integer(ended) : json_null());
	json_object_set_new(t, "paused_at", paused ? json_integer(paused) : json_null());
	return t;
}

static const char *U1 = "u1", *U2 = "u2";

static json_t *
app(const char *id, const char *kind, const char *unit, int64_t created, const char *status)
{
	json_t *teams = json_object();
	if (strcmp(unit, U1) == 0) { /* 城东供电所 routes the survey to 勘查一班 and the installation to 装表班 */
		json_object_set_new(teams, "survey", json_pack("{s:s, s:s}", "team_id", "t1", "team_name", "勘查一班"));
		json_object_set_new(teams, "installation", json_pack("{s:s, s:s}", "team_id", "t2", "team_name", "装表班"));
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:n, s:n, s:i, s:[], s:o, s:[], s:[]}", "id", id, "kind", kind, "org_unit_id", unit,
	    "org_unit_name", strcmp(unit, U1) == 0 ? "城东供电所" : "城西供电所", "created_at", (json_int_t)created, "status", status,
	    "rating", "rated_at", "complaints", 0, "feedback", "teams", teams, "events", "timers");
}

static void
push(json_t *a, const char *list, json_t *item)
{
	json_array_append_new(json_object_get(a, list), item);
}

static void
rate(json_t *a, int stars, int64_t at)
{
	json_object_set_new(a, "rating", json_integer(stars));
	json_object_set_new(a, "rated_at", json_integer(at));
}

/* A — LV residential, 城东, taken Mon 09-21 09:00; held Mon 09-28 09:00 .. Wed 09-30 09:00 in the installation. */
static json_t *
app_a(void)
{
	json_t *a = app("A", "lv_residential", U1, T(9, 21, 9, 0), "powered");
	push(a, "events", ev("accept", "accepted", "survey", T(9, 22, 10, 0)));
	push(a, "events", ev("complete_survey", "survey", "installation", T(9, 24, 15, 0)));
	push(a, "events", ev("hold", "installation", "installation", T(9, 28, 9, 0)));
	push(a, "events", ev("resume", "installation", "installation", T(9, 30, 9, 0)));
	push(a, "events", ev("complete_installation", "installation", "powered", T(9, 30, 16, 0)));
	/* accepted: Mon 21 + 1 wd = Tue 22. Left Tue 22 10:00: on time; between(21, 22) = 1 */
	push(a, "timers", tm("state", "accepted", T(9, 21, 9, 0), END(9, 22), 0, T(9, 22, 10, 0), 0));
	/* survey: Tue 22 + 2 wd = Wed 23, Thu 24. Left Thu 24 15:00: on time; between(22, 24) = 2 */
	push(a, "timers", tm("state", "survey", T(9, 22, 10, 0), END(9, 24), 0, T(9, 24, 15, 0), 0));
	/* installation: Thu 24 + 2 wd = (Fri 25 off, Sat 26, Sun 27) Mon 28, Tue 29. Held Mon 28 09:00 with
	 * between(24, 28) = 1 done, 1 left; resumed Wed 30 09:00: Wed 30 + 1 wd = (10-01..07 off) Thu 10-08. Left Wed
	 * 30 16:00: on time; working days 1 + between(30 09:00, 30 16:00) 0 = 1 (the held Mon 28..Wed 30 not counted) */
	push(a, "timers", tm("state", "installation", T(9, 24, 15, 0), END(10, 8), 0, T(9, 30, 16, 0), 0));
	/* process: Mon 21 + 5 wd = Tue 22, Wed 23, Thu 24, Mon 28, Tue 29; held Mon 28 with 4 done, resumed Wed 30 with
	 * 1 left → Thu 10-08. Powered Wed 30 16:00: on time; working days between(21, 28) 4 + 0 = 4 */
	push(a, "timers", tm("process", "accepted", T(9, 21, 9, 0), END(10, 8), 0, T(9, 30, 16, 0), 0));
	rate(a, 5, T(10, 8, 10, 0));
	return a;
}

/* B — LV residential, 城东, taken Fri 09-18 16:00; waits for documents Fri 18 17:00 .. Tue 22 09:00. */
static json_t *
app_b(void)
{
	json_t *b = app("B", "lv_residential", U1, T(9, 18, 16, 0), "powered");
	push(b, "events", ev("request_documents", "accepted", "documents_missing", T(9, 18, 17, 0)));
	push(b, "events", ev("documents_complete", "documents_missing", "accepted", T(9, 22, 9, 0)));
	push(b, "events", ev("stage_expired", "accepted", "accepted", T(9, 24, 0, 1))); /* the clock's own event */
	push(b, "events", ev("accept", "accepted", "survey", T(9, 24, 11, 0)));
	push(b, "events", ev("complete_survey", "survey", "installation", T(9, 29, 18, 0)));
	push(b, "events", ev("complete_installation", "installation", "powered", T(10, 9, 10, 0)));
	/* accepted (1st): Fri 18 + 1 wd = (Sat 19 off) Sun 20, a make-up working day. Left Fri 18 17:00: on time, 0 wd */
	push(b, "timers", tm("state", "accepted", T(9, 18, 16, 0), END(9, 20), 0, T(9, 18, 17, 0), 0));
	/* accepted (2nd): Tue 22 + 1 = Wed 23; fired Thu 24 00:01, left Thu 24 11:00: late; between(22, 24) = 2 */
	push(b, "timers", tm("state", "accepted", T(9, 22, 9, 0), END(9, 23), T(9, 24, 0, 1), 0, 0));
	/* survey: Thu 24 + 2 = Mon 28, Tue 29. Left Tue 29 18:00: on time; between(24, 29) = 2 */
	push(b, "timers", tm("state", "survey", T(9, 24, 11, 0), END(9, 29), 0, T(9, 29, 18, 0), 0));
	/* installation: Tue 29 + 2 = Wed 30, Thu 10-08. Left Fri 10-09 10:00 and never fired (the scheduler had not run):
	 * late all the same; between(29, 10-09) = Wed 30, Thu 8, Fri 9 = 3 */
	push(b, "timers", tm("state", "installation", T(9, 29, 18, 0), END(10, 8), 0, T(10, 9, 10, 0), 0));
	/* process: stopped Fri 18 17:00 (the customer's turn) with between(18, 18) = 0 done; from Tue 22 09:00 5 wd =
	 * Wed 23, Thu 24, Mon 28, Tue 29, Wed 30; fired Thu 10-01. Powered Fri 10-09: late; working days 0 +
	 * between(22, 10-09) = Wed 23, Thu 24, Mon 28, Tue 29, Wed 30, Thu 8, Fri 9 = 7 */
	push(b, "timers", tm("process", "accepted", T(9, 18, 16, 0), END(9, 30), T(10, 1, 0, 1), 0, 0));
	rate(b, 2, T(10, 10, 9, 0));
	json_object_set_new(b, "complaints", json_integer(1));
	push(b, "feedback", json_pack("{s:I, s:s}", "closed_at", (json_int_t)T(10, 12, 10, 0), "satisfaction", "dissatisfied"));
	push(b, "feedback", json_pack("{s:I, s:s}", "closed_at", (json_int_t)T(10, 13, 10, 0), "satisfaction", "basically_satisfied"));
	return b;
}

/* C — HV single supply, 城西 (no routing), taken Tue 09-29 10:00; still in the scheme reply at the end. */
static json_t *
app_c(void)
{
	json_t *c = app("C", "hv_single", U2, T(9, 29, 10, 0), "scheme");
	push(c, "events", ev("accept", "accepted", "survey", T(9, 30, 9, 0)));
	push(c, "events", ev("complete_survey", "survey", "scheme", T(10, 10, 9, 0)));
	/* accepted: Tue 29 + 1 = Wed 30. Left Wed 30 09:00: on time; between(29, 30) = 1 */
	push(c, "timers", tm("state", "accepted", T(9, 29, 10, 0), END(9, 30), 0, T(9, 30, 9, 0), 0));
	/* survey: Wed 30 + 2 = Thu 10-08, Fri 10-09. Left Sat 10-10 09:00 (a make-up working day): late;
	 * between(30, 10-10) = Thu 8, Fri 9, Sat 10 = 3 */
	push(c, "timers", tm("state", "survey", T(9, 30, 9, 0), END(10, 9), 0, T(10, 10, 9, 0), 0));
	/* scheme: open (not counted) */
	push(c, "timers", tm("state", "scheme", T(10, 10, 9, 0), T(10, 16, 0, 0) + DAY_MS - 1, 0, 0, 0));
	push(c, "timers", tm("process", "accepted", T(9, 29, 10, 0), END(11, 3), 0, 0, 0));
	json_object_set_new(c, "complaints", json_integer(2));
	push(c, "feedback", json_pack("{s:I, s:s}", "closed_at", (json_int_t)T(10, 20, 10, 0), "satisfaction", "satisfied"));
	push(c, "feedback", json_pack("{s:I, s:s}", "closed_at", (json_int_t)T(11, 2, 10, 0), "satisfaction", "dissatisfied"));
	return c;
}

/* D — LV residential, 城东, taken Wed 09-30 10:00 and cancelled at 11:00: its stage was never finished. */
static json_t *
app_d(void)
{
	json_t *d = app("D", "lv_residential", U1, T(9, 30, 10, 0), "cancelled");
	push(d, "events", ev("cancel", "accepted", "cancelled", T(9, 30, 11, 0)));
	push(d, "timers", tm("state", "accepted", T(9, 30, 10, 0), END(10, 8), 0, T(9, 30, 11, 0), 0));
	push(d, "timers", tm("process", "accepted", T(9, 30, 10, 0), END(10, 14), 0, T(9, 30, 11, 0), 0));
	return d;
}

/* E — LV residential, 城东, taken Mon 08-31 15:00 (before the period), powered Fri 09-04. */
static json_t *
app_e(void)
{
	json_t *e = app("E", "lv_residential", U1, T(8, 31, 15, 0), "powered");
	push(e, "events", ev("accept", "accepted", "survey", T(9, 1, 9, 0)));
	push(e, "events", ev("complete_survey", "survey", "installation", T(9, 4, 9, 0)));
	push(e, "events", ev("complete_installation", "installation", "powered", T(9, 4, 15, 0)));
	/* accepted: Mon 31 + 1 = Tue 09-01; left Tue 1 09:00: on time; between(31, 1) = 1 */
	push(e, "timers", tm("state", "accepted", T(8, 31, 15, 0), END(9, 1), 0, T(9, 1, 9, 0), 0));
	/* survey: Tue 1 + 2 = Wed 2, Thu 3; left Fri 4 09:00: late; between(1, 4) = 3 */
	push(e, "timers", tm("state", "survey", T(9, 1, 9, 0), END(9, 3), 0, T(9, 4, 9, 0), 0));
	/* installation: Fri 4 + 2 = Mon 7, Tue 8; left Fri 4 15:00: on time; 0 */
	push(e, "timers", tm("state", "installation", T(9, 4, 9, 0), END(9, 8), 0, T(9, 4, 15, 0), 0));
	/* process: Mon 31 + 5 = Tue 1, Wed 2, Thu 3, Fri 4, Mon 7; powered Fri 4 15:00: on time — though its survey
	 * was late, so not "all stages on time"; working days between(31, 4) = 4 */
	push(e, "timers", tm("process", "accepted", T(8, 31, 15, 0), END(9, 7), 0, T(9, 4, 15, 0), 0));
	rate(e, 4, T(9, 5, 10, 0));
	json_object_set_new(e, "complaints", json_integer(1)); /* held against August: not in the period */
	return e;
}

static cal_t *cal;

static int
setup(void **state)
{
	char err[256] = "";
	fg_err_t e = FG_ERR_INIT;
	db_t *db = unit_open_sqlite("appeval", err, sizeof err);
	if (!db || migrate_run(db, err, sizeof err) < 0 || cal_seed(db, &e) != 0 || !(cal = cal_get(db, &e))) {
		fprintf(stderr, "%s %s\n", err, e.code ? e.code : "");
		return -1;
	}
	*state = db;
	return 0;
}

static int
teardown(void **state)
{
	cal_release(cal);
	db_close(*state);
	unit_remove_sqlite();
	return 0;
}

static json_t *
row(json_t *rows, const char *k1, const char *v1, const char *k2, const char *v2, const char *k3, const char *v3)
{
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		const char *a = json_string_value(json_object_get(r, k1)), *b = k2 ? json_string_value(json_object_get(r, k2)) : NULL,
			   *c = k3 ? json_string_value(json_object_get(r, k3)) : NULL;
		if (((!v1 && !a) || (v1 && a && !strcmp(a, v1))) && (!k2 || (!v2 && !b) || (v2 && b && !strcmp(b, v2))) &&
		    (!k3 || (!v3 && !c) || (v3 && c && !strcmp(c, v3))))
			return r;
	}
	return NULL;
}

static int64_t
I(json_t *r, const char *k)
{
	json_t *v = json_object_get(r, k);
	if (!json_is_integer(v))
		fail_msg("%s is not an integer", k);
	return json_integer_value(v);
}

static void
R(json_t *r, const char *k, double want)
{
	json_t *v = json_object_get(r, k);
	if (!json_is_number(v))
		fail_msg("%s is not a number", k);
	double got = json_number_value(v);
	if (got < want - 1e-9 || got > want + 1e-9)
		fail_msg("%s: %.4f, want %.4f", k, got, want);
}

static void
one_history_gives_its_stages_and_process(void **state)
{
	json_t *def = flow(), *b = app_b(), *f = appeval_facts(cal, def, b);
	json_t *v = json_object_get(f, "visits"), *p = json_object_get(f, "process");
	/* four stages with a clock: accepted twice, survey, installation (the customer's turn and powered have none) */
	assert_int_equal(json_array_size(v), 4);
	const char *stage[] = {"accepted", "accepted", "survey", "installation"};
	int on[] = {1, 0, 1, 0}, wd[] = {0, 2, 2, 3};
	for (int i = 0; i < 4; i++) {
		json_t *x = json_array_get(v, (size_t)i);
		assert_string_equal(json_string_value(json_object_get(x, "stage")), stage[i]);
		assert_int_equal(json_is_true(json_object_get(x, "on_time")), on[i]);
		assert_int_equal(I(x, "working_days"), wd[i]);
	}
	assert_true(json_is_true(json_object_get(json_array_get(v, 1), "fired")));
	assert_int_equal(I(p, "completed_at"), T(10, 9, 10, 0));
	assert_true(json_is_false(json_object_get(p, "on_time")));
	assert_true(json_is_false(json_object_get(p, "all_stages_on_time")));
	assert_int_equal(I(p, "working_days"), 7);
	json_decref(f);
	json_decref(b);

	/* A: the hold is not counted, in the stage nor in the process */
	json_t *a = app_a();
	f = appeval_facts(cal, def, a);
	v = json_object_get(f, "visits");
	assert_int_equal(json_array_size(v), 3);
	assert_int_equal(I(json_array_get(v, 2), "working_days"), 1);
	assert_true(json_is_true(json_object_get(json_array_get(v, 2), "on_time")));
	p = json_object_get(f, "process");
	assert_true(json_is_true(json_object_get(p, "on_time")));
	assert_true(json_is_true(json_object_get(p, "all_stages_on_time")));
	assert_int_equal(I(p, "working_days"), 4);
	json_decref(f);
	json_decref(a);

	/* C: the open scheme reply is undecided; no power-on, no process figures */
	json_t *c = app_c();
	f = appeval_facts(cal, def, c);
	v = json_object_get(f, "visits");
	assert_int_equal(json_array_size(v), 3);
	assert_true(json_is_null(json_object_get(json_array_get(v, 2), "on_time")));
	assert_true(json_is_null(json_object_get(json_array_get(v, 2), "left_at")));
	assert_true(json_is_null(json_object_get(json_object_get(f, "process"), "completed_at")));
	json_decref(f);
	json_decref(c);
	json_decref(def);
}

static void
events_of_one_millisecond_follow_the_states(void **state)
{
	/* two changes in one millisecond, the later one listed first (uuid7 ids do not order them) */
	json_t *def = flow(), *a = app("X", "lv_residential", U1, T(9, 21, 9, 0), "installation");
	push(a, "events", ev("complete_survey", "survey", "installation", T(9, 21, 10, 0)));
	push(a, "events", ev("accept", "accepted", "survey", T(9, 21, 10, 0)));
	push(a, "timers", tm("state", "accepted", T(9, 21, 9, 0), END(9, 22), 0, T(9, 21, 10, 0), 0));
	push(a, "timers", tm("state", "survey", T(9, 21, 10, 0), END(9, 23), 0, T(9, 21, 10, 0), 0));
	json_t *f = appeval_facts(cal, def, a), *v = json_object_get(f, "visits");
	assert_int_equal(json_array_size(v), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(v, 0), "stage")), "accepted");
	assert_string_equal(json_string_value(json_object_get(json_array_get(v, 1), "stage")), "survey");
	assert_true(json_is_true(json_object_get(json_array_get(v, 1), "on_time")));
	json_decref(f);
	json_decref(a);
	json_decref(def);
}

static void
a_stage_without_a_due_instant_is_uncounted(void **state)
{
	/* a deadline armed into a year the calendar did not hold (due_at NULL): neither on time nor late */
	json_t *def = flow(), *a = app("Y", "lv_residential", U1, T(9, 21, 9, 0), "survey");
	push(a, "events", ev("accept", "accepted", "survey", T(9, 22, 10, 0)));
	push(a, "timers", tm("state", "accepted", T(9, 21, 9, 0), 0, 0, T(9, 22, 10, 0), 0));
	json_t *apps = json_pack("[o]", a), *out = appeval_compute(cal, def, apps, "2026-09", "2026-09");
	json_t *t = json_object_get(out, "total");
	assert_int_equal(I(t, "stage_visits"), 0);
	assert_int_equal(I(t, "uncounted"), 1);
	assert_int_equal(I(t, "applications"), 1);
	assert_true(json_is_null(json_object_get(t, "stage_on_time_pct")));
	json_decref(out);
	json_decref(apps);
	json_decref(def);
}

static void
the_figures_of_the_hand_worked_example(void **state)
{
	json_t *def = flow(), *apps = json_pack("[o, o, o, o, o]", app_a(), app_b(), app_c(), app_d(), app_e());
	json_t *out = appeval_compute(cal, def, apps, "2026-09", "2026-10");
	json_t *t = json_object_get(out, "total"), *months = json_object_get(out, "months");

	/* Stage visits left in the period (D's cancelled one is not a finished stage):
	 *   September: A accepted (on, 1), survey (on, 2), installation (on, 1); B accepted (on, 0), accepted (late,
	 *   fired, 2), survey (on, 2); C accepted (on, 1); E accepted (on, 1), survey (late, 3), installation (on, 0)
	 *     → 10 visits, 8 on time, 2 late, 13 working days: 80 %, 1.3 days
	 *   October: B installation (late, 3); C survey (late, 3) → 2 visits, 0 on time, 6 days: 0 %, 3 days
	 *   Period: 12 visits, 8 on time: 8/12 = 66.67 %; 19 days / 12 = 1.58 */
	assert_int_equal(I(t, "stage_visits"), 12);
	assert_int_equal(I(t, "stage_on_time"), 8);
	assert_int_equal(I(t, "stage_late"), 4);
	assert_int_equal(I(t, "stage_working_days"), 19);
	R(t, "stage_on_time_pct", 66.67);
	R(t, "avg_stage_working_days", 1.58);
	assert_int_equal(json_array_size(months), 2);
	json_t *sep = row(months, "month", "2026-09", NULL, NULL, NULL, NULL), *oct = row(months, "month", "2026-10", NULL, NULL, NULL, NULL);
	assert_non_null(sep);
	assert_non_null(oct);
	R(sep, "stage_on_time_pct", 80);
	R(sep, "avg_stage_working_days", 1.3);
	R(oct, "stage_on_time_pct", 0);
	R(oct, "avg_stage_working_days", 3);

	/* Whole process, by the month of power-on:
	 *   September: A (on time, all stages on time, 4 days), E (on time, its survey late, 4 days)
	 *     → 2 completed, 100 % on time, 50 % all stages on time, 4 days
	 *   October: B (late, fired; 7 days) → 0 %, 0 %, 7 days
	 *   Period: 3 completed, 2 on time 66.67 %, 1 all stages 33.33 %, 15 / 3 = 5 days */
	assert_int_equal(I(t, "completed"), 3);
	R(t, "process_on_time_pct", 66.67);
	R(t, "all_stages_on_time_pct", 33.33);
	R(t, "avg_process_working_days", 5);
	R(sep, "process_on_time_pct", 100);
	R(sep, "all_stages_on_time_pct", 50);
	R(sep, "avg_process_working_days", 4);
	R(oct, "process_on_time_pct", 0);
	R(oct, "avg_process_working_days", 7);

	/* Complaints, over the applications taken in the month: September took A, B, C, D (E was taken in August);
	 * complaints B 1 + C 2 = 3 → 3 / 4 × 1000 = 750. October took none: no rate. */
	assert_int_equal(I(sep, "applications"), 4);
	assert_int_equal(I(sep, "complaints"), 3);
	R(sep, "complaints_per_1000", 750);
	assert_int_equal(I(oct, "applications"), 0);
	assert_true(json_is_null(json_object_get(oct, "complaints_per_1000")));
	R(t, "complaints_per_1000", 750);

	/* Satisfaction: ratings by the month rated — E 4 (09-05); A 5 (10-08), B 2 (10-10) → Sep 4.0, Oct 3.5,
	 * period 11 / 3 = 3.67. Feedback closed in the period — B dissatisfied (10-12), B basically satisfied (10-13),
	 * C satisfied (10-20); C's of 11-02 is after it → (1 + 1) / 3 = 66.67 % */
	R(sep, "rating_avg", 4);
	R(oct, "rating_avg", 3.5);
	R(t, "rating_avg", 3.67);
	assert_int_equal(I(t, "ratings"), 3);
	assert_int_equal(I(t, "feedback_dissatisfied"), 1);
	R(t, "satisfied_pct", 66.67);
	assert_true(json_is_null(json_object_get(sep, "satisfied_pct")));
	assert_int_equal(I(t, "uncounted"), 0);

	/* By serving unit and kind:
	 *   2026-09 城东 LV residential: taken A, B, D = 3, complaints 1 (B) → 333.33; stages A 3 + B 3 + E 3 = 9, on time
	 *     7, 12 days; completed A, E; rating E
	 *   2026-09 城西 HV single: taken C, complaints 2 → 2000; stage C accepted
	 *   2026-10 城东 LV residential: B installation late; B completed late; ratings A, B; feedback 1 + 1 → 50 %
	 *   2026-10 城西 HV single: C survey late; feedback satisfied → 100 % */
	json_t *units = json_object_get(out, "units");
	assert_int_equal(json_array_size(units), 4);
	json_t *u = row(units, "month", "2026-09", "org_unit_id", U1, "kind", "lv_residential");
	assert_non_null(u);
	assert_int_equal(I(u, "applications"), 3);
	R(u, "complaints_per_1000", 333.33);
	assert_int_equal(I(u, "stage_visits"), 9);
	assert_int_equal(I(u, "stage_on_time"), 7);
	assert_int_equal(I(u, "stage_working_days"), 12);
	assert_int_equal(I(u, "completed"), 2);
	assert_int_equal(I(u, "ratings"), 1);
	u = row(units, "month", "2026-09", "org_unit_id", U2, "kind", "hv_single");
	R(u, "complaints_per_1000", 2000);
	assert_int_equal(I(u, "stage_visits"), 1);
	u = row(units, "month", "2026-10", "org_unit_id", U1, "kind", "lv_residential");
	R(u, "satisfied_pct", 50);
	R(u, "rating_avg", 3.5);
	assert_int_equal(I(u, "stage_late"), 1);
	u = row(units, "month", "2026-10", "org_unit_id", U2, "kind", "hv_single");
	R(u, "satisfied_pct", 100);
	/* the order: by month, then unit name (城东 before 城西 by their bytes) */
	assert_string_equal(json_string_value(json_object_get(json_array_get(units, 0), "org_unit_id")), U1);

	/* By team, stage and kind (the team that owns the stage for the unit; 城西 routes nothing):
	 *   2026-09 勘查一班 survey LV residential: A (on, 2), B (on, 2), E (late, 3) → 3, 66.67 %, 7 / 3 = 2.33
	 *   2026-09 装表班 installation: A (on, 1), E (on, 0) → 2, 100 %, 0.5
	 *   2026-09 no team, accepted LV residential: A, B ×2, E → 4, 3 on time 75 %, 1 + 0 + 2 + 1 = 4 → 1
	 *   2026-10 装表班 installation: B late, 3 days; no team survey HV single: C late, 3 */
	json_t *st = json_object_get(out, "stages");
	assert_int_equal(json_array_size(st), 6);
	json_t *s = row(st, "month", "2026-09", "team_id", "t1", "stage", "survey");
	assert_int_equal(I(s, "visits"), 3);
	R(s, "on_time_pct", 66.67);
	R(s, "avg_working_days", 2.33);
	s = row(st, "month", "2026-09", "team_id", "t2", "stage", "installation");
	R(s, "on_time_pct", 100);
	R(s, "avg_working_days", 0.5);
	s = row(st, "month", "2026-09", "team_id", NULL, "kind", "lv_residential");
	assert_int_equal(I(s, "visits"), 4);
	R(s, "on_time_pct", 75);
	R(s, "avg_working_days", 1);
	s = row(st, "month", "2026-10", "team_id", NULL, "stage", "survey");
	assert_string_equal(json_string_value(json_object_get(s, "kind")), "hv_single");
	R(s, "on_time_pct", 0);

	/* Over the period, by stage and kind: installation LV residential A, E on time, B late → 66.67 %, (1 + 0 + 3) / 3
	 * = 1.33; by team: no team 6 visits (A, B ×2, C, E accepted; C survey), 4 on time, 8 days → 66.67 %, 1.33 */
	s = row(json_object_get(out, "by_stage"), "stage", "installation", "kind", "lv_residential", NULL, NULL);
	assert_int_equal(I(s, "visits"), 3);
	R(s, "on_time_pct", 66.67);
	R(s, "avg_working_days", 1.33);
	s = row(json_object_get(out, "by_team"), "team_id", NULL, NULL, NULL, NULL, NULL);
	assert_int_equal(I(s, "visits"), 6);
	assert_int_equal(I(s, "working_days"), 8);
	R(s, "on_time_pct", 66.67);
	assert_int_equal(json_array_size(json_object_get(out, "by_team")), 3);

	json_decref(out);
	json_decref(apps);
	json_decref(def);
}

static void
months_are_shanghai_months(void **state)
{
	int64_t ms;
	char m[8];
	assert_true(appeval_month_start("2026-10", &ms));
	assert_int_equal(ms, T(10, 1, 0, 0));
	appeval_month_of(ms - 1, m);
	assert_string_equal(m, "2026-09");
	appeval_month_of(ms, m);
	assert_string_equal(m, "2026-10");
	assert_false(appeval_month_start("2026-13", &ms));
	assert_false(appeval_month_start("2026-1", &ms));
	assert_false(appeval_month_start("20x6-01", &ms));
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(months_are_shanghai_months),
	    cmocka_unit_test(one_history_gives_its_stages_and_process),
	    cmocka_unit_test(events_of_one_millisecond_follow_the_states),
	    cmocka_unit_test(a_stage_without_a_due_instant_is_uncounted),
	    cmocka_unit_test(the_figures_of_the_hand_worked_example),
	};
	return cmocka_run_group_tests_name("application evaluation arithmetic", tests, setup, teardown);
}
