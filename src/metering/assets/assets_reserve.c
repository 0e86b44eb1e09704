/* A day's reservation (assets.h; issue 12 item 6, R1.2 preparation; migration 0044): specific in-stock meters,
 * seals, CTs … held for one crew member's work orders of one day, ahead of the day, and issued together.
 *
 * The hold is a row (metering_reservation_items, state held), not an asset status: a reserved meter is still on the
 * shelf and counted as stock (migration 0044 says why). The moves read the hold (assets_moves.c check): a held asset
 * is issued to its holder only — which ends the hold — and never sent for verification or scrapped.
 *
 * Locks, always in one order — the assets (by asset number), then the reservation, then its items — so two writers
 * that share an asset meet at the asset first and never wait on each other crosswise (a reservation's issue against
 * a single issue of one of its meters, a cancel against the stale release). On PostgreSQL the asset's row lock
 * decides a race between two reservations of one asset: the second reads the first's hold and is refused; the
 * partial unique index of 0044 is the backstop.
 *
 * Stale reservations do not hold stock for ever: the job metering_assets.release_stale (hourly, and by hand with
 * POST /metering-reservations/release-stale) releases a reservation whose day has passed (China time) and each hold
 * whose work order is cancelled or done; until it runs, a read shows them as stale. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/day.h"
#include "core/base/embed.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/calendar/calendar.h"
#include "core/flow/flow.h"
#include "fieldwork/interface/work_orders.h"
#include "metering/assets/assets.h"
#include "metering/assets/assets_int.h"

#define RES_COLS                                                                                                       \
	"r.id, r.day, r.holder_id, u.display_name AS holder_name, r.status, r.note, r.created_by, r.created_at, "         \
	"r.closed_at, r.closed_by, r.close_reason, r.updated_at, r.version"

/* A work order in one of these takes no stock any more. */
#define ORDER_CLOSED "('done', 'cancelled')"

static bool
order_closed(const char *status)
{
	return status && (strcmp(status, "done") == 0 || strcmp(status, "cancelled") == 0);
}

int
assets_hold_find(db_t *db, const char *asset_id, json_t **hold)
{
	int rc;
	*hold = db_one(db_q(db,
	    "SELECT i.reservation_id, r.day, r.holder_id, u.display_name AS holder_name, i.work_order_id "
	    "FROM metering_reservation_items i JOIN metering_reservations r ON r.id = i.reservation_id "
	    "LEFT JOIN users u ON u.id = r.holder_id WHERE i.asset_id = $1 AND i.state = 'held'", "t", asset_id), &rc);
	return *hold || rc == DB_DONE ? 0 : -1;
}

void
assets_hold_details(fg_err_t *err, json_t *hold)
{
	fg_err_detail_str(err, "reservation_id", fg_jstr(hold, "reservation_id"));
	fg_err_detail_str(err, "reserved_for", fg_jstr(hold, "day"));
	fg_err_detail_str(err, "holder_id", fg_jstr(hold, "holder_id"));
	if (fg_jstr(hold, "holder_name"))
		fg_err_detail_str(err, "holder_name", fg_jstr(hold, "holder_name"));
}

/* The reservation's row as read (no items): for audits and the answer's head. */
static json_t *
res_row(db_t *db, const char *id)
{
	int rc;
	return db_one(db_q(db, "SELECT " RES_COLS " FROM metering_reservations r LEFT JOIN users u ON u.id = r.holder_id "
				"WHERE r.id = $1", "t", id), &rc);
}

/* Closes an open reservation that holds nothing any more: issued when something of it went out, else released
 * with reason (or cancelled). Audited. 0 or -1. */
static int
settle(db_t *db, const char *actor_id, const char *id, const char *release_reason, int64_t now)
{
	int rc;
	json_t *c = db_one(db_q(db, "SELECT SUM(CASE WHEN state = 'held' THEN 1 ELSE 0 END) AS held, "
				    "SUM(CASE WHEN state = 'issued' THEN 1 ELSE 0 END) AS issued FROM metering_reservation_items "
				    "WHERE reservation_id = $1", "t", id), &rc);
	if (!c)
		return -1;
	json_int_t held = json_integer_value(json_object_get(c, "held")), issued = json_integer_value(json_object_get(c, "issued"));
	json_decref(c);
	if (held > 0)
		return 0;
	json_t *before = res_row(db, id);
	if (!before)
		return -1;
	if (strcmp(fg_jstr(before, "status"), "open") != 0) {
		json_decref(before);
		return 0;
	}
	const char *to = issued ? "issued" : "released";
	if (db_run(db_q(db, "UPDATE metering_reservations SET status = $1, closed_at = $2, closed_by = $3, close_reason = $4, "
			    "updated_at = $2, version = version + 1 WHERE id = $5", "titt" "t", to, now, actor_id,
		    issued ? NULL : release_reason, id)) != DB_DONE) {
		json_decref(before);
		return -1;
	}
	json_t *after = res_row(db, id);
	int out = after && audit_write(db, actor_id, issued ? "issue" : "release", "metering_reservation", id, before, after) == 0 ? 0 : -1;
	json_decref(before);
	json_decref(after);
	return out;
}

