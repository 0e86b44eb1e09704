/* Deadlines of processes (flow.h): one table, flow_timers, holds every armed deadline of every flow; the flow
 * engine arms, moves, pauses and ends them as entities move, and flow_timers_run fires the due ones as the system
 * actor. A timer row is one arming: it ends (ended_at) when the entity leaves the state, or fires (fired_at) once;
 * a deadline whose "at" column an effect moves after firing (a fault escalated one level, due again a day later)
 * is armed anew.
 *
 * Two kinds of timer: a state's deadline (kind 'state', ended when the entity leaves the state) and the flow's
 * whole-process deadline (kind 'process', armed once from the process start, ended in an end state, its clock
 * stopped in the states that declare "process_clock": false and by every pause).
 *
 * A working-day deadline keeps its count (count_from, count_wd) besides the instant, for two reasons: a count that
 * runs into a year the calendar does not hold yet is armed with no instant (due_code calendar_year_unknown) and
 * computed when the year is entered; and a pause keeps the working days left, which a resume counts again from the
 * resume (remaining time in working days, not wall-clock: a week's holiday inside a pause costs nothing). */
#include <string.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/db/qb.h"
#include "core/flow/flow.h"
#include "core/calendar/calendar.h"
#include "core/flow/flow_timers_internal.h"




#define HOUR_MS (3600LL * 1000)
#define MAX_WD 3660

int
flow_deadline_due(db_t *db, int64_t from_ms, json_t *after, int64_t *due_ms, fg_err_t *err)
{
	json_t *h = json_object_get(after, "hours"), *wd = json_object_get(after, "working_days");
	if (json_is_integer(h)) {
		*due_ms = from_ms + json_integer_value(h) * HOUR_MS;
		return 0;
	}
	if (!json_is_integer(wd) || json_integer_value(wd) < 0)
		return fg_err_field(err, "internal", "after", "hours or working_days");
	/* China's working days (core/calendar: statutory holidays and make-up working days): the end of the Nth working
	 * day after from_ms's day, Shanghai time — what a public promise like "within 5 working days" means. A year the
	 * calendar does not hold answers calendar_year_unknown rather than a guess. */
	if (json_integer_value(wd) > MAX_WD)
		return fg_err_field(err, "internal", "after", "working_days too large");
	return cal_db_add_working_days(db, from_ms, (int)json_integer_value(wd), due_ms, err);
}

/* ---- what a deadline declares ---- */

static json_t *
state_def(json_t *def, const char *state)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(def, "states"), i, s) if (state && strcmp(json_string_value(json_object_get(s, "code")), state) == 0) return s;
	return NULL;
}

static json_t *
deadline_of(json_t *def, const char *state)
{
	return json_object_get(state_def(def, state), "deadline");
}

json_t *
flow_timer_decl(json_t *def, const char *kind, const char *state)
{
	return kind && strcmp(kind, "process") == 0 ? json_object_get(def, "process_deadline") : deadline_of(def, state);
}

static bool
has_deadlines(json_t *def)
{
	size_t i;
	json_t *s;
	if (json_object_get(def, "process_deadline"))
		return true;
	json_array_foreach(json_object_get(def, "states"), i, s) if (json_object_get(s, "deadline")) return true;
	return false;
}

/* Whether the process clock runs in a state (false where it declares "process_clock": false: the customer's turn). */
static bool
clock_runs(json_t *def, const char *state)
{
	return !json_is_false(json_object_get(state_def(def, state), "process_clock"));
}

/* Why the process clock stands still in a state: its name, which the customer reads. */
static const char *
stop_reason(json_t *def, const char *state)
{
	json_t *s = state_def(def, state);
	const char *n = json_string_value(json_object_get(s, "name_zh"));
	return n ? n : state;
}

/* Whether the process is over in this state: one of "ends", or by default a state no transition leaves. */
static bool
process_ends(json_t *def, const char *state)
{
	json_t *ends = json_object_get(json_object_get(def, "process_deadline"), "ends"), *v, *t;
	size_t i, j;
	if (ends) {
		json_array_foreach(ends, i, v) if (strcmp(json_string_value(v), state) == 0) return true;
		return false;
	}
	json_array_foreach(json_object_get(def, "transitions"), i, t) {
		if (json_is_true(json_object_get(t, "stay")))
			continue;
		json_array_foreach(json_object_get(t, "from"), j, v) if (strcmp(json_string_value(v), state) == 0) return false;
	}
	return true;
}

