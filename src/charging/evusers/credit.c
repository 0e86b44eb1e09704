#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/day.h"
#include "core/base/embed.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "shared/notify/notify.h"
#include "charging/evusers/evusers.h"

/* The credit rating of an id tag: start + the points of the events within the window. Each event is appended
 * once (unique by kind and what it is about); after each one the tag's block is brought in line with the score:
 * below block_below it becomes Blocked (marked as a credit block), at or above it a credit block is lifted. A
 * block set by hand is never lifted here. */

static json_t *rules;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
load_rules(void)
{
	const embed_file_t *f = embed_find("data/ev/credit.json");
	json_error_t je;
	rules = f ? json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, &je) : NULL;
	if (!rules) {
		log_error("data/ev/credit.json missing or invalid");
		abort(); /* a build without its rules is a build error */
	}
}

static json_int_t
rule(const char *a, const char *b)
{
	pthread_once(&once, load_rules);
	json_t *v = json_object_get(rules, a);
	return json_integer_value(b ? json_object_get(v, b) : v);
}

static json_int_t
score_of(db_t *db, const char *tag, int64_t now)
{
	int rc;
	json_t *r = db_one(db_q(db, "SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) AS s FROM credit_events WHERE lower(id_tag) = lower($1) AND at >= $2",
			       "ti", tag, now - (int64_t)rule("window_days", NULL) * 86400000), &rc);
	json_int_t s = rule("start", NULL) + json_integer_value(json_object_get(r, "s"));
	json_decref(r);
	return s;
}

static const char *
level_of(json_int_t score)
{
	return score < rule("block_below", NULL) ? "blocked" : score < rule("warn_below", NULL) ? "warned" : "good";
}

/* Brings the tag's block in line with its score (inside the caller's transaction) and warns the desk once a day
 * while the tag is below the warning line. */
static int
apply(db_t *db, const char *tag, int64_t now)
{
	int rc;
	json_t *t = db_one(db_q(db, "SELECT id, id_tag, status, credit_blocked FROM id_tags WHERE lower(id_tag) = lower($1)", "t", tag), &rc);
	if (!t)
		return rc == DB_DONE ? 0 : -1; /* events about an unregistered tag are kept, nothing to block */
	json_int_t score = score_of(db, tag, now);
	bool credit_blocked = json_integer_value(json_object_get(t, "credit_blocked")) != 0;
	const char *status = fg_jstr(t, "status"), *to = NULL;
	if (score < rule("block_below", NULL) && strcmp(status, "Accepted") == 0)
		to = "Blocked";
	else if (score >= rule("block_below", NULL) && credit_blocked && strcmp(status, "Blocked") == 0)
		to = "Accepted";
	int ok = 0;
	if (to) {
		json_t *after = json_pack("{s:s, s:s, s:I, s:b}", "id_tag", tag, "status", to, "credit_score", score, "credit_blocked",
		    to[0] == 'B');
		ok = db_run(db_q(db, "UPDATE id_tags SET status = $1, credit_blocked = $2, updated_at = $3, version = version + 1 "
				     "WHERE id = $4", "tbit", to, to[0] == 'B', now, fg_jstr(t, "id"))) == DB_DONE &&
			     audit_write(db, NULL, to[0] == 'B' ? "credit_block" : "credit_unblock", "id_tag", fg_jstr(t, "id"), t, after) == 0
		    ? 0 : -1;
		json_decref(after);
	}
	if (ok == 0 && score < rule("warn_below", NULL)) {
		json_t *desk = db_all(db_prepare(db, "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id "
						     "WHERE r.role IN ('dispatcher', 'manager') AND u.disabled = 0"), &rc);
		char title[160], body[256], key[128], today[11];
		day_today(today);
		fg_fmt(title, sizeof title, "充电用户信用%s：%s", score < rule("block_below", NULL) ? "停用" : "预警", tag);
		fg_fmt(body, sizeof body, "卡号 %s 信用分 %lld（预警线 %lld，停用线 %lld）", tag, (long long)score,
		    (long long)rule("warn_below", NULL), (long long)rule("block_below", NULL));
		fg_fmt(key, sizeof key, "credit:%s:%s:%s", tag, level_of(score), today);
		size_t i;
		json_t *u;
		json_array_foreach(desk, i, u) if (notify_add(db, fg_jstr(u, "id"), "credit", title, body, "id_tag", fg_jstr(t, "id"), key) < 0) ok = -1;
		json_decref(desk);
	}
	json_decref(t);
	return ok;
}

