/* Reproducible sampling (src/core/base/sample.c; used for routine acceptance items and quality re-checks): how many a rate takes,
 * the keys against BLAKE2b computed independently (Python's hashlib.blake2b(digest_size=32)), the same record
 * always drawing the same items and other records drawing others. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>
#include "core/base/sample.h"

static const char *const codes[] = {"cp_staff", "cp_safety_gear", "cp_fire_access", "cp_labels", "cp_seals"};

static void
counts(void **state)
{
	(void)state;
	assert_int_equal(sample_count(5, 0), 0);
	assert_int_equal(sample_count(5, 1), 1);   /* any rate above 0 checks at least one */
	assert_int_equal(sample_count(5, 50), 3);  /* 2.5 rounds up */
	assert_int_equal(sample_count(4, 50), 2);
	assert_int_equal(sample_count(5, 60), 3);
	assert_int_equal(sample_count(5, 61), 4);
	assert_int_equal(sample_count(5, 100), 5);
	assert_int_equal(sample_count(0, 50), 0);
}

static void
keys_are_blake2b(void **state)
{
	(void)state;
	const char *rec = "0193a1b2-0000-7000-8000-000000000001";
	assert_true(sample_key(rec, "cp_staff") == 0x3fedceac2e98cce9ull);
	assert_true(sample_key(rec, "cp_safety_gear") == 0x76e1488d9afd28dcull);
	assert_true(sample_key(rec, "cp_seals") == 0x9a0891a0583e39deull);
	assert_true(sample_key("rec-2", "cp_labels") == 0x1298669137a101caull);
}

static void
smallest_keys_sampled(void **state)
{
	(void)state;
	bool s[5];
	/* keys worked out in Python: the three smallest of the first record are staff, safety_gear, seals */
	assert_int_equal(sample_pick("0193a1b2-0000-7000-8000-000000000001", codes, 5, 50, s), 0);
	assert_true(s[0] && s[1] && !s[2] && !s[3] && s[4]);
	/* another record draws other items: labels, staff, fire_access */
	assert_int_equal(sample_pick("rec-2", codes, 5, 50, s), 0);
	assert_true(s[0] && !s[1] && s[2] && s[3] && !s[4]);
	/* a lower rate takes a prefix of the same order */
	assert_int_equal(sample_pick("rec-2", codes, 5, 20, s), 0);
	assert_true(!s[0] && !s[1] && !s[2] && s[3] && !s[4]);
	assert_int_equal(sample_pick("rec-2", codes, 5, 0, s), 0);
	assert_true(!s[0] && !s[1] && !s[2] && !s[3] && !s[4]);
	assert_int_equal(sample_pick("rec-2", codes, 5, 100, s), 0);
	assert_true(s[0] && s[1] && s[2] && s[3] && s[4]);
	assert_int_equal(sample_pick("rec-2", codes, 5, 101, s), -1);
	assert_int_equal(sample_pick("rec-2", codes, 5, -1, s), -1);
}

static void
reproducible_and_spread(void **state)
{
	(void)state;
	bool a[5], b[5];
	int picked[5] = {0};
	char rec[32];
	for (int r = 0; r < 200; r++) {
		snprintf(rec, sizeof rec, "record-%d", r);
		assert_int_equal(sample_pick(rec, codes, 5, 40, a), 0);
		assert_int_equal(sample_pick(rec, codes, 5, 40, b), 0);
		assert_memory_equal(a, b, sizeof a);
		int n = 0;
		for (int i = 0; i < 5; i++) {
			n += a[i];
			picked[i] += a[i];
		}
		assert_int_equal(n, 2);
	}
	/* every item is drawn by some records and left by others (200 records, 2 of 5 each: about 80 per item) */
	for (int i = 0; i < 5; i++)
		assert_true(picked[i] > 40 && picked[i] < 120);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts),
		cmocka_unit_test(keys_are_blake2b),
		cmocka_unit_test(smallest_keys_sampled),
		cmocka_unit_test(reproducible_and_spread),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