int
assets_hold_consume(db_t *db, const char *actor_id, const char *asset_id, int64_t now)
{
	json_t *hold = NULL;
	if (assets_hold_find(db, asset_id, &hold) != 0)
		return -1;
	if (!hold)
		return 0;
	int rc = db_run(db_q(db, "UPDATE metering_reservation_items SET state = 'issued', ended_at = $1 "
				 "WHERE asset_id = $2 AND state = 'held'", "it", now, asset_id));
	int out = rc == DB_DONE ? settle(db, actor_id, fg_jstr(hold, "reservation_id"), NULL, now) : -1;
	json_decref(hold);
	return out;
}

/* Each reservation of rows with its items, counts and staleness. today: China time. rows is returned (or NULL). */
static json_t *
decorate(db_t *db, json_t *rows)
{
	if (!rows)
		return NULL;
	json_t *ids = json_array(), *r;
	size_t i;
	json_array_foreach(rows, i, r) json_array_append(ids, json_object_get(r, "id"));
	char sql[1024], *idj = json_dumps(ids, JSON_COMPACT), today[11];
	json_decref(ids);
	day_today(today);
	fg_fmt(sql, sizeof sql,
	    "SELECT i.id, i.reservation_id, i.asset_id, a.asset_no, a.kind, a.subtype, a.model, a.status AS asset_status, "
	    "i.work_order_id, w.number AS work_order_number, w.status AS work_order_status, i.state, i.ended_at, i.end_reason "
	    "FROM metering_reservation_items i JOIN metering_assets a ON a.id = i.asset_id "
	    "LEFT JOIN work_order_summaries w ON w.id = i.work_order_id WHERE i.reservation_id IN %s "
	    "ORDER BY i.reservation_id, a.kind, a.asset_no", db_in_json(db));
	int rc;
	json_t *items = db_all(db_q(db, sql, "t", idj), &rc);
	free(idj);
	if (!items) {
		json_decref(rows);
		return NULL;
	}
	json_array_foreach(rows, i, r) {
		json_t *mine = json_array(), *orders = json_array(), *by_kind = json_object(), *it;
		json_int_t held = 0, issued = 0, released = 0, held_open_orders = 0;
		size_t j;
		json_array_foreach(items, j, it) {
			if (!json_equal(json_object_get(it, "reservation_id"), json_object_get(r, "id")))
				continue;
			json_object_del(it, "reservation_id");
			json_array_append(mine, it);
			const char *st = fg_jstr(it, "state");
			if (strcmp(st, "held") == 0) {
				held++;
				const char *k = fg_jstr(it, "kind");
				json_object_set_new(by_kind, k, json_integer(json_integer_value(json_object_get(by_kind, k)) + 1));
				if (!order_closed(fg_jstr(it, "work_order_status")))
					held_open_orders++;
			} else if (strcmp(st, "issued") == 0)
				issued++;
			else
				released++;
			bool seen = false;
			size_t m;
			json_t *o;
			json_array_foreach(orders, m, o) if (json_equal(json_object_get(o, "id"), json_object_get(it, "work_order_id"))) seen = true;
			if (!seen)
				json_array_append_new(orders, json_pack("{s:O, s:O, s:O}", "id", json_object_get(it, "work_order_id"),
				    "number", json_object_get(it, "work_order_number"), "status", json_object_get(it, "work_order_status")));
		}
		bool open = strcmp(fg_jstr(r, "status"), "open") == 0;
		/* stale: what the release job will let go when it next runs */
		const char *stale = !open ? NULL : strcmp(fg_jstr(r, "day"), today) < 0 ? "past_day"
					  : held && !held_open_orders ? "orders_closed"
					  : NULL;
		json_object_set_new(r, "items", mine);
		json_object_set_new(r, "work_orders", orders);
		json_object_set_new(r, "by_kind", by_kind);
		json_object_set_new(r, "counts", json_pack("{s:I, s:I, s:I}", "held", held, "issued", issued, "released", released));
		json_object_set_new(r, "stale", json_boolean(stale != NULL));
		json_object_set_new(r, "stale_reason", stale ? json_string(stale) : json_null());
	}
	json_decref(items);
	return rows;
}

