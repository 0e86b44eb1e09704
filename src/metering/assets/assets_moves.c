/* An asset's lifecycle moves (assets.h): one transition table, run here.
 *
 * Why a table in C and not data/flows/metering_asset.json run by src/core/flow: the engine answers a move from the
 * wrong state with its one code (invalid_transition) while the ledger must refuse each illegal move with its own
 * code (a keeper scanning a meter at the counter needs "not issued", "already installed", "seal broken", not "no");
 * a move's legality depends on the asset's kind as much as on its state (seals apply and break, never go for 检定);
 * and each move writes the asset's history rows (metering_asset_moves, metering_point_installs) where the engine
 * would write flow events beside them — two histories of one fact, and a second row per move over a million
 * assets. The rules stay data-like: the table below is the whole lifecycle, one row per action. */
#include <string.h>
#include "core/base/day.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "fieldwork/interface/work_orders.h"
#include "metering/assets/assets.h"
#include "metering/assets/assets_int.h"

enum { S_IN_STOCK = 1, S_ISSUED = 2, S_INSTALLED = 4, S_REMOVED = 8, S_VERIFYING = 16, S_SCRAPPED = 32 };
enum { K_METER = 1, K_CT = 2, K_PT = 4, K_TERMINAL = 8, K_SEAL = 16 };
#define K_DEVICE (K_METER | K_CT | K_PT | K_TERMINAL)

typedef struct {
	const char *action; /* the API's action */
	const char *move;   /* metering_asset_moves.move */
	unsigned from;      /* the states it may start from */
	const char *to;     /* the state it ends in (verify: passed; see verify_to) */
	unsigned kinds;     /* the kinds it applies to */
	const char *refusal; /* the code when the asset is in any other state */
} transition_t;

static const transition_t transitions[] = {
	{"issue", "issued", S_IN_STOCK, "issued", K_DEVICE | K_SEAL, "metering_asset_not_in_stock"},
	{"return", "returned", S_ISSUED, "in_stock", K_DEVICE | K_SEAL, "metering_asset_not_issued"},
	{"install", "installed", S_ISSUED, "installed", K_DEVICE, "metering_asset_not_issued"},
	{"apply", "applied", S_ISSUED, "installed", K_SEAL, "metering_asset_not_issued"},
	{"remove", "removed", S_INSTALLED, "removed", K_DEVICE, "metering_asset_not_installed"},
	{"break", "broken", S_INSTALLED, "removed", K_SEAL, "metering_asset_not_installed"},
	/* a removed device goes to the lab; so may one from stock whose verification is due */
	{"send", "sent", S_REMOVED | S_IN_STOCK, "verifying", K_DEVICE, "metering_asset_not_sendable"},
	{"verify", "verified", S_VERIFYING, "in_stock", K_DEVICE, "metering_asset_not_verifying"},
	/* never from the field (issued or installed: it must come back first) */
	{"scrap", "scrapped", S_IN_STOCK | S_REMOVED | S_VERIFYING, "scrapped", K_DEVICE | K_SEAL,
	    "metering_asset_not_scrappable"},
	{NULL, NULL, 0, NULL, 0, NULL},
};

static unsigned
bit(const char *const *names, const char *s)
{
	for (unsigned i = 0; s && names[i]; i++)
		if (strcmp(names[i], s) == 0)
			return 1u << i;
	return 0;
}

static const char *const status_names[] = {"in_stock", "issued", "installed", "removed", "verifying", "scrapped", NULL};
static const char *const kind_names[] = {"meter", "ct", "pt", "terminal", "seal", NULL};

static const transition_t *
transition(const char *action)
{
	for (const transition_t *t = transitions; t->action; t++)
		if (strcmp(t->action, action) == 0)
			return t;
	return NULL;
}

/* A reading is kWh as a decimal: digits, at most one point, at most 12 digits before it and 4 after. */
static bool
reading_ok(const char *s)
{
	int before = 0, after = 0, dot = 0;
	for (; *s; s++) {
		if (*s == '.') {
			if (dot++ || !before)
				return false;
		} else if (*s >= '0' && *s <= '9') {
			if (dot)
				after++;
			else
				before++;
		} else
			return false;
	}
	return before > 0 && before <= 12 && after <= 4 && !(dot && !after);
}

