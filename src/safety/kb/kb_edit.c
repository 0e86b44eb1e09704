/* Admins edit the knowledge base (R3.11): an edit replaces the built-in item with the same key, or adds one;
 * deleting the edit brings the built-in item back. Items are checked per collection, because the rules read
 * them: a work kind must name ticket kinds, SOPs and risks that exist, a ticket kind may never allow
 * single-person work, an SOP's steps are numbered 1…n. Every change is audited and bumps kb.generation. */
#include <string.h>
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "safety/kb/kb.h"

static bool
nonempty(json_t *o, const char *k)
{
	const char *v = fg_jstr(o, k);
	return v && *v;
}

static bool
int_in(json_t *o, const char *k, json_int_t lo, json_int_t hi)
{
	json_t *v = json_object_get(o, k);
	return json_is_integer(v) && json_integer_value(v) >= lo && json_integer_value(v) <= hi;
}

static int
bad(fg_err_t *err, const char *field, const char *reason)
{
	char f[64];
	fg_fmt(f, sizeof f, "item.%s", field);
	return fg_err_field(err, "invalid_field", f, reason);
}

static int
check_sop(json_t *it, fg_err_t *err)
{
	json_t *steps = json_object_get(it, "steps"), *st, *r;
	size_t i, j;
	if (json_array_size(steps) == 0)
		return bad(err, "steps", "at least one step");
	json_array_foreach(steps, i, st) {
		if (!int_in(st, "no", (json_int_t)i + 1, (json_int_t)i + 1))
			return bad(err, "steps", "steps are numbered 1…n in order");
		if (!nonempty(st, "title_zh"))
			return bad(err, "steps", "each step has a title_zh");
		json_t *seen = json_object();
		json_array_foreach(json_object_get(st, "records"), j, r) {
			static const char *const types[] = {"text", "asset_no", "reading", "number", "ratio", "choice", NULL};
			int t;
			for (t = 0; types[t] && (!fg_jstr(r, "type") || strcmp(types[t], fg_jstr(r, "type")) != 0); t++)
				;
			if (!nonempty(r, "key") || json_object_get(seen, fg_jstr(r, "key")) || !types[t] ||
			    (strcmp(types[t], "choice") == 0 && json_array_size(json_object_get(r, "choices")) == 0)) {
				json_decref(seen);
				return bad(err, "steps", "records have unique keys, a known type, and choices for a choice");
			}
			json_object_set_new(seen, fg_jstr(r, "key"), json_true());
		}
		json_decref(seen);
	}
	return 0;
}

static int
check_item(const char *coll, const char *key, json_t *it, fg_err_t *err)
{
	const char *kf = kb_key_field(coll);
	if (!json_is_object(it))
		return fg_err_field(err, "invalid_field", "item", "an object");
	if (!fg_jstr(it, kf) || strcmp(fg_jstr(it, kf), key) != 0)
		return bad(err, kf, "must equal the key in the path");
	if (!nonempty(it, "source"))
		return bad(err, "source", "name where the content comes from");
	if (!nonempty(it, strcmp(coll, "risks") == 0 ? "hazard_zh" : "name_zh"))
		return bad(err, strcmp(coll, "risks") == 0 ? "hazard_zh" : "name_zh", "must not be empty");
	size_t i;
	json_t *v;
	if (strcmp(coll, "risks") == 0) {
		if (!int_in(it, "level", 1, 5))
			return bad(err, "level", "1 (highest) to 5");
		if (json_array_size(json_object_get(it, "measures")) == 0)
			return bad(err, "measures", "at least one control measure");
		/* a key risk asks for a photo when confirmed on site (fieldwork/tickets); the only kind of evidence so far */
		json_t *ev = json_object_get(it, "evidence");
		if (ev && !json_is_null(ev) && !(json_is_string(ev) && strcmp(json_string_value(ev), "photo") == 0))
			return bad(err, "evidence", "\"photo\" or absent");
		json_array_foreach(json_object_get(it, "measures"), i, v) if (!nonempty(v, "id") || !nonempty(v, "text_zh")) return bad(err, "measures", "each measure has an id and text_zh");
	} else if (strcmp(coll, "ticket_kinds") == 0) {
		if (!int_in(it, "min_people", 2, 50)) /* no single-person work, whatever anyone types */
			return bad(err, "min_people", "at least 2");
		if (!json_is_boolean(json_object_get(it, "extendable")))
			return bad(err, "extendable", "true or false");
		if (!int_in(it, "validity_hours_default", 1, 168))
			return bad(err, "validity_hours_default", "1 to 168");
	} else if (strcmp(coll, "work_kinds") == 0) {
		if (!int_in(it, "risk_level", 1, 5))
			return bad(err, "risk_level", "1 (highest) to 5");
		if (!kb_find("ticket_kinds", "code", fg_jstr(it, "default_ticket_kind")))
			return bad(err, "default_ticket_kind", "a ticket kind that exists");
		if (fg_jstr(it, "sop") && !kb_find("sops", "code", fg_jstr(it, "sop")))
			return bad(err, "sop", "an SOP that exists");
		if (fg_jstr(it, "briefing") && !kb_find("briefings", "code", fg_jstr(it, "briefing")))
			return bad(err, "briefing", "a briefing that exists");
		json_array_foreach(json_object_get(it, "risks"), i, v) if (!kb_find("risks", "id", json_string_value(v))) return bad(err, "risks", "risk ids that exist");
	} else if (strcmp(coll, "sops") == 0) {
		return check_sop(it, err);
	} else if (strcmp(coll, "briefings") == 0) {
		if (json_array_size(json_object_get(it, "safety_zh")) == 0)
			return bad(err, "safety_zh", "the safety briefing is not optional");
	} else if (strcmp(coll, "tool_kinds") == 0) {
		if (!int_in(it, "test_cycle_months", 1, 120))
			return bad(err, "test_cycle_months", "1 to 120");
	} else if (strcmp(coll, "inspection_kinds") == 0) {
		const char *p = fg_jstr(it, "period");
		if (!p || (strcmp(p, "month") != 0 && strcmp(p, "quarter") != 0 && strcmp(p, "year") != 0))
			return bad(err, "period", "month, quarter or year");
		if (json_array_size(json_object_get(it, "items")) == 0)
			return bad(err, "items", "at least one checklist item");
		json_array_foreach(json_object_get(it, "items"), i, v) if (!nonempty(v, "code") || !nonempty(v, "text_zh") || !nonempty(v, "applies")) return bad(err, "items", "each item has a code, text_zh and applies");
	}
	return 0;
}