json_t *
assets_reservation_get(db_t *db, const char *id)
{
	json_t *r = res_row(db, id);
	if (!r)
		return NULL;
	json_t *rows = json_array();
	json_array_append_new(rows, r);
	rows = decorate(db, rows);
	json_t *out = rows ? json_incref(json_array_get(rows, 0)) : NULL;
	json_decref(rows);
	return out;
}

int
assets_reservations(db_t *db, const char *day, const char *holder_id, const char *status, json_t **out, fg_err_t *err)
{
	static const char *const statuses[] = {"open", "issued", "cancelled", "released", NULL};
	if (day && *day && !day_valid(day))
		return fg_err_field(err, "invalid_query", "day", "YYYY-MM-DD");
	bool known = !status || !*status;
	for (int i = 0; !known && statuses[i]; i++)
		known = strcmp(statuses[i], status) == 0;
	if (!known)
		return fg_err_field(err, "invalid_query", "status", "open, issued, cancelled or released");
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT " RES_COLS " FROM metering_reservations r LEFT JOIN users u ON u.id = r.holder_id "
					"WHERE (CAST($1 AS TEXT) IS NULL OR r.day = $1) AND (CAST($2 AS TEXT) IS NULL OR r.holder_id = $2) "
					"AND (CAST($3 AS TEXT) IS NULL OR r.status = $3) "
					"ORDER BY r.day DESC, u.display_name, r.created_at LIMIT 200",
				  "ttt", day && *day ? day : NULL, holder_id && *holder_id ? holder_id : NULL,
				  status && *status ? status : NULL), &rc);
	rows = decorate(db, rows);
	if (!rows)
		return fg_err(err, "internal");
	*out = json_pack("{s:o}", "items", rows);
	return 0;
}

/* Why an in-stock check refuses the asset a for a reservation, or NULL (it may be held). */
static const char *
not_reservable(json_t *a)
{
	const char *status = fg_jstr(a, "status");
	if (strcmp(status, "scrapped") == 0)
		return "metering_asset_scrapped";
	if (strcmp(fg_jstr(a, "kind"), "seal") == 0 && strcmp(status, "removed") == 0)
		return "metering_seal_broken";
	return strcmp(status, "in_stock") == 0 ? NULL : "metering_asset_not_in_stock";
}

static int
by_asset_no(const void *x, const void *y)
{
	return strcmp(fg_jstr(*(json_t *const *)x, "asset_no"), fg_jstr(*(json_t *const *)y, "asset_no"));
}

/* pairs sorted by asset number (the lock order), NULL numbers last. A new array. */
static json_t *
sorted(json_t *pairs)
{
	size_t n = json_array_size(pairs), k = 0;
	json_t **v = calloc(n ? n : 1, sizeof *v), *out = json_array(), *nulls = json_array();
	size_t i;
	json_t *p;
	json_array_foreach(pairs, i, p) {
		if (fg_jstr(p, "asset_no"))
			v[k++] = p;
		else
			json_array_append(nulls, p);
	}
	qsort(v, k, sizeof *v, by_asset_no);
	for (i = 0; i < k; i++)
		json_array_append(out, v[i]);
	json_array_extend(out, nulls);
	json_decref(nulls);
	free(v);
	return out;
}