static int
refuse(fg_err_t *err, const char *code, json_t *asset, const char *action)
{
	fg_err(err, code);
	fg_err_detail_str(err, "asset_no", fg_jstr(asset, "asset_no"));
	fg_err_detail_str(err, "status", fg_jstr(asset, "status"));
	fg_err_detail_str(err, "kind", fg_jstr(asset, "kind"));
	fg_err_detail_str(err, "action", action);
	return -1;
}

/* Who or what already sits where the asset would go: a meter where a meter is installed, a CT/PT on the phase
 * another one holds. Terminals serve many points and seals are many to a point: never occupied. */
static int
occupied(db_t *db, json_t *asset, const char *point_no, const char *position, fg_err_t *err)
{
	const char *kind = fg_jstr(asset, "kind");
	bool meter = strcmp(kind, "meter") == 0;
	if (!meter && strcmp(kind, "ct") != 0 && strcmp(kind, "pt") != 0)
		return 0;
	int rc;
	json_t *o = db_one(db_q(db,
	    "SELECT a.asset_no, i.position FROM metering_point_installs i JOIN metering_assets a ON a.id = i.asset_id "
	    "WHERE i.point_no = $1 AND i.kind = $2 AND i.removed_at IS NULL "
	    "AND ($3 = 1 OR i.position = $4) ORDER BY i.installed_at LIMIT 1",
	    "ttbt", point_no, kind, meter, position ? position : ""), &rc);
	if (!o)
		return rc == DB_DONE ? 0 : -1;
	fg_err(err, "metering_point_occupied");
	fg_err_detail_str(err, "point_no", point_no);
	fg_err_detail_str(err, "kind", kind);
	fg_err_detail_str(err, "installed_asset_no", fg_jstr(o, "asset_no"));
	if (fg_jstr(o, "position"))
		fg_err_detail_str(err, "position", fg_jstr(o, "position"));
	json_decref(o);
	return -1;
}

static json_t *
row(db_t *db, const char *id)
{
	int rc;
	return db_one(db_q(db, "SELECT " ASSET_COLS " FROM metering_assets WHERE id = $1", "t", id), &rc);
}

