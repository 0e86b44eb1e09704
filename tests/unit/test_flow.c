/* The flow engine (src/core/flow/flow.c) and its timers (flow_timers.c) on a process of the test's own, over its
 * own table: declared requirements (relation, fields, reason, stamps) as the one generic guard, deadlines and
 * their working-day arithmetic, pauses, and the system actor firing a due deadline with a flow event and an audit
 * record. SQLite (a temp file), and PostgreSQL too when FG_TEST_PG_URL is set. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "core/base/util.h"
#include "core/db/db.h"
#include "core/db/migrate.h"
#include "core/calendar/calendar.h"
#include "core/auth/perm.h"
#include "core/flow/flow.h"

#define H (3600LL * 1000)

static char sqlite_path[64];

static json_t *
load_case(db_t *db, const char *id)
{
	int rc;
	return db_one(db_q(db, "SELECT * FROM t_cases WHERE id = $1", "t", id), &rc);
}

static const flow_binding_t cases = {"t_case", "t_cases", "t_case", load_case, NULL, NULL, NULL};

static const char *case_flow =
    "{\"name\": \"t_case\", \"states\": ["
    " {\"code\": \"open\", \"deadline\": {\"after\": {\"hours\": 2}, \"on_expiry\": {\"fire\": \"expire\"}}},"
    " {\"code\": \"done\"}, {\"code\": \"expired\"}],"
    " \"transitions\": ["
    " {\"action\": \"resolve\", \"from\": [\"open\"], \"to\": \"done\", \"roles\": [\"om_engineer\"],"
    "  \"who\": {\"relation\": \"assignee_id\", \"or_roles\": [\"manager\"]}, \"fields\": {\"note\": \"text\"},"
    "  \"stamps\": {\"resolved_by\": \"actor\", \"resolved_at\": \"now\", \"note\": \"body.note\"}},"
    " {\"action\": \"cancel\", \"from\": [\"open\"], \"to\": \"done\", \"roles\": [\"manager\"], \"reason\": true},"
    " {\"action\": \"hold\", \"from\": [\"open\"], \"stay\": true, \"pause\": true, \"roles\": [\"om_engineer\"]},"
    " {\"action\": \"unhold\", \"from\": [\"open\"], \"stay\": true, \"resume\": true, \"roles\": [\"om_engineer\"]},"
    " {\"action\": \"expire\", \"from\": [\"open\"], \"to\": \"expired\", \"roles\": [\"manager\"]},"
    " {\"action\": \"route\", \"from\": [\"open\"], \"to\": \"done\", \"when\": {\"assignee_id\": [\"u-eng\"]}, \"roles\": [\"om_engineer\"]},"
    " {\"action\": \"route\", \"from\": [\"open\"], \"to\": \"expired\", \"when\": {\"assignee_id\": [\"u-other\", \"u-third\"]},"
    "  \"roles\": [\"om_engineer\"]}]}";

static auth_user_t engineer = {.id = "u-eng", .username = "eng", .display_name = "Eng"};
static auth_user_t other = {.id = "u-other", .username = "other", .display_name = "Other"};

static db_t *
open_db(const char *url)
{
	char err[256];
	db_t *db = db_open(url, err, sizeof err);
	if (!db || migrate_run(db, err, sizeof err) < 0) {
		fprintf(stderr, "test db: %s\n", err);
		return NULL;
	}
	fg_err_t ce = FG_ERR_INIT;
	if (cal_seed(db, &ce) != 0) { /* the shipped working-day calendar, as `fieldgrid serve` has it */
		fprintf(stderr, "test db: calendar: %s\n", ce.code ? ce.code : "?");
		return NULL;
	}
	if (db_exec(db, "DROP TABLE IF EXISTS t_cases") != 0 ||
	    db_exec(db, "CREATE TABLE t_cases (id TEXT PRIMARY KEY, status TEXT NOT NULL, version BIGINT NOT NULL DEFAULT 1, "
			"updated_at BIGINT, created_at BIGINT, assignee_id TEXT, resolved_by TEXT, resolved_at BIGINT, note TEXT)") != 0 ||
	    db_exec(db, "DELETE FROM flow_timers WHERE flow = 't_case'") != 0) {
		fprintf(stderr, "test db: %s\n", db_errmsg(db));
		return NULL;
	}
	return db;
}

static int
setup_sqlite(void **state)
{
	snprintf(sqlite_path, sizeof sqlite_path, "/tmp/fg-unit-flow-%d.db", (int)getpid());
	unlink(sqlite_path);
	*state = open_db(sqlite_path);
	return *state ? 0 : -1;
}

