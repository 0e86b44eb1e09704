/* Unit tests of the pure parts of the meter import and rotation campaigns (no database): the streaming CSV
 * records (the same text cut at every byte gives the same records: a record across a chunk boundary is waited
 * for, never split), spreadsheet dates, the batches handed from the import's reader thread to its database thread
 * (in order, and a reader that stops when the database thread abandons the load), and the day arithmetic of a
 * campaign's schedule and age cutoff. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pthread.h>
#include "core/base/csv.h"
#include "metering/imports/imports.h"
#include "metering/imports/imports_pipe.h"
#include "metering/rotation/rotation.h"

/* All records of text fed in two pieces: the first `cut` bytes, then (eof) all of it; joined as "f1|f2;…". */
static void
records(const char *text, size_t cut, char *out, size_t cap)
{
	size_t n = strlen(text), pos = 0, len = cut < n ? cut : n;
	bool eof = len == n;
	char buf[256];
	const char *f[16];
	int nf;
	const char *why;
	out[0] = 0;
	for (;;) {
		int k = csv_record(text, len, eof, ',', &pos, buf, sizeof buf, f, 16, &nf, &why);
		if (k == CSV_MORE) {
			assert_false(eof);
			len = n;
			eof = true;
			continue;
		}
		if (k == CSV_END)
			break;
		assert_int_equal(k, CSV_REC);
		for (int i = 0; i < nf; i++) {
			strncat(out, f[i], cap - strlen(out) - 1);
			strncat(out, i + 1 < nf ? "|" : ";", cap - strlen(out) - 1);
		}
	}
}

static void
csv_records_are_the_same_wherever_the_chunk_ends(void **state)
{
	(void)state;
	const char *text = "a,\"b, \"\"c\"\"\",d\r\n\"two\r\nlines\",,x\n\n\"\"\rlast,\"q\"";
	const char *want = "a|b, \"c\"|d;two\r\nlines||x;;;last|q;"; /* a blank line and a quoted empty field: one empty field each */
	char got[512];
	for (size_t cut = 0; cut <= strlen(text); cut++) {
		records(text, cut, got, sizeof got);
		assert_string_equal(got, want);
	}
}

static void
csv_records_refuse_what_cannot_be_cut(void **state)
{
	(void)state;
	char buf[8];
	const char *f[2], *why;
	int nf;
	size_t pos = 0;
	assert_int_equal(csv_record("\"open", 5, true, ',', &pos, buf, sizeof buf, f, 2, &nf, &why), CSV_BAD);
	assert_string_equal(why, "unclosed_quote");
	pos = 0;
	assert_int_equal(csv_record("\"a\"b", 4, true, ',', &pos, buf, sizeof buf, f, 2, &nf, &why), CSV_BAD);
	assert_string_equal(why, "text_after_quote");
	pos = 0;
	assert_int_equal(csv_record("abcdefghij", 10, true, ',', &pos, buf, sizeof buf, f, 2, &nf, &why), CSV_BAD);
	assert_string_equal(why, "cell_too_long");
	pos = 0;
	assert_int_equal(csv_record("a,b,c", 5, true, ',', &pos, buf, sizeof buf, f, 2, &nf, &why), CSV_BAD);
	assert_string_equal(why, "too_many_columns");
	assert_int_equal(csv_delimiter("a;b\tc", 5), '\t');
	assert_int_equal(csv_delimiter("a;b", 3), ';');
	assert_int_equal(csv_delimiter("\"a,b\";c", 7), ';');
}

static void
import_dates_as_spreadsheets_write_them(void **state)
{
	(void)state;
	char d[11];
	assert_true(mimp_date("2024-03-05", d));
	assert_string_equal(d, "2024-03-05");
	assert_true(mimp_date("2024/3/5", d));
	assert_string_equal(d, "2024-03-05");
	assert_true(mimp_date("2024-02-29", d));
	assert_false(mimp_date("2023-02-29", d));
	assert_false(mimp_date("1900-02-29", d));
	assert_true(mimp_date("2000-02-29", d));
	assert_false(mimp_date("2024-13-01", d));
	assert_false(mimp_date("2024-3/5", d));
	assert_false(mimp_date("24-03-05", d));
	assert_false(mimp_date("2024-03-05x", d));
	assert_false(mimp_date("", d));
}