/* The checks of a move, before anything is written: 0, or -1 with the refusal. */
static int
check(db_t *db, json_t *a, const transition_t *t, const char *action, json_t *in, fg_err_t *err)
{
	const char *status = fg_jstr(a, "status"), *kind = fg_jstr(a, "kind");
	if (strcmp(status, "scrapped") == 0)
		return refuse(err, "metering_asset_scrapped", a, action);
	bool seal = strcmp(kind, "seal") == 0;
	if (seal && strcmp(status, "removed") == 0) /* a broken seal is evidence, never a seal again */
		return refuse(err, "metering_seal_broken", a, action);
	if (!(t->kinds & bit(kind_names, kind))) {
		refuse(err, "metering_move_wrong_kind", a, action);
		if (seal && (strcmp(action, "install") == 0 || strcmp(action, "remove") == 0))
			fg_err_detail_str(err, "use", action[0] == 'i' ? "apply" : "break");
		else if (!seal && (strcmp(action, "apply") == 0 || strcmp(action, "break") == 0))
			fg_err_detail_str(err, "use", action[0] == 'a' ? "install" : "remove");
		return -1;
	}
	/* A held asset (a day's reservation, assets_reserve.c) is in stock and stays there for its holder: issued to
	 * that holder only, never sent or scrapped; any other refusal names the reservation too, so the keeper at the
	 * counter sees why the meter on the shelf is not free. */
	json_t *hold = NULL;
	if (strcmp(status, "in_stock") == 0 && assets_hold_find(db, fg_jstr(a, "id"), &hold) != 0)
		return -1;
	if (hold) {
		bool mine = strcmp(action, "issue") == 0 && fg_jstr(in, "holder_id") &&
			    strcmp(fg_jstr(in, "holder_id"), fg_jstr(hold, "holder_id")) == 0;
		const char *code = !mine && (strcmp(action, "issue") == 0 || strcmp(action, "send") == 0 ||
						strcmp(action, "scrap") == 0)
				       ? "metering_asset_reserved"
				   : !(t->from & bit(status_names, status)) ? t->refusal
									    : NULL;
		if (code) {
			refuse(err, code, a, action);
			assets_hold_details(err, hold);
			json_decref(hold);
			return -1;
		}
		json_decref(hold);
	}
	if (!(t->from & bit(status_names, status)))
		return refuse(err, t->refusal, a, action);
	if (json_object_get(in, "version") && db_check_version(a, in, err))
		return -1;
	bool meter = strcmp(kind, "meter") == 0;
	const char *reading = fg_jstr(in, "reading");
	if (reading && !reading_ok(reading))
		return fg_err_field(err, "invalid_field", "reading", "kWh as a decimal, e.g. 12345.67");
	if (strcmp(action, "issue") == 0) {
		const char *holder = fg_jstr(in, "holder_id");
		if (!holder || !*holder)
			return fg_err_field(err, "missing_field", "holder_id", "the crew member it goes to");
		int rc;
		json_t *u = db_one(db_q(db, "SELECT id FROM users WHERE id = $1 AND disabled = 0", "t", holder), &rc);
		if (!u)
			return rc == DB_DONE ? fg_err_field(err, "invalid_field", "holder_id", "no such user") : -1;
		json_decref(u);
		const char *wo = fg_jstr(in, "work_order_id");
		if (!wo || !*wo)
			return fg_err_field(err, "missing_field", "work_order_id", "the job it is for");
		json_t *o = work_orders_get(db, wo);
		if (!o)
			return fg_err_field(err, "invalid_field", "work_order_id", "no such work order");
		json_decref(o);
	} else if (strcmp(action, "install") == 0 || strcmp(action, "apply") == 0) {
		const char *point = fg_jstr(in, "point_no");
		if (!point || !*point)
			return fg_err_field(err, "missing_field", "point_no", "the metering point's number");
		if (meter && !reading)
			return fg_err_field(err, "missing_field", "reading", "the meter's register at install");
		if ((strcmp(kind, "ct") == 0 || strcmp(kind, "pt") == 0) && !fg_jstr(in, "position"))
			return fg_err_field(err, "missing_field", "position", "the phase: A, B or C");
		if (occupied(db, a, point, fg_jstr(in, "position"), err))
			return -1;
	} else if (strcmp(action, "remove") == 0) {
		if (meter && !reading)
			return fg_err_field(err, "missing_field", "reading", "the meter's register at removal");
	} else if (strcmp(action, "verify") == 0) {
		const char *res = fg_jstr(in, "result");
		if (!res)
			return fg_err_field(err, "missing_field", "result", "passed or failed");
		if (strcmp(res, "passed") != 0 && strcmp(res, "failed") != 0)
			return fg_err_field(err, "invalid_field", "result", "passed or failed");
		const char *on = fg_jstr(in, "verified_on");
		if (on && !day_valid(on))
			return fg_err_field(err, "invalid_field", "verified_on", "YYYY-MM-DD");
	}
	return 0;
}

/* The move on the locked, loaded asset a: writes the asset, the move, the point's install row, and the audit
 * record; in the caller's transaction. out (optional): the asset after. */
