/* Idempotency-Key on writes (DESIGN.md §5, §9). Crews work offline and replay an outbox when signal returns; a
 * replay must not record a step or tick a measure twice, and a crash must not leave a key that blocks or doubles.
 *
 * A keyed write runs inside one transaction the router holds around its handler: idem_begin opens it and claims
 * the key (INSERT), the handler's own transactions nest as savepoints, and idem_end writes the answer into the
 * key's row and commits. The key and the change it guards are committed together or not at all: a crash (kill -9,
 * power cut) before the commit leaves neither, so the replay performs the write once; after it leaves both, so the
 * replay gets the stored answer with Idempotent-Replayed: true. A 5xx answer rolls everything back (nothing
 * committed, the key free again). Effects outside the database wait for the commit (db_after_commit).
 *
 * Concurrent duplicates: the key's primary key serialises them. On PostgreSQL the second INSERT … ON CONFLICT waits
 * for the first transaction, then sees its committed row and answers from it; on SQLite BEGIN IMMEDIATE lets one
 * writer at a time in, so the second finds the row committed. Keys live IDEM_TTL_MS; an expired row is reclaimed
 * in place, and the scheduler sweeps them (core/jobs/maintenance.c). The storage part (idem_claim, idem_store) is
 * declared in idempotency.h for its unit test. */
#include <string.h>
#include "core/base/log.h"
#include "core/http/http.h"
#include "core/http/idempotency.h"

/* The claim: a new key, or an expired one (or a claim the old scheme left committed, status 0), is taken; a live
 * answer is left alone, no row comes back, and the stored row is read instead. */
enum idem_claim
idem_claim(db_t *db, const char *user_id, const char *key, const char *method, const char *path, int64_t now,
    json_t **stored)
{
	int rc;
	*stored = NULL;
	json_t *won = db_one(db_q(db,
	    "INSERT INTO idempotency_keys (user_id, key, method, path, status, created_at) VALUES ($1, $2, $3, $4, 0, $5) "
	    "ON CONFLICT (user_id, key) DO UPDATE SET method = excluded.method, path = excluded.path, status = 0, body = NULL, "
	    "created_at = excluded.created_at WHERE idempotency_keys.created_at < $6 OR idempotency_keys.status = 0 "
	    "RETURNING status",
	    "ttttii", user_id, key, method, path, now, now - IDEM_TTL_MS), &rc);
	if (won) {
		json_decref(won);
		return IDEM_CLAIMED;
	}
	if (rc != DB_DONE) {
		log_warn("idempotency: cannot claim a key: %s", db_errmsg(db));
		return IDEM_FAILED;
	}
	json_t *row = db_one(db_q(db, "SELECT method, path, status, body FROM idempotency_keys WHERE user_id = $1 AND key = $2",
	    "tt", user_id, key), &rc);
	if (!row) { /* the claim just met it committed and live; only a database error gets here */
		log_warn("idempotency: a key vanished between claim and read: %s", db_errmsg(db));
		return IDEM_FAILED;
	}
	*stored = row;
	if (strcmp(json_string_value(json_object_get(row, "method")), method) != 0 ||
	    strcmp(json_string_value(json_object_get(row, "path")), path) != 0)
		return IDEM_REUSED;
	return json_integer_value(json_object_get(row, "status")) == 0 ? IDEM_IN_PROGRESS : IDEM_REPLAY;
}

int
idem_store(db_t *db, const char *user_id, const char *key, int status, const char *body)
{
	return db_run(db_q(db, "UPDATE idempotency_keys SET status = $1, body = $2 WHERE user_id = $3 AND key = $4", "ittt",
	    (int64_t)status, body, user_id, key));
}

/* Answers a key this request could not claim: the first answer, or a reuse on another route. Runs inside the
 * request's transaction, which the caller rolls back. */
static void
replay(req_t *r, enum idem_claim c, json_t *row)
{
	fg_err_t e = FG_ERR_INIT;
	if (c == IDEM_FAILED) {
		http_error_code(r, "internal");
	} else if (c == IDEM_REUSED) {
		fg_err(&e, "idempotency_key_reused");
		fg_err_detail_str(&e, "path", json_string_value(json_object_get(row, "path")));
		http_error(r, &e);
	} else if (c == IDEM_IN_PROGRESS) {
		http_error_code(r, "idempotency_in_progress");
	} else {
		int status = (int)json_integer_value(json_object_get(row, "status"));
		const char *body = json_string_value(json_object_get(row, "body"));
		http_json(r, status, body ? json_loads(body, JSON_DECODE_ANY, NULL) : json_null());
		if (status == 204)
			http_no_content(r);
		http_header(r, "Idempotent-Replayed", "true");
	}
}

int
idem_begin(req_t *r)
{
	const char *key = http_header_in(r, "Idempotency-Key");
	if (!key || !r->authed)
		return 0;
	fg_err_t e = FG_ERR_INIT;
	if (!*key || strlen(key) > 100) {
		fg_err_field(&e, "invalid_field", "Idempotency-Key", "1 to 100 characters");
		http_error(r, &e);
		return -1;
	}
	int brc = db_in_tx(r->db) ? DB_ERR : db_begin(r->db);
	if (brc != 0) {
		/* DB_BUSY: SQLite's write lock stayed taken past busy_timeout (a long write, or a copy of this one) */
		log_warn("idempotency: cannot open the request's transaction: %s", db_errmsg(r->db));
		if (db_in_tx(r->db))
			db_rollback(r->db);
		http_error_code(r, brc == DB_BUSY ? "unavailable" : "internal");
		return -1;
	}
	json_t *row;
	enum idem_claim c = idem_claim(r->db, r->user.id, key, r->method, r->path, fg_now_ms(), &row);
	if (c == IDEM_CLAIMED) {
		r->idem_key = key;
		return 0;
	}
	replay(r, c, row);
	json_decref(row);
	db_rollback(r->db);
	return -1;
}

void
idem_end(req_t *r)
{
	if (!r->idem_key)
		return;
	if (db_depth(r->db) != 1) { /* the handler left one of its own transactions open (a bug): keep nothing */
		log_error("%s %s left a transaction open inside its keyed write; rolled back", r->method, r->path);
		while (db_in_tx(r->db))
			db_rollback(r->db);
		http_error_code(r, "internal");
		return;
	}
	if (r->status >= 500) { /* nothing of it is kept: the key is free for the client's next try */
		db_rollback(r->db);
		return;
	}
	if (idem_store(r->db, r->user.id, r->idem_key, r->status, r->resp_copy) != DB_DONE ||
	    db_commit(r->db) != 0) {
		/* the write and its key are gone together: the client must hear it failed, and may try again */
		log_warn("idempotency: cannot commit a keyed write: %s", db_errmsg(r->db));
		if (db_in_tx(r->db))
			db_rollback(r->db);
		http_error_code(r, "internal");
	}
}