int
assets_reserve(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	const char *day = fg_jstr(in, "day"), *holder = fg_jstr(in, "holder_id");
	json_t *orders = json_object_get(in, "work_order_ids"), *nos = json_object_get(in, "asset_nos"),
	       *items = json_object_get(in, "items");
	char today[11];
	day_today(today);
	if (!day || !day_valid(day))
		return fg_err_field(err, "invalid_field", "day", "YYYY-MM-DD");
	if (strcmp(day, today) < 0)
		return fg_err_field(err, "invalid_field", "day", "today or later: a reservation holds stock ahead of the day");
	if (!holder || !*holder)
		return fg_err_field(err, "missing_field", "holder_id", "the crew member who takes them");
	if (!json_is_array(orders) || json_array_size(orders) == 0)
		return fg_err_field(err, "missing_field", "work_order_ids", "the day's work orders");
	if (!json_is_array(nos) && !json_is_array(items))
		return fg_err_field(err, "missing_field", "asset_nos", "the asset numbers to reserve");
	size_t n = json_array_size(nos) + json_array_size(items), i;
	if (n == 0 || n > 500)
		return fg_err_field(err, "invalid_field", "asset_nos", "1 to 500 assets");
	int rc;
	json_t *u = db_one(db_q(db, "SELECT id FROM users WHERE id = $1 AND disabled = 0", "t", holder), &rc);
	if (!u)
		return rc == DB_DONE ? fg_err_field(err, "invalid_field", "holder_id", "no such user") : fg_err(err, "internal");
	json_decref(u);
	json_t *v;
	json_array_foreach(orders, i, v) {
		json_t *o = json_is_string(v) ? work_orders_get(db, json_string_value(v)) : NULL;
		if (!o)
			return fg_err_field(err, "invalid_field", "work_order_ids", "no such work order");
		bool closed = order_closed(fg_jstr(o, "status"));
		if (closed) {
			fg_err(err, "metering_work_order_closed");
			fg_err_detail_str(err, "work_order_id", json_string_value(v));
			fg_err_detail_str(err, "status", fg_jstr(o, "status"));
		}
		json_decref(o);
		if (closed)
			return -1;
	}
	json_t *pairs = json_array(), *failed = json_array();
	assets_batch_pairs(in, true, pairs, failed);
	json_t *wanted = sorted(pairs);
	json_decref(pairs);
	char id[37];
	fg_uuid7(id);
	int64_t now = fg_now_ms();
	if (db_begin(db) != 0) {
		json_decref(wanted);
		json_decref(failed);
		return db_fail(db, err);
	}
	if (db_run(db_q(db, "INSERT INTO metering_reservations (id, day, holder_id, status, note, created_by, created_at, updated_at) "
			    "VALUES ($1, $2, $3, 'open', $4, $5, $6, $6)", "ttttti", id, day, holder, fg_jstr(in, "note"), actor_id,
		    now)) != DB_DONE)
		goto fail;
	json_t *p;
	json_array_foreach(wanted, i, p) {
		const char *no = fg_jstr(p, "asset_no");
		json_t *found = db_one(db_q(db, "SELECT id FROM metering_assets WHERE asset_no = $1", "t", no), &rc);
		if (!found) {
			if (rc != DB_DONE)
				goto fail;
			json_array_append_new(failed, json_pack("{s:s, s:s}", "asset_no", no, "code", "not_found"));
			continue;
		}
		/* the asset's row first: of two reservations racing for it, the second waits here and then reads the hold */
		int lrc = db_lock_row(db, "metering_assets", fg_jstr(found, "id"));
		json_t *a = lrc == 0 ? db_one(db_q(db, "SELECT " ASSET_COLS " FROM metering_assets WHERE id = $1", "t", fg_jstr(found, "id")), &rc) : NULL;
		json_decref(found);
		json_t *hold = NULL;
		if (!a || assets_hold_find(db, fg_jstr(a, "id"), &hold) != 0) {
			json_decref(a);
			goto fail;
		}
		const char *why = not_reservable(a);
		if (why || hold) {
			json_t *f = json_pack("{s:s, s:s, s:O}", "asset_no", no, "code", why ? why : "metering_asset_reserved", "status",
			    json_object_get(a, "status"));
			if (hold && !why) {
				json_object_set(f, "reservation_id", json_object_get(hold, "reservation_id"));
				json_object_set(f, "reserved_for", json_object_get(hold, "day"));
			}
			json_array_append_new(failed, f);
			json_decref(hold);
			json_decref(a);
			continue;
		}
		char iid[37];
		fg_uuid7(iid);
		rc = db_run(db_q(db, "INSERT INTO metering_reservation_items (id, reservation_id, asset_id, work_order_id, state, created_at) "
				     "VALUES ($1, $2, $3, $4, 'held', $5)", "tttti", iid, id, fg_jstr(a, "id"), fg_jstr(p, "work_order_id"), now));
		json_decref(a);
		if (rc != DB_DONE)
			goto fail;
	}
	json_decref(wanted);
	wanted = NULL;
	if (json_array_size(failed)) { /* all or nothing, as the batch issue */
		fg_err(err, "metering_reservation_refused");
		fg_err_detail(err, "items", failed);
		return db_fail(db, err);
	}
	json_decref(failed);
	json_t *after = assets_reservation_get(db, id);
	if (!after || audit_write(db, actor_id, "reserve", "metering_reservation", id, NULL, after) != 0 || db_commit(db) != 0) {
		json_decref(after);
		return db_fail(db, err);
	}
	*out = after;
	return 0;
fail:
	json_decref(wanted);
	json_decref(failed);
	return db_fail(db, err);
}

/* Locks the reservation for a change: its held assets in asset-number order, then its row (the module's lock
 * order, above). The reservation as read after, or NULL with err (not_found, or internal). */
