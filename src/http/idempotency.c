/* Idempotency-Key on writes (DESIGN.md §5, §9). Crews work offline and replay an outbox when signal returns; a
 * replay must not record a step or tick a measure twice. The key is claimed before the handler runs (so a
 * concurrent duplicate is refused, not run twice), the answer is kept after it, and a replay gets that answer
 * back with Idempotent-Replayed: true. Answers of 5xx release the key so the client may try again. Keys live 24 h. */
#include <string.h>
#include "base/log.h"
#include "http/http.h"

#define IDEM_TTL_MS (24LL * 3600 * 1000)

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
	int rc;
	int64_t now = fg_now_ms();
	json_t *row = db_one(db_q(r->db,
	    "SELECT method, path, status, body, created_at FROM idempotency_keys WHERE user_id = $1 AND key = $2", "tt",
	    r->user.id, key), &rc);
	if (row && json_integer_value(json_object_get(row, "created_at")) < now - IDEM_TTL_MS) {
		if (db_run(db_q(r->db, "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2", "tt", r->user.id, key)) != DB_DONE)
			log_warn("idempotency: cannot drop an expired key");
		json_decref(row);
		row = NULL;
	}
	if (row) {
		const char *m = json_string_value(json_object_get(row, "method")), *p = json_string_value(json_object_get(row, "path"));
		int status = (int)json_integer_value(json_object_get(row, "status"));
		if (strcmp(m, r->method) != 0 || strcmp(p, r->path) != 0) {
			fg_err(&e, "idempotency_key_reused");
			fg_err_detail_str(&e, "path", p);
			http_error(r, &e);
		} else if (status == 0) {
			http_error_code(r, "idempotency_in_progress");
		} else {
			const char *body = json_string_value(json_object_get(row, "body"));
			http_json(r, status, body ? json_loads(body, JSON_DECODE_ANY, NULL) : json_null());
			if (status == 204)
				http_no_content(r);
			http_header(r, "Idempotent-Replayed", "true");
		}
		json_decref(row);
		return -1;
	}
	rc = db_run(db_q(r->db,
	    "INSERT INTO idempotency_keys (user_id, key, method, path, status, created_at) VALUES ($1, $2, $3, $4, 0, $5)",
	    "tttti", r->user.id, key, r->method, r->path, now));
	if (rc == DB_CONFLICT) { /* the same key arrived twice at once */
		http_error_code(r, "idempotency_in_progress");
		return -1;
	}
	if (rc != DB_DONE) {
		http_error_code(r, "internal");
		return -1;
	}
	r->idem_key = key;
	return 0;
}

void
idem_end(req_t *r)
{
	if (!r->idem_key)
		return;
	int rc;
	if (r->status >= 500)
		rc = db_run(db_q(r->db, "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2", "tt", r->user.id, r->idem_key));
	else
		rc = db_run(db_q(r->db, "UPDATE idempotency_keys SET status = $1, body = $2 WHERE user_id = $3 AND key = $4", "itt" "t",
		    (int64_t)r->status, r->resp_copy, r->user.id, r->idem_key));
	if (rc != DB_DONE)
		log_warn("idempotency: cannot record the answer for a key");
}
