/* X-Device-Time's value (src/core/http/reply.c http_device_time_parse): the epoch milliseconds a phone's outbox
 * sends with a write made offline (docs/api.md "Offline writes"). Digits only, 1–15 of them, above 0; anything else
 * is refused rather than guessed at, since a wrong device time would sit beside the record for good. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <cmocka.h>
#include "core/http/http.h"

static void
test_device_time_accepts_epoch_ms(void **state)
{
	(void)state;
	int64_t v = 0;
	assert_int_equal(http_device_time_parse("1765000000000", &v), 0);
	assert_true(v == 1765000000000LL);
	assert_int_equal(http_device_time_parse("1", &v), 0);
	assert_true(v == 1);
	assert_int_equal(http_device_time_parse("999999999999999", &v), 0); /* 15 digits: the most it takes */
	assert_true(v == 999999999999999LL);
}

static void
test_device_time_refuses_the_rest(void **state)
{
	(void)state;
	const char *bad[] = {"", "0", "000", "-5", "+5", "12.5", " 1765000000000", "1765000000000 ", "1e12",
		"2026-12-07T09:00:00Z", "0x10", "1000000000000000" /* 16 digits */, "12a"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		int64_t v = 42;
		assert_int_equal(http_device_time_parse(bad[i], &v), -1);
		assert_true(v == 42); /* nothing written */
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device_time_accepts_epoch_ms),
		cmocka_unit_test(test_device_time_refuses_the_rest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