static json_t *
lock_reservation(db_t *db, const char *id, fg_err_t *err)
{
	int rc;
	json_t *held = db_all(db_q(db, "SELECT i.asset_id FROM metering_reservation_items i JOIN metering_assets a ON a.id = i.asset_id "
					"WHERE i.reservation_id = $1 AND i.state = 'held' ORDER BY a.asset_no", "t", id), &rc);
	if (!held) {
		fg_err(err, "internal");
		return NULL;
	}
	size_t i;
	json_t *h;
	json_array_foreach(held, i, h) if (db_lock_row(db, "metering_assets", fg_jstr(h, "asset_id")) != 0) {
		json_decref(held);
		fg_err(err, "internal");
		return NULL;
	}
	json_decref(held);
	if (db_lock_row(db, "metering_reservations", id) != 0) {
		fg_err(err, "internal");
		return NULL;
	}
	json_t *r = assets_reservation_get(db, id);
	if (!r)
		fg_err_not_found(err, "metering_reservation", id);
	return r;
}

static int
refuse_closed(fg_err_t *err, json_t *r)
{
	fg_err(err, "metering_reservation_closed");
	fg_err_detail_str(err, "reservation_id", fg_jstr(r, "id"));
	fg_err_detail_str(err, "status", fg_jstr(r, "status"));
	return -1;
}

/* Releases the held items of reservation id (all, or those whose order is closed) with reason. 0 or -1. */
static int
release_items(db_t *db, const char *id, bool only_closed_orders, const char *reason, int64_t now)
{
	if (!only_closed_orders)
		return db_run(db_q(db, "UPDATE metering_reservation_items SET state = 'released', ended_at = $1, end_reason = $2 "
				       "WHERE reservation_id = $3 AND state = 'held'", "itt", now, reason, id)) == DB_DONE ? 0 : -1;
	return db_run(db_q(db, "UPDATE metering_reservation_items SET state = 'released', ended_at = $1, end_reason = $2 "
			       "WHERE reservation_id = $3 AND state = 'held' AND work_order_id IN "
			       "(SELECT id FROM work_order_summaries WHERE status IN " ORDER_CLOSED ")", "itt", now, reason, id)) == DB_DONE
		   ? 0
		   : -1;
}

int
assets_reservation_cancel(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	if (db_begin(db) != 0)
		return db_fail(db, err);
	json_t *before = lock_reservation(db, id, err);
	if (!before)
		return db_fail(db, err);
	if (strcmp(fg_jstr(before, "status"), "open") != 0) {
		refuse_closed(err, before);
		json_decref(before);
		return db_fail(db, err);
	}
	if (json_object_get(in, "version") && db_check_version(before, in, err)) {
		json_decref(before);
		return db_fail(db, err);
	}
	int64_t now = fg_now_ms();
	if (release_items(db, id, false, "cancelled", now) != 0 ||
	    db_run(db_q(db, "UPDATE metering_reservations SET status = 'cancelled', closed_at = $1, closed_by = $2, "
			    "close_reason = $3, updated_at = $1, version = version + 1 WHERE id = $4", "itt" "t", now, actor_id,
		fg_jstr(in, "reason"), id)) != DB_DONE) {
		json_decref(before);
		return db_fail(db, err);
	}
	return audit_commit(db, actor_id, "cancel", "metering_reservation", id, before, assets_reservation_get(db, id), out, err);
}

