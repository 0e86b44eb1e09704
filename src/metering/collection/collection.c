/* Collection anomalies (collection.h): the system key, ingest, debounce, the anomaly's work order, daily rates. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "core/base/embed.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/flow/flow.h"
#include "fieldwork/interface/work_orders.h"
#include "metering/collection/collection.h"

static json_int_t
num(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* ---- the kinds (data/metering/collection_kinds.json) ---- */

static pthread_once_t once = PTHREAD_ONCE_INIT;
static json_t *kinds_doc;

static void
load(void)
{
	const embed_file_t *f = embed_find("data/metering/collection_kinds.json");
	json_error_t je;
	kinds_doc = f ? json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, &je) : NULL;
	if (!kinds_doc) {
		log_error("data/metering/collection_kinds.json: missing or invalid");
		abort();
	}
}

static json_t *
kind_entry(const char *kind)
{
	pthread_once(&once, load);
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(kinds_doc, "kinds"), i, k) if (strcmp(fg_jstr(k, "code"), kind) == 0) return k;
	return NULL;
}

static int64_t
flap_ms(void)
{
	pthread_once(&once, load);
	return (int64_t)num(kinds_doc, "flap_window_s") * 1000;
}

/* ---- the system key ---- */

#define KEY_COLS "id, name, created_by, created_at, revoked_by, revoked_at, last_used_at, updated_at, version"

static void
key_hash(const char *secret, const unsigned char salt[16], char out[160])
{
	unsigned char h[32];
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	crypto_generichash_update(&st, salt, 16);
	crypto_generichash_update(&st, (const unsigned char *)secret, strlen(secret));
	crypto_generichash_final(&st, h, sizeof h);
	char sh[33], hh[65];
	fg_hex(salt, 16, sh);
	fg_hex(h, sizeof h, hh);
	fg_fmt(out, 160, "b2$%s$%s", sh, hh);
	sodium_memzero(h, sizeof h);
}

static json_t *
key_get(db_t *db, const char *id)
{
	int rc;
	return db_one(db_q(db, "SELECT " KEY_COLS " FROM collection_keys WHERE id = $1", "t", id), &rc);
}

int
collection_key_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	const char *name = fg_jstr(in, "name");
	if (!name || !*name)
		return fg_err_field(err, "invalid_field", "name", "must not be empty");
	char id[37], secret[41], hash[160];
	unsigned char raw[20], salt[16];
	fg_uuid7(id);
	randombytes_buf(raw, sizeof raw);
	randombytes_buf(salt, sizeof salt);
	fg_hex(raw, sizeof raw, secret);
	key_hash(secret, salt, hash);
	sodium_memzero(raw, sizeof raw);
	int64_t now = fg_now_ms();
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_run(db_q(db, "INSERT INTO collection_keys (id, name, secret_hash, created_by, created_at, updated_at) "
			    "VALUES ($1, $2, $3, $4, $5, $5)", "tttti", id, name, hash, actor_id, now)) != DB_DONE)
		return db_fail(db, err);
	json_t *after = key_get(db, id);
	if (audit_commit(db, actor_id, "create", "collection_key", id, NULL, json_incref(after), NULL, err) != 0) {
		json_decref(after);
		sodium_memzero(secret, sizeof secret);
		return -1;
	}
	char key[100];
	fg_fmt(key, sizeof key, "fgc.%s.%s", id, secret);
	sodium_memzero(secret, sizeof secret);
	json_object_set_new(after, "key", json_string(key));
	sodium_memzero(key, sizeof key);
	*out = after;
	return 0;
}

json_t *
collection_keys_list(db_t *db)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT " KEY_COLS " FROM collection_keys ORDER BY created_at DESC, id", ""), &rc);
	return rows ? json_pack("{s:o}", "items", rows) : NULL;
}

int
collection_key_revoke(db_t *db, const char *actor_id, const char *id, json_t **out, fg_err_t *err)
{
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "collection_keys", id) != 0)
		return db_fail(db, err);
	json_t *before = key_get(db, id);
	if (!before) {
		fg_err_not_found(err, "collection_key", id);
		return db_fail(db, err);
	}
	if (!json_is_null(json_object_get(before, "revoked_at"))) { /* revoked already: nothing changes */
		db_rollback(db);
		*out = before;
		return 0;
	}
	int64_t now = fg_now_ms();
	if (db_run(db_q(db, "UPDATE collection_keys SET revoked_by = $1, revoked_at = $2, updated_at = $2, version = version + 1 "
			    "WHERE id = $3", "tit", actor_id, now, id)) != DB_DONE) {
		json_decref(before);
		return db_fail(db, err);
	}
	return audit_commit(db, actor_id, "revoke", "collection_key", id, before, key_get(db, id), out, err);
}

