/* The clocks of the flow engine (src/core/flow/flow_timers.c) on an application-like process of the test's own:
 * deadlines in working days per kind, a pause keeping the working days left (not wall-clock time) across the
 * Spring Festival and National Day breaks of 2026 and their make-up Saturdays (../shared/domain/CALENDAR.md), the
 * whole-process deadline stopped while the customer has the turn, nearly-late warnings given once, and a deadline
 * that runs into a year the calendar does not hold yet, computed when an admin enters that year. Every expected
 * date below is counted by hand from the 2026 notice. SQLite, and PostgreSQL when FG_TEST_PG_URL is set. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "unit_db.h"
#include "core/base/util.h"
#include "core/db/migrate.h"
#include "core/calendar/calendar.h"
#include "core/auth/perm.h"
#include "core/flow/flow.h"
#include "core/module/module.h"

#define H (3600LL * 1000)

extern const fg_module_t flow_module;

/* An instant given as Asia/Shanghai wall time (UTC+8 all year). */
static int64_t
sh(int y, int mo, int d, int h, int mi)
{
	struct tm t = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi};
	return ((int64_t)timegm(&t) - 8 * 3600) * 1000;
}

/* 23:59:59.999 of a Shanghai day: where a count of working days ends */
static int64_t
end_of(int y, int mo, int d)
{
	return sh(y, mo, d, 0, 0) + 24 * H - 1;
}

static json_t *
load_app(db_t *db, const char *id)
{
	int rc;
	return db_one(db_q(db, "SELECT * FROM t_apps WHERE id = $1", "t", id), &rc);
}

static const flow_binding_t apps = {"t_app", "t_apps", "t_app", load_app, NULL, NULL, NULL};

/* intake: 5 working days for kind hv, none for res; the whole process: res 5, hv 22 working days of the
 * supplier's states (customer_works stops it); warnings one working day before; a late process fires mark_late. */
static const char *app_flow =
    "{\"name\": \"t_app\", \"states\": ["
    " {\"code\": \"intake\", \"name_zh\": \"受理\", \"deadline\": {\"after\": {\"working_days\": {\"by\": \"kind\", \"values\": {\"hv\": 5}}},"
    "  \"warn\": {\"before\": {\"working_days\": 1}, \"notify\": {\"relation\": \"owner_id\", \"kind\": \"t_stage_nearly_late\"}},"
    "  \"on_expiry\": {\"notify\": {\"relation\": \"owner_id\", \"kind\": \"t_stage_late\"}}}},"
    " {\"code\": \"survey\", \"name_zh\": \"现场勘查\"},"
    " {\"code\": \"customer_works\", \"name_zh\": \"客户工程施工\", \"process_clock\": false},"
    " {\"code\": \"install\", \"name_zh\": \"装表接电\"},"
    " {\"code\": \"archived\", \"name_zh\": \"归档\"}],"
    " \"process_deadline\": {\"after\": {\"working_days\": {\"by\": \"kind\", \"values\": {\"res\": 5, \"hv\": 22}}},"
    "  \"warn\": {\"before\": {\"working_days\": 1}, \"notify\": {\"relation\": \"owner_id\", \"kind\": \"t_app_nearly_late\"}},"
    "  \"on_expiry\": {\"fire\": \"mark_late\", \"notify\": {\"relation\": \"owner_id\", \"kind\": \"t_app_late\"}}},"
    " \"transitions\": ["
    " {\"action\": \"accept\", \"from\": [\"intake\"], \"to\": \"survey\", \"roles\": [\"manager\"]},"
    " {\"action\": \"to_customer\", \"from\": [\"survey\"], \"to\": \"customer_works\", \"roles\": [\"manager\"]},"
    " {\"action\": \"works_done\", \"from\": [\"customer_works\"], \"to\": \"install\", \"roles\": [\"manager\"]},"
    " {\"action\": \"finish\", \"from\": [\"install\"], \"to\": \"archived\", \"roles\": [\"manager\"]},"
    " {\"action\": \"wait\", \"from\": [\"intake\", \"survey\", \"install\"], \"stay\": true, \"pause\": true, \"roles\": [\"manager\"]},"
    " {\"action\": \"back\", \"from\": [\"intake\", \"survey\", \"customer_works\", \"install\"], \"stay\": true, \"resume\": true, \"roles\": [\"manager\"]},"
    " {\"action\": \"mark_late\", \"from\": [\"intake\", \"survey\", \"customer_works\", \"install\"], \"stay\": true, \"roles\": [\"manager\"]}]}";

