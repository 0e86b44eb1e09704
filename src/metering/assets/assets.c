/* The metering assets' ledger (assets.h): receipt into stock, reads, lists, a point's history, the stock issued
 * and the stock due back, and the discrepancies a finished job left. The moves are in assets_moves.c. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/day.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/db/qb.h"
#include "metering/assets/assets.h"
#include "metering/assets/assets_int.h"

/* A list's total is counted up to this many matches: an exact count of a million meters on every page would cost
 * more than the page. Past it the page says total_more. */
#define TOTAL_CAP 10000

static bool
one_of(const char *const *list, const char *s)
{
	for (; s && *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

static json_t *
with_history(db_t *db, json_t *a)
{
	if (!a)
		return NULL;
	int rc;
	const char *id = fg_jstr(a, "id");
	json_t *moves = db_all(db_q(db,
	    "SELECT m.id, m.move, m.from_status, m.to_status, m.at, m.actor_id, u.display_name AS actor_name, m.holder_id, "
	    "h.display_name AS holder_name, m.work_order_id, w.number AS work_order_number, m.point_no, m.reading, m.result, m.note "
	    "FROM metering_asset_moves m LEFT JOIN users u ON u.id = m.actor_id LEFT JOIN users h ON h.id = m.holder_id "
	    "LEFT JOIN work_order_summaries w ON w.id = m.work_order_id WHERE m.asset_id = $1 ORDER BY m.at, m.id", "t", id), &rc);
	json_t *inst = db_one(db_q(db, "SELECT id, point_no, position, installed_at, installed_by, install_order_id, install_reading "
				       "FROM metering_point_installs WHERE asset_id = $1 AND removed_at IS NULL", "t", id), &rc);
	json_t *holder = fg_jstr(a, "holder_id") ? db_one(db_q(db, "SELECT display_name FROM users WHERE id = $1", "t", fg_jstr(a, "holder_id")), &rc) : NULL;
	json_t *wo = fg_jstr(a, "work_order_id") ? db_one(db_q(db, "SELECT number, status FROM work_order_summaries WHERE id = $1", "t",
						       fg_jstr(a, "work_order_id")), &rc) : NULL;
	if (!moves) {
		json_decref(a);
		json_decref(inst);
		json_decref(holder);
		json_decref(wo);
		return NULL;
	}
	json_object_set_new(a, "holder_name", holder ? json_incref(json_object_get(holder, "display_name")) : json_null());
	json_object_set_new(a, "work_order_number", wo ? json_incref(json_object_get(wo, "number")) : json_null());
	json_t *hold = NULL;
	if (assets_hold_find(db, id, &hold) == 0) /* the day's reservation holding it, or null */
		json_object_set_new(a, "reservation", hold ? hold : json_null());
	json_object_set_new(a, "moves", moves);
	json_object_set_new(a, "install", inst ? inst : json_null());
	json_decref(holder);
	json_decref(wo);
	return a;
}

json_t *
assets_get(db_t *db, const char *id)
{
	int rc;
	return with_history(db, db_one(db_q(db, "SELECT " ASSET_COLS " FROM metering_assets WHERE id = $1", "t", id), &rc));
}

json_t *
assets_get_by_no(db_t *db, const char *asset_no)
{
	int rc;
	return with_history(db, db_one(db_q(db, "SELECT " ASSET_COLS " FROM metering_assets WHERE asset_no = $1", "t", asset_no), &rc));
}

static bool
asset_no_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || n > 40)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '-' || *s == '_' || *s == '/'))
			return false;
	return true;
}

/* "200/5", "10000/100", "35000/100": two positive numbers with a slash. */
static bool
ratio_ok(const char *s)
{
	int parts = 0, digits = 0;
	for (;; s++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (*s == '.' && digits)
			;
		else if ((*s == '/' && parts == 0) || *s == '\0') {
			if (!digits)
				return false;
			parts++;
			digits = 0;
			if (!*s)
				break;
		} else
			return false;
	}
	return parts == 2;
}

static int
need(json_t *in, const char *field, const char *why, fg_err_t *err)
{
	const char *v = fg_jstr(in, field);
	return v && *v ? 0 : fg_err_field(err, "missing_field", field, why);
}