int
collection_key_check(db_t *db, const char *authorization, char key_id[37], fg_err_t *err)
{
	key_id[0] = 0;
	/* "Bearer fgc.<uuid 36>.<40 hex>" */
	if (!authorization || strncmp(authorization, "Bearer fgc.", 11) != 0)
		return fg_err(err, "collection_key_required");
	const char *k = authorization + 11;
	if (strlen(k) != 36 + 1 + 40 || k[36] != '.')
		return fg_err(err, "collection_key_invalid");
	char id[37], secret[41];
	memcpy(id, k, 36);
	id[36] = 0;
	memcpy(secret, k + 37, 41);
	if (!fg_is_uuid(id))
		return fg_err(err, "collection_key_invalid");
	int rc;
	json_t *row = db_one(db_q(db, "SELECT secret_hash, revoked_at FROM collection_keys WHERE id = $1", "t", id), &rc);
	if (!row)
		return rc == DB_DONE ? fg_err(err, "collection_key_invalid") : fg_err(err, "internal");
	const char *stored = fg_jstr(row, "secret_hash");
	unsigned char salt[16];
	size_t bin = 0;
	char want[160];
	bool ok = stored && strlen(stored) == 3 + 32 + 1 + 64 &&
		  sodium_hex2bin(salt, sizeof salt, stored + 3, 32, NULL, &bin, NULL) == 0 && bin == 16;
	if (ok) {
		key_hash(secret, salt, want);
		ok = sodium_memcmp(want, stored, strlen(stored)) == 0;
	}
	sodium_memzero(secret, sizeof secret);
	bool revoked = !json_is_null(json_object_get(row, "revoked_at"));
	json_decref(row);
	if (!ok)
		return fg_err(err, "collection_key_invalid");
	if (revoked)
		return fg_err(err, "collection_key_revoked");
	memcpy(key_id, id, 37);
	return 0;
}

/* ---- anomalies ---- */

#define A_COLS                                                                                                         \
	"a.id, a.subject, a.kind, a.point_no, a.terminal_no, a.transformer_area, a.state, a.occurrences, a.raised_at, "      \
	"a.last_at, a.closed_at, a.closed_reason, a.order_settled, a.work_order_id, a.due_at, w.number AS work_order_number, " \
	"w.status AS work_order_status, (SELECT COUNT(DISTINCT e.point_no) FROM collection_events e WHERE e.anomaly_id = a.id) " \
	"AS points, a.created_at, a.updated_at, a.version"
#define A_FROM " FROM collection_anomalies a LEFT JOIN work_order_summaries w ON w.id = a.work_order_id "

json_t *
collection_anomaly_get(db_t *db, const char *id)
{
	int rc;
	json_t *row = db_one(db_q(db, "SELECT " A_COLS A_FROM "WHERE a.id = $1", "t", id), &rc);
	if (row)
		json_object_set_new(row, "order_settled", json_boolean(num(row, "order_settled")));
	return row;
}

int
collection_anomalies_list(db_t *db, const collection_filter_t *f, json_t **out, fg_err_t *err)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT " A_COLS A_FROM
	    "WHERE (CAST($1 AS TEXT) IS NULL OR a.kind = $1) AND (CAST($2 AS TEXT) IS NULL OR a.transformer_area = $2) "
	    "AND (CAST($3 AS TEXT) IS NULL OR a.state = $3) AND (CAST($4 AS TEXT) IS NULL OR a.point_no = $4) "
	    "AND (CAST($5 AS TEXT) IS NULL OR a.id < $5) ORDER BY a.id DESC LIMIT $6",
	    "ttttti", f->kind, f->area, f->state, f->point_no, f->cursor, (int64_t)(f->limit + 1)), &rc);
	if (!rows)
		return db_fail(db, err);
	json_t *next = json_null(), *r;
	if ((int)json_array_size(rows) > f->limit) {
		json_array_remove(rows, (size_t)f->limit);
		next = json_string(fg_jstr(json_array_get(rows, (size_t)f->limit - 1), "id"));
	}
	size_t i;
	json_array_foreach(rows, i, r) json_object_set_new(r, "order_settled", json_boolean(num(r, "order_settled")));
	*out = json_pack("{s:o, s:o}", "items", rows, "next_cursor", next);
	return 0;
}