/* A flow without a process deadline, whose deadline is entered by a transition (not at creation): on PostgreSQL the
 * engine sends that arming as a part of its one statement (flow_timers_sync_row's WITH), which must write the same
 * row as arm() does on SQLite: kind, the working-day count, the warning, an instant not known yet. */
static const flow_binding_t stages = {"t_stage", "t_apps", "t_stage", load_app, NULL, NULL, NULL};

static const char *stage_flow =
    "{\"name\": \"t_stage\", \"states\": ["
    " {\"code\": \"draft\", \"name_zh\": \"草稿\"},"
    " {\"code\": \"review\", \"name_zh\": \"审核\", \"deadline\": {\"after\": {\"working_days\": {\"by\": \"kind\", \"values\": {\"hv\": 5}}},"
    "  \"warn\": {\"before\": {\"working_days\": 1}, \"notify\": {\"relation\": \"owner_id\", \"kind\": \"t_review_nearly_late\"}},"
    "  \"on_expiry\": {\"notify\": {\"relation\": \"owner_id\", \"kind\": \"t_review_late\"}}}},"
    " {\"code\": \"done\", \"name_zh\": \"完成\"}],"
    " \"transitions\": ["
    " {\"action\": \"submit\", \"from\": [\"draft\"], \"to\": \"review\", \"roles\": [\"manager\"]},"
    " {\"action\": \"back\", \"from\": [\"review\"], \"to\": \"draft\", \"roles\": [\"manager\"]},"
    " {\"action\": \"finish\", \"from\": [\"review\"], \"to\": \"done\", \"roles\": [\"manager\"]}]}";

static auth_user_t mgr = {.id = "u-mgr", .username = "mgr", .display_name = "Mgr"};

/* What the engine told whom: [{user, kind, dedupe}] */
static json_t *told;

static int
notifier(db_t *db, const char *user_id, const char *kind, const char *title, const char *body, const char *entity,
    const char *entity_id, const char *dedupe)
{
	json_array_append_new(told, json_pack("{s:s, s:s, s:s}", "user", user_id, "kind", kind, "dedupe", dedupe));
	return 0;
}

static size_t
told_kind(const char *kind)
{
	size_t i, n = 0;
	json_t *v;
	json_array_foreach(told, i, v) n += strcmp(json_string_value(json_object_get(v, "kind")), kind) == 0;
	return n;
}

/* The test year 2027 is entered by one test; a database that has it from an earlier run gets it removed, so the
 * year is unknown again (2027's notice is not shipped). */
static int
forget_2027(db_t *db)
{
	return db_exec(db, "DELETE FROM calendar_days WHERE year = 2027") != 0 ||
		       db_exec(db, "DELETE FROM calendar_years WHERE year = 2027") != 0 ||
		       db_exec(db, "UPDATE settings SET value = 'test-forget-2027' WHERE key = 'calendar.generation'") != 0
	    ? -1 : 0;
}

static db_t *
prepare(db_t *db, const char *err)
{
	char e2[256];
	if (!db || migrate_run(db, e2, sizeof e2) < 0) {
		fprintf(stderr, "test db: %s %s\n", err, db ? e2 : "");
		return NULL;
	}
	fg_err_t ce = FG_ERR_INIT;
	if (cal_seed(db, &ce) != 0 || forget_2027(db) != 0 || db_exec(db, "DROP TABLE IF EXISTS t_apps") != 0 ||
	    db_exec(db, "CREATE TABLE t_apps (id TEXT PRIMARY KEY, status TEXT NOT NULL, version BIGINT NOT NULL DEFAULT 1, "
			"updated_at BIGINT, created_at BIGINT, kind TEXT NOT NULL, owner_id TEXT, number TEXT)") != 0 ||
	    db_exec(db, "DELETE FROM flow_timers WHERE flow IN ('t_app', 't_stage')") != 0) {
		fprintf(stderr, "test db: %s\n", db_errmsg(db));
		return NULL;
	}
	return db;
}

static int
setup_sqlite(void **state)
{
	char err[256] = "";
	*state = prepare(unit_open_sqlite("flow-timers", err, sizeof err), err);
	return *state ? 0 : -1;
}