/* Appends an event unless one about the same thing exists. 1 added, 0 already there, -1 error. */
static int
add_event(db_t *db, const char *actor_id, const char *tag, const char *kind, json_int_t points, const char *ref,
    json_int_t minutes, const char *charger_id, const char *note, int64_t at)
{
	char id[37];
	fg_uuid7(id);
	db_stmt_t *st = db_q(db, "INSERT INTO credit_events (id, id_tag, kind, points, ref, minutes, charger_id, note, recorded_by, at) "
				 "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
	    "tttitntttt", id, tag, kind, (int64_t)points, ref, charger_id, note, actor_id, NULL);
	if (st && minutes >= 0)
		db_bind_int(st, 6, minutes);
	if (st)
		db_bind_int(st, 10, at);
	if (db_run(st) != DB_DONE)
		return -1;
	int rc;
	json_t *row = db_one(db_q(db, "SELECT id, id_tag, kind, points, ref, minutes, charger_id, note, recorded_by, at "
				      "FROM credit_events WHERE id = $1", "t", id), &rc);
	if (!row)
		return rc == DB_DONE ? 0 : -1; /* counted before: a replayed status, a second sweep */
	int ok = audit_write(db, actor_id, "create", "credit_event", id, NULL, row) == 0 && apply(db, tag, fg_now_ms()) == 0;
	json_decref(row);
	return ok ? 1 : -1;
}

json_t *
evusers_credit(db_t *db, const char *id_tag)
{
	int rc;
	json_t *t = db_one(db_q(db, "SELECT id, id_tag, status, credit_blocked, holder FROM id_tags WHERE lower(id_tag) = lower($1)",
			       "t", id_tag), &rc);
	if (!t)
		return NULL;
	id_tag = fg_jstr(t, "id_tag"); /* the registered spelling (IdToken is case-insensitive) */
	int64_t now = fg_now_ms();
	json_int_t score = score_of(db, id_tag, now);
	json_object_set_new(t, "credit_blocked", json_boolean(json_integer_value(json_object_get(t, "credit_blocked"))));
	json_object_set_new(t, "score", json_integer(score));
	json_object_set_new(t, "level", json_string(level_of(score)));
	json_object_set_new(t, "events", db_all(db_q(db,
	    "SELECT e.id, e.kind, e.points, e.ref, e.minutes, e.charger_id, c.charge_point_id, e.note, e.recorded_by, "
	    "u.display_name AS recorded_by_name, e.at, CAST(CASE WHEN e.at >= $2 THEN 1 ELSE 0 END AS INTEGER) AS counts "
	    "FROM credit_events e LEFT JOIN chargers c ON c.id = e.charger_id LEFT JOIN users u ON u.id = e.recorded_by "
	    "WHERE lower(e.id_tag) = lower($1) ORDER BY e.at DESC, e.id DESC LIMIT 200", "ti", id_tag,
	    now - (int64_t)rule("window_days", NULL) * 86400000), &rc));
	pthread_once(&once, load_rules);
	json_object_set(t, "rules", rules);
	return t;
}

