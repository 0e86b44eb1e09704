/* Firing the flow engine's deadlines (flow.h, flow_timers.c arms them): flow_timers_run takes the due timers and
 * the due warnings, each in its own transaction with the entity's row locked first, then the timer's (so two nodes
 * fire once), and does what the declaration says — notify, escalate, fire an action — as the system actor, with a
 * flow event and an audit record like a person's move. Apart from flow_timers.c because arming is part of every
 * transition, firing is the scheduler's. */
#include <string.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/db/qb.h"
#include "core/flow/flow.h"
#include "core/calendar/calendar.h"
#include "core/flow/flow_timers_internal.h"

static flow_notify_fn notifier;

void
flow_set_notifier(flow_notify_fn fn)
{
	notifier = fn;
}

/* ---- firing ---- */

/* Everyone a notify declaration tells: the roles' active members and the user the relation names. prefix: the
 * notification's dedupe key ("flow_timer" for the expiry, "flow_warn" for the warning: each once per arming). */
static int
notify_all(db_t *db, const flow_binding_t *b, json_t *n, json_t *row, const char *id, const char *timer_id,
    const char *prefix, const char *dflt_title)
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
	    json_string_value(json_object_get(n, "title_zh")) ? json_string_value(json_object_get(n, "title_zh")) : dflt_title);
	fg_fmt(dedupe, sizeof dedupe, "%s:%s", prefix, timer_id);
	int bad = 0;
	json_array_foreach(who, i, v) {
		char key[120];
		fg_fmt(key, sizeof key, "%s:%s", dedupe, json_string_value(v));
		if (!notifier)
			log_info("flow %s %s: %s for %s (no notifier registered)", b->flow, id, prefix, json_string_value(v));
		else if (notifier(db, json_string_value(v), json_string_value(json_object_get(n, "kind")), title, NULL, b->entity, id,
			     key) < 0)
			bad = 1;
	}
	json_decref(who);
	return bad ? -1 : 0;
}

/* The flow event and audit record of something the clock did (a notify-only expiry, a warning) as the system actor. */
static int
record_clock(db_t *db, const flow_binding_t *b, const char *id, const char *action, const char *state, const char *reason,
    json_t *what, int64_t now)
{
	char eid[37];
	fg_uuid7(eid);
	return db_run(db_q(db, "INSERT INTO flow_events (id, flow, entity_id, action, from_state, to_state, actor_id, at, reason) "
			       "VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8)", "ttttttit", eid, b->flow,
		       id, action, state, FLOW_SYSTEM_ID, now, reason)) == DB_DONE &&
		       audit_write(db, FLOW_SYSTEM_ID, action, b->entity, id, NULL, what) == 0
	    ? 0 : -1;
}

/* Locks the entity, then the timer, and re-reads the timer under `cond` (still due / still to warn). 1 with *t and
 * *row, 0 when there is nothing to do (committed or rolled back), -1. The transaction is open on 1. */
static int
claim(db_t *db, const flow_binding_t *b, const char *tid, const char *id, const char *cond, int64_t now, json_t **t, json_t **row)
{
	int rc;
	char sql[400];
	if (db_begin(db) != 0)
		return -1;
	/* the entity first, as every transition locks it, then the timer: no lock-order inversion with a person's
	 * transition, and a second node running the job waits here, then finds the timer fired */
	if (db_lock_row(db, b->table, id) != 0 || db_lock_row(db, "flow_timers", tid) != 0) {
		db_rollback(db);
		return -1;
	}
	fg_fmt(sql, sizeof sql, "SELECT id, kind, state, due_at, warn_at FROM flow_timers WHERE id = $1 AND fired_at IS NULL AND "
	    "ended_at IS NULL AND paused_at IS NULL AND %s < $2", cond);
	*t = db_one(db_q(db, sql, "ti", tid, now), &rc);
	if (!*t) {
		db_rollback(db);
		return rc == DB_DONE ? 0 : -1;
	}
	*row = b->load(db, id);
	const char *state = json_string_value(json_object_get(*t, "state"));
	if (strcmp(json_string_value(json_object_get(*t, "kind")), "state") == 0 &&
	    (!*row || strcmp(json_string_value(json_object_get(*row, "status")), state) != 0)) {
		/* the entity moved without the engine (or is gone): its current state's deadline replaces this one */
		json_decref(*t);
		json_decref(*row);
		*t = *row = NULL;
		if (flow_timers_sync(db, b, id, true, now) != 0 || db_commit(db) != 0) {
			db_rollback(db);
			return -1;
		}
		return 0;
	}
	if (!*row) { /* a process whose entity is gone: its clock ends rather than come due every run */
		json_decref(*t);
		*t = NULL;
		if (db_run(db_q(db, "UPDATE flow_timers SET ended_at = $1, updated_at = $1 WHERE id = $2", "it", now, tid)) != DB_DONE ||
		    db_commit(db) != 0) {
			db_rollback(db);
			return -1;
		}
		return 0;
	}
	return 1;
}

