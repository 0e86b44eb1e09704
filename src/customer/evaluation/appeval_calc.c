/* The evaluation's arithmetic (appeval.h): one application's stages and process from its flow events and clocks,
 * and the figures over many applications. No database: the unit test (tests/unit/test_appeval.c) feeds it
 * hand-built histories, the calendar comes in as a snapshot. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"
#include "customer/evaluation/appeval.h"

#define DAY_MS (86400LL * 1000)
#define SHANGHAI_MS (8LL * 3600 * 1000)
/* the state whose entry ends a process without finishing it (data/flows/application.json) */
#define CANCELLED "cancelled"

static bool
is(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static int64_t
num(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static bool
has(json_t *o, const char *k)
{
	return json_is_integer(json_object_get(o, k));
}

/* a member, or null where it is missing */
static json_t *
get(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return v ? v : json_null();
}

static json_t *
jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* ---- months (Asia/Shanghai: UTC+8, no daylight saving since 1991) ---- */

/* days since 1970-01-01 of the first of a month (H. Hinnant's days_from_civil with d = 1) */
static int64_t
days_of_month(int64_t y, unsigned m)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5;
	return era * 146097 + (int64_t)(yoe * 365 + yoe / 4 - yoe / 100 + doy) - 719468;
}

bool
appeval_month_start(const char *month, int64_t *ms)
{
	if (!month || strlen(month) != 7 || month[4] != '-')
		return false;
	for (int i = 0; i < 7; i++)
		if (i != 4 && (month[i] < '0' || month[i] > '9'))
			return false;
	int y = atoi(month), m = atoi(month + 5);
	if (y < 2000 || y > 2999 || m < 1 || m > 12)
		return false;
	*ms = days_of_month(y, (unsigned)m) * DAY_MS - SHANGHAI_MS;
	return true;
}

void
appeval_month_of(int64_t ms, char out[8])
{
	char day[11];
	cal_local_day(ms, day);
	memcpy(out, day, 7);
	out[7] = 0;
}

/* the month after "YYYY-MM" */
static void
month_next(const char *m, char out[8])
{
	int y = atoi(m), mo = atoi(m + 5) + 1;
	if (mo > 12) {
		mo = 1;
		y++;
	}
	snprintf(out, 8, "%04u-%02u", (unsigned)y % 10000u, (unsigned)mo % 100u);
}

/* ---- one application ---- */

static json_t *
state_of(json_t *def, const char *code)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(def, "states"), i, s) if (is(fg_jstr(s, "code"), code)) return s;
	return NULL;
}

/* the process clock runs in a state unless it declares "process_clock": false (the customer's turn) */
static bool
clock_runs(json_t *def, const char *state)
{
	return !json_is_false(json_object_get(state_of(def, state), "process_clock"));
}

static bool
process_ends(json_t *def, const char *state)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(json_object_get(def, "process_deadline"), "ends"), i, v) if (is(json_string_value(v), state)) return true;
	return false;
}

/* whether an action (a transition that stays) stops or restarts the clocks: its "pause" / "resume" */
static bool
action_flag(json_t *def, const char *action, const char *flag)
{
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(def, "transitions"), i, t) if (is(fg_jstr(t, "action"), action) && json_is_true(json_object_get(t, flag))) return true;
	return false;
}

/* A clock's working days so far: the clock's own counting over the spans it ran (cal_working_days_between is
 * additive, so spans may be cut anywhere). ok false once a span could not be counted (a year not known). */
typedef struct {
	int64_t since; /* -1: stopped */
	int64_t wd;
	bool ok;
} wdclock_t;

static void
wd_start(wdclock_t *c, int64_t at)
{
	if (c->since < 0)
		c->since = at;
}

static void
wd_stop(const cal_t *cal, wdclock_t *c, int64_t at)
{
	if (c->since < 0)
		return;
	int n = 0;
	fg_err_t e = FG_ERR_INIT;
	if (cal_working_days_between(cal, c->since, at, &n, &e) != 0) {
		fg_err_clear(&e);
		c->ok = false;
	} else
		c->wd += n;
	c->since = -1;
}