static int
setup_pg(void **state)
{
	char err[256] = "";
	bool skip;
	*state = prepare(unit_open_pg(&skip, err, sizeof err), err);
	return *state ? 0 : -1;
}

static int
teardown(void **state)
{
	if (*state) {
		if (forget_2027(*state) != 0)
			fprintf(stderr, "test db: %s\n", db_errmsg(*state));
		db_close(*state);
	}
	unit_remove_sqlite();
	return 0;
}

static int
reset(void **state)
{
	json_decref(told);
	told = json_array();
	return 0;
}

/* A new application of `kind` created at t0 (its clocks armed as a module does on create). */
static void
new_app(db_t *db, char id[37], const char *kind, int64_t t0)
{
	fg_uuid7(id);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_run(db_q(db, "INSERT INTO t_apps (id, status, created_at, updated_at, kind, owner_id, number) VALUES "
					 "($1, 'intake', $2, $2, $3, 'u-owner', 'A-1')", "tit", id, t0, kind)), DB_DONE);
	assert_int_equal(flow_timers_sync(db, &apps, id, true, t0), 0);
	assert_int_equal(db_commit(db), 0);
}

static void
act_on(db_t *db, const flow_binding_t *fb, const char *id, const char *action, const char *body, int64_t now)
{
	json_t *b = json_loads(body, 0, NULL), *out = NULL;
	fg_err_t e = FG_ERR_INIT;
	assert_int_equal(db_begin(db), 0);
	int rc = flow_fire_tx(db, fb, id, action, &mgr, b, now, false, &out, &e);
	if (rc != 0)
		fprintf(stderr, "%s: %s\n", action, e.code);
	assert_int_equal(rc, 0);
	assert_int_equal(db_commit(db), 0);
	json_decref(b);
	json_decref(out);
}

static void
act(db_t *db, const char *id, const char *action, const char *body, int64_t now)
{
	act_on(db, &apps, id, action, body, now);
}

/* The entity's clocks in `flow` as of `now`: "state" or "process" (a new reference). */
static json_t *
clock_in(db_t *db, const char *flow, const char *id, const char *which, int64_t now)
{
	json_t *all = flow_deadlines(db, flow, id, now);
	assert_non_null(all);
	json_t *c = json_incref(json_object_get(all, which));
	json_decref(all);
	return c;
}

static json_t *
clock_of(db_t *db, const char *id, const char *which, int64_t now)
{
	return clock_in(db, "t_app", id, which, now);
}