json_t *
evusers_credit_list(db_t *db, const char *level)
{
	int rc;
	int64_t since = fg_now_ms() - (int64_t)rule("window_days", NULL) * 86400000;
	json_t *rows = db_all(db_q(db,
	    "SELECT t.id, t.id_tag, t.status, t.credit_blocked, t.holder, CAST(COALESCE(SUM(e.points), 0) AS BIGINT) AS points, "
	    "CAST(COUNT(e.id) AS BIGINT) AS events FROM id_tags t LEFT JOIN credit_events e ON lower(e.id_tag) = lower(t.id_tag) AND e.at >= $1 "
	    "GROUP BY t.id, t.id_tag, t.status, t.credit_blocked, t.holder ORDER BY points, t.id_tag LIMIT 5000", "i", since), &rc);
	if (!rows)
		return NULL;
	json_t *out = json_array(), *r;
	size_t i;
	json_array_foreach(rows, i, r) {
		json_int_t score = rule("start", NULL) + json_integer_value(json_object_get(r, "points"));
		if (level && strcmp(level, level_of(score)) != 0)
			continue;
		json_object_del(r, "points");
		json_object_set_new(r, "credit_blocked", json_boolean(json_integer_value(json_object_get(r, "credit_blocked"))));
		json_object_set_new(r, "score", json_integer(score));
		json_object_set_new(r, "level", json_string(level_of(score)));
		json_array_append(out, r);
	}
	json_decref(rows);
	pthread_once(&once, load_rules);
	return json_pack("{s:o, s:O}", "items", out, "rules", rules);
}

int
evusers_credit_record(db_t *db, const char *actor_id, const char *id_tag, json_t *in, json_t **out, fg_err_t *err)
{
	const char *kind = fg_jstr(in, "kind"), *note = fg_jstr(in, "note");
	json_int_t pts = json_integer_value(json_object_get(in, "points"));
	if (!kind || (strcmp(kind, "manual") != 0 && strcmp(kind, "restore") != 0))
		return fg_err_field(err, "invalid_field", "kind", "manual (a deduction) or restore");
	if (pts < 1 || pts > rule("manual_max_points", NULL))
		return fg_err_field(err, "invalid_field", "points", "1 to the rules' manual_max_points");
	if (!note || !*note)
		return fg_err_field(err, "missing_field", "note", "why: what the user did, or why credit is restored");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	/* the tag first, before the event's audit record: the block that follows the new score is decided from the
	 * locked tag, and two deductions at once cannot both decide from the old state */
	if (db_lock_where(db, "id_tags", "id_tag", id_tag, NULL) != 0)
		return db_fail(db, err);
	int rc;
	json_t *t = db_one(db_q(db, "SELECT id, id_tag FROM id_tags WHERE lower(id_tag) = lower($1)", "t", id_tag), &rc);
	if (!t) {
		fg_err_not_found(err, "id_tag", id_tag);
		return db_fail(db, err);
	}
	char canon[64]; /* events carry the registered spelling, whatever case the caller used */
	fg_fmt(canon, sizeof canon, "%s", fg_jstr(t, "id_tag"));
	id_tag = canon;
	json_decref(t);
	if (add_event(db, actor_id, id_tag, kind, kind[0] == 'm' ? -pts : pts, NULL, -1, NULL, note, fg_now_ms()) < 0 ||
	    db_commit(db) != 0)
		return db_fail(db, err);
	*out = evusers_credit(db, id_tag);
	return 0;
}

/* The last session on the connector that stopped at or before `at`, if the connector was not freed or reused
 * since: who held it, and since when. */
static json_t *
held_since(db_t *db, const char *charger_id, int64_t connector_id, int64_t at)
{
	int rc;
	json_t *tx = db_one(db_q(db, "SELECT id, id_tag, stop_at FROM charge_transactions WHERE charger_id = $1 AND connector_id = $2 "
				     "AND stop_at IS NOT NULL AND stop_at <= $3 AND id_tag IS NOT NULL ORDER BY stop_at DESC LIMIT 1",
				"tii", charger_id, connector_id, at), &rc);
	if (!tx)
		return NULL;
	int64_t stop = json_integer_value(json_object_get(tx, "stop_at"));
	json_t *freed = db_one(db_q(db, "SELECT 1 AS x FROM charger_status_log WHERE charger_id = $1 AND connector_id = $2 "
					"AND status = 'Available' AND at > $3 AND at < $4 LIMIT 1", "tiii", charger_id, connector_id, stop, at), &rc);
	json_t *reused = freed ? NULL : db_one(db_q(db, "SELECT 1 AS x FROM charge_transactions WHERE charger_id = $1 AND connector_id = $2 "
							 "AND start_at > $3 AND start_at < $4 LIMIT 1", "tiii", charger_id, connector_id, stop, at), &rc);
	if (freed || reused) {
		json_decref(freed);
		json_decref(reused);
		json_decref(tx);
		return NULL;
	}
	return tx;
}

