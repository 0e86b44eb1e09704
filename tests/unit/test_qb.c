/* The query builder (src/core/db/qb.c): the SQL text it builds and what that text does on a real database, run
 * against SQLite (a temp file) and PostgreSQL (FG_TEST_PG_URL, set by make test; the group is reported skipped
 * without it). Each group works in temporary tables of its own connection. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>
#include "core/base/util.h"
#include "core/db/db.h"
#include "unit_db.h"
#include "core/db/qb.h"


static int
make_tables(db_t *db)
{
	/* ids sort as text in insertion order: a01 < a02 < … (the keyset cursor is a text id) */
	if (db_exec(db, "CREATE TEMP TABLE qb_items (id TEXT PRIMARY KEY, kind TEXT, n BIGINT, note TEXT)") != 0)
		return -1;
	static const char *const rows[] = {
		"('a01', 'pump', 1, 'x')", "('a02', 'valve', 2, NULL)", "('a03', 'pump', 3, 'y')",
		"('a04', 'pump', 4, NULL)", "('a05', 'valve', 5, 'z')", "('a06', 'pump', 6, 'x')",
		"('a07', 'pump', 7, 'y')", "('a08', 'meter', 8, NULL)", NULL,
	};
	for (int i = 0; rows[i]; i++) {
		char sql[200];
		snprintf(sql, sizeof sql, "INSERT INTO qb_items (id, kind, n, note) VALUES %s", rows[i]);
		if (db_exec(db, sql) != 0)
			return -1;
	}
	return 0;
}

static int
open_sqlite(void **state)
{
	char err[256] = "";
	db_t *db = unit_open_sqlite("qb", err, sizeof err);
	if (!db || make_tables(db) != 0) {
		fprintf(stderr, "%s\n", db ? db_errmsg(db) : err);
		return -1;
	}
	*state = db;
	return 0;
}

static int
open_pg(void **state)
{
	char err[256] = "";
	bool skip;
	db_t *pg = unit_open_pg(&skip, err, sizeof err);
	if (skip) {
		*state = NULL;
		return 0;
	}
	db_t *db = pg;
	if (!db || make_tables(db) != 0) {
		fprintf(stderr, "%s\n", db ? db_errmsg(db) : err);
		return -1;
	}
	*state = db;
	return 0;
}

static int
close_db(void **state)
{
	db_close(*state); /* the temporary tables go with the connection */
	unit_remove_sqlite();
	return 0;
}

#define DB_OR_SKIP()                                                                                                   \
	db_t *db = *state;                                                                                             \
	if (!db)                                                                                                       \
		skip();

/* The ids of the rows q selects, joined by ","; "ERR" on a database error. */
static const char *
ids(db_t *db, qb_t *q)
{
	static char out[512];
	int rc;
	json_t *rows = db_all(qb_prepare(db, q), &rc);
	if (!rows) {
		snprintf(out, sizeof out, "ERR %s", db_errmsg(db));
		return out;
	}
	out[0] = 0;
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		size_t l = strlen(out);
		snprintf(out + l, sizeof out - l, "%s%s", i ? "," : "", json_string_value(json_object_get(row, "id")));
	}
	json_decref(rows);
	return out;
}

static void
each_value_becomes_the_next_numbered_placeholder(void **state)
{
	DB_OR_SKIP();
	qb_t q;
	qb_init(&q, "SELECT id FROM qb_items WHERE kind = ");
	qb_text(&q, "pump");
	qb_sql(&q, " AND n > ");
	qb_int(&q, 3);
	qb_sql(&q, " AND n < ");
	qb_int(&q, 7);
	qb_sql(&q, " ORDER BY id");
	/* the same text on both engines: $N in order of appending (the SQLite driver rewrites them to ?N) */
	assert_string_equal(q.sql.data, "SELECT id FROM qb_items WHERE kind = $1 AND n > $2 AND n < $3 ORDER BY id");
	assert_int_equal(q.n, 3);
	assert_int_equal(q.args[0].type, 't');
	assert_string_equal(q.args[0].s, "pump");
	assert_int_equal(q.args[1].type, 'i');
	assert_int_equal(q.args[1].i, 3);
	assert_string_equal(ids(db, &q), "a04,a06");
	qb_free(&q);
}

