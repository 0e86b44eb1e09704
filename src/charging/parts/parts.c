#include <string.h>
#include "core/base/day.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "shared/notify/notify.h"
#include "charging/parts/parts.h"

#define P_COLS "id, code, name, category, unit, fits, created_at, updated_at, version"
#define D_COLS "id, name, org_unit_id, location, created_at, updated_at, version"
#define S_SELECT "SELECT s.depot_id, s.part_id, p.code, p.name, p.unit, p.category, s.on_hand, s.reorder_point, " \
		 "s.reorder_qty, s.updated_at, s.version FROM part_stock s JOIN parts p ON p.id = s.part_id "

static const char *const categories[] = {"module", "gun", "cable", "board", "contactor", "fuse", "meter", "screen",
					 "reader", "fan", "other", NULL};

static bool
one_of(const char *const *list, const char *s)
{
	for (; s && *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

json_t *
parts_get(db_t *db, const char *id)
{
	int rc;
	return db_one(db_q(db, "SELECT " P_COLS " FROM parts WHERE id = $1", "t", id), &rc);
}

static int
check_part(json_t *in, fg_err_t *err)
{
	static const char *const text[] = {"code", "name", "unit", NULL};
	for (int i = 0; text[i]; i++) {
		const char *v = fg_jstr(in, text[i]);
		if (v && !*v)
			return fg_err_field(err, "invalid_field", text[i], "must not be empty");
	}
	const char *cat = fg_jstr(in, "category");
	if (cat && !one_of(categories, cat))
		return fg_err_field(err, "invalid_field", "category",
		    "module, gun, cable, board, contactor, fuse, meter, screen, reader, fan or other");
	return 0;
}

int
parts_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	if (check_part(in, err))
		return -1;
	char id[37];
	fg_uuid7(id);
	int64_t now = fg_now_ms();
	if (db_begin(db) != 0)
		return db_fail(db, err);
	int rc = db_run(db_q(db, "INSERT INTO parts (id, code, name, category, unit, fits, created_at, updated_at) "
				 "VALUES ($1, $2, $3, $4, $5, $6, $7, $7)", "tttttti", id, fg_jstr(in, "code"), fg_jstr(in, "name"),
			     fg_jstr(in, "category"), fg_jstr(in, "unit"), fg_jstr(in, "fits"), now));
	if (rc == DB_CONFLICT)
		fg_err_field(err, "part_code_taken", "code", NULL);
	if (rc != DB_DONE)
		return db_fail(db, err);
	return audit_commit(db, actor_id, "create", "part", id, NULL, parts_get(db, id), out, err);
}

int
parts_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	if (check_part(in, err))
		return -1;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "parts", id) != 0)
		return db_fail(db, err);
	json_t *before = parts_get(db, id);
	if (!before) {
		fg_err_not_found(err, "part", id);
		return db_fail(db, err);
	}
	if (db_check_version(before, in, err)) {
		json_decref(before);
		return db_fail(db, err);
	}
	json_t *fits = json_object_get(in, "fits");
	int rc = db_run(db_q(db,
	    "UPDATE parts SET code = COALESCE($1, code), name = COALESCE($2, name), category = COALESCE($3, category), "
	    "unit = COALESCE($4, unit), fits = CASE WHEN $5 = 1 THEN $6 ELSE fits END, updated_at = $7, "
	    "version = version + 1 WHERE id = $8",
	    "ttttbtit", fg_jstr(in, "code"), fg_jstr(in, "name"), fg_jstr(in, "category"), fg_jstr(in, "unit"), fits != NULL,
	    json_string_value(fits), fg_now_ms(), id));
	if (rc == DB_CONFLICT)
		fg_err_field(err, "part_code_taken", "code", NULL);
	if (rc != DB_DONE) {
		json_decref(before);
		return db_fail(db, err);
	}
	return audit_commit(db, actor_id, "update", "part", id, before, parts_get(db, id), out, err);
}

json_t *
parts_list(db_t *db, const char *q, const char *category)
{
	int rc;
	json_t *rows = db_all(db_q(db,
	    "SELECT p.id, p.code, p.name, p.category, p.unit, p.fits, p.created_at, p.updated_at, p.version, "
	    "CAST(COALESCE((SELECT SUM(s.on_hand) FROM part_stock s WHERE s.part_id = p.id), 0) AS BIGINT) AS on_hand "
	    "FROM parts p WHERE (CAST($1 AS TEXT) IS NULL OR lower(p.code) LIKE '%' || lower($1) || '%' "
	    "OR p.name LIKE '%' || $1 || '%') AND (CAST($2 AS TEXT) IS NULL OR p.category = $2) "
	    "ORDER BY p.code LIMIT 2000", "tt", q, category), &rc);
	return rows ? json_pack("{s:o}", "items", rows) : NULL;
}