/* A span: N hours or N working days. */
typedef struct {
	bool wd;
	int64_t n;
} span_t;

/* An "after" value for this entity: an integer, or {"by": column, "values": {value: N}, "default"?: N} (the
 * limit per kind of application). 1 with *n, 0 when none applies (a value not listed, no default). */
static int
amount_for(json_t *v, json_t *row, int64_t *n)
{
	if (json_is_integer(v)) {
		*n = json_integer_value(v);
		return 1;
	}
	const char *by = json_string_value(json_object_get(v, "by"));
	const char *key = by ? json_string_value(json_object_get(row, by)) : NULL;
	json_t *x = key ? json_object_get(json_object_get(v, "values"), key) : NULL;
	if (!json_is_integer(x))
		x = json_object_get(v, "default");
	if (!json_is_integer(x))
		return 0;
	*n = json_integer_value(x);
	return 1;
}

static int
span_for(json_t *after, json_t *row, span_t *s)
{
	json_t *h = json_object_get(after, "hours"), *wd = json_object_get(after, "working_days");
	s->wd = wd != NULL;
	return amount_for(s->wd ? wd : h, row, &s->n);
}

/* A timer's instants as computed: due (or unknown, with the code and year), its count, its warning. */
typedef struct {
	bool known;
	int64_t due;
	const char *code; /* static */
	int64_t year;
	bool wd;
	int64_t count_from, count_wd;
	bool warns;
	int64_t warn_at;
} fclock_t;

/* The warning instant of a clock (decl's "warn": {"before": {"hours": N} | {"working_days": N}}): N hours before
 * the due instant; or when only N working days are left, i.e. right after the end of working day count_wd - N
 * (at once when the count is N or less). */
static int
warn_for(const cal_t *cal, json_t *decl, json_t *row, fclock_t *c, fg_err_t *err)
{
	json_t *before = json_object_get(json_object_get(decl, "warn"), "before");
	span_t w;
	c->warns = false;
	if (!before || !c->known || span_for(before, row, &w) != 1)
		return 0;
	if (!w.wd)
		c->warn_at = c->due - w.n * HOUR_MS;
	else if (!c->wd)
		return 0; /* refused at load: a working-day warning needs a working-day count */
	else if (w.n >= c->count_wd)
		c->warn_at = c->count_from;
	else {
		int64_t end;
		if (cal_add_working_days(cal, c->count_from, (int)(c->count_wd - w.n), &end, err) != 0)
			return -1;
		c->warn_at = end + 1;
	}
	c->warns = true;
	return 0;
}

/* Counts a span from `from` (decl gives the warning). 0, or -1 with err (not for an unknown year: that is a clock
 * whose instant is not known yet). */
static int
compute(const cal_t *cal, int64_t from, span_t s, json_t *decl, json_t *row, fclock_t *c, fg_err_t *err)
{
	memset(c, 0, sizeof *c);
	c->wd = s.wd;
	c->count_from = from;
	c->count_wd = s.n;
	if (!s.wd) {
		c->known = true;
		c->due = from + s.n * HOUR_MS;
		return warn_for(cal, decl, row, c, err);
	}
	if (s.n < 0 || s.n > MAX_WD)
		return fg_err_field(err, "internal", "after", "0 to 3660 working days");
	fg_err_t e = FG_ERR_INIT;
	if (cal_add_working_days(cal, from, (int)s.n, &c->due, &e) == 0) {
		c->known = true;
		return warn_for(cal, decl, row, c, err);
	}
	if (e.code && strcmp(e.code, "calendar_year_unknown") == 0) {
		c->code = "calendar_year_unknown";
		c->year = json_integer_value(json_object_get(e.details, "year"));
		fg_err_clear(&e);
		return 0;
	}
	*err = e;
	return -1;
}

static void
bind_opt(db_stmt_t *st, int idx, bool has, int64_t v)
{
	if (has)
		db_bind_int(st, idx, v);
	else
		db_bind_null(st, idx);
}