/* The anomaly's collection_fault work order, due in its kind's working days from when it was raised. */
static int
open_order(db_t *db, json_t *a, fg_err_t *err)
{
	json_t *k = kind_entry(fg_jstr(a, "kind"));
	int64_t wd = k ? num(k, "working_days") : 6;
	int64_t due = 0;
	json_t *after = json_pack("{s:I}", "working_days", (json_int_t)wd);
	fg_err_t e = FG_ERR_INIT;
	if (flow_deadline_due(db, num(a, "raised_at"), after, &due, &e) != 0)
		due = 0; /* a year the calendar lacks: no due date rather than a guessed one */
	fg_err_clear(&e);
	json_decref(after);
	char title[300], desc[900];
	const char *name = k ? fg_jstr(k, "name_zh") : fg_jstr(a, "kind");
	const char *term = fg_jstr(a, "terminal_no");
	bool by_terminal = strncmp(fg_jstr(a, "subject"), "terminal:", 9) == 0;
	if (by_terminal)
		fg_fmt(title, sizeof title, "采集异常 · %s · 终端 %s", name, term);
	else
		fg_fmt(title, sizeof title, "采集异常 · %s · 计量点 %s", name, fg_jstr(a, "point_no"));
	fg_fmt(desc, sizeof desc, "用电信息采集系统报告%s（%s，时限 %lld 个工作日）：计量点 %s%s%s%s%s", name,
	    k ? fg_jstr(k, "category_zh") : "", (long long)wd, fg_jstr(a, "point_no"), term ? "，终端 " : "", term ? term : "",
	    fg_jstr(a, "transformer_area") ? "，台区 " : "", fg_jstr(a, "transformer_area") ? fg_jstr(a, "transformer_area") : "");
	json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", "collection_fault", "title", title, "priority", "normal",
	    "source", "alarm", "description", desc);
	if (!by_terminal)
		json_object_set(in, "metering_point_no", json_object_get(a, "point_no"));
	if (due)
		json_object_set_new(in, "due_at", json_integer(due));
	json_t *wo = NULL;
	int rc = work_orders_create(db, NULL, in, &wo, err);
	json_decref(in);
	if (rc != 0)
		return -1;
	rc = db_run(db_q(db, "UPDATE collection_anomalies SET work_order_id = $1, due_at = $2, order_settled = 0 WHERE id = $3",
	    "tit", fg_jstr(wo, "id"), due ? due : (int64_t)0, fg_jstr(a, "id")));
	if (rc == DB_DONE && !due)
		rc = db_run(db_q(db, "UPDATE collection_anomalies SET due_at = NULL WHERE id = $1", "t", fg_jstr(a, "id")));
	json_decref(wo);
	return rc == DB_DONE ? 0 : fg_err(err, "internal");
}