static int
by_at(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int64_t p = num(x, "at"), q = num(y, "at");
	if (p != q)
		return p < q ? -1 : 1;
	/* ties: the input order (the query's ORDER BY at, id) */
	int64_t i = num(x, "_i"), j = num(y, "_i");
	return (i > j) - (i < j);
}

static bool
changes(json_t *e)
{
	return !is(fg_jstr(e, "from_state"), fg_jstr(e, "to_state"));
}

/* The events in time order; among events of one millisecond, a state change that leaves the state the history is
 * in comes first (uuid7 ids do not order events of the same millisecond). *state: in, the state the application is
 * in (a history without changes starts there); out, the state its history starts in. */
static json_t **
ordered_events(json_t *events, const char **state, size_t *n)
{
	*n = json_array_size(events);
	json_t **ev = fg_calloc(*n ? *n : 1, sizeof *ev);
	for (size_t i = 0; i < *n; i++) {
		ev[i] = json_array_get(events, i);
		json_object_set_new(ev[i], "_i", json_integer((json_int_t)i));
	}
	qsort(ev, *n, sizeof *ev, by_at);
	/* the start: the first change whose state no change of the same millisecond led to */
	size_t first = *n;
	for (size_t i = 0; i < *n && (first == *n || num(ev[i], "at") == num(ev[first], "at")); i++) {
		if (!changes(ev[i]))
			continue;
		bool led = false;
		for (size_t j = 0; j < *n && num(ev[j], "at") <= num(ev[i], "at"); j++)
			led |= j != i && num(ev[j], "at") == num(ev[i], "at") && changes(ev[j]) && is(fg_jstr(ev[j], "to_state"), fg_jstr(ev[i], "from_state"));
		if (first == *n || !led)
			first = i;
		if (!led)
			break;
	}
	if (first < *n)
		*state = fg_jstr(ev[first], "from_state");
	const char *cur = *state;
	for (size_t i = 0; i < *n; i++) {
		if (changes(ev[i]) && !is(fg_jstr(ev[i], "from_state"), cur)) {
			for (size_t j = i + 1; j < *n && num(ev[j], "at") == num(ev[i], "at"); j++) {
				if (changes(ev[j]) && is(fg_jstr(ev[j], "from_state"), cur)) {
					json_t *x = ev[i];
					ev[i] = ev[j];
					ev[j] = x;
					break;
				}
			}
		}
		if (changes(ev[i]))
			cur = fg_jstr(ev[i], "to_state");
	}
	return ev;
}

/* A stage's verdict from its clock: fired → late; otherwise the instant its clock stopped (held when it was left,
 * else ended, else the leaving event) against its due. -1: not decidable (no due instant: a year not known). */
static int
verdict(json_t *t, int64_t left_at)
{
	if (has(t, "fired_at"))
		return 0;
	if (!has(t, "due_at"))
		return -1;
	int64_t end = has(t, "paused_at") ? num(t, "paused_at") : has(t, "ended_at") ? num(t, "ended_at") : left_at;
	return end <= num(t, "due_at") ? 1 : 0;
}

static json_t *
tri(int v)
{
	return v < 0 ? json_null() : json_boolean(v);
}

static int
by_created(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int64_t p = num(x, "created_at"), q = num(y, "created_at");
	if (p != q)
		return p < q ? -1 : 1;
	const char *i = fg_jstr(x, "id"), *j = fg_jstr(y, "id");
	return i && j ? strcmp(i, j) : 0;
}