static void
values_bind_by_number_not_by_position_in_the_text(void **state)
{
	DB_OR_SKIP();
	qb_t q;
	int rc;
	/* text and integer values keep their types: a concatenation, a sum */
	qb_init(&q, "SELECT ");
	qb_text(&q, "B");
	qb_sql(&q, " || '-' || ");
	qb_text(&q, "A");
	qb_sql(&q, " AS v, ");
	qb_int(&q, 40);
	qb_sql(&q, " + 2 AS s");
	json_t *row = db_one(qb_prepare(db, &q), &rc);
	assert_non_null(row);
	assert_string_equal(json_string_value(json_object_get(row, "v")), "B-A");
	assert_int_equal(json_integer_value(json_object_get(row, "s")), 42);
	json_decref(row);
	qb_free(&q);
	/* 64-bit integers arrive whole */
	qb_init(&q, "SELECT COUNT(*) AS n FROM qb_items WHERE n < ");
	qb_int(&q, INT64_C(5000000000));
	row = db_one(qb_prepare(db, &q), &rc);
	assert_int_equal(json_integer_value(json_object_get(row, "n")), 8);
	json_decref(row);
	qb_free(&q);
}

static void
a_null_text_binds_sql_null(void **state)
{
	DB_OR_SKIP();
	qb_t q;
	int rc;
	qb_init(&q, "INSERT INTO qb_items (id, kind, n, note) VALUES (");
	qb_text(&q, "z99");
	qb_sql(&q, ", ");
	qb_text(&q, "tmp");
	qb_sql(&q, ", ");
	qb_int(&q, 99);
	qb_sql(&q, ", ");
	qb_text(&q, NULL);
	qb_sql(&q, ")");
	assert_int_equal(q.args[3].type, 't');
	assert_null(q.args[3].s);
	assert_int_equal(db_run(qb_prepare(db, &q)), DB_DONE);
	qb_free(&q);
	json_t *row = db_one(db_q(db, "SELECT note FROM qb_items WHERE id = 'z99'", ""), &rc);
	assert_non_null(row);
	assert_true(json_is_null(json_object_get(row, "note")));
	json_decref(row);
	/* and a NULL compares as SQL NULL does: "= NULL" matches nothing */
	qb_init(&q, "SELECT id FROM qb_items WHERE note = ");
	qb_text(&q, NULL);
	assert_string_equal(ids(db, &q), "");
	qb_free(&q);
	assert_int_equal(db_run(db_q(db, "DELETE FROM qb_items WHERE id = 'z99'", "")), DB_DONE);
}

static void
a_list_of_values_builds_an_in_clause(void **state)
{
	DB_OR_SKIP();
	static const char *const kinds[] = {"valve", "meter", "no-such-kind"};
	qb_t q;
	qb_init(&q, "SELECT id FROM qb_items WHERE kind IN (");
	for (size_t i = 0; i < 3; i++) {
		if (i)
			qb_sql(&q, ", ");
		qb_text(&q, kinds[i]);
	}
	qb_sql(&q, ") AND n IN (");
	for (int v = 2; v <= 8; v += 3) { /* 2, 5, 8 */
		if (v > 2)
			qb_sql(&q, ", ");
		qb_int(&q, v);
	}
	qb_sql(&q, ") ORDER BY id");
	assert_string_equal(q.sql.data, "SELECT id FROM qb_items WHERE kind IN ($1, $2, $3) AND n IN ($4, $5, $6) ORDER BY id");
	assert_string_equal(ids(db, &q), "a02,a05,a08");
	qb_free(&q);
}