static json_t *
depot_get(db_t *db, const char *id)
{
	int rc;
	return db_one(db_q(db, "SELECT " D_COLS " FROM part_depots WHERE id = $1", "t", id), &rc);
}

int
parts_depot_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	if (!*fg_jstr(in, "name"))
		return fg_err_field(err, "invalid_field", "name", "must not be empty");
	char id[37];
	fg_uuid7(id);
	int64_t now = fg_now_ms();
	if (db_begin(db) != 0)
		return db_fail(db, err);
	const char *org = fg_jstr(in, "org_unit_id");
	int rc;
	json_t *o = org ? db_one(db_q(db, "SELECT id FROM org_units WHERE id = $1", "t", org), &rc) : NULL;
	if (org && !o) {
		fg_err_field(err, "invalid_field", "org_unit_id", "no such org unit");
		return db_fail(db, err);
	}
	json_decref(o);
	rc = db_run(db_q(db, "INSERT INTO part_depots (id, name, org_unit_id, location, created_at, updated_at) "
			     "VALUES ($1, $2, $3, $4, $5, $5)", "tttti", id, fg_jstr(in, "name"), org, fg_jstr(in, "location"), now));
	if (rc == DB_CONFLICT)
		fg_err_field(err, "depot_name_taken", "name", NULL);
	if (rc != DB_DONE)
		return db_fail(db, err);
	return audit_commit(db, actor_id, "create", "part_depot", id, NULL, depot_get(db, id), out, err);
}

json_t *
parts_depots(db_t *db)
{
	int rc;
	json_t *rows = db_all(db_prepare(db,
	    "SELECT d.id, d.name, d.org_unit_id, d.location, d.created_at, d.updated_at, d.version, "
	    "(SELECT COUNT(*) FROM part_stock s WHERE s.depot_id = d.id AND s.on_hand <= s.reorder_point "
	    "AND s.reorder_point > 0) AS low FROM part_depots d ORDER BY d.name"), &rc);
	return rows ? json_pack("{s:o}", "items", rows) : NULL;
}

static json_t *
shape_stock(json_t *s)
{
	json_int_t on = json_integer_value(json_object_get(s, "on_hand"));
	json_int_t rp = json_integer_value(json_object_get(s, "reorder_point"));
	json_object_set_new(s, "low", json_boolean(rp > 0 && on <= rp));
	return s;
}

static json_t *
stock_row(db_t *db, const char *depot_id, const char *part_id)
{
	int rc;
	json_t *s = db_one(db_q(db, S_SELECT "WHERE s.depot_id = $1 AND s.part_id = $2", "tt", depot_id, part_id), &rc);
	return s ? shape_stock(s) : NULL;
}

json_t *
parts_stock(db_t *db, const char *depot_id)
{
	int rc;
	json_t *d = depot_get(db, depot_id);
	if (!d)
		return NULL;
	json_t *rows = db_all(db_q(db, S_SELECT "WHERE s.depot_id = $1 ORDER BY p.code", "t", depot_id), &rc);
	size_t i;
	json_t *s;
	json_array_foreach(rows, i, s) shape_stock(s);
	json_object_set_new(d, "items", rows ? rows : json_array());
	return d;
}

/* Moves stock by delta (never below zero) and appends the movement; creates the stock row on first receipt.
 * Runs inside the caller's transaction. Returns the new on_hand, or -1 (short: err part_stock_short). */
static int64_t
move(db_t *db, const char *actor_id, const char *depot_id, const char *part_id, const char *kind, int64_t delta,
    const char *request_id, const char *note, fg_err_t *err)
{
	int rc;
	int64_t now = fg_now_ms();
	if (db_run(db_q(db, "INSERT INTO part_stock (depot_id, part_id, on_hand, updated_at) VALUES ($1, $2, 0, $3) "
			    "ON CONFLICT (depot_id, part_id) DO NOTHING", "tti", depot_id, part_id, now)) != DB_DONE)
		return -1;
	/* the check and the change in one statement: two keepers issuing the last unit cannot both succeed */
	json_t *r = db_one(db_q(db, "UPDATE part_stock SET on_hand = on_hand + $1, updated_at = $2, version = version + 1 "
				    "WHERE depot_id = $3 AND part_id = $4 AND on_hand + $1 >= 0 RETURNING on_hand",
			       "iitt", delta, now, depot_id, part_id), &rc);
	if (!r) {
		if (rc == DB_DONE)
			fg_err(err, "gate_part_stock_short");
		return -1;
	}
	int64_t on = json_integer_value(json_object_get(r, "on_hand"));
	json_decref(r);
	char id[37];
	fg_uuid7(id);
	if (db_run(db_q(db, "INSERT INTO part_movements (id, depot_id, part_id, kind, qty, on_hand, request_id, note, actor_id, at) "
			    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", "ttttiittti", id, depot_id, part_id, kind, delta,
			    on, request_id, note, actor_id, now)) != DB_DONE)
		return -1;
	return on;
}

