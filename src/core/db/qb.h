#ifndef FG_QB_H
#define FG_QB_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/base/util.h"
#include "core/db/db.h"

/* A query builder for the few queries whose WHERE clause depends on filters: text goes in as written, each
 * value becomes the next $N, so user input never reaches the SQL text. */
typedef struct {
	fg_buf_t sql;
	int n;
	struct {
		char type; /* 't', 'i' */
		char *s;
		int64_t i;
	} args[DB_MAX_PARAMS];
} qb_t;

void qb_init(qb_t *q, const char *sql);
void qb_sql(qb_t *q, const char *sql);
void qb_text(qb_t *q, const char *v); /* appends $N */
void qb_int(qb_t *q, int64_t v);      /* appends $N */
db_stmt_t *qb_prepare(db_t *db, qb_t *q);
void qb_free(qb_t *q);

/* A keyset-paged list, the shape every collection endpoint answers: {"items", "next_cursor", "total"}.
 *   select: "SELECT … FROM t WHERE 1 = 1"; count: "SELECT COUNT(*) AS n FROM t WHERE 1 = 1"
 *   where(q, filter) appends the same filters to both; pages by `key` (a text id, newest first when desc).
 * Returns 0, or -1 on a database error. */
typedef void (*qb_where_fn)(qb_t *q, const void *filter);
int qb_list(db_t *db, const char *select, const char *count, qb_where_fn where, const void *filter, const char *key,
    bool desc, const char *cursor, int limit, json_t **out);

#endif