static int
setup_pg(void **state)
{
	const char *url = getenv("FG_TEST_PG_URL");
	*state = url ? open_db(url) : NULL;
	return *state ? 0 : -1;
}

static int
teardown(void **state)
{
	if (*state)
		db_close(*state);
	if (sqlite_path[0])
		unlink(sqlite_path);
	return 0;
}

/* A new case, its deadline armed as of t0 (what a module does on create). */
static void
new_case(db_t *db, char id[37], int64_t t0)
{
	fg_uuid7(id);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_run(db_q(db, "INSERT INTO t_cases (id, status, created_at, updated_at, assignee_id) VALUES ($1, 'open', "
					 "$2, $2, 'u-eng')", "ti", id, t0)), DB_DONE);
	assert_int_equal(flow_timers_sync(db, &cases, id, true, t0), 0);
	assert_int_equal(db_commit(db), 0);
}

static int
fire(db_t *db, const char *id, const char *action, const auth_user_t *who, const char *body, int64_t now, fg_err_t *e)
{
	json_t *b = json_loads(body, 0, NULL), *out = NULL;
	int rc = -1;
	if (db_begin(db) == 0) {
		rc = flow_fire_tx(db, &cases, id, action, who, b, now, false, &out, e);
		if (rc == 0)
			rc = db_commit(db);
		else
			db_rollback(db);
	}
	json_decref(b);
	json_decref(out);
	return rc;
}

static json_t *
one(db_t *db, const char *sql, const char *id)
{
	int rc;
	return db_one(db_q(db, sql, "t", id), &rc);
}

static void
requirements_are_one_generic_guard(void **state)
{
	db_t *db = *state;
	char id[37];
	engineer.roles = other.roles = perm_role_bit("om_engineer");
	new_case(db, id, fg_now_ms());
	fg_err_t e = FG_ERR_INIT;
	/* not the case's assignee and no note: both listed, the relation first (403), naming what it checked */
	assert_int_equal(fire(db, id, "resolve", &other, "{}", 0, &e), -1);
	assert_string_equal(e.code, "flow_not_related");
	assert_int_equal(errcat_find("flow_not_related")->status, 403);
	assert_string_equal(json_string_value(json_object_get(e.details, "relation")), "assignee_id");
	json_t *gates = json_object_get(e.details, "gates");
	assert_int_equal(json_array_size(gates), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(gates, 1), "code")), "missing_field");
	assert_string_equal(json_string_value(json_object_get(json_array_get(gates, 1), "field")), "note");
	fg_err_clear(&e);
	/* the assignee, a note of the wrong type */
	assert_int_equal(fire(db, id, "resolve", &engineer, "{\"note\": 5}", 0, &e), -1);
	assert_string_equal(e.code, "invalid_field");
	assert_string_equal(json_string_value(json_object_get(e.details, "field")), "note");
	fg_err_clear(&e);
	/* a manager (or_roles) may act for the assignee; the stamps say who and when */
	auth_user_t mgr = other;
	mgr.roles = perm_role_bit("manager") | perm_role_bit("om_engineer");
	assert_int_equal(fire(db, id, "resolve", &mgr, "{\"note\": \"fixed\"}", 1234, &e), 0);
	json_t *c = load_case(db, id);
	assert_string_equal(json_string_value(json_object_get(c, "status")), "done");
	assert_string_equal(json_string_value(json_object_get(c, "resolved_by")), "u-other");
	assert_int_equal(json_integer_value(json_object_get(c, "resolved_at")), 1234);
	assert_string_equal(json_string_value(json_object_get(c, "note")), "fixed");
	json_decref(c);
	/* leaving the state ended its deadline */
	json_t *t = one(db, "SELECT COUNT(*) AS n FROM flow_timers WHERE entity_id = $1 AND ended_at IS NOT NULL", id);
	assert_int_equal(json_integer_value(json_object_get(t, "n")), 1);
	json_decref(t);
}

static void
a_reason_is_required_and_recorded(void **state)
{
	db_t *db = *state;
	char id[37];
	auth_user_t mgr = other;
	mgr.roles = perm_role_bit("manager");
	new_case(db, id, fg_now_ms());
	fg_err_t e = FG_ERR_INIT;
	assert_int_equal(fire(db, id, "cancel", &mgr, "{\"reason\": \"\"}", 0, &e), -1);
	assert_string_equal(e.code, "reason_required");
	assert_string_equal(json_string_value(json_object_get(e.details, "field")), "reason");
	fg_err_clear(&e);
	assert_int_equal(fire(db, id, "cancel", &mgr, "{\"reason\": \"duplicate\"}", 0, &e), 0);
	json_t *ev = one(db, "SELECT reason, actor_id FROM flow_events WHERE entity_id = $1 AND action = 'cancel'", id);
	assert_string_equal(json_string_value(json_object_get(ev, "reason")), "duplicate");
	json_decref(ev);
}

