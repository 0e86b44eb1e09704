#ifndef FG_AUDIT_H
#define FG_AUDIT_H
#include <stdint.h>
#include <jansson.h>
#include "core/db/db.h"

/* The hash-chained audit log (DESIGN.md §8). Every change of data calls audit_write inside the transaction
 * that makes the change, so a change and its record commit or vanish together.
 *
 * hash(n) = SHA-256 over the length-prefixed fields of record n, including hash(n-1). The single row of
 * audit_head holds the last seq and hash; bumping it first serializes writers (a row lock in PostgreSQL, the
 * write lock in SQLite) and lets the verifier notice a record removed from, or appended to, the end. */

/* before/after: the entity as JSON (NULL for none); keys named like secrets are dropped. Must run inside a
 * transaction. 0, or a DB_* error. */
int audit_write(db_t *db, const char *actor_id, const char *action, const char *entity, const char *entity_id,
    json_t *before, json_t *after) __attribute__((warn_unused_result));

/* audit_write in two steps, for a writer with a statement of its own to send in the same round trip as the chain's
 * head (the flow engine's flow event, on PostgreSQL). AUDIT_TAKE_SQL takes the next number and locks the head until
 * the transaction ends; the caller runs it as is or behind a WITH clause of its own (PostgreSQL only) and hands the
 * statement to audit_take, which runs it and keeps the number and the hash before it; audit_put then writes the
 * record under that number. 0, or a DB_* error. */
#define AUDIT_TAKE_SQL "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash"
typedef struct {
	int64_t seq;
	char prev[65];
} audit_slot_t;
int audit_take(db_stmt_t *st, audit_slot_t *slot) __attribute__((warn_unused_result));
int audit_put(db_t *db, const audit_slot_t *slot, const char *actor_id, const char *action, const char *entity,
    const char *entity_id, json_t *before, json_t *after) __attribute__((warn_unused_result));

#include "core/base/err.h"
/* The usual end of a write: audits before → after and commits. On success *out takes after (when out is NULL it
 * is dropped); on any failure, after is dropped and the transaction rolled back (db_fail). before is always
 * dropped. Returns 0 or -1. */
int audit_commit(db_t *db, const char *actor_id, const char *action, const char *entity, const char *entity_id,
    json_t *before, json_t *after, json_t **out, fg_err_t *err);

typedef struct {
	int64_t checked;    /* records read */
	int64_t broken_seq; /* first bad record (0: none; -1: the head) */
	char reason[256];
} audit_report_t;

/* Walks the whole chain. 0: intact; 1: broken (report names the first bad record); -1: database error. */
int audit_verify(db_t *db, audit_report_t *rep);

typedef struct {
	const char *entity, *entity_id, *actor_id, *action;
	int64_t before_seq; /* 0: from the newest */
	int limit;
} audit_filter_t;
/* Newest first: {"items":[{seq, at, actor_id, action, entity, entity_id, before, after, hash}], "next_cursor"}.
 * 0, or -1 on a database error. */
int audit_list(db_t *db, const audit_filter_t *f, json_t **out);

/* The hash of one record, as the chain defines it (exposed for tests). out: 65 bytes. */
void audit_hash(int64_t seq, int64_t at, const char *actor_id, const char *action, const char *entity,
    const char *entity_id, const char *before, const char *after, const char *prev_hash, char out[65]);

#endif