static int
check_receipt(db_t *db, json_t *in, fg_err_t *err)
{
	static const char *const kinds[] = {"meter", "ct", "pt", "terminal", "seal", NULL};
	static const char *const meter_types[] = {"single_phase", "three_phase_direct", "three_phase_ct", "three_phase_hv", NULL};
	static const char *const terminal_types[] = {"concentrator", "collector", "dedicated", "energy_controller", NULL};
	static const char *const seal_uses[] = {"meter_cover", "terminal_box", "meter_box", "ct_box", NULL};
	const char *no = fg_jstr(in, "asset_no"), *kind = fg_jstr(in, "kind"), *sub = fg_jstr(in, "subtype");
	if (!asset_no_ok(no))
		return fg_err_field(err, "invalid_field", "asset_no", "2-40 letters, digits, - _ or /");
	if (!one_of(kinds, kind))
		return fg_err_field(err, "invalid_field", "kind", "meter, ct, pt, terminal or seal");
	if (strcmp(kind, "meter") == 0) {
		if (need(in, "subtype", "single_phase, three_phase_direct, three_phase_ct or three_phase_hv", err) ||
		    need(in, "accuracy_class", "the meter's class: 2.0, 1.0, 0.5S …", err) ||
		    need(in, "rated", "the rated values: 220V 5(60)A …", err))
			return -1;
		if (!one_of(meter_types, sub))
			return fg_err_field(err, "invalid_field", "subtype", "single_phase, three_phase_direct, three_phase_ct or three_phase_hv");
	} else if (strcmp(kind, "ct") == 0 || strcmp(kind, "pt") == 0) {
		if (need(in, "ratio", "the transformer's ratio: 200/5, 10000/100 …", err) ||
		    need(in, "accuracy_class", "the transformer's class: 0.2S, 0.5 …", err))
			return -1;
		if (!ratio_ok(fg_jstr(in, "ratio")))
			return fg_err_field(err, "invalid_field", "ratio", "primary/secondary, e.g. 200/5");
	} else if (strcmp(kind, "terminal") == 0) {
		if (need(in, "subtype", "concentrator, collector, dedicated or energy_controller", err))
			return -1;
		if (!one_of(terminal_types, sub))
			return fg_err_field(err, "invalid_field", "subtype", "concentrator, collector, dedicated or energy_controller");
	} else {
		if (need(in, "subtype", "the seal's use: meter_cover, terminal_box, meter_box or ct_box", err))
			return -1;
		if (!one_of(seal_uses, sub))
			return fg_err_field(err, "invalid_field", "subtype", "meter_cover, terminal_box, meter_box or ct_box");
	}
	static const char *const days[] = {"produced_on", "verified_on", NULL};
	for (int i = 0; days[i]; i++)
		if (fg_jstr(in, days[i]) && !day_valid(fg_jstr(in, days[i])))
			return fg_err_field(err, "invalid_field", days[i], "YYYY-MM-DD");
	const char *org = fg_jstr(in, "org_unit_id");
	if (org) {
		int rc;
		json_t *o = db_one(db_q(db, "SELECT id FROM org_units WHERE id = $1", "t", org), &rc);
		if (!o)
			return rc == DB_DONE ? fg_err_field(err, "invalid_field", "org_unit_id", "no such org unit") : fg_err(err, "internal");
		json_decref(o);
	}
	return 0;
}