int
assets_reservation_issue(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	char today[11];
	day_today(today);
	if (db_begin(db) != 0)
		return db_fail(db, err);
	json_t *r = lock_reservation(db, id, err);
	if (!r)
		return db_fail(db, err);
	if (strcmp(fg_jstr(r, "status"), "open") != 0) {
		refuse_closed(err, r);
		json_decref(r);
		return db_fail(db, err);
	}
	if (json_object_get(in, "version") && db_check_version(r, in, err)) {
		json_decref(r);
		return db_fail(db, err);
	}
	/* the holds for orders cancelled or done since are let go, not issued: nobody needs a meter for a job that
	 * will not happen. What is left goes out together; a past day's or an all-closed reservation goes nowhere. */
	json_t *released = json_array(), *pairs = json_array(), *it;
	size_t i;
	json_array_foreach(json_object_get(r, "items"), i, it) {
		if (strcmp(fg_jstr(it, "state"), "held") != 0)
			continue;
		if (order_closed(fg_jstr(it, "work_order_status")))
			json_array_append_new(released, json_pack("{s:O, s:O, s:O, s:s}", "asset_no", json_object_get(it, "asset_no"),
			    "work_order_id", json_object_get(it, "work_order_id"), "work_order_status", json_object_get(it, "work_order_status"),
			    "reason", "order_closed"));
		else
			json_array_append_new(pairs, json_pack("{s:O, s:O}", "asset_no", json_object_get(it, "asset_no"), "work_order_id",
			    json_object_get(it, "work_order_id")));
	}
	const char *stale = strcmp(fg_jstr(r, "day"), today) < 0 ? "past_day" : json_array_size(pairs) == 0 ? "orders_closed" : NULL;
	if (stale) {
		fg_err(err, "metering_reservation_stale");
		fg_err_detail_str(err, "reservation_id", id);
		fg_err_detail_str(err, "reason", stale);
		fg_err_detail_str(err, "day", fg_jstr(r, "day"));
		json_decref(r);
		json_decref(released);
		json_decref(pairs);
		return db_fail(db, err);
	}
	int64_t now = fg_now_ms();
	json_t *done = json_array(), *failed = json_array();
	int rc = (json_array_size(released) ? release_items(db, id, true, "order_closed", now) : 0) ||
		 assets_issue_items(db, actor_id, fg_jstr(r, "holder_id"), pairs, fg_jstr(in, "note"), done, failed);
	json_decref(pairs);
	json_decref(r);
	if (rc != 0 || json_array_size(failed)) {
		json_decref(done);
		json_decref(released);
		if (rc == 0) { /* all or nothing, as the batch issue it is */
			fg_err(err, "metering_batch_refused");
			fg_err_detail(err, "items", failed);
		} else
			json_decref(failed);
		return db_fail(db, err);
	}
	json_decref(failed);
	/* the last hold issued closed the reservation (assets_hold_consume → settle, audited) */
	json_t *after = assets_reservation_get(db, id);
	if (!after || strcmp(fg_jstr(after, "status"), "issued") != 0 || db_commit(db) != 0) {
		json_decref(after);
		json_decref(done);
		json_decref(released);
		return db_fail(db, err);
	}
	*out = json_pack("{s:o, s:o, s:I, s:o}", "reservation", after, "items", done, "count", (json_int_t)json_array_size(done),
	    "released", released);
	return 0;
}

int
assets_reservations_release_stale(db_t *db, const char *actor_id, const char *today, int64_t now_ms, json_t **out)
{
	int rc;
	/* open reservations past their day, and those holding an asset for an order that is closed */
	json_t *ids = db_all(db_q(db, "SELECT r.id, r.day FROM metering_reservations r WHERE r.status = 'open' AND (r.day < $1 "
				      "OR EXISTS (SELECT 1 FROM metering_reservation_items i JOIN work_order_summaries w ON w.id = i.work_order_id "
				      "WHERE i.reservation_id = r.id AND i.state = 'held' AND w.status IN " ORDER_CLOSED ")) "
				      "ORDER BY r.day, r.id LIMIT 500", "t", today), &rc);
	if (!ids)
		return -1;
	json_t *done = json_array(), *x;
	size_t i;
	json_array_foreach(ids, i, x) {
		const char *id = fg_jstr(x, "id");
		fg_err_t e = FG_ERR_INIT;
		if (db_begin(db) != 0)
			goto fail;
		json_t *before = lock_reservation(db, id, &e);
		fg_err_clear(&e);
		if (!before) {
			(void)db_fail(db, &e);
			fg_err_clear(&e);
			goto fail;
		}
		if (strcmp(fg_jstr(before, "status"), "open") != 0) { /* another node got there first */
			json_decref(before);
			(void)db_fail(db, &e);
			fg_err_clear(&e);
			continue;
		}
		bool past = strcmp(fg_jstr(before, "day"), today) < 0;
		const char *reason = past ? "past_day" : "orders_closed";
		int step = release_items(db, id, !past, past ? "past_day" : "order_closed", now_ms) == 0 ? settle(db, actor_id, id, reason, now_ms) : -1;
		json_t *after = step == 0 ? assets_reservation_get(db, id) : NULL;
		/* a hold let go for a closed order while others stay: the reservation is still open, audited as changed */
		if (!after || (strcmp(fg_jstr(after, "status"), "open") == 0 &&
				  audit_write(db, actor_id, "release_items", "metering_reservation", id, before, after) != 0)) {
			json_decref(before);
			json_decref(after);
			(void)db_fail(db, &e);
			fg_err_clear(&e);
			goto fail;
		}
		json_decref(before);
		if (db_commit(db) != 0) {
			json_decref(after);
			(void)db_fail(db, &e);
			fg_err_clear(&e);
			goto fail;
		}
		json_array_append_new(done, json_pack("{s:s, s:O, s:s}", "id", id, "status", json_object_get(after, "status"), "reason", reason));
		json_decref(after);
	}
	json_decref(ids);
	*out = json_pack("{s:I, s:o}", "count", (json_int_t)json_array_size(done), "items", done);
	return 0;
fail:
	json_decref(ids);
	json_decref(done);
	return -1;
}