static int64_t
num(json_t *o, const char *k)
{
	assert_true(json_is_integer(json_object_get(o, k)));
	return json_integer_value(json_object_get(o, k));
}

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void
a_pause_keeps_working_days_across_the_spring_festival(void **state)
{
	db_t *db = *state;
	char id[37];
	/* HV intake, Tue 2026-02-10 10:00: Wed 11 (1), Thu 12 (2), Fri 13 (3), make-up Sat 14 (4), the break
	 * 15–23, Tue 24 (5) */
	new_app(db, id, "hv", sh(2026, 2, 10, 10, 0));
	json_t *c = clock_of(db, id, "state", sh(2026, 2, 10, 11, 0));
	assert_int_equal(num(c, "due_at"), end_of(2026, 2, 24));
	assert_string_equal(str(c, "due_day"), "2026-02-24");
	assert_int_equal(num(c, "warn_at"), end_of(2026, 2, 14) + 1); /* when only one working day is left */
	assert_true(json_is_null(json_object_get(c, "due_unknown")));
	json_decref(c);
	/* waiting on the customer from Thu 12 15:00: Wed 11 and Thu 12 are behind, 3 working days left */
	act(db, id, "wait", "{\"reason\": \"缺少产权证明\"}", sh(2026, 2, 12, 15, 0));
	c = clock_of(db, id, "state", sh(2026, 2, 12, 16, 0));
	assert_string_equal(str(c, "status"), "paused");
	assert_string_equal(str(c, "pause_reason"), "缺少产权证明");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(c, "remaining"), "working_days")), 3);
	json_decref(c);
	c = clock_of(db, id, "process", sh(2026, 2, 12, 16, 0)); /* the whole process stopped with it: 22 - 2 */
	assert_string_equal(str(c, "status"), "paused");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(c, "remaining"), "working_days")), 20);
	json_decref(c);
	assert_int_equal(flow_timers_run(db, sh(2026, 3, 20, 0, 0), "t_app", id), 0); /* paused: nothing is due */
	/* back on Fri 13 09:00 (day 0): make-up Sat 14 (1), Tue 24 (2), Wed 25 (3) — not 12 wall-clock days */
	act(db, id, "back", "{}", sh(2026, 2, 13, 9, 0));
	c = clock_of(db, id, "state", sh(2026, 2, 13, 10, 0));
	assert_string_equal(str(c, "status"), "running");
	assert_int_equal(num(c, "due_at"), end_of(2026, 2, 25));
	assert_int_equal(num(c, "count_wd"), 3);
	assert_int_equal(num(c, "warn_at"), end_of(2026, 2, 24) + 1);
	assert_true(json_is_null(json_object_get(c, "pause_reason")));
	json_decref(c);
	/* paused again on its last day, Wed 25 10:00: none left; back on Sunday 03-01, a day off: the next working
	 * day, Mon 03-02, not the end of the Sunday */
	act(db, id, "wait", "{\"reason\": \"客户未到场\"}", sh(2026, 2, 25, 10, 0));
	c = clock_of(db, id, "state", sh(2026, 2, 25, 11, 0));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(c, "remaining"), "working_days")), 0);
	json_decref(c);
	act(db, id, "back", "{}", sh(2026, 3, 1, 12, 0));
	c = clock_of(db, id, "state", sh(2026, 3, 1, 12, 0));
	assert_int_equal(num(c, "due_at"), end_of(2026, 3, 2));
	assert_int_equal(num(c, "warn_at"), sh(2026, 3, 1, 12, 0)); /* one working day or less: warned at once */
	json_decref(c);
	/* the warning once, then the expiry once, each to the owner */
	assert_int_equal(flow_timers_run(db, sh(2026, 3, 1, 12, 30), "t_app", id), 1);
	assert_int_equal(told_kind("t_stage_nearly_late"), 1);
	assert_int_equal(flow_timers_run(db, sh(2026, 3, 2, 23, 0), "t_app", id), 0);
	c = clock_of(db, id, "state", sh(2026, 3, 2, 23, 0));
	assert_true(json_is_true(json_object_get(c, "nearly_late")));
	assert_true(json_is_false(json_object_get(c, "late")));
	json_decref(c);
	assert_int_equal(flow_timers_run(db, sh(2026, 3, 3, 0, 0), "t_app", id), 1);
	assert_int_equal(told_kind("t_stage_late"), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(told, 0), "user")), "u-owner");
	json_t *all = flow_deadlines(db, "t_app", id, sh(2026, 3, 3, 1, 0));
	json_t *first = NULL, *it;
	size_t i;
	json_array_foreach(json_object_get(all, "items"), i, it) if (strcmp(str(it, "kind"), "state") == 0) first = it;
	assert_non_null(first);
	assert_string_equal(str(first, "status"), "fired");
	assert_true(json_is_true(json_object_get(first, "late")));
	assert_true(json_is_null(json_object_get(all, "state"))); /* no open state deadline any more */
	json_decref(all);
	int rc;
	json_t *ev = db_one(db_q(db, "SELECT actor_id, reason FROM flow_events WHERE entity_id = $1 AND action = 'deadline_warning'",
				  "t", id), &rc);
	assert_non_null(ev);
	assert_string_equal(str(ev, "actor_id"), FLOW_SYSTEM_ID);
	assert_string_equal(str(ev, "reason"), "deadline");
	json_decref(ev);
	ev = db_one(db_q(db, "SELECT actor_id FROM audit_log WHERE entity_id = $1 AND action = 'deadline_warning'", "t", id), &rc);
	assert_non_null(ev);
	json_decref(ev);
}