static void
deadlines_in_hours_and_working_days(void **state)
{
	db_t *db = *state;
	int64_t due = 0;
	fg_err_t e = FG_ERR_INIT;
	json_t *h = json_pack("{s:i}", "hours", 24), *wd1 = json_pack("{s:i}", "working_days", 1),
	       *wd5 = json_pack("{s:i}", "working_days", 5);
	/* Friday 2026-01-09 10:00 Asia/Shanghai = 02:00 UTC */
	int64_t fri = 1767924000000LL;
	assert_int_equal(flow_deadline_due(db, fri, h, &due, &e), 0);
	assert_int_equal(due, fri + 24 * H);
	assert_int_equal(flow_deadline_due(db, fri, wd1, &due, &e), 0);
	assert_int_equal(due, fri + 3 * 24 * H + 14 * H - 1); /* the end of Monday 2026-01-12, Shanghai */
	int64_t wed = fri - 2 * 24 * H;
	assert_int_equal(flow_deadline_due(db, wed, wd5, &due, &e), 0);
	assert_int_equal(due, wed + 7 * 24 * H + 14 * H - 1); /* the end of the next Wednesday */
	/* late Friday evening in Shanghai is still Friday there (Friday 23:30 +08 = 15:30 UTC) */
	int64_t fri_late = fri + 13 * H + 30 * 60 * 1000;
	assert_int_equal(flow_deadline_due(db, fri_late, wd1, &due, &e), 0);
	assert_int_equal(due, fri + 3 * 24 * H + 14 * H - 1);
	/* a deadline in a year the calendar does not hold says so instead of guessing (2027-06-01 10:00 +08) */
	assert_int_equal(flow_deadline_due(db, 1811815200000LL, wd1, &due, &e), -1);
	assert_string_equal(e.code, "calendar_year_unknown");
	fg_err_clear(&e);
	json_decref(h);
	json_decref(wd1);
	json_decref(wd5);
}

static void
the_system_actor_fires_a_due_deadline_once(void **state)
{
	db_t *db = *state;
	char id[37];
	int64_t t0 = fg_now_ms();
	new_case(db, id, t0);
	assert_int_equal(flow_timers_run(db, t0 + 1 * H, "t_case", id), 0); /* not yet */
	assert_int_equal(flow_timers_run(db, t0 + 3 * H, "t_case", id), 1);
	assert_int_equal(flow_timers_run(db, t0 + 4 * H, "t_case", id), 0); /* fired once */
	json_t *c = load_case(db, id);
	assert_string_equal(json_string_value(json_object_get(c, "status")), "expired");
	json_decref(c);
	json_t *ev = one(db, "SELECT actor_id, from_state, to_state FROM flow_events WHERE entity_id = $1 AND action = 'expire'", id);
	assert_non_null(ev);
	assert_string_equal(json_string_value(json_object_get(ev, "actor_id")), FLOW_SYSTEM_ID);
	assert_string_equal(json_string_value(json_object_get(ev, "to_state")), "expired");
	json_decref(ev);
	json_t *au = one(db, "SELECT actor_id FROM audit_log WHERE entity_id = $1 AND action = 'expire'", id);
	assert_non_null(au);
	assert_string_equal(json_string_value(json_object_get(au, "actor_id")), FLOW_SYSTEM_ID);
	json_decref(au);
	json_t *u = one(db, "SELECT disabled FROM users WHERE id = $1", FLOW_SYSTEM_ID); /* a real user, who cannot sign in */
	assert_int_equal(json_integer_value(json_object_get(u, "disabled")), 1);
	json_decref(u);
}