int
assets_receive(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	if (check_receipt(db, in, err))
		return -1;
	char id[37], mid[37];
	fg_uuid7(id);
	fg_uuid7(mid);
	int64_t now = fg_now_ms();
	if (db_begin(db) != 0)
		return db_fail(db, err);
	int rc = db_run(db_q(db,
	    "INSERT INTO metering_assets (id, asset_no, kind, subtype, model, manufacturer, batch, accuracy_class, rated, ratio, "
	    "constant, produced_on, verified_on, status, org_unit_id, note, created_at, updated_at) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'in_stock', $14, $15, $16, $16)",
	    "tttttttttttttt" "ti", id, fg_jstr(in, "asset_no"), fg_jstr(in, "kind"), fg_jstr(in, "subtype"), fg_jstr(in, "model"),
	    fg_jstr(in, "manufacturer"), fg_jstr(in, "batch"), fg_jstr(in, "accuracy_class"), fg_jstr(in, "rated"), fg_jstr(in, "ratio"),
	    fg_jstr(in, "constant"), fg_jstr(in, "produced_on"), fg_jstr(in, "verified_on"), fg_jstr(in, "org_unit_id"), fg_jstr(in, "note"), now));
	if (rc == DB_CONFLICT) {
		fg_err_field(err, "metering_asset_no_taken", "asset_no", NULL);
		fg_err_detail_str(err, "asset_no", fg_jstr(in, "asset_no"));
	}
	if (rc != DB_DONE ||
	    db_run(db_q(db, "INSERT INTO metering_asset_moves (id, asset_id, move, from_status, to_status, at, actor_id, org_unit_id, note) "
			    "VALUES ($1, $2, 'received', NULL, 'in_stock', $3, $4, $5, $6)", "ttittt", mid, id, now, actor_id,
		fg_jstr(in, "org_unit_id"), fg_jstr(in, "note"))) != DB_DONE)
		return db_fail(db, err);
	json_t *after = NULL;
	int rc2;
	after = db_one(db_q(db, "SELECT " ASSET_COLS " FROM metering_assets WHERE id = $1", "t", id), &rc2);
	if (audit_commit(db, actor_id, "receive", "metering_asset", id, NULL, after, NULL, err) != 0)
		return -1;
	*out = assets_get(db, id);
	return *out ? 0 : fg_err(err, "internal");
}

static void
where(qb_t *q, const void *arg)
{
	const assets_filter_t *f = arg;
	static const struct {
		const char *col;
		size_t off;
	} eq[] = {
	    {"kind", offsetof(assets_filter_t, kind)}, {"status", offsetof(assets_filter_t, status)},
	    {"batch", offsetof(assets_filter_t, batch)}, {"model", offsetof(assets_filter_t, model)},
	    {"point_no", offsetof(assets_filter_t, point_no)}, {"holder_id", offsetof(assets_filter_t, holder_id)},
	    {"work_order_id", offsetof(assets_filter_t, work_order_id)},
	};
	for (size_t i = 0; i < sizeof eq / sizeof eq[0]; i++) {
		const char *v = *(const char *const *)((const char *)f + eq[i].off);
		if (v && *v) {
			qb_sql(q, " AND ");
			qb_sql(q, eq[i].col);
			qb_sql(q, " = ");
			qb_text(q, v);
		}
	}
	if (f->q && *f->q) {
		/* a prefix of the number, as a range on the unique index (LIKE would scan a million rows): every string
		 * that starts with q sorts at or after q and before q followed by U+FFFF */
		char hi[200];
		fg_fmt(hi, sizeof hi, "%s\xef\xbf\xbf", f->q);
		qb_sql(q, " AND asset_no >= ");
		qb_text(q, f->q);
		qb_sql(q, " AND asset_no < ");
		qb_text(q, hi);
	}
}

int
assets_list(db_t *db, const assets_filter_t *f, const char *cursor, int limit, json_t **out)
{
	int rc;
	qb_t q;
	qb_init(&q, "SELECT " ASSET_COLS " FROM metering_assets WHERE 1 = 1");
	where(&q, f);
	if (cursor) {
		qb_sql(&q, " AND asset_no > ");
		qb_text(&q, cursor);
	}
	qb_sql(&q, " ORDER BY asset_no LIMIT ");
	qb_int(&q, limit + 1);
	json_t *rows = db_all(qb_prepare(db, &q), &rc);
	qb_free(&q);
	qb_init(&q, "SELECT COUNT(*) AS n FROM (SELECT 1 FROM metering_assets WHERE 1 = 1");
	where(&q, f);
	qb_sql(&q, " LIMIT ");
	qb_int(&q, TOTAL_CAP + 1);
	qb_sql(&q, ") c");
	json_t *cnt = rows ? db_one(qb_prepare(db, &q), &rc) : NULL;
	qb_free(&q);
	if (!rows || !cnt) {
		json_decref(rows);
		return -1;
	}
	json_t *next = json_null();
	if (json_array_size(rows) > (size_t)limit) {
		json_array_remove(rows, (size_t)limit);
		next = json_copy(json_object_get(json_array_get(rows, (size_t)limit - 1), "asset_no"));
	}
	json_int_t n = json_integer_value(json_object_get(cnt, "n"));
	json_decref(cnt);
	*out = json_pack("{s:o, s:o}", "items", rows, "next_cursor", next);
	if (n > TOTAL_CAP)
		json_object_set_new(*out, "total_more", json_integer(TOTAL_CAP));
	else
		json_object_set_new(*out, "total", json_integer(n));
	return 0;
}

