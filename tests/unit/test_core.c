/* Unit tests of the pieces with no database: ids, buffers, the error catalog, the Accept-Language choice, roles
 * and permissions, password rules. (Body parsing and validation: test_jbody.c.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>
#include "core/base/util.h"
#include "core/base/err.h"
#include "core/http/http.h"
#include "core/auth/perm.h"
#include "core/auth/password.h"
#include "core/base/day.h"

static void
uuid7_is_valid_and_time_ordered(void **state)
{
	char a[37], b[37];
	fg_uuid7(a);
	for (volatile int i = 0; i < 200000; i++) /* cross a millisecond at least sometimes */
		;
	fg_uuid7(b);
	assert_true(fg_is_uuid(a));
	assert_int_equal(a[14], '7');                   /* version nibble */
	assert_true(strchr("89ab", a[19]) != NULL);     /* RFC 9562 variant */
	assert_true(strncmp(a, b, 8) <= 0);             /* the 48-bit time prefix never goes back */
	/* one thread's ids count up, thousands in one millisecond included: rows ordered by (instant, id) keep the order
	 * they were written in */
	char prev[37], next[37];
	fg_uuid7(prev);
	for (int i = 0; i < 10000; i++) {
		fg_uuid7(next);
		assert_true(strcmp(prev, next) < 0);
		assert_true(fg_is_uuid(next));
		memcpy(prev, next, sizeof prev);
	}
	assert_false(fg_is_uuid("not-a-uuid"));
	assert_false(fg_is_uuid("01a1fe12-1451-74cf-90ca-b33a8d614cdZ"));
}

static void
buf_refuses_past_its_maximum(void **state)
{
	fg_buf_t b;
	fg_buf_init(&b, 10);
	assert_int_equal(fg_buf_append(&b, "12345", 5), 0);
	assert_int_equal(fg_buf_append(&b, "67890", 5), 0);
	assert_int_equal(fg_buf_append(&b, "x", 1), -1);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "1234567890");
	fg_buf_free(&b);
}

static void
error_catalog_maps_codes_to_status_and_both_languages(void **state)
{
	const errcat_t *c = errcat_find("account_locked");
	assert_int_equal(c->status, 429);
	assert_non_null(strstr(c->zh, "锁定"));
	assert_non_null(strstr(c->en, "locked"));
	assert_int_equal(errcat_find("no_such_code")->status, 500);
	assert_int_equal(errcat_find("unknown_field")->status, 400);
	assert_int_equal(errcat_find("body_too_large")->status, 413);
}

static void
accept_language_prefers_chinese_unless_english_wins(void **state)
{
	assert_string_equal(http_lang(NULL), "zh");
	assert_string_equal(http_lang(""), "zh");
	assert_string_equal(http_lang("en"), "en");
	assert_string_equal(http_lang("en-US,en;q=0.9"), "en");
	assert_string_equal(http_lang("zh-CN,zh;q=0.9,en;q=0.8"), "zh");
	assert_string_equal(http_lang("en;q=0.5,zh-CN;q=0.9"), "zh");
	assert_string_equal(http_lang("fr-FR,en;q=0.7"), "en");
	assert_string_equal(http_lang("de"), "zh");
}

static void
roles_grant_only_their_permissions(void **state)
{
	assert_int_equal(perm_role_bit("crew"), ROLE_CREW);
	assert_int_equal(perm_role_bit("pilot"), 0);
	assert_true(perm_allows(ROLE_ADMIN, "users.write"));
	assert_false(perm_allows(ROLE_CREW | ROLE_LEADER, "users.write"));
	assert_false(perm_allows(ROLE_MANAGER, "org.write"));
	assert_true(perm_allows(ROLE_SUPERVISOR, "audit.read"));
	assert_false(perm_allows(ROLE_VIEWER, "audit.read"));
	assert_true(perm_allows(ROLE_DISPATCHER, "orders.write"));
	assert_false(perm_allows(ROLE_CREW, "orders.write"));
	assert_true(perm_allows(ROLE_CREW, "plans.read"));
	/* emergency mode (issue 13): dispatchers and managers declare; the field reads; supervisors review, not declare */
	assert_true(perm_allows(ROLE_DISPATCHER, "emergencies.declare"));
	assert_false(perm_allows(ROLE_CREW | ROLE_LEADER | ROLE_SUPERVISOR, "emergencies.declare"));
	assert_true(perm_allows(ROLE_SUPERVISOR, "emergencies.review"));
	assert_true(perm_allows(ROLE_CREW, "emergencies.read"));
	assert_false(perm_allows(ROLE_CUSTOMER_SERVICE, "emergencies.read"));
	assert_false(perm_allows(ROLE_CREW, "drills.write"));
	/* a supervisor reads and records findings, but changes no orders, plans, people or org units */
	assert_true(perm_allows(ROLE_SUPERVISOR, "supervision.write"));
	static const char *const never[] = {"orders.write", "plans.write", "users.write", "org.write", "tickets.write", NULL};
	for (int i = 0; never[i]; i++)
		assert_false(perm_allows(ROLE_SUPERVISOR, never[i]));
	json_t *l = perm_list(ROLE_SUPERVISOR);
	char first[32];
	snprintf(first, sizeof first, "%s", json_string_value(json_array_get(l, 0)));
	size_t n = json_array_size(l);
	bool sorted = true;
	for (size_t i = 1; i < n; i++)
		sorted &= strcmp(json_string_value(json_array_get(l, i - 1)), json_string_value(json_array_get(l, i))) < 0;
	json_decref(l);
	assert_string_equal(first, "alarms.read"); /* the charging alarms they may watch */
	assert_true(sorted);
}