/* Applies one stored event; *outcome gets what it did and *anomaly_id (37) the anomaly it concerns. */
static int
apply(db_t *db, json_t *ev, const char *event_row, const char *subject, char outcome[16], char anomaly_id[37],
    fg_err_t *err)
{
	int rc;
	const char *kind = fg_jstr(ev, "kind");
	int64_t at = num(ev, "occurred_at"), now = fg_now_ms();
	anomaly_id[0] = 0;
	json_t *latest = db_one(db_q(db, "SELECT MAX(occurred_at) AS m FROM collection_events WHERE subject = $1 AND kind = $2 "
					 "AND id <> $3 AND outcome <> 'pending'", "ttt", subject, kind, event_row), &rc);
	if (!latest)
		return fg_err(err, "internal");
	bool stale = json_is_integer(json_object_get(latest, "m")) && num(latest, "m") > at;
	json_decref(latest);
	if (stale) { /* an old event after a newer one: kept, changes nothing */
		fg_fmt(outcome, 16, "stale");
		return 0;
	}
	json_t *open = db_one(db_q(db, "SELECT id FROM collection_anomalies WHERE subject = $1 AND kind = $2 AND state = 'open'",
				  "tt", subject, kind), &rc);
	if (!open && rc != DB_DONE)
		return fg_err(err, "internal");
	if (strcmp(fg_jstr(ev, "signal"), "restored") == 0) {
		if (!open) {
			fg_fmt(outcome, 16, "none");
			return 0;
		}
		fg_fmt(anomaly_id, 37, "%s", fg_jstr(open, "id"));
		json_decref(open);
		json_t *before = collection_anomaly_get(db, anomaly_id), *after = NULL;
		rc = db_run(db_q(db, "UPDATE collection_anomalies SET state = 'closed', closed_at = $1, closed_reason = 'restored', "
				     "order_settled = 0, updated_at = $2, version = version + 1 WHERE id = $3", "iit", at, now, anomaly_id));
		after = rc == DB_DONE ? collection_anomaly_get(db, anomaly_id) : NULL;
		int ok = after && audit_write(db, NULL, "close", "collection_anomaly", anomaly_id, before, after) == 0;
		json_decref(before);
		json_decref(after);
		fg_fmt(outcome, 16, "closed");
		return ok ? 0 : fg_err(err, "internal");
	}
	if (open) { /* debounce: the same condition again while open only counts */
		fg_fmt(anomaly_id, 37, "%s", fg_jstr(open, "id"));
		json_decref(open);
		json_t *was = db_one(db_q(db, "SELECT occurrences, last_at FROM collection_anomalies WHERE id = $1", "t", anomaly_id), &rc);
		rc = db_run(db_q(db, "UPDATE collection_anomalies SET occurrences = occurrences + 1, last_at = $1, updated_at = $2 "
				     "WHERE id = $3", "iit", at, now, anomaly_id));
		json_t *now_ = rc == DB_DONE ? db_one(db_q(db, "SELECT occurrences, last_at FROM collection_anomalies WHERE id = $1",
							    "t", anomaly_id), &rc) : NULL;
		int ok = was && now_ && audit_write(db, NULL, "repeat", "collection_anomaly", anomaly_id, was, now_) == 0;
		json_decref(was);
		json_decref(now_);
		fg_fmt(outcome, 16, "repeated");
		return ok ? 0 : fg_err(err, "internal");
	}
	/* flapping: an anomaly restored within the window reopens instead of a new one */
	json_t *recent = db_one(db_q(db, "SELECT id, work_order_id FROM collection_anomalies WHERE subject = $1 AND kind = $2 AND "
					 "state = 'closed' AND closed_reason = 'restored' AND closed_at >= $3 "
					 "ORDER BY closed_at DESC LIMIT 1", "tti", subject, kind, at - flap_ms()), &rc);
	if (!recent && rc != DB_DONE)
		return fg_err(err, "internal");
	json_t *before = NULL, *after = NULL;
	const char *action;
	bool need_order = true;
	if (recent) {
		fg_fmt(anomaly_id, 37, "%s", fg_jstr(recent, "id"));
		before = collection_anomaly_get(db, anomaly_id);
		/* its order goes on when it is still open (not yet settled, or left to the crew) */
		const char *st = fg_jstr(before, "work_order_status");
		need_order = !st || strcmp(st, "done") == 0 || strcmp(st, "cancelled") == 0;
		rc = db_run(db_q(db, "UPDATE collection_anomalies SET state = 'open', closed_at = NULL, closed_reason = NULL, "
				     "order_settled = 0, occurrences = occurrences + 1, last_at = $1, updated_at = $2, "
				     "version = version + 1 WHERE id = $3", "iit", at, now, anomaly_id));
		json_decref(recent);
		action = "reopen";
	} else {
		fg_uuid7(anomaly_id);
		rc = db_run(db_q(db, "INSERT INTO collection_anomalies (id, subject, kind, point_no, terminal_no, transformer_area, "
				     "state, raised_at, last_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $7, $8, $8)",
		    "tttttt" "ii", anomaly_id, subject, kind, fg_jstr(ev, "point_no"), fg_jstr(ev, "terminal_no"), fg_jstr(ev, "transformer_area"),
		    at, now));
		action = "raise";
	}
	if (rc != DB_DONE) {
		json_decref(before);
		return fg_err(err, "internal");
	}
	if (need_order) {
		json_t *a = collection_anomaly_get(db, anomaly_id);
		int orc = a ? open_order(db, a, err) : fg_err(err, "internal");
		json_decref(a);
		if (orc != 0) {
			json_decref(before);
			return -1;
		}
	}
	after = collection_anomaly_get(db, anomaly_id);
	int ok = after && audit_write(db, NULL, action, "collection_anomaly", anomaly_id, before, after) == 0;
	json_decref(before);
	json_decref(after);
	fg_fmt(outcome, 16, recent ? "reopened" : "raised");
	return ok ? 0 : fg_err(err, "internal");
}