/* The statement that arms a timer, appended to q: arm() runs it alone; the flow engine's one-statement path (PostgreSQL)
 * sends it as a part of its WITH clause, so both write the same row. */
static void
arm_sql(qb_t *q, const char *flow, const char *id, const char *kind, const char *state, const fclock_t *c, int64_t now)
{
	char tid[37];
	fg_uuid7(tid);
	qb_sql(q, "INSERT INTO flow_timers (id, flow, entity_id, kind, state, due_at, due_code, due_year, count_from, count_wd, "
		  "warn_at, created_at, updated_at) VALUES (");
	qb_text(q, tid);
	qb_sql(q, ", ");
	qb_text(q, flow);
	qb_sql(q, ", ");
	qb_text(q, id);
	qb_sql(q, ", ");
	qb_text(q, kind);
	qb_sql(q, ", ");
	qb_text(q, state);
	const struct {
		bool has;
		int64_t v;
	} opt[] = {{c->known, c->due}, {false, 0}, {!c->known, c->year}, {c->wd, c->count_from}, {c->wd, c->count_wd},
	    {c->warns, c->warn_at}, {true, now}, {true, now}};
	for (size_t k = 0; k < sizeof opt / sizeof *opt; k++) {
		qb_sql(q, ", ");
		if (k == 1 && !c->known)
			qb_text(q, c->code); /* due_code */
		else if (opt[k].has)
			qb_int(q, opt[k].v);
		else
			qb_sql(q, "NULL");
	}
	qb_sql(q, ")");
	if (!c->known)
		log_info("flow %s %s: %s deadline of %s waits for calendar year %lld", flow, id, kind, state, (long long)c->year);
}

static int
arm(db_t *db, const char *flow, const char *id, const char *kind, const char *state, const fclock_t *c, int64_t now)
{
	qb_t q;
	qb_init(&q, "");
	arm_sql(&q, flow, id, kind, state, c, now);
	int rc = db_run(qb_prepare(db, &q)) == DB_DONE ? 0 : -1;
	qb_free(&q);
	return rc;
}

/* A clock counted again (resolved, resumed): the instants, the count; the warning unless it was given already. */
static int
store(db_t *db, const char *tid, const fclock_t *c, bool resume, int64_t now)
{
	db_stmt_t *st = db_prepare(db, resume
	    ? "UPDATE flow_timers SET due_at = $1, due_code = $2, due_year = $3, count_from = $4, count_wd = $5, "
	      "warn_at = CASE WHEN warned_at IS NULL THEN $6 ELSE warn_at END, updated_at = $7, paused_at = NULL, "
	      "remaining_ms = NULL, remaining_wd = NULL, pause_reason = NULL, pause_kind = NULL WHERE id = $8"
	    : "UPDATE flow_timers SET due_at = $1, due_code = $2, due_year = $3, count_from = $4, count_wd = $5, "
	      "warn_at = CASE WHEN warned_at IS NULL THEN $6 ELSE warn_at END, updated_at = $7 WHERE id = $8");
	if (!st)
		return -1;
	bind_opt(st, 1, c->known, c->due);
	db_bind_text(st, 2, c->known ? NULL : c->code);
	bind_opt(st, 3, !c->known, c->year);
	bind_opt(st, 4, c->wd, c->count_from);
	bind_opt(st, 5, c->wd, c->count_wd);
	bind_opt(st, 6, c->warns, c->warn_at);
	db_bind_int(st, 7, now);
	db_bind_text(st, 8, tid);
	return db_run(st) == DB_DONE ? 0 : -1;
}

/* Ends the entity's open state timers (leaving a state), appended to q: end_open() runs it alone, the flow engine's
 * one-statement path sends it as a part of its WITH clause. */
static void
end_sql(qb_t *q, const char *flow, const char *id, int64_t now)
{
	qb_sql(q, "UPDATE flow_timers SET ended_at = ");
	qb_int(q, now);
	qb_sql(q, ", updated_at = ");
	qb_int(q, now);
	qb_sql(q, " WHERE flow = ");
	qb_text(q, flow);
	qb_sql(q, " AND entity_id = ");
	qb_text(q, id);
	qb_sql(q, " AND kind = 'state' AND fired_at IS NULL AND ended_at IS NULL");
}

