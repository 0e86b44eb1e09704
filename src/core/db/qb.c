#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include "core/db/qb.h"

void
qb_init(qb_t *q, const char *sql)
{
	memset(q, 0, sizeof *q);
	fg_buf_init(&q->sql, 64 * 1024);
	qb_sql(q, sql);
}

void
qb_sql(qb_t *q, const char *sql)
{
	(void)fg_buf_append(&q->sql, sql, strlen(sql));
}

static void
placeholder(qb_t *q)
{
	char tmp[16];
	int k = snprintf(tmp, sizeof tmp, "$%d", q->n + 1);
	(void)fg_buf_append(&q->sql, tmp, (size_t)k);
}

void
qb_text(qb_t *q, const char *v)
{
	if (q->n >= DB_MAX_PARAMS)
		abort(); /* a programming error: queries are built from fixed filter lists */
	placeholder(q);
	q->args[q->n].type = 't';
	q->args[q->n].s = v ? fg_strdup(v) : NULL;
	q->n++;
}

void
qb_int(qb_t *q, int64_t v)
{
	if (q->n >= DB_MAX_PARAMS)
		abort();
	placeholder(q);
	q->args[q->n].type = 'i';
	q->args[q->n].i = v;
	q->n++;
}

db_stmt_t *
qb_prepare(db_t *db, qb_t *q)
{
	db_stmt_t *st = db_prepare(db, q->sql.data);
	if (!st)
		return NULL;
	for (int i = 0; i < q->n; i++) {
		if (q->args[i].type == 'i')
			db_bind_int(st, i + 1, q->args[i].i);
		else
			db_bind_text(st, i + 1, q->args[i].s);
	}
	return st;
}

void
qb_free(qb_t *q)
{
	for (int i = 0; i < q->n; i++)
		free(q->args[i].s);
	fg_buf_free(&q->sql);
}

int
qb_list(db_t *db, const char *select, const char *count, qb_where_fn where, const void *filter, const char *key,
    bool desc, const char *cursor, int limit, json_t **out)
{
	int rc;
	qb_t q;
	qb_init(&q, select);
	where(&q, filter);
	if (cursor) {
		qb_sql(&q, desc ? " AND " : " AND ");
		qb_sql(&q, key);
		qb_sql(&q, desc ? " < " : " > ");
		qb_text(&q, cursor);
	}
	qb_sql(&q, " ORDER BY ");
	qb_sql(&q, key);
	qb_sql(&q, desc ? " DESC LIMIT " : " LIMIT ");
	qb_int(&q, limit + 1);
	json_t *rows = db_all(qb_prepare(db, &q), &rc);
	qb_free(&q);
	qb_init(&q, count);
	where(&q, filter);
	json_t *cnt = rows ? db_one(qb_prepare(db, &q), &rc) : NULL;
	qb_free(&q);
	if (!rows || !cnt) {
		json_decref(rows);
		return -1;
	}
	json_t *next = json_null();
	if (json_array_size(rows) > (size_t)limit) { /* one row more than asked: there is a next page */
		json_array_remove(rows, (size_t)limit);
		next = json_copy(json_object_get(json_array_get(rows, (size_t)limit - 1), key));
	}
	*out = json_pack("{s:o, s:o, s:O}", "items", rows, "next_cursor", next, "total", json_object_get(cnt, "n"));
	json_decref(cnt);
	return 0;
}