static int
by_time(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t ta = num(x, "occurred_at"), tb = num(y, "occurred_at");
	if (ta != tb)
		return ta < tb ? -1 : 1;
	json_int_t ia = num(x, "seq"), ib = num(y, "seq");
	return ia < ib ? -1 : ia > ib;
}

static int settle_in_tx(db_t *db, int64_t now, const char *only);

int
collection_ingest(db_t *db, const char *source, const char *key_id, const char *actor_id, json_t *events,
    json_t *errors, size_t received, json_t **out, fg_err_t *err)
{
	size_t n = json_array_size(events), i;
	json_t **order = n ? calloc(n, sizeof *order) : NULL;
	if (n && !order) {
		json_decref(errors);
		return fg_err(err, "internal");
	}
	for (i = 0; i < n; i++) {
		order[i] = json_array_get(events, i);
		json_object_set_new(order[i], "seq", json_integer((json_int_t)i));
	}
	if (n)
		qsort(order, n, sizeof *order, by_time);
	int64_t now = fg_now_ms();
	int rc;
	if (db_begin(db) != 0 || db_lock_row(db, "collection_ingest_lock", "ingest") != 0)
		goto fail;
	int64_t applied = 0;
	for (i = 0; i < n; i++) {
		json_t *ev = order[i];
		bool by_terminal = strcmp(fg_jstr(ev, "kind"), "communication_failure") == 0 && fg_jstr(ev, "terminal_no");
		char subject[64], row[37], outcome[16], anomaly[37];
		fg_fmt(subject, sizeof subject, "%s:%s", by_terminal ? "terminal" : "point",
		    by_terminal ? fg_jstr(ev, "terminal_no") : fg_jstr(ev, "point_no"));
		fg_uuid7(row);
		/* the collection system's event id: a replay is recognised here and changes nothing */
		json_t *ins = db_one(db_q(db, "INSERT INTO collection_events (id, event_id, kind, signal, point_no, terminal_no, "
					     "transformer_area, subject, occurred_at, detail, source, key_id, import_by, outcome, received_at) "
					     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'pending', $14) "
					     "ON CONFLICT (event_id) DO NOTHING RETURNING id",
		    "tttttttt" "i" "tttt" "i", row, fg_jstr(ev, "event_id"), fg_jstr(ev, "kind"), fg_jstr(ev, "signal"), fg_jstr(ev, "point_no"),
		    fg_jstr(ev, "terminal_no"), fg_jstr(ev, "transformer_area"), subject, (int64_t)num(ev, "occurred_at"), fg_jstr(ev, "detail"),
		    source, key_id, actor_id, now), &rc);
		if (!ins) {
			if (rc != DB_DONE)
				goto fail;
			continue; /* stored before */
		}
		json_decref(ins);
		if (apply(db, ev, row, subject, outcome, anomaly, err) != 0)
			goto fail;
		if (db_run(db_q(db, "UPDATE collection_events SET outcome = $1, anomaly_id = $2 WHERE id = $3", "ttt", outcome,
			       *anomaly ? anomaly : NULL, row)) != DB_DONE)
			goto fail;
		applied++;
	}
	/* restores old enough to be past their flap window settle at once */
	if (settle_in_tx(db, now, NULL) < 0)
		goto fail;
	json_t *summary = json_pack("{s:s, s:I, s:I, s:I, s:I}", "source", source, "received", (json_int_t)received,
	    "accepted", (json_int_t)n, "rejected", (json_int_t)json_array_size(errors), "new", (json_int_t)applied);
	rc = audit_write(db, actor_id, "ingest", "collection_batch", key_id ? key_id : actor_id, NULL, summary);
	json_decref(summary);
	if (rc != 0)
		goto fail;
	if (key_id && db_run(db_q(db, "UPDATE collection_keys SET last_used_at = $1 WHERE id = $2", "it", now, key_id)) != DB_DONE)
		goto fail;
	if (db_commit(db) != 0)
		goto fail;
	free(order);
	*out = json_pack("{s:I, s:I, s:I, s:o}", "received", (json_int_t)received, "accepted", (json_int_t)n, "rejected",
	    (json_int_t)json_array_size(errors), "errors", errors);
	return 0;
