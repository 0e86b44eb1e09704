#ifndef FG_QB_H
#define FG_QB_H
#include <stdint.h>
#include "base/util.h"
#include "db/db.h"

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

#endif