static int
apply(db_t *db, const char *actor_id, json_t *a, const char *action, json_t *in, json_t **out, fg_err_t *err)
{
	const transition_t *t = transition(action);
	if (!t)
		return fg_err_field(err, "invalid_field", "action", "issue, return, install, apply, remove, break, send, verify or scrap");
	if (check(db, a, t, action, in, err))
		return -1;
	const char *id = fg_jstr(a, "id"), *from = fg_jstr(a, "status"), *to = t->to, *result = NULL;
	const char *wo = fg_jstr(in, "work_order_id"), *point = fg_jstr(in, "point_no"), *reading = fg_jstr(in, "reading");
	int64_t now = fg_now_ms();
	char today[11];
	day_today(today);
	int rc = DB_DONE;
	if (strcmp(action, "issue") == 0) {
		rc = db_run(db_q(db, "UPDATE metering_assets SET status = 'issued', holder_id = $1, work_order_id = $2, "
				     "updated_at = $3, version = version + 1 WHERE id = $4", "ttit", fg_jstr(in, "holder_id"), wo, now, id));
		/* the check let it through: a hold on it is the holder's own, and ends here */
		if (rc == DB_DONE && assets_hold_consume(db, actor_id, id, now) != 0)
			return -1;
	} else if (strcmp(action, "return") == 0 || strcmp(action, "send") == 0 || strcmp(action, "scrap") == 0) {
		rc = db_run(db_q(db, "UPDATE metering_assets SET status = $1, holder_id = NULL, "
				     "work_order_id = CASE WHEN $1 = 'scrapped' THEN work_order_id ELSE NULL END, "
				     "updated_at = $2, version = version + 1 WHERE id = $3", "tit", to, now, id));
		if (strcmp(action, "scrap") == 0)
			result = fg_jstr(in, "reason");
	} else if (strcmp(action, "install") == 0 || strcmp(action, "apply") == 0) {
		if (!wo)
			wo = fg_jstr(a, "work_order_id");
		rc = db_run(db_q(db, "UPDATE metering_assets SET status = 'installed', holder_id = NULL, work_order_id = $1, "
				     "point_no = $2, transformer_area = $3, installed_on = $4, updated_at = $5, version = version + 1 "
				     "WHERE id = $6", "ttttit", wo, point, fg_jstr(in, "transformer_area"), today, now, id));
		char iid[37];
		fg_uuid7(iid);
		if (rc == DB_DONE)
			rc = db_run(db_q(db, "INSERT INTO metering_point_installs (id, point_no, asset_id, kind, position, installed_at, "
					     "installed_by, install_order_id, install_reading) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
				"tttttitt" "t", iid, point, id, fg_jstr(a, "kind"), fg_jstr(in, "position"), now, actor_id, wo, reading));
	} else if (strcmp(action, "remove") == 0 || strcmp(action, "break") == 0) {
		point = fg_jstr(a, "point_no");
		result = fg_jstr(in, "reason");
		rc = db_run(db_q(db, "UPDATE metering_assets SET status = 'removed', holder_id = NULL, "
				     "work_order_id = COALESCE($1, work_order_id), point_no = NULL, transformer_area = NULL, "
				     "installed_on = NULL, updated_at = $2, version = version + 1 WHERE id = $3", "tit", wo, now, id));
		if (rc == DB_DONE)
			rc = db_run(db_q(db, "UPDATE metering_point_installs SET removed_at = $1, removed_by = $2, remove_order_id = $3, "
					     "removal_reading = $4, removal_reason = $5 WHERE asset_id = $6 AND removed_at IS NULL",
				"itttt" "t", now, actor_id, wo, reading, result, id));
	} else if (strcmp(action, "verify") == 0) {
		result = fg_jstr(in, "result");
		bool passed = strcmp(result, "passed") == 0;
		/* failed: scrapped, unless the lab keeps it for repair (back to removed: it may be sent again) */
		to = passed ? "in_stock" : json_is_true(json_object_get(in, "repair")) ? "removed" : "scrapped";
		const char *on = fg_jstr(in, "verified_on");
		rc = db_run(db_q(db, "UPDATE metering_assets SET status = $1, verified_on = CASE WHEN $2 = 1 THEN $3 ELSE verified_on END, "
				     "holder_id = NULL, work_order_id = NULL, updated_at = $4, version = version + 1 WHERE id = $5",
			"tbtit", to, passed, on ? on : today, now, id));
	}
	if (rc != DB_DONE)
		return -1;
	char mid[37];
	fg_uuid7(mid);
	if (db_run(db_q(db, "INSERT INTO metering_asset_moves (id, asset_id, move, from_status, to_status, at, actor_id, holder_id, "
			    "org_unit_id, work_order_id, point_no, reading, result, note) "
			    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
		    "ttttti" "tttttttt", mid, id, t->move, from, to, now, actor_id,
		    strcmp(action, "issue") == 0 ? fg_jstr(in, "holder_id") : fg_jstr(a, "holder_id"), fg_jstr(a, "org_unit_id"),
		    wo ? wo : fg_jstr(a, "work_order_id"), point, reading, result, fg_jstr(in, "note"))) != DB_DONE)
		return -1;
	json_t *after = row(db, id);
	if (!after || audit_write(db, actor_id, action, "metering_asset", id, a, after) != 0) {
		json_decref(after);
		return -1;
	}
	if (out)
		*out = after;
	else
		json_decref(after);
	return 0;
}

/* Lock, load, move: the asset's row is locked before its state is read, so of two moves racing on PostgreSQL the
 * second reads the first one's result and is refused by it. by_no: id is the asset number. */