static int
end_open(db_t *db, const char *flow, const char *id, int64_t now)
{
	qb_t q;
	qb_init(&q, "");
	end_sql(&q, flow, id, now);
	int rc = db_run(qb_prepare(db, &q)) == DB_DONE ? 0 : -1;
	qb_free(&q);
	return rc;
}

/* The warning of an "at" deadline: hours before the column's instant. */
static void
warn_at_column(json_t *d, fclock_t *c)
{
	warn_for(NULL, d, NULL, c, NULL); /* hours only: no calendar needed */
}

/* ---- pausing and resuming one timer ---- */

static int
pause_one(db_t *db, const cal_t *cal, json_t *t, const char *reason, const char *kind, int64_t now)
{
	json_t *due = json_object_get(t, "due_at"), *cf = json_object_get(t, "count_from"), *cw = json_object_get(t, "count_wd");
	db_stmt_t *st = db_prepare(db, "UPDATE flow_timers SET paused_at = $1, remaining_ms = $2, remaining_wd = $3, "
					"pause_reason = $4, pause_kind = $5, updated_at = $1 WHERE id = $6 AND paused_at IS NULL");
	if (!st)
		return -1;
	int64_t left = json_is_integer(due) ? json_integer_value(due) - now : 0;
	db_bind_int(st, 1, now);
	bind_opt(st, 2, json_is_integer(due), left > 0 ? left : 0);
	if (json_is_integer(cw)) {
		/* working days left: the count less those already behind (the pause's own day included) */
		int done = 0;
		fg_err_t e = FG_ERR_INIT;
		if (cal_working_days_between(cal, json_integer_value(cf), now, &done, &e) != 0) {
			log_warn("flow timer %s: paused in an unknown year (%s): its whole count is kept",
			    json_string_value(json_object_get(t, "id")), e.code);
			fg_err_clear(&e);
			done = 0;
		}
		int64_t wl = json_integer_value(cw) - done;
		db_bind_int(st, 3, wl > 0 ? wl : 0);
	} else
		db_bind_null(st, 3);
	db_bind_text(st, 4, reason);
	db_bind_text(st, 5, kind);
	db_bind_text(st, 6, json_string_value(json_object_get(t, "id")));
	return db_run(st) == DB_DONE ? 0 : -1;
}

static int
resume_one(db_t *db, const cal_t *cal, const flow_binding_t *b, json_t *def, json_t *row, json_t *t, const char *id,
    int64_t now)
{
	const char *kind = json_string_value(json_object_get(t, "kind")), *tid = json_string_value(json_object_get(t, "id"));
	json_t *decl = flow_timer_decl(def, kind, json_string_value(json_object_get(t, "state")));
	json_t *rwd = json_object_get(t, "remaining_wd");
	fclock_t c;
	fg_err_t e = FG_ERR_INIT;
	if (json_is_integer(rwd)) {
		/* the working days left, counted from the resume as from an acceptance: the resume's day is day 0. With
		 * none left (paused on its last day), a resume on a day off gets the next working day, not a deadline at
		 * the end of a holiday. */
		span_t s = {true, json_integer_value(rwd)};
		if (s.n == 0) {
			char day[11];
			bool w = true;
			cal_local_day(now, day);
			if (cal_is_working_day(cal, day, &w, &e) != 0)
				fg_err_clear(&e); /* unknown: the count below says so */
			if (!w)
				s.n = 1;
		}
		if (compute(cal, now, s, decl, row, &c, &e) != 0) {
			log_warn("flow timer %s: %s", tid, e.code);
			fg_err_clear(&e);
			return -1;
		}
		return store(db, tid, &c, true, now);
	}
	/* an hours deadline (or one at a column): the time that was left, from the resume */
	memset(&c, 0, sizeof c);
	c.known = true;
	c.due = now + json_integer_value(json_object_get(t, "remaining_ms"));
	warn_at_column(decl, &c);
	const char *at = json_string_value(json_object_get(decl, "at"));
	char sql[160];
	if (at) /* the column the module shows (and re-reads) moves with the clock */
		fg_fmt(sql, sizeof sql, "UPDATE %s SET %s = $1 WHERE id = $2", b->table, at);
	return store(db, tid, &c, true, now) != 0 || (at && db_run(db_q(db, sql, "it", c.due, id)) != DB_DONE) ? -1 : 0;
}

