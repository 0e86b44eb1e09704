#include <string.h>
#include <stdio.h>
#include <sodium.h>
#include "core/base/util.h"
#include "core/db/qb.h"
#include "core/audit/audit.h"

static void
feed(crypto_hash_sha256_state *st, const char *s)
{
	char len[32];
	if (!s) {
		crypto_hash_sha256_update(st, (const unsigned char *)"N\n", 2);
		return;
	}
	size_t n = strlen(s);
	int k = snprintf(len, sizeof len, "%zu:", n);
	crypto_hash_sha256_update(st, (const unsigned char *)len, (unsigned long long)k);
	crypto_hash_sha256_update(st, (const unsigned char *)s, n);
	crypto_hash_sha256_update(st, (const unsigned char *)"\n", 1);
}

void
audit_hash(int64_t seq, int64_t at, const char *actor_id, const char *action, const char *entity,
    const char *entity_id, const char *before, const char *after, const char *prev_hash, char out[65])
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];
	char num[32];

	crypto_hash_sha256_init(&st);
	feed(&st, "fieldgrid-audit-v1");
	snprintf(num, sizeof num, "%lld", (long long)seq);
	feed(&st, num);
	snprintf(num, sizeof num, "%lld", (long long)at);
	feed(&st, num);
	feed(&st, actor_id);
	feed(&st, action);
	feed(&st, entity);
	feed(&st, entity_id);
	feed(&st, before);
	feed(&st, after);
	feed(&st, prev_hash);
	crypto_hash_sha256_final(&st, h);
	fg_hex(h, sizeof h, out);
}

/* Secrets never reach the log, even if a caller passes a whole row. */
static char *
dump_clean(json_t *v)
{
	if (!v)
		return NULL;
	json_t *c = json_copy(v);
	static const char *secret[] = {"password", "password_hash", "token", "token_hash", "secret", NULL};
	if (json_is_object(c))
		for (int i = 0; secret[i]; i++)
			json_object_del(c, secret[i]);
	char *s = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	json_decref(c);
	return s;
}

int
audit_take(db_stmt_t *st, audit_slot_t *slot)
{
	int rc;
	json_t *head = db_one(st, &rc);
	if (!head)
		return rc < 0 ? rc : DB_ERR;
	slot->seq = json_integer_value(json_object_get(head, "seq"));
	fg_fmt(slot->prev, sizeof slot->prev, "%s", json_string_value(json_object_get(head, "hash")));
	json_decref(head);
	return 0;
}

int
audit_put(db_t *db, const audit_slot_t *slot, const char *actor_id, const char *action, const char *entity,
    const char *entity_id, json_t *before, json_t *after)
{
	int64_t at = fg_now_ms();
	char *b = dump_clean(before), *a = dump_clean(after);
	char hash[65];
	audit_hash(slot->seq, at, actor_id, action, entity, entity_id, b, a, slot->prev, hash);
	/* the record and the head's new hash: one round trip on PostgreSQL (a data-modifying WITH), two statements on
	 * SQLite, which has no such WITH and no round trip to save */
	bool pg = db_kind(db) == DB_PG;
#define AUDIT_INSERT "INSERT INTO audit_log (seq, at, actor_id, action, entity, entity_id, before_json, after_json, prev_hash, hash) " \
		     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
	int rc = db_run(db_q(db, pg ? "WITH h AS (UPDATE audit_head SET hash = $10 WHERE id = 1) " AUDIT_INSERT : AUDIT_INSERT,
	    "iitttttttt", slot->seq, at, actor_id, action, entity, entity_id, b, a, slot->prev, hash));
#undef AUDIT_INSERT
	free(b);
	free(a);
	if (rc != DB_DONE || pg)
		return rc;
	rc = db_run(db_q(db, "UPDATE audit_head SET hash = $1 WHERE id = 1", "t", hash));
	return rc == DB_DONE ? 0 : rc;
}

int
audit_write(db_t *db, const char *actor_id, const char *action, const char *entity, const char *entity_id,
    json_t *before, json_t *after)
{
	audit_slot_t slot;
	int rc = audit_take(db_prepare(db, AUDIT_TAKE_SQL), &slot);
	return rc != 0 ? rc : audit_put(db, &slot, actor_id, action, entity, entity_id, before, after);
}

static int
broken(audit_report_t *rep, int64_t seq, const char *why)
{
	rep->broken_seq = seq;
	fg_fmt(rep->reason, sizeof rep->reason, "%s", why);
	return 1;
}