json_t *
appeval_facts(const cal_t *cal, json_t *def, json_t *app)
{
	json_t *events = json_deep_copy(json_object_get(app, "events"));
	if (!json_is_array(events)) {
		json_decref(events);
		events = json_array();
	}
	/* where the history starts: the first change's from_state, or the state it is still in */
	const char *state = fg_jstr(app, "status");
	size_t n, i;
	int64_t t0 = num(app, "created_at");
	json_t **ev = ordered_events(events, &state, &n);
	json_t *visits = json_array();
	json_t *cur = json_pack("{s:s?, s:I, s:n, s:n}", "stage", state, "entered_at", (json_int_t)t0, "left_at", "left_to");
	wdclock_t vc = {t0, 0, true}, pc = {-1, 0, true};
	bool held = false, ended = state && process_ends(def, state);
	json_t *completed = json_null();
	if (!ended && clock_runs(def, state))
		wd_start(&pc, t0);
	for (i = 0; i < n; i++) {
		const char *f = fg_jstr(ev[i], "from_state"), *t = fg_jstr(ev[i], "to_state"), *a = fg_jstr(ev[i], "action");
		int64_t at = num(ev[i], "at");
		if (is(f, t)) {
			if (!held && action_flag(def, a, "pause")) {
				held = true;
				wd_stop(cal, &vc, at);
				wd_stop(cal, &pc, at);
			} else if (held && action_flag(def, a, "resume")) {
				held = false;
				wd_start(&vc, at);
				if (!ended && clock_runs(def, state))
					wd_start(&pc, at);
			}
			continue; /* the clock's own events (expired, warned) and other stays change nothing here */
		}
		wd_stop(cal, &vc, at);
		wd_stop(cal, &pc, at);
		json_object_set_new(cur, "left_at", json_integer(at));
		json_object_set_new(cur, "left_to", json_string(t));
		json_object_set_new(cur, "working_days", vc.ok ? json_integer(vc.wd) : json_null());
		json_array_append_new(visits, cur);
		/* a new state arms its clocks running, even if a hold was on (only a cancellation leaves a held stage) */
		held = false;
		state = t;
		cur = json_pack("{s:s?, s:I, s:n, s:n}", "stage", state, "entered_at", (json_int_t)at, "left_at", "left_to");
		vc = (wdclock_t){at, 0, true};
		if (!ended && process_ends(def, state)) {
			ended = true;
			if (!is(state, CANCELLED)) {
				json_decref(completed);
				completed = json_integer(at);
			}
		}
		if (!ended && clock_runs(def, state))
			wd_start(&pc, at);
	}
	json_object_set_new(cur, "working_days", json_null());
	json_array_append_new(visits, cur);
	free(ev);
	json_decref(events);

	/* the stage clocks: the k-th arming of a state belongs to its k-th visit; a visit of a state with no arming
	 * (no deadline for this track, the customer's turn, the end) is no stage */
	json_t *timers = json_object_get(app, "timers"), *t;
	size_t nt = json_array_size(timers), k = 0;
	json_t **st = fg_calloc(nt ? nt : 1, sizeof *st), *process = NULL;
	json_array_foreach(timers, i, t) {
		if (is(fg_jstr(t, "kind"), "process")) {
			if (!process || num(t, "created_at") >= num(process, "created_at"))
				process = t;
		} else
			st[k++] = t;
	}
	qsort(st, k, sizeof *st, by_created);
	json_t *stages = json_array(), *v;
	int all = 1;
	json_array_foreach(visits, i, v) {
		json_t *mine = NULL;
		for (size_t j = 0; j < k; j++)
			if (st[j] && is(fg_jstr(st[j], "state"), fg_jstr(v, "stage"))) {
				mine = st[j];
				st[j] = NULL;
				break;
			}
		if (!mine)
			continue;
		bool left = has(v, "left_at");
		int ok = left ? verdict(mine, num(v, "left_at")) : -1;
		json_array_append_new(stages, json_pack("{s:O, s:O, s:O, s:O, s:O, s:b, s:o, s:O}", "stage", get(v, "stage"),
		    "entered_at", get(v, "entered_at"), "left_at", get(v, "left_at"), "left_to", get(v, "left_to"), "due_at",
		    has(mine, "due_at") ? get(mine, "due_at") : json_null(), "fired", has(mine, "fired_at"), "on_time", tri(ok),
		    "working_days", left ? get(v, "working_days") : json_null()));
		/* §5.3: every stage up to power-on */
		if (json_is_integer(completed) && left && num(v, "left_at") <= json_integer_value(completed)) {
			if (ok == 0)
				all = 0;
			else if (ok < 0 && all == 1)
				all = -1;
		}
	}
	free(st);
	json_decref(visits);

	int pok = -1;
	if (json_is_integer(completed) && process)
		pok = verdict(process, json_integer_value(completed));
	json_t *pr = json_pack("{s:O, s:O, s:o, s:o, s:o}", "completed_at", completed, "due_at",
	    process && has(process, "due_at") ? json_object_get(process, "due_at") : json_null(), "on_time", tri(pok),
	    "all_stages_on_time", json_is_integer(completed) ? tri(all) : json_null(), "working_days",
	    json_is_integer(completed) && pc.ok ? json_integer(pc.wd) : json_null());
	json_decref(completed);
	return json_pack("{s:o, s:o}", "visits", stages, "process", pr);
}