static int
check_stock_target(db_t *db, const char *depot_id, const char *part_id, fg_err_t *err)
{
	json_t *d = depot_get(db, depot_id);
	if (!d)
		return fg_err_not_found(err, "part_depot", depot_id);
	json_decref(d);
	json_t *p = part_id ? parts_get(db, part_id) : NULL;
	if (!p)
		return fg_err_field(err, "invalid_field", "part_id", "no such part");
	json_decref(p);
	return 0;
}

static int
stock_change(db_t *db, const char *actor_id, const char *depot_id, json_t *in, const char *kind, json_t **out,
    fg_err_t *err)
{
	const char *part_id = fg_jstr(in, "part_id");
	json_int_t qty = json_integer_value(json_object_get(in, kind[0] == 'r' ? "qty" : "counted"));
	if (kind[0] == 'r' && (qty <= 0 || qty > 1000000))
		return fg_err_field(err, "invalid_field", "qty", "1 to 1000000");
	if (kind[0] == 'a' && (qty < 0 || qty > 1000000))
		return fg_err_field(err, "invalid_field", "counted", "0 to 1000000");
	if (kind[0] == 'a' && !*fg_jstr(in, "note"))
		return fg_err_field(err, "missing_field", "note", "why the count differs");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (check_stock_target(db, depot_id, part_id, err))
		return db_fail(db, err);
	/* the depot, then its stock line: a stocktake's difference is taken from the books as locked */
	if (db_lock_row(db, "part_depots", depot_id) != 0 ||
	    db_lock_where(db, "part_stock", "depot_id", depot_id, "part_id", part_id, NULL) != 0)
		return db_fail(db, err);
	json_t *before = stock_row(db, depot_id, part_id);
	int64_t delta = qty;
	if (kind[0] == 'a') /* a stocktake: the difference between what was counted and what the books say */
		delta = qty - (before ? json_integer_value(json_object_get(before, "on_hand")) : 0);
	if ((delta != 0 || kind[0] == 'r') &&
	    move(db, actor_id, depot_id, part_id, kind[0] == 'r' ? "receive" : "adjust", delta, NULL, fg_jstr(in, "note"), err) < 0) {
		json_decref(before);
		return db_fail(db, err);
	}
	json_t *after = stock_row(db, depot_id, part_id);
	if (!after)
		after = json_pack("{s:s, s:s, s:i}", "depot_id", depot_id, "part_id", part_id, "on_hand", 0);
	char eid[80];
	fg_fmt(eid, sizeof eid, "%s/%s", depot_id, part_id);
	if (parts_reorder_alert(db, depot_id, part_id) != 0) { /* the keepers' note goes in with the change */
		json_decref(before);
		json_decref(after);
		return db_fail(db, err);
	}
	return audit_commit(db, actor_id, kind[0] == 'r' ? "receive" : "adjust", "part_stock", eid, before, after, out, err);
}

int
parts_receive(db_t *db, const char *actor_id, const char *depot_id, json_t *in, json_t **out, fg_err_t *err)
{
	return stock_change(db, actor_id, depot_id, in, "receive", out, err);
}

int
parts_adjust(db_t *db, const char *actor_id, const char *depot_id, json_t *in, json_t **out, fg_err_t *err)
{
	return stock_change(db, actor_id, depot_id, in, "adjust", out, err);
}

int
parts_set_levels(db_t *db, const char *actor_id, const char *depot_id, const char *part_id, json_t *in, json_t **out,
    fg_err_t *err)
{
	json_int_t rp = json_integer_value(json_object_get(in, "reorder_point"));
	json_int_t rq = json_integer_value(json_object_get(in, "reorder_qty"));
	if (rp < 0 || rp > 1000000)
		return fg_err_field(err, "invalid_field", "reorder_point", "0 to 1000000");
	if (rq < 0 || rq > 1000000)
		return fg_err_field(err, "invalid_field", "reorder_qty", "0 to 1000000");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (check_stock_target(db, depot_id, part_id, err))
		return db_fail(db, err);
	/* the depot, then its stock line: a stocktake's difference is taken from the books as locked */
	if (db_lock_row(db, "part_depots", depot_id) != 0 ||
	    db_lock_where(db, "part_stock", "depot_id", depot_id, "part_id", part_id, NULL) != 0)
		return db_fail(db, err);
	json_t *before = stock_row(db, depot_id, part_id);
	if (before && json_object_get(in, "version") && db_check_version(before, in, err)) {
		json_decref(before);
		return db_fail(db, err);
	}
	int64_t now = fg_now_ms();
	if (db_run(db_q(db, "INSERT INTO part_stock (depot_id, part_id, on_hand, reorder_point, reorder_qty, updated_at) "
			    "VALUES ($1, $2, 0, $3, $4, $5) ON CONFLICT (depot_id, part_id) DO UPDATE SET "
			    "reorder_point = excluded.reorder_point, reorder_qty = excluded.reorder_qty, "
			    "updated_at = excluded.updated_at, version = part_stock.version + 1",
			    "ttiii", depot_id, part_id, rp, rq, now)) != DB_DONE) {
		json_decref(before);
		return db_fail(db, err);
	}
	char eid[80];
	fg_fmt(eid, sizeof eid, "%s/%s", depot_id, part_id);
	if (parts_reorder_alert(db, depot_id, part_id) != 0) {
		json_decref(before);
		return db_fail(db, err);
	}
	return audit_commit(db, actor_id, "update", "part_stock", eid, before, stock_row(db, depot_id, part_id), out, err);
}

