/* What the static file server reads from a client (src/core/http/static_neg.c): the coding Accept-Encoding allows
 * among the copies the build made, If-None-Match by weak comparison, and hashed names (js/app.<12 hex>.js). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>
#include "core/http/static_neg.h"

static void
accept_encoding_weights_and_wildcard(void **state)
{
	(void)state;
	assert_int_equal(static_pick_coding(NULL, true, true), STATIC_IDENTITY); /* no header: the plain file */
	assert_int_equal(static_pick_coding("", true, true), STATIC_IDENTITY);
	assert_int_equal(static_pick_coding("gzip, deflate, br, zstd", true, true), STATIC_BR);
	assert_int_equal(static_pick_coding("gzip, deflate, br", false, true), STATIC_GZIP); /* no .br copy */
	assert_int_equal(static_pick_coding("br", false, false), STATIC_IDENTITY);
	assert_int_equal(static_pick_coding("gzip;q=1.0, br;q=0.5", true, true), STATIC_GZIP);
	assert_int_equal(static_pick_coding("gzip;q=0.5, br;q=0.5", true, true), STATIC_BR); /* a tie: brotli */
	assert_int_equal(static_pick_coding("br;q=0, gzip", true, true), STATIC_GZIP);
	assert_int_equal(static_pick_coding("br;q=0, gzip;q=0", true, true), STATIC_IDENTITY);
	assert_int_equal(static_pick_coding("*", true, true), STATIC_BR);
	assert_int_equal(static_pick_coding("*;q=0", true, true), STATIC_IDENTITY);
	assert_int_equal(static_pick_coding("*, br;q=0", true, true), STATIC_GZIP); /* * is only for the others */
	assert_int_equal(static_pick_coding(" BR ; Q=0.8 ,x-gzip;q=0.9", true, true), STATIC_GZIP);
	assert_int_equal(static_pick_coding("br;q=2", true, true), STATIC_IDENTITY); /* malformed weight: dropped */
	assert_int_equal(static_pick_coding("br;q=0.0001", true, true), STATIC_IDENTITY);
	assert_int_equal(static_pick_coding("br;level=5;q=0.001", true, true), STATIC_BR);
	assert_int_equal(static_pick_coding("brotli, gzipx, identity", true, true), STATIC_IDENTITY);
	assert_int_equal(static_pick_coding(",,, ;;, br", true, true), STATIC_BR);
}

static void
if_none_match_weak_comparison(void **state)
{
	(void)state;
	assert_true(static_etag_match("\"abc\"", "\"abc\""));
	assert_true(static_etag_match("W/\"abc\"", "\"abc\""));
	assert_true(static_etag_match("\"x\", \"abc\"", "\"abc\""));
	assert_true(static_etag_match("\"x\",W/\"abc\"", "\"abc\""));
	assert_true(static_etag_match(" * ", "\"abc\""));
	assert_true(static_etag_match("\"a,b\"", "\"a,b\"")); /* a comma inside a tag is part of it */
	assert_false(static_etag_match("\"abc-br\"", "\"abc\""));
	assert_false(static_etag_match("abc", "\"abc\"")); /* unquoted: malformed */
	assert_false(static_etag_match("\"abc", "\"abc\""));
	assert_false(static_etag_match("\"x\" junk, \"abc\"", "\"abc\"")); /* malformed before it: no match */
	assert_false(static_etag_match("*, \"abc\"", "\"abc\""));
	assert_false(static_etag_match("", "\"abc\""));
	assert_false(static_etag_match(NULL, "\"abc\""));
}

static void
hashed_names(void **state)
{
	(void)state;
	char plain[64], hash[STATIC_HASH_LEN + 1];
	assert_true(static_unhash("js/app.0123456789ab.js", plain, sizeof plain, hash));
	assert_string_equal(plain, "js/app.js");
	assert_string_equal(hash, "0123456789ab");
	assert_true(static_unhash("js/jobflow/steps.abcdefabcdef.js", plain, sizeof plain, hash));
	assert_string_equal(plain, "js/jobflow/steps.js");
	assert_true(static_unhash("a.b.0123456789ab.json", plain, sizeof plain, hash));
	assert_string_equal(plain, "a.b.json");
	assert_false(static_unhash("js/app.js", plain, sizeof plain, hash));
	assert_false(static_unhash("js/app.0123456789AB.js", plain, sizeof plain, hash)); /* lowercase only */
	assert_false(static_unhash("js/app.0123456789a.js", plain, sizeof plain, hash));   /* 11 digits */
	assert_false(static_unhash("js/.0123456789ab.js", plain, sizeof plain, hash));     /* no name */
	assert_false(static_unhash("js/0123456789ab.js", plain, sizeof plain, hash));
	assert_false(static_unhash("js.0123456789ab/app.js", plain, sizeof plain, hash)); /* in a folder's name */
	assert_false(static_unhash("js/app.0123456789ab.js", plain, 5, hash));            /* no room */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accept_encoding_weights_and_wildcard),
		cmocka_unit_test(if_none_match_weak_comparison),
		cmocka_unit_test(hashed_names),
	};
	return cmocka_run_group_tests_name("static_neg", tests, NULL, NULL);
}