/* ---- many applications ---- */

static const char *const app_counters[] = {"applications", "complaints", "stage_visits", "stage_on_time", "stage_late",
    "stage_working_days", "completed", "process_on_time", "all_stages_on_time", "process_working_days", "ratings",
    "rating_sum", "feedback_satisfied", "feedback_basically_satisfied", "feedback_dissatisfied", "uncounted", NULL};
static const char *const stage_counters[] = {"visits", "on_time", "late", "working_days", NULL};

static const char *const kinds[] = {"lv_residential", "lv_non_residential", "hv_single", "hv_dual", "capacity_increase",
    "temporary", NULL};

static json_t *
counters(const char *const *names)
{
	json_t *o = json_object();
	for (int i = 0; names[i]; i++)
		json_object_set_new(o, names[i], json_integer(0));
	return o;
}

static void
add(json_t *row, const char *k, int64_t n)
{
	json_object_set_new(row, k, json_integer(num(row, k) + n));
}

/* the row of key in acc, made with the dimensions dims (an object, stolen) and the counters when new */
static json_t *
row_of(json_t *acc, const char *key, json_t *dims, const char *const *names)
{
	json_t *r = json_object_get(acc, key);
	if (r) {
		json_decref(dims);
		return r;
	}
	r = counters(names);
	json_object_update(r, dims);
	json_decref(dims);
	json_object_set_new(acc, key, r);
	return r;
}

/* two decimals, half away from zero; null without a denominator */
static json_t *
ratio(double num_, double den, double scale)
{
	if (den <= 0)
		return json_null();
	return json_real(round(num_ * scale / den * 100.0) / 100.0);
}

static void
derive_app(json_t *r)
{
	json_object_set_new(r, "complaints_per_1000", ratio((double)num(r, "complaints"), (double)num(r, "applications"), 1000));
	json_object_set_new(r, "stage_on_time_pct", ratio((double)num(r, "stage_on_time"), (double)num(r, "stage_visits"), 100));
	json_object_set_new(r, "avg_stage_working_days", ratio((double)num(r, "stage_working_days"), (double)num(r, "stage_visits"), 1));
	json_object_set_new(r, "process_on_time_pct", ratio((double)num(r, "process_on_time"), (double)num(r, "completed"), 100));
	json_object_set_new(r, "all_stages_on_time_pct", ratio((double)num(r, "all_stages_on_time"), (double)num(r, "completed"), 100));
	json_object_set_new(r, "avg_process_working_days", ratio((double)num(r, "process_working_days"), (double)num(r, "completed"), 1));
	json_object_set_new(r, "rating_avg", ratio((double)num(r, "rating_sum"), (double)num(r, "ratings"), 1));
	int64_t fb = num(r, "feedback_satisfied") + num(r, "feedback_basically_satisfied") + num(r, "feedback_dissatisfied");
	json_object_set_new(r, "satisfied_pct", ratio((double)(fb - num(r, "feedback_dissatisfied")), (double)fb, 100));
}

static void
derive_stage(json_t *r)
{
	json_object_set_new(r, "on_time_pct", ratio((double)num(r, "on_time"), (double)num(r, "visits"), 100));
	json_object_set_new(r, "avg_working_days", ratio((double)num(r, "working_days"), (double)num(r, "visits"), 1));
}

static int
index_in(const char *const *list, const char *v)
{
	int i = 0;
	for (; list[i]; i++)
		if (is(list[i], v))
			break;
	return i;
}

/* a stage's place in the flow (its order on the desk) */
static int
stage_index(json_t *def, const char *code)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(def, "states"), i, s) if (is(fg_jstr(s, "code"), code)) return (int)i;
	return 1000;
}

/* nulls last */
static int
cmp_text(const char *a, const char *b)
{
	if (!a || !b)
		return (a == NULL) - (b == NULL);
	return strcmp(a, b);
}