static void
the_process_clock_stops_while_the_customer_builds_across_national_day(void **state)
{
	db_t *db = *state;
	char id[37];
	/* residential, Mon 2026-09-28 16:00: no intake limit for its kind; the process, 5 working days: Tue 29 (1),
	 * Wed 30 (2), the break 10-01–07, Thu 10-08 (3), Fri 10-09 (4), make-up Sat 10-10 (5) */
	new_app(db, id, "res", sh(2026, 9, 28, 16, 0));
	json_t *c = clock_of(db, id, "state", sh(2026, 9, 28, 17, 0));
	assert_true(json_is_null(c));
	c = clock_of(db, id, "process", sh(2026, 9, 28, 17, 0));
	assert_string_equal(str(c, "kind"), "process");
	assert_int_equal(num(c, "due_at"), end_of(2026, 10, 10));
	assert_int_equal(num(c, "warn_at"), end_of(2026, 10, 9) + 1);
	json_decref(c);
	act(db, id, "accept", "{}", sh(2026, 9, 29, 10, 0));
	/* the customer's construction from Wed 30 11:00: Tue 29 and Wed 30 are behind, 3 left; the state's name is the
	 * reason the customer reads */
	act(db, id, "to_customer", "{}", sh(2026, 9, 30, 11, 0));
	c = clock_of(db, id, "process", sh(2026, 9, 30, 12, 0));
	assert_string_equal(str(c, "status"), "paused");
	assert_string_equal(str(c, "pause_reason"), "客户工程施工");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(c, "remaining"), "working_days")), 3);
	json_decref(c);
	/* a declared resume does not restart it while the customer still has the turn */
	act(db, id, "back", "{}", sh(2026, 10, 5, 9, 0));
	c = clock_of(db, id, "process", sh(2026, 10, 5, 10, 0));
	assert_string_equal(str(c, "status"), "paused");
	json_decref(c);
	assert_int_equal(flow_timers_run(db, sh(2026, 10, 9, 0, 0), "t_app", id), 0);
	/* works done Fri 10-09 14:00 (day 0): make-up Sat 10-10 (1), Mon 10-12 (2), Tue 10-13 (3) */
	act(db, id, "works_done", "{}", sh(2026, 10, 9, 14, 0));
	c = clock_of(db, id, "process", sh(2026, 10, 9, 15, 0));
	assert_string_equal(str(c, "status"), "running");
	assert_int_equal(num(c, "due_at"), end_of(2026, 10, 13));
	assert_int_equal(num(c, "warn_at"), end_of(2026, 10, 12) + 1);
	assert_true(json_is_false(json_object_get(c, "nearly_late")));
	json_decref(c);
	assert_int_equal(flow_timers_run(db, sh(2026, 10, 12, 23, 0), "t_app", id), 0);
	assert_int_equal(flow_timers_run(db, sh(2026, 10, 13, 0, 30), "t_app", id), 1); /* nearly late, once */
	assert_int_equal(flow_timers_run(db, sh(2026, 10, 13, 1, 0), "t_app", id), 0);
	assert_int_equal(told_kind("t_app_nearly_late"), 1);
	/* late: the declared action by the system actor, and the owner told */
	assert_int_equal(flow_timers_run(db, sh(2026, 10, 14, 0, 0), "t_app", id), 1);
	assert_int_equal(flow_timers_run(db, sh(2026, 10, 15, 0, 0), "t_app", id), 0);
	assert_int_equal(told_kind("t_app_late"), 1);
	int rc;
	json_t *ev = db_one(db_q(db, "SELECT actor_id, from_state, to_state FROM flow_events WHERE entity_id = $1 AND "
				     "action = 'mark_late'", "t", id), &rc);
	assert_non_null(ev);
	assert_string_equal(str(ev, "actor_id"), FLOW_SYSTEM_ID);
	assert_string_equal(str(ev, "to_state"), "install");
	json_decref(ev);
	c = clock_of(db, id, "process", sh(2026, 10, 15, 0, 0));
	assert_string_equal(str(c, "status"), "fired");
	assert_true(json_is_true(json_object_get(c, "late")));
	json_decref(c);
}

static void
the_process_deadline_ends_with_the_process(void **state)
{
	db_t *db = *state;
	char id[37];
	new_app(db, id, "res", sh(2026, 6, 1, 9, 0));
	act(db, id, "accept", "{}", sh(2026, 6, 1, 10, 0));
	act(db, id, "to_customer", "{}", sh(2026, 6, 1, 11, 0));
	act(db, id, "works_done", "{}", sh(2026, 6, 2, 11, 0));
	act(db, id, "finish", "{}", sh(2026, 6, 2, 12, 0));
	json_t *c = clock_of(db, id, "process", sh(2026, 6, 2, 13, 0));
	assert_string_equal(str(c, "status"), "ended");
	assert_true(json_is_false(json_object_get(c, "late")));
	json_decref(c);
	assert_int_equal(flow_timers_run(db, sh(2026, 7, 1, 0, 0), "t_app", id), 0);
}

