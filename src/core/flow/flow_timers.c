/* Deadlines of processes (flow.h): one table, flow_timers, holds every armed deadline of every flow; the flow
 * engine arms, moves, pauses and ends them as entities move, and flow_timers_run fires the due ones as the system
 * actor. A timer row is one arming: it ends (ended_at) when the entity leaves the state, or fires (fired_at) once;
 * a deadline whose "at" column an effect moves after firing (a fault escalated one level, due again a day later)
 * is armed anew. */
#include <string.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/db/qb.h"
#include "core/flow/flow.h"
#include "core/calendar/calendar.h"



static flow_notify_fn notifier;

void
flow_set_notifier(flow_notify_fn fn)
{
	notifier = fn;
}

#define HOUR_MS (3600LL * 1000)

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
	if (json_integer_value(wd) > 3660)
		return fg_err_field(err, "internal", "after", "working_days too large");
	return cal_db_add_working_days(db, from_ms, (int)json_integer_value(wd), due_ms, err);
}

static json_t *
deadline_of(json_t *def, const char *state)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(def, "states"), i, s) if (state && strcmp(json_string_value(json_object_get(s, "code")), state) == 0) return json_object_get(s, "deadline");
	return NULL;
}

static bool
has_deadlines(json_t *def)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(def, "states"), i, s) if (json_object_get(s, "deadline")) return true;
	return false;
}

static int
arm(db_t *db, const char *flow, const char *id, const char *state, int64_t due, int64_t now)
{
	char tid[37];
	fg_uuid7(tid);
	return db_run(db_q(db, "INSERT INTO flow_timers (id, flow, entity_id, state, due_at, created_at, updated_at) "
			       "VALUES ($1, $2, $3, $4, $5, $6, $6)", "ttttii", tid, flow, id, state, due, now)) == DB_DONE ? 0 : -1;
}

static int
end_open(db_t *db, const char *flow, const char *id, int64_t now)
{
	return db_run(db_q(db, "UPDATE flow_timers SET ended_at = $1, updated_at = $1 WHERE flow = $2 AND entity_id = $3 AND "
			       "fired_at IS NULL AND ended_at IS NULL", "itt", now, flow, id)) == DB_DONE ? 0 : -1;
}