/* ---- keeping the timers in step with the entity ---- */

/* none_open: the entity was in a state without a deadline, so it holds no open state timer (nothing to end).
 * with: NULL, or the caller's WITH clause (PostgreSQL, entering) that carries the end and the arming as its parts. */
static int
sync_state(db_t *db, const cal_t *cal, const flow_binding_t *b, json_t *row, const char *id, const char *state,
    bool entering, bool none_open, int64_t now, qb_t *with)
{
	json_t *d = deadline_of(flow_def(b->flow), state);
	const char *at = json_string_value(json_object_get(d, "at"));
	fclock_t c;
	memset(&c, 0, sizeof c);
	bool want = false;
	int rc = 0;
	if (at) {
		json_t *v = json_object_get(row, at);
		want = json_is_integer(v);
		c.known = true;
		c.due = json_integer_value(v);
		warn_at_column(d, &c);
	} else if (d && entering) {
		const char *from = json_string_value(json_object_get(d, "from"));
		json_t *start = json_object_get(row, "created_at");
		int64_t t0 = from && strcmp(from, "start") == 0 && json_is_integer(start) ? json_integer_value(start) : now;
		span_t s;
		fg_err_t e = FG_ERR_INIT;
		if (span_for(json_object_get(d, "after"), row, &s) != 1)
			; /* no limit for this entity (its kind is not listed) */
		else if (compute(cal, t0, s, d, row, &c, &e) != 0) {
			log_warn("flow %s %s: deadline of %s not armed: %s", b->flow, id, state, e.code);
			fg_err_clear(&e);
		} else
			want = true;
	}
	if (entering && with) { /* the same statements, sent as parts of the caller's one (its round trip) */
		if (!none_open) {
			qb_sql(with, "ft_end AS (");
			end_sql(with, b->flow, id, now);
			qb_sql(with, "), ");
		}
		if (want) { /* not seen by ft_end: the parts of one statement share its snapshot */
			qb_sql(with, "ft_arm AS (");
			arm_sql(with, b->flow, id, "state", state, &c, now);
			qb_sql(with, "), ");
		}
		return 0;
	}
	if (entering)
		return (!none_open && end_open(db, b->flow, id, now) != 0) ||
			       (want && arm(db, b->flow, id, "state", state, &c, now) != 0) ? -1 : 0;
	/* a transition that stayed: only an "at" deadline follows its column */
	int qrc;
	json_t *open = db_one(db_q(db, "SELECT id, due_at, paused_at, warned_at FROM flow_timers WHERE flow = $1 AND entity_id = $2 "
					"AND kind = 'state' AND fired_at IS NULL AND ended_at IS NULL ORDER BY created_at DESC LIMIT 1",
				  "tt", b->flow, id), &qrc);
	if (qrc != DB_ROW && qrc != DB_DONE)
		rc = -1;
	else if (!d || (at && !want)) {
		if (open)
			rc = end_open(db, b->flow, id, now);
	} else if (at && open) {
		if (json_is_null(json_object_get(open, "paused_at")) && json_integer_value(json_object_get(open, "due_at")) != c.due)
			rc = store(db, json_string_value(json_object_get(open, "id")), &c, false, now);
	} else if (at) { /* fired (or never armed): armed again only for a new instant */
		json_t *same = db_one(db_q(db, "SELECT id FROM flow_timers WHERE flow = $1 AND entity_id = $2 AND kind = 'state' AND "
						"state = $3 AND due_at = $4", "ttti", b->flow, id, state, c.due), &qrc);
		if (qrc == DB_DONE)
			rc = arm(db, b->flow, id, "state", state, &c, now);
		else if (qrc != DB_ROW)
			rc = -1;
		json_decref(same);
	}
	json_decref(open);
	return rc;
}