static void
a_deadline_in_an_unknown_year_waits_for_the_year(void **state)
{
	db_t *db = *state;
	char id[37];
	/* HV intake, Mon 2026-12-28 10:00: Tue 29 (1), Wed 30 (2), Thu 31 (3), then 2027, not known */
	new_app(db, id, "hv", sh(2026, 12, 28, 10, 0));
	json_t *c = clock_of(db, id, "state", sh(2026, 12, 28, 11, 0));
	assert_string_equal(str(c, "status"), "running");
	assert_true(json_is_null(json_object_get(c, "due_at")));
	assert_true(json_is_null(json_object_get(c, "due_day")));
	json_t *why = json_object_get(c, "due_unknown");
	assert_string_equal(str(why, "code"), "calendar_year_unknown");
	assert_int_equal(num(why, "year"), 2027);
	assert_int_equal(num(c, "count_wd"), 5);
	json_decref(c);
	c = clock_of(db, id, "process", sh(2026, 12, 28, 11, 0));
	assert_string_equal(str(json_object_get(c, "due_unknown"), "code"), "calendar_year_unknown");
	json_decref(c);
	assert_int_equal(flow_timers_run(db, sh(2026, 12, 29, 0, 0), "t_app", id), 0);
	assert_int_equal(flow_timers_resolve(db, sh(2026, 12, 29, 0, 0)), 0); /* still unknown */
	/* an admin enters 2027 (New Year's Day, Fri 01-01, off): the deadlines are counted in that transaction */
	const fg_subscription_t *const subs[] = {flow_module.subscriptions, NULL};
	events_set_subscribers(subs);
	json_t *body = json_loads("{\"source\": \"test notice\", \"days\": [{\"day\": \"2027-01-01\", \"kind\": \"holiday\", "
				  "\"name\": \"元旦\"}]}", 0, NULL), *out = NULL;
	fg_err_t e = FG_ERR_INIT;
	assert_int_equal(cal_put_year(db, FLOW_SYSTEM_ID, 2027, body, &out, &e), 0);
	events_set_subscribers(NULL);
	json_decref(body);
	json_decref(out);
	/* intake: … Thu 12-31 (3), Mon 01-04 (4), Tue 01-05 (5) */
	c = clock_of(db, id, "state", sh(2026, 12, 30, 0, 0));
	assert_int_equal(num(c, "due_at"), end_of(2027, 1, 5));
	assert_string_equal(str(c, "due_day"), "2027-01-05");
	assert_true(json_is_null(json_object_get(c, "due_unknown")));
	assert_int_equal(num(c, "warn_at"), end_of(2027, 1, 4) + 1);
	json_decref(c);
	/* the process, 22: 3 in 2026, then Jan 4–8 (8), 11–15 (13), 18–22 (18), 25–28 (22) */
	c = clock_of(db, id, "process", sh(2026, 12, 30, 0, 0));
	assert_int_equal(num(c, "due_at"), end_of(2027, 1, 28));
	json_decref(c);
	assert_int_equal(flow_timers_run(db, sh(2027, 1, 6, 0, 0), "t_app", id), 2); /* intake: warned, then late */
}