static int
by_dims(const void *pa, const void *pb, void *def)
{
	json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
	int c;
	if ((c = cmp_text(fg_jstr(a, "month"), fg_jstr(b, "month"))))
		return c;
	if ((c = cmp_text(fg_jstr(a, "org_unit_name"), fg_jstr(b, "org_unit_name"))) || (c = cmp_text(fg_jstr(a, "org_unit_id"), fg_jstr(b, "org_unit_id"))))
		return c;
	if ((c = cmp_text(fg_jstr(a, "team_name"), fg_jstr(b, "team_name"))) || (c = cmp_text(fg_jstr(a, "team_id"), fg_jstr(b, "team_id"))))
		return c;
	if (fg_jstr(a, "stage") && (c = stage_index(def, fg_jstr(a, "stage")) - stage_index(def, fg_jstr(b, "stage"))))
		return c;
	return index_in(kinds, fg_jstr(a, "kind")) - index_in(kinds, fg_jstr(b, "kind"));
}

static json_t *
rows_of(json_t *def, json_t *acc, void (*derive)(json_t *))
{
	size_t n = json_object_size(acc), i = 0;
	json_t **rows = fg_calloc(n ? n : 1, sizeof *rows), *out = json_array(), *r;
	const char *key;
	json_object_foreach(acc, key, r) rows[i++] = r;
	qsort_r(rows, n, sizeof *rows, by_dims, def);
	for (i = 0; i < n; i++) {
		derive(rows[i]);
		json_array_append(out, rows[i]);
	}
	free(rows);
	return out;
}

/* the month of an instant within the period, or NULL */
static const char *
in_period(json_t *v, int64_t lo, int64_t hi, char m[8])
{
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) >= hi)
		return NULL;
	appeval_month_of(json_integer_value(v), m);
	return m;
}

/* the app-level rows an application's event counts in: the total, its month, its unit and kind in that month */
static void
app_add(json_t *total, json_t *months, json_t *units, json_t *app, const char *m, const char *k, int64_t n)
{
	if (!n)
		return;
	add(total, k, n);
	json_t *mr = json_object_get(months, m);
	if (mr)
		add(mr, k, n);
	char key[300];
	fg_fmt(key, sizeof key, "%s|%s|%s", m, fg_jstr(app, "org_unit_id") ? fg_jstr(app, "org_unit_id") : "", fg_jstr(app, "kind") ? fg_jstr(app, "kind") : "");
	add(row_of(units, key, json_pack("{s:s, s:O, s:O, s:O}", "month", m, "org_unit_id", get(app, "org_unit_id"),
		    "org_unit_name", get(app, "org_unit_name"), "kind", get(app, "kind")), app_counters), k, n);
}