int
assets_release_stale_job(db_t *db, int64_t now_ms)
{
	json_t *out = NULL;
	char today[11];
	cal_local_day(now_ms, today);
	if (assets_reservations_release_stale(db, FLOW_SYSTEM_ID, today, now_ms, &out) != 0)
		return -1;
	int n = (int)json_integer_value(json_object_get(out, "count"));
	if (n)
		log_info("metering_assets: %d stale reservation(s) released", n);
	json_decref(out);
	return n;
}

json_t *
assets_reservation_choices(db_t *db, const char *q)
{
	int rc;
	/* the metering work kinds of data/kb/work_kinds.json: the jobs that take meters, CTs, terminals and seals */
	json_t *orders = db_all(db_q(db,
	    "SELECT id, number, title, kind, status, due_at FROM work_order_summaries WHERE status NOT IN " ORDER_CLOSED " "
	    "AND kind IN ('lv_meter_install', 'ct_meter_install', 'hv_metering_install', 'meter_rotation', 'terminal_install', "
	    "'collection_fault', 'disputed_meter_check', 'first_inspection', 'metering_error_correction', 'metering_retrofit') "
	    "AND (CAST($1 AS TEXT) IS NULL OR number LIKE $1 || '%' OR title LIKE '%' || $1 || '%') "
	    "ORDER BY due_at, number LIMIT 200", "t", q && *q ? q : NULL), &rc);
	/* who takes stock out: enabled crew members and leaders, names only (the keeper has no directory right) */
	json_t *holders = orders ? db_all(db_q(db,
	    "SELECT u.id, u.display_name, u.username FROM users u WHERE u.disabled = 0 AND EXISTS (SELECT 1 FROM user_roles r "
	    "WHERE r.user_id = u.id AND r.role IN ('crew', 'leader')) ORDER BY u.display_name, u.id LIMIT 1000", ""), &rc) : NULL;
	if (!holders) {
		json_decref(orders);
		return NULL;
	}
	return json_pack("{s:o, s:o}", "work_orders", orders, "holders", holders);
}

/* ---- reserve by need: a proposal the keeper edits, then reserves (nothing is held by it) ---- */

static pthread_once_t needs_once = PTHREAD_ONCE_INIT;
static json_t *needs_doc;

static void
needs_load(void)
{
	const embed_file_t *f = embed_find("data/metering/reservation_needs.json");
	json_error_t je;
	needs_doc = f ? json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, &je) : NULL;
	if (!needs_doc) {
		log_error("data/metering/reservation_needs.json: missing or invalid");
		abort();
	}
}

static int
need_check(json_t *n, size_t i, fg_err_t *err)
{
	static const char *const kinds[] = {"meter", "ct", "pt", "terminal", "seal", NULL};
	const char *k = fg_jstr(n, "kind");
	bool ok = false;
	for (int j = 0; k && kinds[j]; j++)
		ok = ok || strcmp(kinds[j], k) == 0;
	json_int_t c = json_integer_value(json_object_get(n, "count"));
	if (!json_is_object(n) || !ok || !json_is_integer(json_object_get(n, "count")) || c < 1 || c > 100) {
		fg_err_field(err, "invalid_field", "needs", "[{kind meter|ct|pt|terminal|seal, subtype?, model?, count 1-100, work_order_id?}]");
		fg_err_detail_int(err, "index", (long long)i);
		return -1;
	}
	return 0;
}