#define LIST_COLS                                                                                                      \
	"a.id, a.asset_no, a.kind, a.subtype, a.model, a.status, a.holder_id, u.display_name AS holder_name, "            \
	"a.work_order_id, w.number AS work_order_number, w.status AS work_order_status, a.updated_at, a.version"

json_t *
assets_issued(db_t *db, const char *holder_id, const char *work_order_ids, const char *day)
{
	qb_t q;
	int rc;
	qb_init(&q, "SELECT " LIST_COLS ", (SELECT MAX(m.at) FROM metering_asset_moves m WHERE m.asset_id = a.id "
		    "AND m.move = 'issued') AS issued_at FROM metering_assets a LEFT JOIN users u ON u.id = a.holder_id "
		    "LEFT JOIN work_order_summaries w ON w.id = a.work_order_id WHERE a.status = 'issued'");
	if (holder_id && *holder_id) {
		qb_sql(&q, " AND a.holder_id = ");
		qb_text(&q, holder_id);
	}
	if (work_order_ids && *work_order_ids) {
		qb_sql(&q, " AND a.work_order_id IN (");
		char *copy = fg_strdup(work_order_ids), *save = NULL;
		int n = 0;
		/* a day's plan has a handful of orders: one placeholder each, up to 50 */
		for (char *t = strtok_r(copy, ", ", &save); t && n < 50; t = strtok_r(NULL, ", ", &save), n++) {
			if (n)
				qb_sql(&q, ", ");
			qb_text(&q, t);
		}
		if (!n)
			qb_sql(&q, "NULL");
		qb_sql(&q, ")");
		free(copy);
	}
	if (day && *day && day_valid(day)) {
		/* the day of the issue in China time (UTC+8): the move's instant within [day 00:00, next day 00:00) */
		char next[11];
		day_add_days(day, 1, next);
		qb_sql(&q, " AND EXISTS (SELECT 1 FROM metering_asset_moves m WHERE m.asset_id = a.id AND m.move = 'issued' AND m.at >= ");
		qb_int(&q, day_diff("1970-01-01", day) * 86400000LL - 8 * 3600000LL);
		qb_sql(&q, " AND m.at < ");
		qb_int(&q, day_diff("1970-01-01", next) * 86400000LL - 8 * 3600000LL);
		qb_sql(&q, ")");
	}
	qb_sql(&q, " ORDER BY u.display_name, a.work_order_id, a.kind, a.asset_no LIMIT 2000");
	json_t *rows = db_all(qb_prepare(db, &q), &rc);
	qb_free(&q);
	if (!rows)
		return NULL;
	/* per holder: what each crew member carries out */
	json_t *by = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		json_t *found = NULL, *b;
		size_t j;
		json_array_foreach(by, j, b) if (json_equal(json_object_get(b, "holder_id"), json_object_get(r, "holder_id"))) found = b;
		if (!found) {
			found = json_pack("{s:O, s:O, s:i, s:{}}", "holder_id", json_object_get(r, "holder_id"), "holder_name",
			    json_object_get(r, "holder_name"), "count", 0, "by_kind");
			json_array_append_new(by, found);
		}
		json_object_set_new(found, "count", json_integer(json_integer_value(json_object_get(found, "count")) + 1));
		json_t *bk = json_object_get(found, "by_kind");
		const char *k = fg_jstr(r, "kind");
		json_object_set_new(bk, k, json_integer(json_integer_value(json_object_get(bk, k)) + 1));
	}
	return json_pack("{s:o, s:o}", "items", rows, "by_holder", by);
}