static void
a_pause_stops_the_clock_and_a_resume_restarts_it(void **state)
{
	db_t *db = *state;
	char id[37];
	int64_t t0 = fg_now_ms();
	new_case(db, id, t0);
	fg_err_t e = FG_ERR_INIT;
	assert_int_equal(fire(db, id, "hold", &engineer, "{}", t0 + 1 * H, &e), -1); /* a pause needs its reason */
	assert_string_equal(e.code, "reason_required");
	fg_err_clear(&e);
	assert_int_equal(fire(db, id, "hold", &engineer, "{\"reason\": \"customer away\"}", t0 + 1 * H, &e), 0);
	json_t *t = one(db, "SELECT remaining_ms, pause_reason FROM flow_timers WHERE entity_id = $1 AND fired_at IS NULL AND "
			    "ended_at IS NULL", id);
	assert_int_equal(json_integer_value(json_object_get(t, "remaining_ms")), 1 * H);
	assert_string_equal(json_string_value(json_object_get(t, "pause_reason")), "customer away");
	json_decref(t);
	assert_int_equal(flow_timers_run(db, t0 + 10 * H, "t_case", id), 0); /* paused: never due */
	assert_int_equal(fire(db, id, "unhold", &engineer, "{}", t0 + 10 * H, &e), 0);
	assert_int_equal(flow_timers_run(db, t0 + 10 * H + 30 * 60 * 1000, "t_case", id), 0); /* 1 h left from 10 h */
	assert_int_equal(flow_timers_run(db, t0 + 11 * H + 1, "t_case", id), 1);
	json_t *c = load_case(db, id);
	assert_string_equal(json_string_value(json_object_get(c, "status")), "expired");
	json_decref(c);
}

/* "when": one action leads to different states by the entity's column, and does not exist for a row none matches
 * (the application flow's tracks). */
static void
when_picks_the_transition_by_the_row(void **state)
{
	db_t *db = *state;
	char a[37], b[37], c[37];
	int64_t t0 = fg_now_ms();
	new_case(db, a, t0);
	new_case(db, b, t0);
	new_case(db, c, t0);
	assert_int_equal(db_run(db_q(db, "UPDATE t_cases SET assignee_id = 'u-third' WHERE id = $1", "t", b)), DB_DONE);
	assert_int_equal(db_run(db_q(db, "UPDATE t_cases SET assignee_id = NULL WHERE id = $1", "t", c)), DB_DONE);
	engineer.roles = ROLE_OM_ENGINEER;
	json_t *row = load_case(db, c), *acts = flow_actions_for("t_case", row, ROLE_OM_ENGINEER);
	for (size_t i = 0; i < json_array_size(acts); i++)
		assert_string_not_equal(json_string_value(json_array_get(acts, i)), "route");
	json_decref(acts);
	json_decref(row);
	row = load_case(db, a);
	acts = flow_actions_for("t_case", row, ROLE_OM_ENGINEER);
	bool listed = false;
	for (size_t i = 0; i < json_array_size(acts); i++)
		listed |= strcmp(json_string_value(json_array_get(acts, i)), "route") == 0;
	assert_true(listed);
	json_decref(acts);
	json_decref(row);
	fg_err_t e = FG_ERR_INIT;
	assert_int_equal(fire(db, c, "route", &engineer, "{}", t0, &e), -1);
	assert_string_equal(e.code, "invalid_transition");
	fg_err_clear(&e);
	assert_int_equal(fire(db, a, "route", &engineer, "{}", t0, &e), 0);
	assert_int_equal(fire(db, b, "route", &engineer, "{}", t0, &e), 0);
	json_t *ra = load_case(db, a), *rb = load_case(db, b);
	assert_string_equal(json_string_value(json_object_get(ra, "status")), "done");
	assert_string_equal(json_string_value(json_object_get(rb, "status")), "expired");
	json_decref(ra);
	json_decref(rb);
}

int
main(void)
{
	json_t *def = json_loads(case_flow, 0, NULL);
	if (!def) {
		fprintf(stderr, "test flow: invalid JSON\n");
		return 1;
	}
	flow_define(def, &cases);
	json_decref(def);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(requirements_are_one_generic_guard),
		cmocka_unit_test(a_reason_is_required_and_recorded),
		cmocka_unit_test(deadlines_in_hours_and_working_days),
		cmocka_unit_test(the_system_actor_fires_a_due_deadline_once),
		cmocka_unit_test(a_pause_stops_the_clock_and_a_resume_restarts_it),
		cmocka_unit_test(when_picks_the_transition_by_the_row),
	};
	int failed = cmocka_run_group_tests_name("flow (SQLite)", tests, setup_sqlite, teardown);
	sqlite_path[0] = 0;
	if (getenv("FG_TEST_PG_URL"))
		failed += cmocka_run_group_tests_name("flow (PostgreSQL)", tests, setup_pg, teardown);
	else
		fprintf(stderr, "FG_TEST_PG_URL not set: PostgreSQL group skipped\n");
	return failed ? 1 : 0;
}