int
audit_verify(db_t *db, audit_report_t *rep)
{
	char prev[65] = "0000000000000000000000000000000000000000000000000000000000000000";
	int64_t last = 0;
	memset(rep, 0, sizeof *rep);

	for (;;) { /* in pages, so a long chain never sits in memory at once */
		db_stmt_t *st = db_q(db,
		    "SELECT seq, at, actor_id, action, entity, entity_id, before_json, after_json, prev_hash, hash "
		    "FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 2000",
		    "i", last);
		if (!st)
			return -1;
		int rc, rows = 0;
		while ((rc = db_step(st)) == DB_ROW) {
			rows++;
			int64_t seq = db_col_int(st, 0);
			char want[65];
			rep->checked++;
			if (seq != last + 1) {
				db_finalize(st);
				char why[128];
				fg_fmt(why, sizeof why, "sequence jumps from %lld to %lld: a record was removed",
				    (long long)last, (long long)seq);
				return broken(rep, last + 1, why);
			}
			if (strcmp(db_col_text(st, 8), prev) != 0) {
				db_finalize(st);
				return broken(rep, seq, "prev_hash does not match the previous record's hash");
			}
			audit_hash(seq, db_col_int(st, 1), db_col_text(st, 2), db_col_text(st, 3), db_col_text(st, 4),
			    db_col_text(st, 5), db_col_text(st, 6), db_col_text(st, 7), prev, want);
			if (strcmp(want, db_col_text(st, 9)) != 0) {
				db_finalize(st);
				return broken(rep, seq, "the record's content does not match its hash: it was changed");
			}
			fg_fmt(prev, sizeof prev, "%s", want);
			last = seq;
		}
		db_finalize(st);
		if (rc != DB_DONE)
			return -1;
		if (rows == 0)
			break;
	}
	int rc;
	json_t *head = db_one(db_prepare(db, "SELECT seq, hash FROM audit_head WHERE id = 1"), &rc);
	if (!head)
		return -1;
	int64_t hseq = json_integer_value(json_object_get(head, "seq"));
	const char *hhash = json_string_value(json_object_get(head, "hash"));
	int res = 0;
	if (hseq != last) {
		char why[160];
		fg_fmt(why, sizeof why, "the chain ends at %lld but the head says %lld: records were %s", (long long)last,
		    (long long)hseq, hseq > last ? "removed from the end" : "added outside the server");
		res = broken(rep, hseq > last ? last + 1 : hseq + 1, why);
	} else if (strcmp(hhash ? hhash : "", prev) != 0) {
		res = broken(rep, -1, "the head's hash does not match the last record");
	}
	json_decref(head);
	return res;
}

/* The WHERE clause both the page and its count use. */
static void
audit_where(qb_t *q, const audit_filter_t *f)
{
	const char *const cols[] = {"entity", "entity_id", "actor_id", "action"};
	const char *const vals[] = {f->entity, f->entity_id, f->actor_id, f->action};
	for (int i = 0; i < 4; i++) {
		if (vals[i]) {
			qb_sql(q, " AND ");
			qb_sql(q, cols[i]);
			qb_sql(q, " = ");
			qb_text(q, vals[i]);
		}
	}
}

int
audit_list(db_t *db, const audit_filter_t *f, json_t **out)
{
	int rc;
	qb_t q;
	qb_init(&q, "SELECT seq, at, actor_id, action, entity, entity_id, before_json, after_json, hash FROM audit_log "
		    "WHERE 1 = 1");
	audit_where(&q, f);
	if (f->before_seq > 0) {
		qb_sql(&q, " AND seq < ");
		qb_int(&q, f->before_seq);
	}
	qb_sql(&q, " ORDER BY seq DESC LIMIT ");
	qb_int(&q, f->limit + 1);
	json_t *rows = db_all(qb_prepare(db, &q), &rc);
	qb_free(&q);
	if (!rows)
		return -1;
	qb_init(&q, "SELECT COUNT(*) AS n FROM audit_log WHERE 1 = 1");
	audit_where(&q, f);
	json_t *cnt = db_one(qb_prepare(db, &q), &rc);
	qb_free(&q);
	if (!cnt) {
		json_decref(rows);
		return -1;
	}
	json_t *next = json_null();
	if (json_array_size(rows) > (size_t)f->limit) {
		json_array_remove(rows, (size_t)f->limit);
		char tmp[32];
		fg_fmt(tmp, sizeof tmp, "%lld",
		    (long long)json_integer_value(json_object_get(json_array_get(rows, (size_t)f->limit - 1), "seq")));
		next = json_string(tmp);
	}
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		/* stored as text so the hash covers exact bytes; shown as JSON */
		static const char *const keys[][2] = {{"before_json", "before"}, {"after_json", "after"}};
		for (int k = 0; k < 2; k++) {
			const char *s = json_string_value(json_object_get(row, keys[k][0]));
			json_t *v = s ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;
			json_object_set_new(row, keys[k][1], v ? v : json_null());
			json_object_del(row, keys[k][0]);
		}
	}
	*out = json_pack("{s:o, s:o, s:O}", "items", rows, "next_cursor", next, "total", json_object_get(cnt, "n"));
	json_decref(cnt);
	return 0;
}

int
audit_commit(db_t *db, const char *actor_id, const char *action, const char *entity, const char *entity_id, json_t *before,
    json_t *after, json_t **out, fg_err_t *err)
{
	int ok = after && audit_write(db, actor_id, action, entity, entity_id, before, after) == 0 && db_commit(db) == 0;
	json_decref(before);
	if (!ok) {
		json_decref(after);
		return db_fail(db, err);
	}
	if (out)
		*out = after;
	else
		json_decref(after);
	return 0;
}