static int
move_locked(db_t *db, const char *actor_id, const char *key, bool by_no, const char *action, json_t *in,
    json_t **after, fg_err_t *err)
{
	int rc;
	const char *id = key;
	json_t *found = NULL;
	if (by_no) {
		found = db_one(db_q(db, "SELECT id FROM metering_assets WHERE asset_no = $1", "t", key), &rc);
		if (!found)
			return rc == DB_DONE ? fg_err_not_found(err, "metering_asset", key) : -1;
		id = fg_jstr(found, "id");
	}
	if (db_lock_row(db, "metering_assets", id) != 0) {
		json_decref(found);
		return -1;
	}
	json_t *a = row(db, id);
	json_decref(found);
	if (!a)
		return fg_err_not_found(err, "metering_asset", key);
	int out = apply(db, actor_id, a, action, in, after, err);
	json_decref(a);
	return out;
}

int
assets_move(db_t *db, const char *actor_id, const char *id, const char *action, json_t *in, json_t **out,
    fg_err_t *err)
{
	if (db_begin(db) != 0)
		return db_fail(db, err);
	json_t *after = NULL;
	if (move_locked(db, actor_id, id, false, action, in, &after, err) != 0)
		return db_fail(db, err);
	json_decref(after);
	if (db_commit(db) != 0)
		return db_fail(db, err);
	*out = assets_get(db, id);
	return *out ? 0 : fg_err(err, "internal");
}

int
assets_move_by_no(db_t *db, const char *actor_id, const char *asset_no, const char *action, json_t *in,
    fg_err_t *err)
{
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (move_locked(db, actor_id, asset_no, true, action, in, NULL, err) != 0)
		return db_fail(db, err);
	if (db_commit(db) != 0)
		return db_fail(db, err);
	return 0;
}

/* install / remove by number for sibling modules: a seal's install is its apply, its removal its break. */
static int
by_kind(db_t *db, const char *actor_id, const char *asset_no, bool install, json_t *in, fg_err_t *err)
{
	int rc;
	json_t *k = db_one(db_q(db, "SELECT kind FROM metering_assets WHERE asset_no = $1", "t", asset_no), &rc);
	if (!k) {
		json_decref(in);
		return rc == DB_DONE ? fg_err_not_found(err, "metering_asset", asset_no) : fg_err(err, "internal");
	}
	bool seal = strcmp(fg_jstr(k, "kind"), "seal") == 0;
	json_decref(k);
	int out = assets_move_by_no(db, actor_id, asset_no, install ? (seal ? "apply" : "install") : (seal ? "break" : "remove"),
	    in, err);
	json_decref(in);
	return out;
}

static json_t *
body(const char *k1, const char *v1, const char *k2, const char *v2, const char *k3, const char *v3, const char *k4,
    const char *v4)
{
	json_t *o = json_object();
	const char *k[] = {k1, k2, k3, k4}, *v[] = {v1, v2, v3, v4};
	for (int i = 0; i < 4; i++)
		if (k[i] && v[i])
			json_object_set_new(o, k[i], json_string(v[i]));
	return o;
}

int
assets_install(db_t *db, const char *actor_id, const char *asset_no, const char *point_no,
    const char *work_order_id, const char *reading, const char *position, fg_err_t *err)
{
	return by_kind(db, actor_id, asset_no, true,
	    body("point_no", point_no, "work_order_id", work_order_id, "reading", reading, "position", position), err);
}

int
assets_remove(db_t *db, const char *actor_id, const char *asset_no, const char *work_order_id,
    const char *reading, const char *reason, fg_err_t *err)
{
	return by_kind(db, actor_id, asset_no, false,
	    body("work_order_id", work_order_id, "reading", reading, "reason", reason, NULL, NULL), err);
}