/* The item as the rules see it now: the edit if there is one, else the built-in one (a new reference). */
static json_t *
current(db_t *db, const char *coll, const char *key)
{
	int rc;
	json_t *row = db_one(db_q(db, "SELECT body FROM kb_overrides WHERE collection = $1 AND key = $2", "tt", coll, key), &rc);
	json_t *it = row ? json_loads(fg_jstr(row, "body"), 0, NULL) : NULL;
	json_decref(row);
	if (!it && kb_builtin(coll, key))
		it = json_incref(kb_builtin(coll, key));
	return it;
}

static int
bump(db_t *db)
{
	return db_run(db_prepare(db, "UPDATE settings SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) WHERE key = 'kb.generation'")) ==
		DB_DONE ? 0 : -1;
}

int
kb_put(db_t *db, const char *actor_id, const char *coll, const char *key, json_t *item, json_t **out, fg_err_t *err)
{
	if (!kb_collection_known(coll))
		return fg_err_not_found(err, "kb_collection", coll);
	if (check_item(coll, key, item, err))
		return -1;
	char *body = json_dumps(item, JSON_COMPACT | JSON_SORT_KEYS);
	if (db_begin(db) != 0) {
		free(body);
		return db_fail(db, err);
	}
	/* the audit's before is the entry as locked: two admins saving at once are recorded one after the other */
	if (db_lock_where(db, "kb_overrides", "collection", coll, "key", key, NULL) != 0) {
		free(body);
		return db_fail(db, err);
	}
	json_t *before = current(db, coll, key);
	int rc = db_run(db_q(db,
	    "INSERT INTO kb_overrides (collection, key, body, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5) "
	    "ON CONFLICT (collection, key) DO UPDATE SET body = excluded.body, updated_by = excluded.updated_by, "
	    "updated_at = excluded.updated_at, version = kb_overrides.version + 1",
	    "tttti", coll, key, body, actor_id, fg_now_ms()));
	free(body);
	char id[160];
	fg_fmt(id, sizeof id, "%s/%s", coll, key);
	if (rc != DB_DONE || bump(db) != 0 || audit_write(db, actor_id, before ? "update" : "create", "kb_item", id, before, item) != 0 ||
	    db_commit(db) != 0) {
		json_decref(before);
		return db_fail(db, err);
	}
	json_decref(before);
	*out = json_incref(item);
	return 0;
}

int
kb_delete_edit(db_t *db, const char *actor_id, const char *coll, const char *key, fg_err_t *err)
{
	if (db_begin(db) != 0 || db_lock_where(db, "kb_overrides", "collection", coll, "key", key, NULL) != 0)
		return db_fail(db, err);
	int rc;
	json_t *row = db_one(db_q(db, "SELECT body FROM kb_overrides WHERE collection = $1 AND key = $2", "tt", coll, key), &rc);
	if (!row) {
		fg_err_not_found(err, "kb_edit", key);
		return db_fail(db, err);
	}
	json_t *before = json_loads(fg_jstr(row, "body"), 0, NULL);
	json_decref(row);
	char id[160];
	fg_fmt(id, sizeof id, "%s/%s", coll, key);
	json_t *after = kb_builtin(coll, key); /* borrowed; NULL when the item was added, not edited */
	if (db_run(db_q(db, "DELETE FROM kb_overrides WHERE collection = $1 AND key = $2", "tt", coll, key)) != DB_DONE ||
	    bump(db) != 0 || audit_write(db, actor_id, "revert", "kb_item", id, before, after) != 0 || db_commit(db) != 0) {
		json_decref(before);
		return db_fail(db, err);
	}
	json_decref(before);
	return 0;
}