json_t *
appeval_compute(const cal_t *cal, json_t *def, json_t *apps, const char *from, const char *to)
{
	int64_t lo = 0, hi = 0;
	char m[8], next[8];
	json_t *total = counters(app_counters), *months = json_object(), *units = json_object(), *stages = json_object(),
	       *by_stage = json_object(), *by_team = json_object();
	/* every month of the period has its row, empty or not (a chart's axis) */
	appeval_month_start(from, &lo);
	fg_fmt(m, sizeof m, "%s", from);
	for (int guard = 0; guard < 1200 && strcmp(m, to) <= 0; guard++) {
		json_t *r = counters(app_counters);
		json_object_set_new(r, "month", json_string(m));
		json_object_set_new(months, m, r);
		month_next(m, next);
		memcpy(m, next, sizeof m);
	}
	appeval_month_start(m, &hi);

	size_t i, j;
	json_t *app;
	json_array_foreach(apps, i, app) {
		char mm[8];
		const char *mo;
		if ((mo = in_period(json_object_get(app, "created_at"), lo, hi, mm))) {
			app_add(total, months, units, app, mo, "applications", 1);
			app_add(total, months, units, app, mo, "complaints", num(app, "complaints"));
		}
		json_t *facts = appeval_facts(cal, def, app), *v;
		json_array_foreach(json_object_get(facts, "visits"), j, v) {
			if (is(fg_jstr(v, "left_to"), CANCELLED) || !(mo = in_period(json_object_get(v, "left_at"), lo, hi, mm)))
				continue;
			json_t *ot = json_object_get(v, "on_time"), *wd = json_object_get(v, "working_days");
			if (!json_is_boolean(ot) || !json_is_integer(wd)) {
				app_add(total, months, units, app, mo, "uncounted", 1);
				continue;
			}
			bool on = json_is_true(ot);
			int64_t d = json_integer_value(wd);
			app_add(total, months, units, app, mo, "stage_visits", 1);
			app_add(total, months, units, app, mo, on ? "stage_on_time" : "stage_late", 1);
			app_add(total, months, units, app, mo, "stage_working_days", d);
			json_t *team = json_object_get(json_object_get(app, "teams"), fg_jstr(v, "stage"));
			const char *tid = fg_jstr(team, "team_id");
			char key[300];
			json_t *rows[3];
			fg_fmt(key, sizeof key, "%s|%s|%s|%s", mo, tid ? tid : "", fg_jstr(v, "stage"), fg_jstr(app, "kind") ? fg_jstr(app, "kind") : "");
			rows[0] = row_of(stages, key, json_pack("{s:s, s:o, s:o, s:O, s:O}", "month", mo, "team_id", jstr(tid), "team_name",
							  jstr(fg_jstr(team, "team_name")), "stage", get(v, "stage"), "kind", get(app, "kind")),
			    stage_counters);
			fg_fmt(key, sizeof key, "%s|%s", fg_jstr(v, "stage"), fg_jstr(app, "kind") ? fg_jstr(app, "kind") : "");
			rows[1] = row_of(by_stage, key, json_pack("{s:O, s:O}", "stage", get(v, "stage"), "kind", get(app, "kind")), stage_counters);
			rows[2] = row_of(by_team, tid ? tid : "", json_pack("{s:o, s:o}", "team_id", jstr(tid), "team_name", jstr(fg_jstr(team, "team_name"))),
			    stage_counters);
			for (int r = 0; r < 3; r++) {
				add(rows[r], "visits", 1);
				add(rows[r], on ? "on_time" : "late", 1);
				add(rows[r], "working_days", d);
			}
		}
		json_t *p = json_object_get(facts, "process");
		if ((mo = in_period(json_object_get(p, "completed_at"), lo, hi, mm))) {
			json_t *ot = json_object_get(p, "on_time"), *all = json_object_get(p, "all_stages_on_time"), *wd = json_object_get(p, "working_days");
			if (!json_is_boolean(ot) || !json_is_boolean(all) || !json_is_integer(wd))
				app_add(total, months, units, app, mo, "uncounted", 1);
			else {
				app_add(total, months, units, app, mo, "completed", 1);
				app_add(total, months, units, app, mo, "process_on_time", json_is_true(ot));
				app_add(total, months, units, app, mo, "all_stages_on_time", json_is_true(all));
				app_add(total, months, units, app, mo, "process_working_days", json_integer_value(wd));
			}
		}
		json_decref(facts);
		if (has(app, "rating") && (mo = in_period(json_object_get(app, "rated_at"), lo, hi, mm))) {
			app_add(total, months, units, app, mo, "ratings", 1);
			app_add(total, months, units, app, mo, "rating_sum", num(app, "rating"));
		}
		json_t *f;
		json_array_foreach(json_object_get(app, "feedback"), j, f) {
			const char *s = fg_jstr(f, "satisfaction");
			if (!(mo = in_period(json_object_get(f, "closed_at"), lo, hi, mm)) || !s)
				continue;
			app_add(total, months, units, app, mo, is(s, "satisfied") ? "feedback_satisfied" : is(s, "basically_satisfied")
			    ? "feedback_basically_satisfied" : "feedback_dissatisfied", 1);
		}
	}
	json_t *out = json_pack("{s:s, s:s, s:O, s:o, s:o, s:o, s:o, s:o}", "from", from, "to", to, "total", total, "months",
	    rows_of(def, months, derive_app), "units", rows_of(def, units, derive_app), "stages", rows_of(def, stages, derive_stage),
	    "by_stage", rows_of(def, by_stage, derive_stage), "by_team", rows_of(def, by_team, derive_stage));
	derive_app(json_object_get(out, "total"));
	json_decref(total);
	json_decref(months);
	json_decref(units);
	json_decref(stages);
	json_decref(by_stage);
	json_decref(by_team);
	return out;
}