int
assets_issue_items(db_t *db, const char *actor_id, const char *holder_id, json_t *pairs, const char *note, json_t *done,
    json_t *failed)
{
	size_t k;
	json_t *it;
	json_array_foreach(pairs, k, it) {
		const char *no = fg_jstr(it, "asset_no"), *wo = fg_jstr(it, "work_order_id");
		if (!no) {
			json_array_append_new(failed, json_pack("{s:n, s:s}", "asset_no", "code", "invalid_field"));
			continue;
		}
		json_t *b = body("holder_id", holder_id, "work_order_id", wo, "note", note, NULL, NULL), *after = NULL;
		fg_err_t e = FG_ERR_INIT;
		int rc = move_locked(db, actor_id, no, true, "issue", b, &after, &e);
		json_decref(b);
		if (rc != 0) {
			if (!e.code) /* a database error, not a refusal */
				return -1;
			json_t *f = json_pack("{s:s, s:s}", "asset_no", no, "code", e.code);
			static const char *const keep[] = {"field", "status", "reservation_id", "reserved_for", NULL};
			for (int j = 0; keep[j]; j++)
				if (json_object_get(e.details, keep[j]))
					json_object_set(f, keep[j], json_object_get(e.details, keep[j]));
			json_array_append_new(failed, f);
			fg_err_clear(&e);
			continue;
		}
		json_array_append_new(done, after);
	}
	return 0;
}

void
assets_batch_pairs(json_t *in, bool no_number_fails, json_t *pairs, json_t *failed)
{
	json_t *orders = json_object_get(in, "work_order_ids"), *nos = json_object_get(in, "asset_nos"),
	       *items = json_object_get(in, "items"), *v;
	const char *first = json_string_value(json_array_get(orders, 0));
	size_t n = json_array_size(nos) + json_array_size(items), i;
	for (size_t k = 0; k < n; k++) {
		const char *no, *wo = first;
		if (k < json_array_size(nos))
			no = json_string_value(json_array_get(nos, k));
		else {
			json_t *it = json_array_get(items, k - json_array_size(nos));
			no = fg_jstr(it, "asset_no");
			if (fg_jstr(it, "work_order_id"))
				wo = fg_jstr(it, "work_order_id");
		}
		bool listed = false;
		json_array_foreach(orders, i, v) if (strcmp(json_string_value(v), wo) == 0) listed = true;
		if (!no && no_number_fails)
			json_array_append_new(failed, json_pack("{s:n, s:s, s:s}", "asset_no", "code", "invalid_field", "field", "asset_no"));
		else if (no && !listed)
			json_array_append_new(failed, json_pack("{s:s, s:s, s:s}", "asset_no", no, "code", "invalid_field", "field", "work_order_id"));
		else
			json_array_append_new(pairs, json_pack("{s:s?, s:s}", "asset_no", no, "work_order_id", wo));
	}
}

int
assets_batch_issue(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	json_t *orders = json_object_get(in, "work_order_ids"), *nos = json_object_get(in, "asset_nos"),
	       *items = json_object_get(in, "items");
	const char *holder = fg_jstr(in, "holder_id");
	if (!json_is_array(orders) || json_array_size(orders) == 0)
		return fg_err_field(err, "missing_field", "work_order_ids", "one or more work orders");
	if (!json_is_array(nos) && !json_is_array(items))
		return fg_err_field(err, "missing_field", "asset_nos", "the asset numbers to issue");
	size_t n = json_array_size(nos) + json_array_size(items);
	if (n == 0 || n > 500)
		return fg_err_field(err, "invalid_field", "asset_nos", "1 to 500 assets");
	size_t i;
	json_t *v;
	json_array_foreach(orders, i, v) if (!json_is_string(v))
		return fg_err_field(err, "invalid_field", "work_order_ids", "work order ids");
	json_t *failed = json_array(), *done = json_array(), *pairs = json_array();
	assets_batch_pairs(in, false, pairs, failed);
	if (db_begin(db) != 0) {
		json_decref(failed);
		json_decref(done);
		json_decref(pairs);
		return db_fail(db, err);
	}
	int rc = assets_issue_items(db, actor_id, holder, pairs, fg_jstr(in, "note"), done, failed);
	json_decref(pairs);
	if (rc != 0) {
		json_decref(failed);
		json_decref(done);
		return db_fail(db, err);
	}
	if (json_array_size(failed)) { /* all or nothing: one asset that cannot go keeps every other one in stock */
		json_decref(done);
		fg_err(err, "metering_batch_refused");
		fg_err_detail(err, "items", failed);
		return db_fail(db, err);
	}
	json_decref(failed);
	if (db_commit(db) != 0) {
		json_decref(done);
		return db_fail(db, err);
	}
	*out = json_pack("{s:o, s:I}", "items", done, "count", (json_int_t)json_array_size(done));
	return 0;
}