fail:
	free(order);
	json_decref(errors);
	return db_fail(db, err);
}

/* Settles restored anomalies past their flap window (only: one anomaly, or NULL for all due), in the caller's
 * transaction: the order is cancelled while still new (no crew has it), else stays for the crew. */
static int
settle_in_tx(db_t *db, int64_t now, const char *only)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT a.id, a.work_order_id, w.status FROM collection_anomalies a LEFT JOIN "
					"work_order_summaries w ON w.id = a.work_order_id WHERE a.state = 'closed' AND "
					"a.closed_reason = 'restored' AND a.order_settled = 0 AND a.closed_at <= $1 AND "
					"(CAST($2 AS TEXT) IS NULL OR a.id = $2) ORDER BY a.id LIMIT 500",
			      "it", now - flap_ms(), only), &rc);
	if (!rows)
		return -1;
	size_t i;
	json_t *r;
	int n = 0;
	json_array_foreach(rows, i, r) {
		const char *wo = fg_jstr(r, "work_order_id"), *st = fg_jstr(r, "status");
		json_t *before = collection_anomaly_get(db, fg_jstr(r, "id")), *after = NULL;
		fg_err_t e = FG_ERR_INIT;
		int ok = before != NULL;
		if (ok && wo && st && strcmp(st, "new") == 0)
			ok = work_orders_follow(db, NULL, wo, "cancelled", "collection_restored", true, &e) == 0;
		fg_err_clear(&e);
		ok = ok && db_run(db_q(db, "UPDATE collection_anomalies SET order_settled = 1, updated_at = $1, version = version + 1 "
					   "WHERE id = $2", "it", fg_now_ms(), fg_jstr(r, "id"))) == DB_DONE;
		ok = ok && (after = collection_anomaly_get(db, fg_jstr(r, "id"))) &&
		     audit_write(db, NULL, "settle", "collection_anomaly", fg_jstr(r, "id"), before, after) == 0;
		json_decref(before);
		json_decref(after);
		if (!ok) {
			json_decref(rows);
			return -1;
		}
		n++;
	}
	json_decref(rows);
	return n;
}

int
collection_settle(db_t *db, int64_t now)
{
	if (db_begin(db) != 0)
		return -1;
	int n = db_lock_row(db, "collection_ingest_lock", "ingest") == 0 ? settle_in_tx(db, now, NULL) : -1;
	if (n < 0 || db_commit(db) != 0) {
		db_rollback(db);
		return -1;
	}
	return n;
}

/* work_order.finished: the anomaly whose order it is closes (the crew dealt with it); one closed already (restored
 * and left to the crew) stays as it was. */
int
collection_on_finished(db_t *db, const fg_event_t *ev, fg_err_t *err)
{
	int rc;
	json_t *a = db_one(db_q(db, "SELECT id FROM collection_anomalies WHERE work_order_id = $1 AND state = 'open'", "t",
				  ev->entity_id), &rc);
	if (!a)
		return rc == DB_DONE ? 0 : fg_err(err, "internal");
	char id[37];
	fg_fmt(id, sizeof id, "%s", fg_jstr(a, "id"));
	json_decref(a);
	json_t *before = collection_anomaly_get(db, id), *after = NULL;
	rc = db_run(db_q(db, "UPDATE collection_anomalies SET state = 'closed', closed_at = $1, closed_reason = 'work_finished', "
			     "order_settled = 1, updated_at = $2, version = version + 1 WHERE id = $3", "iit", ev->at, fg_now_ms(), id));
	after = rc == DB_DONE ? collection_anomaly_get(db, id) : NULL;
	int ok = before && after && audit_write(db, ev->actor_id, "close", "collection_anomaly", id, before, after) == 0;
	json_decref(before);
	json_decref(after);
	return ok ? 0 : fg_err(err, "internal");
}