static void
passwords_hash_verify_and_strength(void **state)
{
	char h[crypto_pwhash_STRBYTES];
	fg_err_t e = FG_ERR_INIT;
	assert_int_equal(password_hash("Secret-pass-1", h), 0);
	assert_non_null(strstr(h, "$argon2id$"));
	assert_true(password_verify(h, "Secret-pass-1"));
	assert_false(password_verify(h, "Secret-pass-2"));
	assert_int_equal(password_check_strength("short1", &e), -1);
	assert_string_equal(e.code, "weak_password");
	fg_err_clear(&e);
	assert_int_equal(password_check_strength("onlyletterslong", &e), -1);
	fg_err_clear(&e);
	assert_int_equal(password_check_strength("1234567890123", &e), -1);
	fg_err_clear(&e);
	assert_int_equal(password_check_strength("good-pass-123", &e), 0);
	char g[17];
	password_generate(g);
	assert_int_equal(strlen(g), 16);
	assert_int_equal(password_check_strength(g, &e), 0);
}

static void
test_cycles_add_months_to_month_ends(void **state)
{
	char out[11];
	assert_true(day_add_months("2025-08-31", 6, out));
	assert_string_equal(out, "2026-02-28");
	assert_true(day_add_months("2027-08-31", 6, out));
	assert_string_equal(out, "2028-02-29"); /* leap year */
	assert_true(day_add_months("2100-08-31", 6, out));
	assert_string_equal(out, "2101-02-28");
	assert_true(day_add_months("2099-08-31", 6, out));
	assert_string_equal(out, "2100-02-28"); /* 2100 is not a leap year */
	assert_true(day_add_months("2024-02-29", 12, out));
	assert_string_equal(out, "2025-02-28");
	assert_true(day_add_months("2024-01-31", 1, out));
	assert_string_equal(out, "2024-02-29");
	assert_true(day_add_months("2026-11-21", 60, out)); /* earthing sets: 5 years */
	assert_string_equal(out, "2031-11-21");
	assert_false(day_add_months("2026-02-30", 6, out));
	assert_false(day_valid("2026-13-01"));
	assert_false(day_valid("2026-1-01"));
	assert_int_equal(day_diff("2024-02-28", "2024-03-01"), 2);
	assert_int_equal(day_diff("2026-03-01", "2026-02-28"), -1);
	assert_true(day_add_days("2024-02-28", 1, out));
	assert_string_equal(out, "2024-02-29");
	assert_true(day_add_days("2026-12-31", 1, out));
	assert_string_equal(out, "2027-01-01");
	assert_true(day_add_days("2026-03-01", -1, out));
	assert_string_equal(out, "2026-02-28");
	assert_true(day_add_days("2026-11-21", 30, out));
	assert_int_equal(day_diff("2026-11-21", out), 30);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(uuid7_is_valid_and_time_ordered),
		cmocka_unit_test(buf_refuses_past_its_maximum),
		cmocka_unit_test(error_catalog_maps_codes_to_status_and_both_languages),
		cmocka_unit_test(accept_language_prefers_chinese_unless_english_wins),
		cmocka_unit_test(roles_grant_only_their_permissions),
		cmocka_unit_test(passwords_hash_verify_and_strength),
		cmocka_unit_test(test_cycles_add_months_to_month_ends),
	};
	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