int
flow_timers_sync_row(db_t *db, const flow_binding_t *b, const char *id, json_t *row, bool entering, const char *from,
    int64_t now, qb_t *with)
{
	json_t *def = flow_def(b->flow);
	if (!has_deadlines(def)) /* most flows: not a query more */
		return 0;
	const char *state = json_string_value(json_object_get(row, "status"));
	json_t *d = deadline_of(def, state);
	const char *at = json_string_value(json_object_get(d, "at"));
	/* Every timer is armed for the state its entity is in, and leaving a state ends its timers: an entity that
	 * was in a state without a deadline has no open timer, so leaving it (or staying in it) asks nothing of the
	 * database; nor does staying in a state whose deadline runs from entering it (only an "at" column moves). */
	bool none_open = from && !deadline_of(def, from);
	if (entering ? none_open && !d : !at && (d || none_open))
		return 0;
	int64_t due = 0;
	bool want = false;
	int rc = 0;
	if (at) {
		json_t *v = json_object_get(row, at);
		want = json_is_integer(v);
		due = json_integer_value(v);
	} else if (d && entering) {
		const char *start = json_string_value(json_object_get(d, "from"));
		json_t *created = json_object_get(row, "created_at");
		int64_t t0 = start && strcmp(start, "start") == 0 && json_is_integer(created) ? json_integer_value(created) : now;
		fg_err_t e = FG_ERR_INIT;
		if (flow_deadline_due(db, t0, json_object_get(d, "after"), &due, &e) != 0) {
			log_warn("flow %s %s: deadline of %s not armed: %s", b->flow, id, state, e.code);
			fg_err_clear(&e);
		} else
			want = true;
	}
	if (entering) {
		if (with) { /* the caller's statement carries them (PostgreSQL: WITH parts, one round trip) */
			if (!none_open) {
				qb_sql(with, "ft_end AS (UPDATE flow_timers SET ended_at = ");
				qb_int(with, now);
				qb_sql(with, ", updated_at = ");
				qb_int(with, now);
				qb_sql(with, " WHERE flow = ");
				qb_text(with, b->flow);
				qb_sql(with, " AND entity_id = ");
				qb_text(with, id);
				qb_sql(with, " AND fired_at IS NULL AND ended_at IS NULL), ");
			}
			if (want) { /* not seen by ft_end: the parts of one statement share its snapshot */
				char tid[37];
				fg_uuid7(tid);
				qb_sql(with, "ft_arm AS (INSERT INTO flow_timers (id, flow, entity_id, state, due_at, created_at, updated_at) VALUES (");
				qb_text(with, tid);
				qb_sql(with, ", ");
				qb_text(with, b->flow);
				qb_sql(with, ", ");
				qb_text(with, id);
				qb_sql(with, ", ");
				qb_text(with, state);
				qb_sql(with, ", ");
				qb_int(with, due);
				qb_sql(with, ", ");
				qb_int(with, now);
				qb_sql(with, ", ");
				qb_int(with, now);
				qb_sql(with, ")), ");
			}
			return 0;
		}
		return (!none_open && end_open(db, b->flow, id, now) != 0) || (want && arm(db, b->flow, id, state, due, now) != 0) ? -1 : 0;
	}
	/* a transition that stayed: only an "at" deadline follows its column */
	int qrc;
	json_t *open = db_one(db_q(db, "SELECT id, due_at, paused_at FROM flow_timers WHERE flow = $1 AND entity_id = $2 AND "
					"fired_at IS NULL AND ended_at IS NULL ORDER BY created_at DESC LIMIT 1", "tt", b->flow, id), &qrc);
	if (qrc != DB_ROW && qrc != DB_DONE)
		rc = -1;
	else if (!want) {
		if (open)
			rc = end_open(db, b->flow, id, now);
	} else if (open) {
		if (json_is_null(json_object_get(open, "paused_at")) && json_integer_value(json_object_get(open, "due_at")) != due)
			rc = db_run(db_q(db, "UPDATE flow_timers SET due_at = $1, updated_at = $2 WHERE id = $3", "iit", due, now,
				  json_string_value(json_object_get(open, "id")))) == DB_DONE ? 0 : -1;
	} else { /* fired (or never armed): armed again only for a new instant */
		json_t *same = db_one(db_q(db, "SELECT id FROM flow_timers WHERE flow = $1 AND entity_id = $2 AND state = $3 AND "
						"due_at = $4", "ttti", b->flow, id, state, due), &qrc);
		if (qrc == DB_DONE)
			rc = arm(db, b->flow, id, state, due, now);
		else if (qrc != DB_ROW)
			rc = -1;
		json_decref(same);
	}
	json_decref(open);
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
	return db_run(db_q(db, "UPDATE flow_timers SET paused_at = $1, remaining_ms = CASE WHEN due_at > $1 THEN due_at - $1 "
			       "ELSE 0 END, pause_reason = $2, updated_at = $1 WHERE flow = $3 AND entity_id = $4 AND fired_at IS NULL "
			       "AND ended_at IS NULL AND paused_at IS NULL", "ittt", now, reason, b->flow, id)) == DB_DONE ? 0 : -1;
}