/* ---- success rate ---- */

int
collection_daily_post(db_t *db, const char *key_id, json_t *items, json_t **out, fg_err_t *err)
{
	int64_t now = fg_now_ms();
	size_t i;
	json_t *it;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	json_array_foreach(items, i, it) {
		if (db_run(db_q(db, "INSERT INTO collection_daily (day, transformer_area, expected, collected, key_id, received_at) "
				    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (day, transformer_area) DO UPDATE SET "
				    "expected = excluded.expected, collected = excluded.collected, key_id = excluded.key_id, "
				    "received_at = excluded.received_at",
			"ttiiti", fg_jstr(it, "date"), fg_jstr(it, "transformer_area"), (int64_t)num(it, "expected"),
			(int64_t)num(it, "collected"), key_id, now)) != DB_DONE)
			return db_fail(db, err);
	}
	if (db_run(db_q(db, "UPDATE collection_keys SET last_used_at = $1 WHERE id = $2", "it", now, key_id)) != DB_DONE)
		return db_fail(db, err);
	json_t *summary = json_pack("{s:I}", "items", (json_int_t)json_array_size(items));
	if (audit_commit(db, NULL, "daily", "collection_batch", key_id, NULL, summary, NULL, err) != 0)
		return -1;
	*out = json_pack("{s:I}", "accepted", (json_int_t)json_array_size(items));
	return 0;
}

static json_t *
rate(json_int_t expected, json_int_t collected)
{
	if (expected <= 0)
		return json_null();
	/* percent with two decimals, rounded half up in integers (no float noise) */
	json_int_t bp = (collected * 10000 * 2 + expected) / (expected * 2);
	return json_real((double)bp / 100.0);
}

int
collection_rates(db_t *db, const char *from, const char *to, const char *area, json_t **out, fg_err_t *err)
{
	int rc;
	json_t *latest = NULL;
	if (!from || !to) {
		latest = db_one(db_q(db, "SELECT MAX(day) AS d FROM collection_daily", ""), &rc);
		if (!latest)
			return db_fail(db, err);
		if (!from)
			from = fg_jstr(latest, "d");
		if (!to)
			to = fg_jstr(latest, "d");
	}
	json_t *rows = from && to ? db_all(db_q(db, "SELECT day AS date, transformer_area, expected, collected FROM collection_daily "
						   "WHERE day >= $1 AND day <= $2 AND (CAST($3 AS TEXT) IS NULL OR transformer_area = $3) "
						   "ORDER BY day DESC, transformer_area LIMIT 20000", "ttt", from, to, area), &rc)
				  : json_array();
	json_decref(latest);
	if (!rows)
		return db_fail(db, err);
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) json_object_set_new(r, "success_rate", rate(num(r, "expected"), num(r, "collected")));
	*out = json_pack("{s:o}", "items", rows);
	return 0;
}

json_t *
collection_screen_summary(db_t *db)
{
	int rc;
	json_t *latest = db_one(db_q(db, "SELECT MAX(day) AS d FROM collection_daily", ""), &rc);
	if (!latest)
		return NULL;
	const char *day = fg_jstr(latest, "d");
	json_t *areas = db_all(db_q(db, "SELECT d.transformer_area AS area, d.expected, d.collected, (SELECT COUNT(*) FROM "
					 "collection_anomalies a WHERE a.state = 'open' AND a.transformer_area = d.transformer_area) "
					 "AS open_anomalies FROM collection_daily d WHERE d.day = $1 ORDER BY d.transformer_area",
			       "t", day), &rc);
	json_t *kinds = db_all(db_q(db, "SELECT kind, COUNT(*) AS count FROM collection_anomalies WHERE state = 'open' "
					 "GROUP BY kind ORDER BY kind", ""), &rc);
	if (!areas || !kinds) {
		json_decref(latest);
		json_decref(areas);
		json_decref(kinds);
		return NULL;
	}
	size_t i;
	json_t *r;
	json_array_foreach(areas, i, r) json_object_set_new(r, "success_rate", rate(num(r, "expected"), num(r, "collected")));
	json_t *out = json_pack("{s:s?, s:o, s:o}", "day", day, "by_area", areas, "open_by_kind", kinds);
	json_decref(latest);
	return out;
}