/* The whole-process deadline: armed once from the start, stopped where the customer has the turn, ended at the end. */
static int
sync_process(db_t *db, const cal_t *cal, const flow_binding_t *b, json_t *row, const char *id, const char *state, int64_t now)
{
	json_t *def = flow_def(b->flow), *pd = json_object_get(def, "process_deadline");
	if (!pd)
		return 0;
	int qrc;
	json_t *p = db_one(db_q(db, "SELECT id, kind, state, due_at, count_from, count_wd, paused_at, pause_kind, remaining_ms, remaining_wd, fired_at, ended_at "
				     "FROM flow_timers WHERE flow = $1 AND entity_id = $2 AND kind = 'process' ORDER BY created_at DESC "
				     "LIMIT 1", "tt", b->flow, id), &qrc);
	if (qrc != DB_ROW && qrc != DB_DONE)
		return -1;
	bool ends = process_ends(def, state), runs = clock_runs(def, state);
	int rc = 0;
	if (!p) {
		json_t *start = json_object_get(row, "created_at");
		int64_t t0 = json_is_integer(start) ? json_integer_value(start) : now;
		span_t s;
		fclock_t c;
		fg_err_t e = FG_ERR_INIT;
		if (ends || span_for(json_object_get(pd, "after"), row, &s) != 1)
			return 0;
		if (compute(cal, t0, s, pd, row, &c, &e) != 0) {
			log_warn("flow %s %s: process deadline not armed: %s", b->flow, id, e.code);
			fg_err_clear(&e);
			return 0;
		}
		if (arm(db, b->flow, id, "process", state, &c, now) != 0)
			return -1;
		if (runs)
			return 0;
		/* created in a state where the customer has the turn: armed, and stopped at once */
		p = db_one(db_q(db, "SELECT id, due_at, count_from, count_wd FROM flow_timers WHERE flow = $1 AND entity_id = $2 AND "
				     "kind = 'process' AND ended_at IS NULL", "tt", b->flow, id), &qrc);
		rc = p ? pause_one(db, cal, p, stop_reason(def, state), "state", now) : -1;
		json_decref(p);
		return rc;
	}
	bool open = json_is_null(json_object_get(p, "fired_at")) && json_is_null(json_object_get(p, "ended_at"));
	bool paused = !json_is_null(json_object_get(p, "paused_at"));
	const char *pk = json_string_value(json_object_get(p, "pause_kind"));
	if (!open)
		;
	else if (ends)
		rc = db_run(db_q(db, "UPDATE flow_timers SET ended_at = $1, updated_at = $1 WHERE id = $2", "it", now,
			     json_string_value(json_object_get(p, "id")))) == DB_DONE ? 0 : -1;
	else if (!runs && !paused)
		rc = pause_one(db, cal, p, stop_reason(def, state), "state", now);
	else if (runs && paused && pk && strcmp(pk, "state") == 0) /* a pause someone declared waits for its resume */
		rc = resume_one(db, cal, b, def, row, p, id, now);
	json_decref(p);
	return rc;
}

int
flow_timers_sync_row(db_t *db, const flow_binding_t *b, const char *id, json_t *row, bool entering, const char *from,
    int64_t now, qb_t *with)
{
	json_t *def = flow_def(b->flow);
	if (!has_deadlines(def)) /* most flows: not a query more */
		return 0;
	const char *state = json_string_value(json_object_get(row, "status"));
	json_t *d = deadline_of(def, state), *pd = json_object_get(def, "process_deadline");
	/* Every state timer is armed for the state its entity is in, and leaving a state ends them: an entity that was
	 * in a state without a deadline has no open state timer, so leaving it (or staying in it) asks nothing of the
	 * database for the state clock; nor does staying in a state whose deadline runs from entering it (only an "at"
	 * column moves). The process clock is another matter: it is synced on every transition. */
	bool none_open = from && !deadline_of(def, from);
	bool skip_state = entering ? none_open && !d : !json_object_get(d, "at") && (d || none_open);
	if (skip_state && !pd)
		return 0;
	/* The one-statement path only where it is all there is: with a process deadline, the timers' statements run on
	 * their own, in their order. */
	if (pd)
		with = NULL;
	fg_err_t e = FG_ERR_INIT;
	cal_t *cal = NULL;
	/* the calendar only where something is counted (not for a deadline at a column: faults, orders, tickets) */
	if (((!skip_state && json_object_get(d, "after")) || pd) && !(cal = cal_get(db, &e))) {
		fg_err_clear(&e);
		return -1;
	}
	int rc = skip_state ? 0 : sync_state(db, cal, b, row, id, state, entering, none_open, now, with);
	if (rc == 0)
		rc = sync_process(db, cal, b, row, id, state, now);
	cal_release(cal);
	return rc;
}

