/* The outbox's pure text work (src/shared/notify/notify_text.c): templates filled or refused with the placeholder
 * named, the receipt parser's refusals, the receipt signature (the recipe of docs/api.md), masks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "shared/notify/notify_text.h"

static void
templates_are_filled_and_missing_params_named(void **state)
{
	json_t *p = json_pack("{s:s, s:i, s:o}", "code", "482913", "minutes", 5, "flag", json_true());
	char *out;
	const char *missing;
	assert_int_equal(notify_render("码{{code}}，{{minutes}}分钟 {{ code }} {{co-de}} {{", p, &out, &missing), 0);
	assert_string_equal(out, "码482913，5分钟 {{ code }} {{co-de}} {{");
	free(out);
	assert_int_equal(notify_render("{{code}}{{absent}}", p, &out, &missing), -1);
	assert_string_equal(missing, "absent");
	assert_int_equal(notify_render("{{flag}}", p, &out, &missing), -1); /* a boolean is not a text */
	assert_string_equal(missing, "flag");
	assert_int_equal(notify_render("", p, &out, &missing), 0);
	assert_string_equal(out, "");
	free(out);
	char big[NOTIFY_TEXT_MAX + 10];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(notify_render(big, p, &out, &missing), -1);
	json_t *tpl = json_pack("{s:s, s:{s:s}}", "template_id", "T", "data", "first", "n={{minutes}}");
	json_t *r = notify_render_json(tpl, p, &missing);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r, "data"), "first")), "n=5");
	json_decref(r);
	json_decref(tpl);
	json_decref(p);
}

static const char *
parse(const char *body, const char **field, size_t *n)
{
	static char code[64], f[64];
	json_t *items = NULL;
	fg_err_t e = FG_ERR_INIT;
	*field = NULL;
	if (notify_receipt_parse(body, strlen(body), &items, &e) == 0) {
		*n = json_array_size(items);
		json_decref(items);
		return "ok";
	}
	snprintf(code, sizeof code, "%s", e.code);
	const char *ff = json_string_value(json_object_get(e.details, "field"));
	snprintf(f, sizeof f, "%s", ff ? ff : "");
	*field = f;
	fg_err_clear(&e);
	return code;
}

static void
receipts_are_parsed_or_refused_with_the_field(void **state)
{
	const char *f;
	size_t n = 0;
	assert_string_equal(parse("{\"message_id\":\"gw-1\",\"status\":\"delivered\"}", &f, &n), "ok");
	assert_int_equal(n, 1);
	assert_string_equal(parse("{\"receipts\":[{\"message_id\":\"a\",\"status\":\"failed\",\"error\":\"x\",\"at\":5},"
				  "{\"message_id\":\"b\",\"status\":\"delivered\"}]}", &f, &n), "ok");
	assert_int_equal(n, 2);
	assert_string_equal(parse("{\"message_id\":\"a\",\"status\":\"read\"}", &f, &n), "invalid_field");
	assert_string_equal(f, "receipt.status");
	assert_string_equal(parse("{\"receipts\":[{\"message_id\":\"\",\"status\":\"failed\"}]}", &f, &n), "invalid_field");
	assert_string_equal(f, "receipts[0].message_id");
	assert_string_equal(parse("{\"receipts\":[]}", &f, &n), "invalid_field");
	assert_string_equal(f, "receipts");
	assert_string_equal(parse("{\"message_id\":\"a\",\"status\":\"failed\",\"x\":1}", &f, &n), "unknown_field");
	assert_string_equal(f, "receipt.x");
	assert_string_equal(parse("{\"message_id\":\"a\",\"message_id\":\"b\",\"status\":\"failed\"}", &f, &n), "invalid_json");
	assert_string_equal(parse("[1]", &f, &n), "invalid_json");
	assert_string_equal(parse("", &f, &n), "invalid_json");
}

static void
signatures_and_masks(void **state)
{
	char sig[65];
	/* printf '%s.%s' 1700000000 '{}' | openssl dgst -sha256 -hmac key -hex */
	notify_signature("key", "1700000000", "{}", 2, sig);
	assert_string_equal(sig, "9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae");
	assert_true(notify_signature_ok("key", "1700000000", "{}", 2, sig));
	assert_false(notify_signature_ok("kez", "1700000000", "{}", 2, sig));
	assert_false(notify_signature_ok("key", "1700000001", "{}", 2, sig));
	assert_false(notify_signature_ok("key", "1700000000", "{ }", 3, sig));
	assert_false(notify_signature_ok("", "1700000000", "{}", 2, sig));
	assert_false(notify_signature_ok("key", "1700000000", "{}", 2, "abc"));
	char m[32];
	notify_mask_phone("13912345678", m, sizeof m);
	assert_string_equal(m, "139****5678");
	notify_mask_phone("123", m, sizeof m);
	assert_string_equal(m, "****");
	notify_mask_secret(NULL, m, sizeof m);
	assert_string_equal(m, "");
	notify_mask_secret("short", m, sizeof m);
	assert_string_equal(m, "****");
	notify_mask_secret("a-long-secret-xy", m, sizeof m);
	assert_string_equal(m, "****xy");
	assert_true(notify_param_sensitive("code"));
	assert_false(notify_param_sensitive("minutes"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(templates_are_filled_and_missing_params_named),
		cmocka_unit_test(receipts_are_parsed_or_refused_with_the_field),
		cmocka_unit_test(signatures_and_masks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
