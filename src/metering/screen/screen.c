/* Display links of the large screen (screen.h): made, listed and revoked by a metering admin, resolved by the
 * screen's data route. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/base/qr.h"
#include "metering/screen/screen.h"

#define LINK_COLS                                                                                                    \
	"l.id, l.name, l.created_at, l.last_used_at, l.revoked_at, l.created_by, c.display_name AS created_by_name, "  \
	"l.revoked_by, r.display_name AS revoked_by_name"
#define LINK_FROM " FROM screen_links l JOIN users c ON c.id = l.created_by LEFT JOIN users r ON r.id = l.revoked_by"

static void
token_hash(const char *token, char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
	fg_hex(h, sizeof h, out);
}

/* The row as the API shows it: who made and revoked it as {id, display_name}. */
static json_t *
shape(json_t *r)
{
	json_t *by = json_pack("{s:O, s:O}", "id", json_object_get(r, "created_by"), "display_name",
	    json_object_get(r, "created_by_name"));
	json_t *rv = json_is_null(json_object_get(r, "revoked_by")) || !json_object_get(r, "revoked_by")
	    ? json_null()
	    : json_pack("{s:O, s:O}", "id", json_object_get(r, "revoked_by"), "display_name", json_object_get(r, "revoked_by_name"));
	json_object_del(r, "created_by_name");
	json_object_del(r, "revoked_by_name");
	json_object_set_new(r, "created_by", by);
	json_object_set_new(r, "revoked_by", rv);
	return r;
}

static json_t *
link_get(db_t *db, const char *id)
{
	int rc;
	json_t *r = db_one(db_q(db, "SELECT " LINK_COLS LINK_FROM " WHERE l.id = $1", "t", id), &rc);
	return r ? shape(r) : NULL;
}

/* "http(s)://authority" and nothing more: no path, query, fragment or space */
static bool
origin_ok(const char *u)
{
	const char *a = strncmp(u, "https://", 8) == 0 ? u + 8 : strncmp(u, "http://", 7) == 0 ? u + 7 : NULL;
	return a && *a && strlen(u) <= 200 && strcspn(a, "/?#@ \t\r\n\"<>\\") == strlen(a);
}

int
screen_link_create(db_t *db, const char *actor_id, const char *name, const char *base_url, json_t **out, fg_err_t *err)
{
	if (base_url && !origin_ok(base_url))
		return fg_err_field(err, "invalid_field", "base_url", "the desk's origin, http(s)://host[:port]");
	size_t n = name ? strlen(name) : 0;
	while (n && (name[0] == ' ' || name[0] == '\t'))
		name++, n--;
	if (!n)
		return fg_err_field(err, "missing_field", "name", "the screen's name (where it hangs)");
	unsigned char raw[32];
	char token[SCREEN_TOKEN_LEN], hash[65], id[37];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(token, sizeof token, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	token_hash(token, hash);
	fg_uuid7(id);
	int64_t now = fg_now_ms();
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_run(db_q(db, "INSERT INTO screen_links (id, name, token_hash, created_by, created_at, updated_at) "
			    "VALUES ($1, $2, $3, $4, $5, $5)", "tttti", id, name, hash, actor_id, now)) != DB_DONE)
		return db_fail(db, err);
	json_t *after = link_get(db, id);
	if (!after)
		return db_fail(db, err);
	if (audit_commit(db, actor_id, "create", "screen_link", id, NULL, after, out, err) != 0) {
		sodium_memzero(token, sizeof token);
		return -1;
	}
	char path[80], url[300];
	fg_fmt(path, sizeof path, "/screen.html#t=%s", token);
	json_object_set_new(*out, "token", json_string(token));
	json_object_set_new(*out, "path", json_string(path));
	if (base_url) {
		fg_fmt(url, sizeof url, "%s%s", base_url, path);
		char *svg = fg_qr_svg(url);
		json_object_set_new(*out, "url", json_string(url));
		json_object_set_new(*out, "qr_svg", svg ? json_string(svg) : json_null());
		free(svg);
		sodium_memzero(url, sizeof url);
	}
	sodium_memzero(path, sizeof path);
	sodium_memzero(token, sizeof token);
	return 0;
}

json_t *
screen_links_list(db_t *db)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT " LINK_COLS LINK_FROM " ORDER BY l.created_at DESC, l.id DESC", ""), &rc);
	if (!rows)
		return NULL;
	json_t *r;
	size_t i;
	json_array_foreach(rows, i, r) shape(r);
	return json_pack("{s:o}", "items", rows);
}

int
screen_link_revoke(db_t *db, const char *actor_id, const char *id, json_t **out, fg_err_t *err)
{
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "screen_links", id) != 0)
		return db_fail(db, err);
	json_t *before = link_get(db, id);
	if (!before) {
		db_rollback(db);
		return fg_err_not_found(err, "screen_link", id);
	}
	if (!json_is_null(json_object_get(before, "revoked_at"))) { /* already revoked: nothing to change or audit */
		db_rollback(db);
		*out = before;
		return 0;
	}
	int64_t now = fg_now_ms();
	if (db_run(db_q(db, "UPDATE screen_links SET revoked_at = $1, revoked_by = $2, updated_at = $1, version = version + 1 "
			    "WHERE id = $3", "itt", now, actor_id, id)) != DB_DONE) {
		json_decref(before);
		return db_fail(db, err);
	}
	json_t *after = link_get(db, id);
	if (!after) {
		json_decref(before);
		return db_fail(db, err);
	}
	return audit_commit(db, actor_id, "revoke", "screen_link", id, before, after, out, err);
}

int
screen_link_resolve(db_t *db, const char *token, char **name, fg_err_t *err)
{
	/* a staff session's token or anything else of another length is not a display link's: same refusal as unknown */
	if (!token || strlen(token) != SCREEN_TOKEN_LEN - 1)
		return fg_err(err, "screen_link_invalid");
	char h[65];
	int rc;
	token_hash(token, h);
	json_t *row = db_one(db_q(db, "SELECT id, name, last_used_at, revoked_at FROM screen_links WHERE token_hash = $1", "t", h), &rc);
	if (!row)
		return rc == DB_DONE ? fg_err(err, "screen_link_invalid") : db_fail(db, err);
	if (!json_is_null(json_object_get(row, "revoked_at"))) {
		json_decref(row);
		return fg_err(err, "screen_link_revoked");
	}
	int64_t now = fg_now_ms(), used = json_integer_value(json_object_get(row, "last_used_at"));
	/* not audited: a use is not a change of the link (as a staff session's last_seen_at) */
	if (now - used >= 60000 && !db_in_tx(db) &&
	    db_run(db_q(db, "UPDATE screen_links SET last_used_at = $1 WHERE id = $2", "it", now,
		json_string_value(json_object_get(row, "id")))) != DB_DONE)
		db_errclear(db); /* a missed note of use is no reason to blank a screen */
	*name = fg_strdup(json_string_value(json_object_get(row, "name")));
	json_decref(row);
	return 0;
}
