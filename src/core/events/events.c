/* The domain event bus (issue 10 item 3; docs/architecture.md "Domain events"). A writer states a fact inside its
 * own transaction; the modules that subscribed to it react in the same transaction, each in a savepoint of its own,
 * so one module's broken rule costs only that module's reaction: never the charger's message or the user's request
 * that made the fact, never another subscriber's reaction. What failed is kept and retried (events.h). */
#include <stdlib.h>
#include <string.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/events/events.h"

/* Set once at start-up (before any thread emits), read-only after. */
static const fg_subscription_t *const *subscribers;

void
events_set_subscribers(const fg_subscription_t *const *tables)
{
	subscribers = tables;
}

/* Backoff before attempt n+1 after n failed ones: base × 2^(n-1), base FG_EVENTS_RETRY_S (default 60 s). */
static int64_t
backoff_ms(int64_t attempts)
{
	const char *e = getenv("FG_EVENTS_RETRY_S");
	int64_t base = e && atoi(e) > 0 ? atoi(e) : 60;
	if (attempts < 1)
		attempts = 1;
	if (attempts > 16)
		attempts = 16;
	return base * 1000 * ((int64_t)1 << (attempts - 1));
}

/* One delivery: the subscriber in a savepoint. 0 delivered; -1 failed and undone, why in `why`. Only a failure to
 * open the savepoint (the writer's transaction itself is broken) is returned as -2. */
static int
deliver(db_t *db, const fg_subscription_t *s, const fg_event_t *ev, char *why, size_t whylen)
{
	int sp = db_savepoint(db);
	if (sp < 0) {
		fg_fmt(why, whylen, "%s", db_errmsg(db));
		return -2;
	}
	fg_err_t err = FG_ERR_INIT;
	db_errclear(db); /* what the database says after this is the subscriber's */
	int rc = s->fn(db, ev, &err);
	if (rc == 0 && db_release(db, sp) == 0) {
		fg_err_clear(&err);
		return 0;
	}
	/* the database's message when there is one; a refusal's code otherwise */
	const char *dbm = db_errmsg(db);
	if (err.code && strcmp(err.code, "internal") != 0)
		fg_fmt(why, whylen, "%s%s%s", err.code, dbm && *dbm ? ": " : "", dbm ? dbm : "");
	else
		fg_fmt(why, whylen, "%s", dbm && *dbm ? dbm : err.code ? err.code : "failed");
	fg_err_clear(&err);
	db_rollback_to(db, sp);
	return -1;
}

static json_t *
delivery_row(db_t *db, const char *id)
{
	int rc;
	return db_one(db_q(db, "SELECT d.id, d.event_id, d.subscriber, d.state, d.attempts, d.last_error, d.next_at, "
			       "d.created_at, d.updated_at, d.version, e.name AS event, e.entity, e.entity_id, e.actor_id, e.at, "
			       "e.data FROM event_deliveries d JOIN domain_events e ON e.id = d.event_id WHERE d.id = $1",
			  "t", id), &rc);
}

/* The stored data as an object again (a delivery row shows it; a retry hands it to the subscriber). */
static void
parse_data(json_t *row)
{
	const char *d = fg_jstr(row, "data");
	json_t *v = d ? json_loads(d, 0, NULL) : NULL;
	json_object_set_new(row, "data", v ? v : json_null());
}

/* The first failure of a delivery: recorded in the writer's transaction, with the fact. */
static int
park_new(db_t *db, const fg_event_t *ev, const char *subscriber, const char *why)
{
	char id[37];
	fg_uuid7(id);
	int64_t now = fg_now_ms();
	if (db_run(db_q(db, "INSERT INTO event_deliveries (id, event_id, subscriber, state, attempts, last_error, next_at, "
			    "created_at, updated_at) VALUES ($1, $2, $3, 'retrying', 1, $4, $5, $6, $6)",
		    "ttttii", id, ev->id, subscriber, why, now + backoff_ms(1), now)) != DB_DONE)
		return -1;
	json_t *after = delivery_row(db, id);
	if (after)
		json_object_del(after, "data");
	int rc = after ? audit_write(db, NULL, "failed", "event_delivery", id, NULL, after) : -1;
	json_decref(after);
	return rc;
}