static int
occupancy(db_t *db, const char *charger_id, int64_t connector_id, int64_t at)
{
	json_t *tx = held_since(db, charger_id, connector_id, at);
	if (!tx)
		return 0;
	int64_t held = at - json_integer_value(json_object_get(tx, "stop_at"));
	int rc = 0;
	if (held > (int64_t)rule("occupancy", "grace_minutes") * 60000) {
		char ref[48], note[96];
		fg_fmt(ref, sizeof ref, "tx:%s", fg_jstr(tx, "id"));
		fg_fmt(note, sizeof note, "充电结束后占用接口 %d 约 %lld 分钟", (int)connector_id, (long long)(held / 60000));
		rc = add_event(db, NULL, fg_jstr(tx, "id_tag"), "occupancy", rule("occupancy", "points"), ref, held / 60000, charger_id, note, at);
	}
	json_decref(tx);
	return rc < 0 ? -1 : rc;
}

int
evusers_on_status(db_t *db, const fg_event_t *ev, fg_err_t *err)
{
	int64_t connector_id = json_integer_value(json_object_get(ev->data, "connector_id"));
	const char *status = fg_jstr(ev->data, "status");
	if (connector_id < 1 || !status || strcmp(status, "Available") != 0)
		return 0;
	return occupancy(db, ev->entity_id, connector_id, json_integer_value(json_object_get(ev->data, "at"))) < 0 ? -1 : 0;
}

int
evusers_sweep(db_t *db)
{
	int rc, n = 0;
	int64_t now = fg_now_ms();
	if (db_begin(db) != 0)
		return -1;
	/* connectors still held: the session stopped, the car has not left */
	json_t *held = db_all(db_prepare(db, "SELECT charger_id, connector_id FROM connectors WHERE connector_id > 0 AND "
					     "status IN ('Finishing', 'SuspendedEV', 'SuspendedEVSE')"), &rc);
	size_t i;
	json_t *c;
	json_array_foreach(held, i, c) {
		int r = occupancy(db, fg_jstr(c, "charger_id"), json_integer_value(json_object_get(c, "connector_id")), now);
		if (r < 0)
			goto fail;
		n += r;
	}
	/* reservations the charger accepted that ran out unused */
	json_t *late = db_all(db_q(db,
	    "SELECT r.id, r.reservation_id, r.id_tag, r.charger_id FROM reservations r JOIN charger_commands k ON k.id = r.command_id "
	    "WHERE r.expiry_at < $1 AND r.cancelled_at IS NULL AND r.no_show_at IS NULL AND r.failed_reason IS NULL "
	    "AND k.status = 'accepted' AND NOT EXISTS (SELECT 1 FROM charge_transactions t WHERE t.charger_id = r.charger_id "
	    "AND t.reservation_id = r.reservation_id)", "i", now), &rc);
	json_array_foreach(late, i, c) {
		char ref[48];
		fg_fmt(ref, sizeof ref, "res:%s", fg_jstr(c, "id"));
		int r = add_event(db, NULL, fg_jstr(c, "id_tag"), "no_show", rule("no_show", "points"), ref, -1, fg_jstr(c, "charger_id"),
		    "预约未到", now);
		if (r < 0 || db_run(db_q(db, "UPDATE reservations SET no_show_at = $1, updated_at = $1, version = version + 1 WHERE id = $2",
				      "it", now, fg_jstr(c, "id"))) != DB_DONE) {
			json_decref(late);
			goto fail;
		}
		n += r;
	}
	json_decref(late);
	json_decref(held);
	json_t *summary = json_pack("{s:i}", "events", n);
	int ok = audit_write(db, NULL, "sweep", "credit", "sweep", NULL, summary) == 0 && db_commit(db) == 0;
	json_decref(summary);
	if (!ok) {
		db_rollback(db);
		return -1;
	}
	return n;
fail:
	json_decref(held);
	db_rollback(db);
	return -1;
}