int
flow_timers_resume(db_t *db, const flow_binding_t *b, const char *id, int64_t now)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT id, state, remaining_ms FROM flow_timers WHERE flow = $1 AND entity_id = $2 AND "
					"fired_at IS NULL AND ended_at IS NULL AND paused_at IS NOT NULL", "tt", b->flow, id), &rc);
	if (!rows)
		return -1;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		int64_t due = now + json_integer_value(json_object_get(r, "remaining_ms"));
		const char *at = json_string_value(json_object_get(deadline_of(flow_def(b->flow), json_string_value(json_object_get(r, "state"))), "at"));
		char sql[160];
		if (at) /* the column the module shows (and re-reads) moves with the clock */
			fg_fmt(sql, sizeof sql, "UPDATE %s SET %s = $1 WHERE id = $2", b->table, at);
		if (db_run(db_q(db, "UPDATE flow_timers SET due_at = $1, paused_at = NULL, remaining_ms = NULL, updated_at = $2 "
				    "WHERE id = $3", "iit", due, now, json_string_value(json_object_get(r, "id")))) != DB_DONE ||
		    (at && db_run(db_q(db, sql, "it", due, id)) != DB_DONE)) {
			json_decref(rows);
			return -1;
		}
	}
	json_decref(rows);
	return 0;
}

/* Everyone a notify deadline tells: the roles' active members and the user the relation names. */
static int
notify_all(db_t *db, const flow_binding_t *b, json_t *n, json_t *row, const char *id, const char *timer_id)
{
	json_t *who = json_array(), *v;
	size_t i;
	json_array_foreach(json_object_get(n, "roles"), i, v) {
		int rc;
		json_t *us = db_all(db_q(db, "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role = $1 AND "
					      "u.disabled = 0 ORDER BY u.id", "t", json_string_value(v)), &rc);
		if (!us) {
			json_decref(who);
			return -1;
		}
		size_t j;
		json_t *u;
		json_array_foreach(us, j, u) json_array_append(who, json_object_get(u, "id"));
		json_decref(us);
	}
	const char *rel = json_string_value(json_object_get(n, "relation"));
	if (rel && json_is_string(json_object_get(row, rel)))
		json_array_append(who, json_object_get(row, rel));
	const char *label = json_string_value(json_object_get(row, "number"));
	if (!label)
		label = json_string_value(json_object_get(row, "title"));
	char title[200], dedupe[80];
	fg_fmt(title, sizeof title, "%s %s：%s", b->entity, label ? label : id,
	    json_string_value(json_object_get(n, "title_zh")) ? json_string_value(json_object_get(n, "title_zh")) : "已到期");
	fg_fmt(dedupe, sizeof dedupe, "flow_timer:%s", timer_id);
	int bad = 0;
	json_array_foreach(who, i, v) {
		char key[120];
		fg_fmt(key, sizeof key, "%s:%s", dedupe, json_string_value(v));
		if (!notifier)
			log_info("flow %s %s: deadline for %s (no notifier registered)", b->flow, id, json_string_value(v));
		else if (notifier(db, json_string_value(v), json_string_value(json_object_get(n, "kind")), title, NULL, b->entity, id,
			     key) < 0)
			bad = 1;
	}
	json_decref(who);
	return bad ? -1 : 0;
}