int
events_emit(db_t *db, const char *name, const char *entity, const char *entity_id, json_t *data, const char *actor_id)
{
	if (!db_in_tx(db)) { /* a fact and its event commit together, or the event could outlive a rolled-back fact */
		log_error("events: %s emitted outside a transaction", name);
		return -1;
	}
	char id[37];
	fg_uuid7(id);
	int64_t at = fg_now_ms();
	char *d = data ? json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	int rc = db_run(db_q(db, "INSERT INTO domain_events (id, name, entity, entity_id, actor_id, data, at) "
				 "VALUES ($1, $2, $3, $4, $5, $6, $7)", "tttttti", id, name, entity, entity_id, actor_id, d, at));
	free(d);
	if (rc != DB_DONE)
		return -1;
	fg_event_t ev = {.id = id, .name = name, .entity = entity, .entity_id = entity_id, .actor_id = actor_id, .at = at,
	    .data = data};
	for (const fg_subscription_t *const *t = subscribers; t && *t; t++) {
		for (const fg_subscription_t *s = *t; s->event; s++) {
			if (strcmp(s->event, name) != 0)
				continue;
			char why[400];
			int r = deliver(db, s, &ev, why, sizeof why);
			if (r == -2)
				return -1;
			if (r == 0)
				continue;
			log_warn("events: %s of %s %s failed in %s (rolled back, will retry): %s", name, entity,
			    entity_id ? entity_id : "-", s->name, why);
			if (park_new(db, &ev, s->name, why) != 0)
				return -1;
		}
	}
	return 0;
}

static const fg_subscription_t *
find_subscription(const char *event, const char *subscriber)
{
	for (const fg_subscription_t *const *t = subscribers; t && *t; t++)
		for (const fg_subscription_t *s = *t; s->event; s++)
			if (strcmp(s->event, event) == 0 && strcmp(s->name, subscriber) == 0)
				return s;
	return NULL;
}

/* One more attempt at a delivery, in its own transaction: delivered, or one more failure (parked after the last).
 * manual: an admin's retry (audited as theirs; a parked delivery may be retried). 0 attempted (out: the row after),
 * -1 with err (not_found, invalid_transition, internal). */
static int
attempt(db_t *db, const char *actor_id, const char *id, bool manual, json_t **out, fg_err_t *err)
{
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "event_deliveries", id) != 0)
		return db_fail(db, err);
	json_t *before = delivery_row(db, id), *after = NULL;
	if (!before) {
		fg_err_not_found(err, "event_delivery", id);
		return db_fail(db, err);
	}
	const char *state = fg_jstr(before, "state");
	if (strcmp(state, "delivered") == 0 || (!manual && strcmp(state, "retrying") != 0)) {
		fg_err(err, "invalid_transition");
		fg_err_detail_str(err, "state", state);
		fg_err_detail_str(err, "action", "retry");
		json_decref(before);
		return db_fail(db, err);
	}
	parse_data(before);
	const fg_subscription_t *s = find_subscription(fg_jstr(before, "event"), fg_jstr(before, "subscriber"));
	fg_event_t ev = {.id = fg_jstr(before, "event_id"), .name = fg_jstr(before, "event"), .entity = fg_jstr(before, "entity"),
	    .entity_id = fg_jstr(before, "entity_id"), .actor_id = fg_jstr(before, "actor_id"),
	    .at = json_integer_value(json_object_get(before, "at")), .data = json_object_get(before, "data")};
	char why[400];
	int r = -1;
	if (!s)
		fg_fmt(why, sizeof why, "no module subscribes as %s any more", fg_jstr(before, "subscriber"));
	else
		r = deliver(db, s, &ev, why, sizeof why);
	if (r == -2)
		goto fail;
	int64_t now = fg_now_ms(), attempts = json_integer_value(json_object_get(before, "attempts")) + 1;
	int rc;
	if (r == 0)
		rc = db_run(db_q(db, "UPDATE event_deliveries SET state = 'delivered', attempts = $1, next_at = NULL, updated_at = $2, "
				     "version = version + 1 WHERE id = $3", "iit", attempts, now, id));
	else {
		/* an admin's retry that fails stays parked: nothing retries it behind their back */
		bool park = !s || manual || attempts >= EVENTS_MAX_ATTEMPTS;
		log_warn("events: retry %lld of %s by %s failed%s: %s", (long long)attempts, fg_jstr(before, "event"),
		    fg_jstr(before, "subscriber"), park ? " (parked)" : "", why);
		db_stmt_t *st = db_q(db, "UPDATE event_deliveries SET state = $1, attempts = $2, last_error = $3, next_at = $4, "
					 "updated_at = $5, version = version + 1 WHERE id = $6",
		    "titnit", park ? "parked" : "retrying", attempts, why, now, id);
		if (st && !park)
			db_bind_int(st, 4, now + backoff_ms(attempts));
		rc = db_run(st);
	}
	if (rc != DB_DONE || !(after = delivery_row(db, id)))
		goto fail;
	json_object_del(after, "data");
	json_object_del(before, "data");
	const char *action = manual ? "retry" : r == 0 ? "delivered" : strcmp(fg_jstr(after, "state"), "parked") == 0 ? "parked" : "failed";
	if (audit_write(db, manual ? actor_id : NULL, action, "event_delivery", id, before, after) != 0 || db_commit(db) != 0)
		goto fail;
	json_decref(before);
	parse_data(after);
	*out = after;
	return 0;