json_t *
assets_point_history(db_t *db, const char *point_no)
{
	int rc;
	json_t *hist = db_all(db_q(db,
	    "SELECT i.id, i.asset_id, a.asset_no, i.kind, a.subtype, a.model, a.accuracy_class, a.ratio, a.rated, i.position, "
	    "i.installed_at, i.installed_by, ib.display_name AS installed_by_name, i.install_order_id, "
	    "wi.number AS install_order_number, i.install_reading, i.removed_at, i.removed_by, rb.display_name AS removed_by_name, "
	    "i.remove_order_id, wr.number AS remove_order_number, i.removal_reading, i.removal_reason "
	    "FROM metering_point_installs i JOIN metering_assets a ON a.id = i.asset_id "
	    "LEFT JOIN users ib ON ib.id = i.installed_by LEFT JOIN users rb ON rb.id = i.removed_by "
	    "LEFT JOIN work_order_summaries wi ON wi.id = i.install_order_id "
	    "LEFT JOIN work_order_summaries wr ON wr.id = i.remove_order_id "
	    "WHERE i.point_no = $1 ORDER BY i.installed_at, i.id", "t", point_no), &rc);
	if (!hist)
		return NULL;
	/* the customer side's row where fieldgrid created the point (migration 0027); most points live in SG186 only */
	json_t *point = db_one(db_q(db, "SELECT id, number, purpose, status, meter_asset_no, meter_model, installed_at, install_reading "
					"FROM metering_points WHERE number = $1", "t", point_no), &rc);
	json_t *current = json_array();
	size_t i;
	json_t *h;
	json_array_foreach(hist, i, h) if (json_is_null(json_object_get(h, "removed_at"))) json_array_append(current, h);
	return json_pack("{s:s, s:o, s:o, s:o}", "point_no", point_no, "point", point ? point : json_null(), "current", current,
	    "history", hist);
}

json_t *
assets_returns_due(db_t *db, const char *work_order_id)
{
	int rc;
	json_t *rows = db_all(db_q(db,
	    "SELECT " LIST_COLS " FROM metering_assets a JOIN work_order_summaries w ON w.id = a.work_order_id "
	    "LEFT JOIN users u ON u.id = a.holder_id WHERE a.status = 'issued' AND w.status IN ('done', 'cancelled') "
	    "AND (CAST($1 AS TEXT) IS NULL OR a.work_order_id = $1) ORDER BY w.number, a.asset_no LIMIT 2000",
	    "t", work_order_id), &rc);
	return rows ? json_pack("{s:o}", "items", rows) : NULL;
}

#define D_COLS                                                                                                         \
	"d.id, d.work_order_id, w.number AS work_order_number, d.point_no, d.asset_no, d.record_key, d.move, d.problem, " \
	"d.reading, d.created_at, d.resolved_at, d.resolved_by, d.resolution, d.version"

static json_t *
discrepancy(db_t *db, const char *id)
{
	int rc;
	return db_one(db_q(db, "SELECT " D_COLS " FROM metering_discrepancies d LEFT JOIN work_order_summaries w "
				"ON w.id = d.work_order_id WHERE d.id = $1", "t", id), &rc);
}

json_t *
assets_discrepancies(db_t *db, int open, const char *work_order_id)
{
	int rc;
	json_t *rows = db_all(db_q(db,
	    "SELECT " D_COLS " FROM metering_discrepancies d LEFT JOIN work_order_summaries w ON w.id = d.work_order_id "
	    "WHERE ($1 = 0 OR d.resolved_at IS NULL) AND (CAST($2 AS TEXT) IS NULL OR d.work_order_id = $2) "
	    "ORDER BY d.created_at DESC, d.id LIMIT 2000", "bt", open != 0, work_order_id), &rc);
	return rows ? json_pack("{s:o}", "items", rows) : NULL;
}

int
assets_discrepancy_resolve(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	const char *text = fg_jstr(in, "resolution");
	if (!text || !*text)
		return fg_err_field(err, "missing_field", "resolution", "what was done about it");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "metering_discrepancies", id) != 0)
		return db_fail(db, err);
	json_t *before = discrepancy(db, id);
	if (!before) {
		fg_err_not_found(err, "metering_discrepancy", id);
		return db_fail(db, err);
	}
	if (!json_is_null(json_object_get(before, "resolved_at"))) {
		json_decref(before);
		fg_err(err, "metering_discrepancy_resolved");
		return db_fail(db, err);
	}
	if (db_run(db_q(db, "UPDATE metering_discrepancies SET resolved_at = $1, resolved_by = $2, resolution = $3, "
			    "version = version + 1 WHERE id = $4", "ittt", fg_now_ms(), actor_id, text, id)) != DB_DONE) {
		json_decref(before);
		return db_fail(db, err);
	}
	return audit_commit(db, actor_id, "resolve", "metering_discrepancy", id, before, discrepancy(db, id), out, err);
}