json_t *
parts_movements(db_t *db, const char *depot_id, const char *part_id)
{
	int rc;
	json_t *rows = db_all(db_q(db,
	    "SELECT m.id, m.depot_id, m.part_id, p.code, p.name, m.kind, m.qty, m.on_hand, m.request_id, r.number AS request_number, "
	    "m.note, m.actor_id, u.display_name AS actor_name, m.at FROM part_movements m JOIN parts p ON p.id = m.part_id "
	    "LEFT JOIN part_requests r ON r.id = m.request_id LEFT JOIN users u ON u.id = m.actor_id "
	    "WHERE m.depot_id = $1 AND (CAST($2 AS TEXT) IS NULL OR m.part_id = $2) ORDER BY m.id DESC LIMIT 500",
	    "tt", depot_id, part_id), &rc);
	return rows ? json_pack("{s:o}", "items", rows) : NULL;
}

json_t *
parts_reorder(db_t *db)
{
	int rc;
	json_t *rows = db_all(db_prepare(db,
	    "SELECT s.depot_id, d.name AS depot_name, s.part_id, p.code, p.name, p.unit, s.on_hand, s.reorder_point, s.reorder_qty, "
	    "CAST(CASE WHEN s.reorder_qty > 0 THEN s.reorder_qty ELSE s.reorder_point - s.on_hand + 1 END AS BIGINT) AS suggested "
	    "FROM part_stock s JOIN parts p ON p.id = s.part_id JOIN part_depots d ON d.id = s.depot_id "
	    "WHERE s.reorder_point > 0 AND s.on_hand <= s.reorder_point ORDER BY d.name, p.code"), &rc);
	return rows ? json_pack("{s:o}", "items", rows) : NULL;
}

int
parts_reorder_alert(db_t *db, const char *depot_id, const char *part_id)
{
	json_t *s = stock_row(db, depot_id, part_id);
	if (!s || !json_is_true(json_object_get(s, "low"))) {
		json_decref(s);
		return 0;
	}
	int rc;
	json_t *d = depot_get(db, depot_id);
	json_t *keepers = db_all(db_prepare(db, "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id "
						"WHERE r.role = 'tool_keeper' AND u.disabled = 0"), &rc);
	char title[256], body[512], key[160], today[11];
	day_today(today);
	fg_fmt(title, sizeof title, "备件低于库存下限：%s %s", fg_jstr(s, "code"), fg_jstr(s, "name"));
	fg_fmt(body, sizeof body, "%s 现存 %lld %s，下限 %lld，建议补货 %lld", d ? fg_jstr(d, "name") : depot_id,
	    (long long)json_integer_value(json_object_get(s, "on_hand")), fg_jstr(s, "unit"),
	    (long long)json_integer_value(json_object_get(s, "reorder_point")),
	    (long long)(json_integer_value(json_object_get(s, "reorder_qty")) > 0 ? json_integer_value(json_object_get(s, "reorder_qty"))
		: json_integer_value(json_object_get(s, "reorder_point")) - json_integer_value(json_object_get(s, "on_hand")) + 1));
	/* once a day while low: a keeper is reminded, not flooded */
	fg_fmt(key, sizeof key, "part_low:%s:%s:%s", depot_id, part_id, today);
	int bad = 0;
	size_t i;
	json_t *k;
	json_array_foreach(keepers, i, k) if (notify_add(db, fg_jstr(k, "id"), "part_low", title, body, "part_stock", part_id, key) < 0) bad = 1;
	json_decref(keepers);
	json_decref(d);
	json_decref(s);
	return bad ? -1 : 0;
}

int64_t
parts_move(db_t *db, const char *actor_id, const char *depot_id, const char *part_id, const char *kind, int64_t delta,
    const char *request_id, fg_err_t *err)
{
	return move(db, actor_id, depot_id, part_id, kind, delta, request_id, NULL, err);
}