int
assets_reservation_propose(db_t *db, json_t *in, json_t **out, fg_err_t *err)
{
	json_t *orders = json_object_get(in, "work_order_ids"), *given = json_object_get(in, "needs");
	if (!json_is_array(orders) || json_array_size(orders) == 0 || json_array_size(orders) > 50)
		return fg_err_field(err, "missing_field", "work_order_ids", "the day's work orders (up to 50)");
	if (given && !json_is_array(given))
		return fg_err_field(err, "invalid_field", "needs", "an array");
	pthread_once(&needs_once, needs_load);
	json_t *wanted = json_array(), *picked = json_array(), *seen = json_object(), *v, *n;
	size_t i, j;
	int rc = 0;
	json_int_t total = 0;
	/* each order's needs: the request's (for that order, or — without work_order_id — for the first), else the
	 * work kind's from data/metering/reservation_needs.json */
	json_array_foreach(orders, i, v) {
		json_t *o = json_is_string(v) ? work_orders_get(db, json_string_value(v)) : NULL;
		if (!o) {
			rc = fg_err_field(err, "invalid_field", "work_order_ids", "no such work order");
			goto done;
		}
		if (order_closed(fg_jstr(o, "status"))) {
			fg_err(err, "metering_work_order_closed");
			fg_err_detail_str(err, "work_order_id", json_string_value(v));
			fg_err_detail_str(err, "status", fg_jstr(o, "status"));
			json_decref(o);
			rc = -1;
			goto done;
		}
		json_t *list = json_array();
		if (given) {
			json_array_foreach(given, j, n) {
				if (need_check(n, j, err)) {
					json_decref(list);
					json_decref(o);
					rc = -1;
					goto done;
				}
				const char *for_wo = fg_jstr(n, "work_order_id");
				if (for_wo ? strcmp(for_wo, json_string_value(v)) == 0 : i == 0)
					json_array_append(list, n);
			}
		} else {
			json_t *d = json_object_get(json_object_get(needs_doc, "kinds"), fg_jstr(o, "kind") ? fg_jstr(o, "kind") : "");
			if (d) /* none: a kind that takes no metering stock */
				json_array_extend(list, d);
		}
		json_array_foreach(list, j, n) {
			total += json_integer_value(json_object_get(n, "count"));
			json_array_append_new(wanted, json_pack("{s:O, s:O, s:s, s:o, s:o, s:O, s:i}", "work_order_id", v, "work_order_number",
			    json_object_get(o, "number") ? json_object_get(o, "number") : json_null(), "kind", fg_jstr(n, "kind"), "subtype",
			    fg_jstr(n, "subtype") ? json_string(fg_jstr(n, "subtype")) : json_null(), "model",
			    fg_jstr(n, "model") ? json_string(fg_jstr(n, "model")) : json_null(), "count", json_object_get(n, "count"), "found", 0));
		}
		json_decref(list);
		json_decref(o);
	}
	if (total > 500) {
		rc = fg_err_field(err, "invalid_field", "needs", "at most 500 assets in all");
		goto done;
	}
	/* in stock, held by no reservation, the oldest verification first (what has waited longest on the shelf goes
	 * out before its verification ages further; seals, never verified, by number: the roll's order) */
	json_array_foreach(wanted, i, n) {
		json_int_t count = json_integer_value(json_object_get(n, "count"));
		json_t *rows = db_all(db_q(db,
		    "SELECT a.id, a.asset_no, a.kind, a.subtype, a.model, a.batch, a.verified_on FROM metering_assets a "
		    "WHERE a.kind = $1 AND a.status = 'in_stock' AND (CAST($2 AS TEXT) IS NULL OR a.subtype = $2) "
		    "AND (CAST($3 AS TEXT) IS NULL OR a.model = $3) AND NOT EXISTS (SELECT 1 FROM metering_reservation_items i "
		    "WHERE i.asset_id = a.id AND i.state = 'held') "
		    "ORDER BY CASE WHEN a.verified_on IS NULL THEN 1 ELSE 0 END, a.verified_on, a.asset_no LIMIT $4",
		    "ttti", fg_jstr(n, "kind"), fg_jstr(n, "subtype"), fg_jstr(n, "model"), (int64_t)(count + json_array_size(picked))), &rc);
		if (!rows) {
			rc = fg_err(err, "internal");
			goto done;
		}
		rc = 0;
		json_int_t found = 0;
		json_t *a;
		json_array_foreach(rows, j, a) {
			if (found == count)
				break;
			if (json_object_get(seen, fg_jstr(a, "id")))
				continue;
			json_object_set_new(seen, fg_jstr(a, "id"), json_true());
			json_object_del(a, "id");
			json_object_set(a, "work_order_id", json_object_get(n, "work_order_id"));
			json_object_set(a, "work_order_number", json_object_get(n, "work_order_number"));
			json_array_append(picked, a);
			found++;
		}
		json_decref(rows);
		json_object_set_new(n, "found", json_integer(found));
	}
	json_t *shortage = json_array();
	json_array_foreach(wanted, i, n) if (json_integer_value(json_object_get(n, "found")) < json_integer_value(json_object_get(n, "count")))
		json_array_append(shortage, n);
	*out = json_pack("{s:O, s:O, s:o}", "items", picked, "needs", wanted, "short", shortage);
done:
	json_decref(wanted);
	json_decref(picked);
	json_decref(seen);
	return rc ? -1 : 0;
}