/* One due timer, in its own transaction. 1 fired, 0 skipped (fired elsewhere, no longer due, refused), -1. */
static int
fire_one(db_t *db, json_t *timer, int64_t now)
{
	const char *tid = json_string_value(json_object_get(timer, "id")), *flow = json_string_value(json_object_get(timer, "flow"));
	const char *id = json_string_value(json_object_get(timer, "entity_id"));
	const flow_binding_t *b = flow_binding(flow);
	json_t *def = flow_def(flow), *t = NULL, *row = NULL;
	if (!b || !def) {
		log_warn("flow timer %s: no binding for flow %s yet", tid, flow);
		return 0;
	}
	int c = claim(db, b, tid, id, "due_at", now, &t, &row);
	if (c <= 0)
		return c;
	const char *kind = json_string_value(json_object_get(t, "kind")), *state = json_string_value(json_object_get(row, "status"));
	bool process = strcmp(kind, "process") == 0;
	json_t *ex = json_object_get(flow_timer_decl(def, kind, json_string_value(json_object_get(t, "state"))), "on_expiry");
	const char *action = json_is_true(json_object_get(ex, "escalate")) ? "escalate" : json_string_value(json_object_get(ex, "fire"));
	json_t *notify = json_object_get(ex, "notify");
	fg_err_t e = FG_ERR_INIT;
	int ok = db_run(db_q(db, "UPDATE flow_timers SET fired_at = $1, updated_at = $1 WHERE id = $2", "it", now, tid)) == DB_DONE;
	if (ok && action) {
		json_t *body = json_object(), *out = NULL;
		ok = flow_fire_tx(db, b, id, action, &flow_system_actor, body, now, true, &out, &e) == 0;
		json_decref(body);
		json_decref(out);
	}
	if (ok && notify)
		ok = notify_all(db, b, notify, row, id, tid, "flow_timer", process ? "已超过全流程时限" : "已到期") == 0;
	if (ok && !action) {
		json_t *what = json_pack("{s:s, s:s, s:s, s:I}", "timer_id", tid, "kind", kind, "state", state, "fired_at", (json_int_t)now);
		ok = record_clock(db, b, id, "deadline", state, process ? "process_deadline" : "deadline", what, now) == 0;
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
}

/* One timer whose warning is due: notified once, recorded as a deadline_warning flow event by the system actor. */
static int
warn_one(db_t *db, json_t *timer, int64_t now)
{
	const char *tid = json_string_value(json_object_get(timer, "id")), *flow = json_string_value(json_object_get(timer, "flow"));
	const char *id = json_string_value(json_object_get(timer, "entity_id"));
	const flow_binding_t *b = flow_binding(flow);
	json_t *def = flow_def(flow), *t = NULL, *row = NULL;
	if (!b || !def)
		return 0;
	int c = claim(db, b, tid, id, "warn_at", now, &t, &row);
	if (c <= 0)
		return c;
	const char *kind = json_string_value(json_object_get(t, "kind")), *state = json_string_value(json_object_get(row, "status"));
	bool process = strcmp(kind, "process") == 0;
	json_t *n = json_object_get(json_object_get(flow_timer_decl(def, kind, json_string_value(json_object_get(t, "state"))), "warn"), "notify");
	json_t *what = json_pack("{s:s, s:s, s:s, s:O, s:I}", "timer_id", tid, "kind", kind, "state", state, "due_at",
	    json_object_get(t, "due_at"), "warned_at", (json_int_t)now);
	int ok = db_run(db_q(db, "UPDATE flow_timers SET warned_at = $1, updated_at = $1 WHERE id = $2 AND warned_at IS NULL", "it",
			now, tid)) == DB_DONE &&
		 (!n || notify_all(db, b, n, row, id, tid, "flow_warn", process ? "即将超过全流程时限" : "即将到期") == 0) &&
		 record_clock(db, b, id, "deadline_warning", state, process ? "process_deadline" : "deadline", what, now) == 0;
	json_decref(what);
	json_decref(t);
	json_decref(row);
	if (ok && db_commit(db) == 0)
		return 1;
	db_rollback(db);
	return -1;
}

static int
run_each(db_t *db, json_t *rows, int64_t now, int (*fn)(db_t *, json_t *, int64_t))
{
	int n = 0;
	size_t i;
	json_t *t;
	json_array_foreach(rows, i, t) {
		int r = fn(db, t, now);
		if (r < 0) {
			log_warn("flow timer %s: %s", json_string_value(json_object_get(t, "id")), db_errmsg(db));
			continue;
		}
		n += r;
	}
	return n;
}

int
flow_timers_run(db_t *db, int64_t now, const char *flow, const char *entity_id)
{
	int rc;
	/* a year entered since (PUT /calendar/{year} resolves at once; a newer binary's shipped year lands here) */
	if (flow_timers_resolve(db, now) < 0)
		log_warn("flow timers: deadlines waiting for a calendar year: %s", db_errmsg(db));
	json_t *warn = db_all(db_q(db, "SELECT id, flow, entity_id FROM flow_timers WHERE warned_at IS NULL AND fired_at IS NULL AND "
					"ended_at IS NULL AND paused_at IS NULL AND warn_at < $1 AND (CAST($2 AS TEXT) IS NULL OR flow = $2) "
					"AND (CAST($3 AS TEXT) IS NULL OR entity_id = $3) ORDER BY warn_at LIMIT 500",
				  "itt", now, flow, entity_id), &rc);
	if (!warn)
		return -1;
	int n = run_each(db, warn, now, warn_one);
	json_decref(warn);
	json_t *due = db_all(db_q(db, "SELECT id, flow, entity_id FROM flow_timers WHERE fired_at IS NULL AND ended_at IS NULL AND "
				       "paused_at IS NULL AND due_at < $1 AND (CAST($2 AS TEXT) IS NULL OR flow = $2) AND "
				       "(CAST($3 AS TEXT) IS NULL OR entity_id = $3) ORDER BY due_at LIMIT 500",
				  "itt", now, flow, entity_id), &rc);
	if (!due)
		return -1;
	n += run_each(db, due, now, fire_one);
	json_decref(due);
	return n;
}