static void
the_most_parameters_a_statement_takes_all_bind(void **state)
{
	DB_OR_SKIP();
	qb_t q;
	int rc;
	/* DB_MAX_PARAMS values: $1 … $32 in the text, each bound to its own number */
	qb_init(&q, "SELECT 0");
	for (int i = 1; i <= DB_MAX_PARAMS; i++) {
		qb_sql(&q, " + ");
		qb_int(&q, i);
	}
	qb_sql(&q, " AS s");
	char last[16];
	snprintf(last, sizeof last, "$%d AS s", DB_MAX_PARAMS);
	assert_non_null(strstr(q.sql.data, last));
	json_t *row = db_one(qb_prepare(db, &q), &rc);
	assert_non_null(row);
	assert_int_equal(json_integer_value(json_object_get(row, "s")), DB_MAX_PARAMS * (DB_MAX_PARAMS + 1) / 2);
	json_decref(row);
	qb_free(&q);
}

static void
one_value_more_than_a_statement_takes_aborts(void **state)
{
	/* a programming error (queries are built from fixed filter lists), never a silently dropped filter */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		qb_t q;
		qb_init(&q, "SELECT 1");
		for (int i = 0; i <= DB_MAX_PARAMS; i++)
			qb_int(&q, i);
		_exit(0); /* not reached when qb_int aborts */
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void
a_value_never_becomes_sql_text(void **state)
{
	DB_OR_SKIP();
	static const char *const attacks[] = {
		"x' OR '1'='1",
		"pump'; DROP TABLE qb_items; --",
		"$1",
		"pump' --",
		NULL,
	};
	for (int k = 0; attacks[k]; k++) {
		qb_t q;
		qb_init(&q, "SELECT id FROM qb_items WHERE kind = ");
		qb_text(&q, attacks[k]);
		assert_string_equal(q.sql.data, "SELECT id FROM qb_items WHERE kind = $1");
		assert_string_equal(ids(db, &q), ""); /* compared as one string: no kind is called that */
		qb_free(&q);
	}
	/* the table is still there, whole */
	int rc;
	json_t *row = db_one(db_q(db, "SELECT COUNT(*) AS n FROM qb_items", ""), &rc);
	assert_non_null(row);
	assert_int_equal(json_integer_value(json_object_get(row, "n")), 8);
	json_decref(row);
	/* and a value holding a quote is stored and found as written */
	qb_t q;
	qb_init(&q, "INSERT INTO qb_items (id, kind, n) VALUES ('z98', ");
	qb_text(&q, "o'brien's \"pump\"; --");
	qb_sql(&q, ", 0)");
	assert_int_equal(db_run(qb_prepare(db, &q)), DB_DONE);
	qb_free(&q);
	qb_init(&q, "SELECT id FROM qb_items WHERE kind = ");
	qb_text(&q, "o'brien's \"pump\"; --");
	assert_string_equal(ids(db, &q), "z98");
	qb_free(&q);
	assert_int_equal(db_run(db_q(db, "DELETE FROM qb_items WHERE id = 'z98'", "")), DB_DONE);
}

/* qb_list's filter: a kind, or none */
static void
kind_filter(qb_t *q, const void *filter)
{
	if (filter) {
		qb_sql(q, " AND kind = ");
		qb_text(q, filter);
	}
}

/* One page of qb_list as "ids|next_cursor|total" ("-" for no next page). */
static const char *
page(db_t *db, const char *kind, bool desc, const char *cursor, int limit)
{
	static char out[512];
	json_t *res = NULL;
	if (qb_list(db, "SELECT id, kind FROM qb_items WHERE 1 = 1", "SELECT COUNT(*) AS n FROM qb_items WHERE 1 = 1",
		kind_filter, kind, "id", desc, cursor, limit, &res) != 0) {
		assert_null(res);
		return "ERR";
	}
	out[0] = 0;
	size_t i;
	json_t *row;
	json_t *items = json_object_get(res, "items");
	assert_true(json_is_array(items));
	assert_true(json_array_size(items) <= (size_t)limit);
	json_array_foreach(items, i, row) {
		size_t l = strlen(out);
		snprintf(out + l, sizeof out - l, "%s%s", i ? "," : "", json_string_value(json_object_get(row, "id")));
	}
	json_t *next = json_object_get(res, "next_cursor");
	size_t l = strlen(out);
	snprintf(out + l, sizeof out - l, "|%s|%lld", json_is_null(next) ? "-" : json_string_value(next),
	    (long long)json_integer_value(json_object_get(res, "total")));
	json_decref(res);
	return out;
}

static void
a_list_pages_by_its_key_with_the_filtered_total(void **state)
{
	DB_OR_SKIP();
	/* pumps: a01 a03 a04 a06 a07 */
	assert_string_equal(page(db, "pump", false, NULL, 2), "a01,a03|a03|5");
	assert_string_equal(page(db, "pump", false, "a03", 2), "a04,a06|a06|5");
	assert_string_equal(page(db, "pump", false, "a06", 2), "a07|-|5");
	/* newest first */
	assert_string_equal(page(db, "pump", true, NULL, 2), "a07,a06|a06|5");
	assert_string_equal(page(db, "pump", true, "a06", 2), "a04,a03|a03|5");
	assert_string_equal(page(db, "pump", true, "a03", 2), "a01|-|5");
	/* a page that ends exactly at the last row has no next page */
	assert_string_equal(page(db, "pump", false, NULL, 5), "a01,a03,a04,a06,a07|-|5");
	/* no filter: every row */
	assert_string_equal(page(db, NULL, false, "a05", 50), "a06,a07,a08|-|8");
	/* nothing found */
	assert_string_equal(page(db, "no-such-kind", false, NULL, 10), "|-|0");
	/* a cursor is a value too: compared as one string (after every id), never read as SQL */
	assert_string_equal(page(db, "pump", false, "z' OR '1'='1", 10), "|-|5");
}

static void
a_list_on_a_database_error_gives_nothing(void **state)
{
	DB_OR_SKIP();
	json_t *res = NULL;
	assert_int_equal(qb_list(db, "SELECT id FROM qb_no_such_table WHERE 1 = 1",
			     "SELECT COUNT(*) AS n FROM qb_items WHERE 1 = 1", kind_filter, NULL, "id", false, NULL, 10, &res),
	    -1);
	assert_null(res);
	assert_int_equal(qb_list(db, "SELECT id FROM qb_items WHERE 1 = 1",
			     "SELECT COUNT(*) AS n FROM qb_no_such_table WHERE 1 = 1", kind_filter, NULL, "id", false, NULL, 10,
			     &res),
	    -1);
	assert_null(res);
}

#define QB_TESTS                                                                                                       \
	cmocka_unit_test(each_value_becomes_the_next_numbered_placeholder),                                            \
	    cmocka_unit_test(values_bind_by_number_not_by_position_in_the_text), cmocka_unit_test(a_null_text_binds_sql_null), \
	    cmocka_unit_test(a_list_of_values_builds_an_in_clause),                                                    \
	    cmocka_unit_test(the_most_parameters_a_statement_takes_all_bind),                                          \
	    cmocka_unit_test(one_value_more_than_a_statement_takes_aborts), cmocka_unit_test(a_value_never_becomes_sql_text), \
	    cmocka_unit_test(a_list_pages_by_its_key_with_the_filtered_total),                                         \
	    cmocka_unit_test(a_list_on_a_database_error_gives_nothing)

int
main(void)
{
	const struct CMUnitTest tests[] = {QB_TESTS};
	int failed = cmocka_run_group_tests_name("query builder on SQLite", tests, open_sqlite, close_db);
	failed += cmocka_run_group_tests_name("query builder on PostgreSQL", tests, open_pg, close_db);
	return failed;
}