fail:
	json_decref(before);
	json_decref(after);
	return db_fail(db, err);
}

int
events_retry_due(db_t *db, int64_t now)
{
	int rc, n = 0;
	json_t *due = db_all(db_q(db, "SELECT id FROM event_deliveries WHERE state = 'retrying' AND next_at <= $1 "
				      "ORDER BY next_at, id LIMIT 100", "i", now), &rc);
	if (!due)
		return -1;
	size_t i;
	json_t *d;
	json_array_foreach(due, i, d) {
		json_t *out = NULL;
		fg_err_t err = FG_ERR_INIT;
		/* another node may have taken it meanwhile: its state then refuses quietly */
		if (attempt(db, NULL, fg_jstr(d, "id"), false, &out, &err) == 0 && strcmp(fg_jstr(out, "state"), "delivered") == 0)
			n++;
		json_decref(out);
		fg_err_clear(&err);
	}
	json_decref(due);
	return n;
}

int
events_delivery_retry(db_t *db, const char *actor_id, const char *id, json_t **out, fg_err_t *err)
{
	return attempt(db, actor_id, id, true, out, err);
}

json_t *
events_delivery_get(db_t *db, const char *id)
{
	json_t *r = delivery_row(db, id);
	if (r)
		parse_data(r);
	return r;
}

int
events_failed_list(db_t *db, const char *state, const char *cursor, int limit, json_t **out, fg_err_t *err)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT d.id, d.event_id, d.subscriber, d.state, d.attempts, d.last_error, d.next_at, "
					"d.created_at, d.updated_at, d.version, e.name AS event, e.entity, e.entity_id, e.actor_id, "
					"e.at, e.data FROM event_deliveries d JOIN domain_events e ON e.id = d.event_id "
					"WHERE ((CAST($1 AS TEXT) IS NULL AND d.state <> 'delivered') OR d.state = $1) "
					"AND (CAST($2 AS TEXT) IS NULL OR d.id < $2) ORDER BY d.id DESC LIMIT $3",
			      "tti", state, cursor, (int64_t)limit + 1), &rc);
	if (!rows)
		return db_fail(db, err);
	json_t *next = json_null(), *r;
	if ((int)json_array_size(rows) > limit) {
		json_array_remove(rows, (size_t)limit);
		next = json_string(fg_jstr(json_array_get(rows, (size_t)limit - 1), "id"));
	}
	size_t i;
	json_array_foreach(rows, i, r) parse_data(r);
	*out = json_pack("{s:o, s:o}", "items", rows, "next_cursor", next);
	return 0;
}

int
events_prune(db_t *db, int64_t now)
{
	const char *e = getenv("FG_EVENTS_KEEP_DAYS");
	int64_t days = e && atoi(e) > 0 ? atoi(e) : 30, before = now - days * 86400000LL;
	int total = 0;
	for (int batch = 0; batch < 200; batch++) { /* at most 200 × 1,000 a run; the next run goes on */
		int rc;
		if (db_begin(db) != 0)
			return -1;
		/* a delivery that failed keeps its event, delivered or not: the admins' record of what went wrong */
		json_t *gone = db_all(db_q(db, "DELETE FROM domain_events WHERE id IN (SELECT e.id FROM domain_events e WHERE e.at < $1 "
						"AND NOT EXISTS (SELECT 1 FROM event_deliveries d WHERE d.event_id = e.id) ORDER BY e.id "
						"LIMIT 1000) RETURNING id", "i", before), &rc);
		int n = gone ? (int)json_array_size(gone) : -1;
		json_decref(gone);
		json_t *info = json_pack("{s:i, s:I}", "deleted", n, "before", (json_int_t)before);
		int ok = n >= 0 && (n == 0 || audit_write(db, NULL, "purge", "domain_events", NULL, NULL, info) == 0) &&
			 db_commit(db) == 0;
		json_decref(info);
		if (!ok) {
			db_rollback(db);
			return -1;
		}
		total += n;
		if (n < 1000)
			break;
	}
	return total;
}