int
flow_timers_sync(db_t *db, const flow_binding_t *b, const char *id, bool entering, int64_t now)
{
	if (!has_deadlines(flow_def(b->flow))) /* most flows: not a query more */
		return 0;
	json_t *row = b->load(db, id);
	if (!row)
		return -1;
	int rc = flow_timers_sync_row(db, b, id, row, entering, NULL, now, NULL);
	json_decref(row);
	return rc;
}

int
flow_timers_pause(db_t *db, const flow_binding_t *b, const char *id, const char *reason, int64_t now)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT id, due_at, count_from, count_wd FROM flow_timers WHERE flow = $1 AND entity_id = $2 "
					"AND fired_at IS NULL AND ended_at IS NULL AND paused_at IS NULL", "tt", b->flow, id), &rc);
	if (!rows)
		return -1;
	fg_err_t e = FG_ERR_INIT;
	cal_t *cal = json_array_size(rows) ? cal_get(db, &e) : NULL;
	size_t i;
	json_t *t;
	rc = json_array_size(rows) && !cal ? -1 : 0;
	json_array_foreach(rows, i, t) if (rc == 0) rc = pause_one(db, cal, t, reason, "action", now);
	fg_err_clear(&e);
	cal_release(cal);
	json_decref(rows);
	return rc;
}

int
flow_timers_resume(db_t *db, const flow_binding_t *b, const char *id, int64_t now)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT id, kind, state, remaining_ms, remaining_wd FROM flow_timers WHERE flow = $1 AND "
					"entity_id = $2 AND fired_at IS NULL AND ended_at IS NULL AND paused_at IS NOT NULL", "tt", b->flow, id), &rc);
	if (!rows)
		return -1;
	if (!json_array_size(rows)) {
		json_decref(rows);
		return 0;
	}
	json_t *def = flow_def(b->flow), *row = b->load(db, id);
	fg_err_t e = FG_ERR_INIT;
	cal_t *cal = row ? cal_get(db, &e) : NULL;
	const char *state = json_string_value(json_object_get(row, "status"));
	rc = cal ? 0 : -1;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		if (rc != 0)
			break;
		if (strcmp(json_string_value(json_object_get(r, "kind")), "process") == 0 && !clock_runs(def, state)) {
			/* the customer still has the turn in this state: the process clock waits for the state to end */
			rc = db_run(db_q(db, "UPDATE flow_timers SET pause_kind = 'state', pause_reason = $1, updated_at = $2 WHERE id = $3",
				     "tit", stop_reason(def, state), now, json_string_value(json_object_get(r, "id")))) == DB_DONE ? 0 : -1;
			continue;
		}
		rc = resume_one(db, cal, b, def, row, r, id, now);
	}
	fg_err_clear(&e);
	cal_release(cal);
	json_decref(row);
	json_decref(rows);
	return rc;
}

/* ---- deadlines waiting for a calendar year ---- */