static void
rotation_days_and_cutoffs(void **state)
{
	(void)state;
	char d[11];
	assert_int_equal(rotation_day_number("1970-01-01"), 0);
	assert_int_equal(rotation_day_number("2026-09-30"), 20726);
	assert_int_equal(rotation_day_number("nope"), -1);
	for (int64_t n = -1000; n < 30000; n += 7) {
		rotation_day_string(n, d);
		assert_int_equal(rotation_day_number(d), n);
	}
	rotation_day_string(20727, d);
	assert_string_equal(d, "2026-10-01");
	assert_int_equal(rotation_years_before("2025-06-01", 8, d), 0);
	assert_string_equal(d, "2017-06-01");
	assert_int_equal(rotation_years_before("2024-02-29", 1, d), 0);
	assert_string_equal(d, "2023-02-28");
	assert_int_equal(rotation_years_before("2024-02-29", 4, d), 0);
	assert_string_equal(d, "2020-02-29");
	assert_int_equal(rotation_years_before("x", 1, d), -1);
}

/* A reader: batches of 100 rows "batch:row" put one after another, until the pipe answers no empty batch. */
typedef struct {
	mimp_pipe_t *p;
	int batches, put;
	bool refused;
} producer_t;

static void *
producer(void *arg)
{
	producer_t *pr = arg;
	for (int i = 0; i < pr->batches; i++) {
		mimp_batch_t *b = mimp_pipe_empty(pr->p);
		if (!b) {
			pr->refused = true;
			break;
		}
		for (int r = 0; r < 100; r++) {
			char v[32];
			snprintf(v, sizeof v, "%d:%d", i, r);
			assert_true(mimp_batch_room(b, strlen(v) + 1));
			b->vals[b->rows * 2] = mimp_batch_add(b, v);
			b->vals[b->rows * 2 + 1] = mimp_batch_add(b, NULL);
			b->rows++;
		}
		mimp_pipe_put(pr->p, b);
		pr->put++;
	}
	mimp_pipe_close(pr->p);
	return NULL;
}

static void
import_batches_arrive_in_order_and_a_reader_stops_when_abandoned(void **state)
{
	(void)state;
	/* every batch, in the order put: far more batches than go round */
	producer_t pr = {.p = mimp_pipe_new(2), .batches = 50};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, producer, &pr), 0);
	mimp_batch_t *b;
	int got = 0;
	while ((b = mimp_pipe_full(pr.p))) {
		char want[32];
		snprintf(want, sizeof want, "%d:0", got);
		assert_int_equal(b->rows, 100);
		assert_string_equal(b->vals[0], want);
		assert_null(b->vals[1]);
		got++;
		mimp_pipe_done(pr.p, b);
	}
	pthread_join(th, NULL);
	assert_int_equal(got, 50);
	assert_false(pr.refused);
	mimp_pipe_free(pr.p);

	/* the database thread abandons after two: the reader is refused its next batch and ends; what it had put is
	 * still taken back, and nothing waits for ever */
	producer_t ab = {.p = mimp_pipe_new(2), .batches = 50};
	assert_int_equal(pthread_create(&th, NULL, producer, &ab), 0);
	for (int i = 0; i < 2; i++) {
		assert_non_null(b = mimp_pipe_full(ab.p));
		mimp_pipe_done(ab.p, b);
	}
	mimp_pipe_abandon(ab.p);
	int drained = 0;
	while ((b = mimp_pipe_full(ab.p))) {
		drained++;
		mimp_pipe_done(ab.p, b);
	}
	pthread_join(th, NULL);
	assert_true(ab.refused);
	assert_int_equal(ab.put, 2 + drained);
	assert_true(ab.put < 50);
	mimp_pipe_free(ab.p);

	/* a batch is full at its row or byte bound */
	mimp_pipe_t *p = mimp_pipe_new(1);
	b = mimp_pipe_empty(p);
	assert_true(mimp_batch_room(b, MIMP_BATCH_BYTES));
	assert_false(mimp_batch_room(b, MIMP_BATCH_BYTES + 1));
	b->rows = MIMP_BATCH_ROWS;
	assert_false(mimp_batch_room(b, 1));
	mimp_pipe_put(p, b);
	mimp_pipe_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(csv_records_are_the_same_wherever_the_chunk_ends),
		cmocka_unit_test(csv_records_refuse_what_cannot_be_cut),
		cmocka_unit_test(import_dates_as_spreadsheets_write_them),
		cmocka_unit_test(import_batches_arrive_in_order_and_a_reader_stops_when_abandoned),
		cmocka_unit_test(rotation_days_and_cutoffs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