static void
a_state_deadline_entered_by_a_transition_is_armed_in_full(void **state)
{
	db_t *db = *state;
	char id[37];
	int rc;
	fg_uuid7(id);
	int64_t t0 = sh(2026, 2, 10, 10, 0);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_run(db_q(db, "INSERT INTO t_apps (id, status, created_at, updated_at, kind, owner_id, number) VALUES "
					 "($1, 'draft', $2, $2, 'hv', 'u-owner', 'S-1')", "ti", id, t0)), DB_DONE);
	assert_int_equal(flow_timers_sync(db, &stages, id, true, t0), 0);
	assert_int_equal(db_commit(db), 0);
	json_t *c = clock_in(db, "t_stage", id, "state", t0);
	assert_true(json_is_null(c)); /* a draft has no deadline */
	json_decref(c);
	/* submitted Tue 2026-02-10 10:00: the same count as the application's intake, due Tue 02-24, warned after Sat 14 */
	act_on(db, &stages, id, "submit", "{}", t0);
	c = clock_in(db, "t_stage", id, "state", t0 + H);
	assert_non_null(c);
	assert_string_equal(str(c, "kind"), "state");
	assert_string_equal(str(c, "state"), "review");
	assert_string_equal(str(c, "status"), "running");
	assert_int_equal(num(c, "due_at"), end_of(2026, 2, 24));
	assert_int_equal(num(c, "count_from"), t0);
	assert_int_equal(num(c, "count_wd"), 5);
	assert_int_equal(num(c, "warn_at"), end_of(2026, 2, 14) + 1);
	assert_true(json_is_null(json_object_get(c, "due_unknown")));
	json_decref(c);
	/* sent back: the review's clock ends with the state */
	act_on(db, &stages, id, "back", "{}", sh(2026, 2, 11, 9, 0));
	c = clock_in(db, "t_stage", id, "state", sh(2026, 2, 11, 10, 0));
	assert_true(json_is_null(c));
	json_decref(c);
	/* submitted again Mon 2026-12-28 10:00: the count runs into 2027, which the calendar does not hold */
	act_on(db, &stages, id, "submit", "{}", sh(2026, 12, 28, 10, 0));
	c = clock_in(db, "t_stage", id, "state", sh(2026, 12, 28, 11, 0));
	assert_non_null(c);
	assert_string_equal(str(c, "kind"), "state");
	assert_true(json_is_null(json_object_get(c, "due_at")));
	assert_string_equal(str(json_object_get(c, "due_unknown"), "code"), "calendar_year_unknown");
	assert_int_equal(num(json_object_get(c, "due_unknown"), "year"), 2027);
	assert_int_equal(num(c, "count_from"), sh(2026, 12, 28, 10, 0));
	assert_int_equal(num(c, "count_wd"), 5);
	json_decref(c);
	/* finished: nothing open; two armings, both ended */
	act_on(db, &stages, id, "finish", "{}", sh(2026, 12, 29, 10, 0));
	json_t *n = db_one(db_q(db, "SELECT COUNT(*) AS n FROM flow_timers WHERE flow = 't_stage' AND entity_id = $1 AND "
				    "kind = 'state'", "t", id), &rc);
	assert_non_null(n);
	assert_int_equal(num(n, "n"), 2);
	json_decref(n);
	n = db_one(db_q(db, "SELECT COUNT(*) AS n FROM flow_timers WHERE flow = 't_stage' AND entity_id = $1 AND ended_at IS NULL",
			 "t", id), &rc);
	assert_non_null(n);
	assert_int_equal(num(n, "n"), 0);
	json_decref(n);
}

int
main(void)
{
	json_t *def = json_loads(app_flow, 0, NULL);
	if (!def) {
		fprintf(stderr, "test flow: invalid JSON\n");
		return 1;
	}
	flow_define(def, &apps);
	json_decref(def);
	if (!(def = json_loads(stage_flow, 0, NULL))) {
		fprintf(stderr, "test flow: invalid JSON\n");
		return 1;
	}
	flow_define(def, &stages);
	json_decref(def);
	flow_set_notifier(notifier);
	mgr.roles = perm_role_bit("manager");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(a_pause_keeps_working_days_across_the_spring_festival, reset),
		cmocka_unit_test_setup(the_process_clock_stops_while_the_customer_builds_across_national_day, reset),
		cmocka_unit_test_setup(the_process_deadline_ends_with_the_process, reset),
		/* before the next one, which enters 2027 */
		cmocka_unit_test_setup(a_state_deadline_entered_by_a_transition_is_armed_in_full, reset),
		cmocka_unit_test_setup(a_deadline_in_an_unknown_year_waits_for_the_year, reset),
	};
	int failed = cmocka_run_group_tests_name("flow timers (SQLite)", tests, setup_sqlite, teardown);
	if (getenv("FG_TEST_PG_URL"))
		failed += cmocka_run_group_tests_name("flow timers (PostgreSQL)", tests, setup_pg, teardown);
	else
		fprintf(stderr, "FG_TEST_PG_URL not set: PostgreSQL group skipped\n");
	json_decref(told);
	return failed ? 1 : 0;
}