/* One due timer, in its own transaction. 1 fired, 0 skipped (fired elsewhere, no longer due, refused), -1. */
static int
fire_one(db_t *db, json_t *timer, int64_t now)
{
	const char *tid = json_string_value(json_object_get(timer, "id")), *flow = json_string_value(json_object_get(timer, "flow"));
	const char *id = json_string_value(json_object_get(timer, "entity_id"));
	const flow_binding_t *b = flow_binding(flow);
	json_t *def = flow_def(flow);
	if (!b || !def) {
		log_warn("flow timer %s: no binding for flow %s yet", tid, flow);
		return 0;
	}
	if (db_begin(db) != 0)
		return -1;
	/* the entity first, as every transition locks it, then the timer: no lock-order inversion with a person's
	 * transition, and a second node running the job waits here, then finds the timer fired */
	int rc;
	if (db_lock_row(db, b->table, id) != 0 || db_lock_row(db, "flow_timers", tid) != 0)
		goto fail;
	json_t *t = db_one(db_q(db, "SELECT state FROM flow_timers WHERE id = $1 AND fired_at IS NULL AND ended_at IS NULL AND "
				     "paused_at IS NULL AND due_at < $2", "ti", tid, now), &rc);
	if (!t) {
		db_rollback(db);
		return rc == DB_DONE ? 0 : -1;
	}
	json_t *row = b->load(db, id);
	const char *state = json_string_value(json_object_get(t, "state"));
	if (!row || strcmp(json_string_value(json_object_get(row, "status")), state) != 0) {
		/* the entity moved without the engine (or is gone): its current state's deadline replaces this one */
		json_decref(t);
		json_decref(row);
		if (flow_timers_sync(db, b, id, true, now) != 0 || db_commit(db) != 0)
			goto fail;
		return 0;
	}
	if (db_run(db_q(db, "UPDATE flow_timers SET fired_at = $1, updated_at = $1 WHERE id = $2", "it", now, tid)) != DB_DONE) {
		json_decref(t);
		json_decref(row);
		goto fail;
	}
	json_t *ex = json_object_get(deadline_of(def, state), "on_expiry");
	const char *action = json_is_true(json_object_get(ex, "escalate")) ? "escalate" : json_string_value(json_object_get(ex, "fire"));
	fg_err_t e = FG_ERR_INIT;
	int ok;
	if (action) {
		json_t *body = json_object(), *out = NULL;
		ok = flow_fire_tx(db, b, id, action, &flow_system_actor, body, now, true, &out, &e) == 0;
		json_decref(body);
		json_decref(out);
	} else {
		char eid[37];
		fg_uuid7(eid);
		json_t *what = json_pack("{s:s, s:s, s:I}", "timer_id", tid, "state", state, "fired_at", (json_int_t)now);
		ok = notify_all(db, b, json_object_get(ex, "notify"), row, id, tid) == 0 &&
		     db_run(db_q(db, "INSERT INTO flow_events (id, flow, entity_id, action, from_state, to_state, actor_id, at, reason) "
				     "VALUES ($1, $2, $3, 'deadline', $4, $4, $5, $6, 'deadline')", "ttttti", eid, flow, id, state,
			 FLOW_SYSTEM_ID, now)) == DB_DONE &&
		     audit_write(db, FLOW_SYSTEM_ID, "deadline", b->entity, id, NULL, what) == 0;
		json_decref(what);
	}
	json_decref(t);
	json_decref(row);
	if (ok && db_commit(db) == 0)
		return 1;
	db_rollback(db);
	if (e.code && strcmp(e.code, "internal") != 0) {
		/* the declared action refused (a domain rule said no): the deadline is spent, not retried each minute */
		log_warn("flow %s %s: deadline action %s refused: %s", flow, id, action, e.code);
		fg_err_clear(&e);
		return db_run(db_q(db, "UPDATE flow_timers SET ended_at = $1, updated_at = $1 WHERE id = $2", "it", now, tid)) == DB_DONE
		    ? 0 : -1;
	}
	fg_err_clear(&e);
	return -1;
fail:
	db_rollback(db);
	return -1;
}

int
flow_timers_run(db_t *db, int64_t now, const char *flow, const char *entity_id)
{
	int rc, n = 0;
	json_t *due = db_all(db_q(db, "SELECT id, flow, entity_id FROM flow_timers WHERE fired_at IS NULL AND ended_at IS NULL AND "
				       "paused_at IS NULL AND due_at < $1 AND (CAST($2 AS TEXT) IS NULL OR flow = $2) AND "
				       "(CAST($3 AS TEXT) IS NULL OR entity_id = $3) ORDER BY due_at LIMIT 500",
				  "itt", now, flow, entity_id), &rc);
	if (!due)
		return -1;
	size_t i;
	json_t *t;
	json_array_foreach(due, i, t) {
		int r = fire_one(db, t, now);
		if (r < 0) {
			log_warn("flow timer %s: %s", json_string_value(json_object_get(t, "id")), db_errmsg(db));
			continue;
		}
		n += r;
	}
	json_decref(due);
	return n;
}