int
flow_timers_resolve(db_t *db, int64_t now)
{
	int rc, n = 0;
	json_t *rows = db_all(db_prepare(db, "SELECT id, flow, entity_id, kind, state, count_from, count_wd FROM flow_timers WHERE "
					"due_at IS NULL AND fired_at IS NULL AND ended_at IS NULL AND paused_at IS NULL AND due_year IN "
					"(SELECT year FROM calendar_years) ORDER BY created_at LIMIT 500"), &rc);
	if (!rows)
		return -1;
	if (!json_array_size(rows)) {
		json_decref(rows);
		return 0;
	}
	fg_err_t e = FG_ERR_INIT;
	cal_t *cal = cal_get(db, &e);
	if (!cal) {
		fg_err_clear(&e);
		json_decref(rows);
		return -1;
	}
	size_t i;
	json_t *t;
	json_array_foreach(rows, i, t) {
		const flow_binding_t *b = flow_binding(json_string_value(json_object_get(t, "flow")));
		json_t *def = flow_def(json_string_value(json_object_get(t, "flow")));
		if (!b || !def)
			continue;
		json_t *row = b->load(db, json_string_value(json_object_get(t, "entity_id")));
		span_t s = {true, json_integer_value(json_object_get(t, "count_wd"))};
		fclock_t c;
		int r = compute(cal, json_integer_value(json_object_get(t, "count_from")), s,
		    flow_timer_decl(def, json_string_value(json_object_get(t, "kind")), json_string_value(json_object_get(t, "state"))), row, &c, &e);
		json_decref(row);
		if (r != 0) {
			log_warn("flow timer %s: %s", json_string_value(json_object_get(t, "id")), e.code);
			fg_err_clear(&e);
			continue;
		}
		/* known now, or waiting for the next year the count reaches (a count across two unknown years) */
		if (store(db, json_string_value(json_object_get(t, "id")), &c, false, now) != 0) {
			n = -1;
			break;
		}
		n += c.known;
	}
	cal_release(cal);
	json_decref(rows);
	return n;
}

/* ---- what the entity's clocks say ---- */

static json_t *
view(json_t *t, int64_t now)
{
	json_t *due = json_object_get(t, "due_at"), *o = json_object();
	const char *status = !json_is_null(json_object_get(t, "fired_at")) ? "fired"
	    : !json_is_null(json_object_get(t, "ended_at")) ? "ended"
	    : !json_is_null(json_object_get(t, "paused_at")) ? "paused" : "running";
	bool open = strcmp(status, "running") == 0 || strcmp(status, "paused") == 0;
	static const char *const copy[] = {"id", "kind", "state", "due_at", "count_from", "count_wd", "warn_at", "warned_at",
	    "paused_at", "pause_reason", "fired_at", "ended_at", "created_at", NULL};
	for (int i = 0; copy[i]; i++)
		json_object_set(o, copy[i], json_object_get(t, copy[i]));
	json_object_set_new(o, "status", json_string(status));
	char day[11];
	if (json_is_integer(due))
		cal_local_day(json_integer_value(due), day);
	json_object_set_new(o, "due_day", json_is_integer(due) ? json_string(day) : json_null());
	json_object_set_new(o, "due_unknown", json_is_integer(due) ? json_null()
	    : json_pack("{s:O, s:O}", "code", json_object_get(t, "due_code"), "year", json_object_get(t, "due_year")));
	json_t *rwd = json_object_get(t, "remaining_wd"), *rms = json_object_get(t, "remaining_ms");
	json_object_set_new(o, "remaining", json_is_integer(rwd) ? json_pack("{s:O}", "working_days", rwd)
	    : json_is_integer(rms) ? json_pack("{s:O}", "ms", rms) : json_null());
	json_object_set_new(o, "late", json_boolean(strcmp(status, "fired") == 0 ||
	    (open && json_is_integer(due) && json_integer_value(due) < now)));
	json_t *wa = json_object_get(t, "warn_at");
	json_object_set_new(o, "nearly_late", json_boolean(!json_is_null(json_object_get(t, "warned_at")) ||
	    (open && json_is_integer(wa) && json_integer_value(wa) < now)));
	return o;
}

json_t *
flow_deadlines(db_t *db, const char *flow, const char *id, int64_t now)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT * FROM flow_timers WHERE flow = $1 AND entity_id = $2 ORDER BY created_at, id LIMIT 200",
				   "tt", flow, id), &rc);
	if (!rows)
		return NULL;
	json_t *items = json_array(), *state = json_null(), *process = json_null(), *t;
	size_t i;
	json_array_foreach(rows, i, t) {
		json_t *v = view(t, now);
		bool open = json_is_null(json_object_get(t, "fired_at")) && json_is_null(json_object_get(t, "ended_at"));
		if (strcmp(json_string_value(json_object_get(t, "kind")), "process") == 0) {
			json_decref(process);
			process = json_incref(v);
		} else if (open) {
			json_decref(state);
			state = json_incref(v);
		}
		json_array_append_new(items, v);
	}
	json_decref(rows);
	return json_pack("{s:o, s:o, s:o}", "state", state, "process", process, "items", items);
}
