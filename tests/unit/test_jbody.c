/* The request body parser and field-spec checker (src/core/http/jbody.c): one JSON object, UTF-8, no duplicate
 * keys, jansson's nesting limit; each field kind and flag, with the field and the reason named. The first two
 * tests moved here from test_core.c unchanged. (The body's byte limit is the router's: route max_body /
 * HTTP_BODY_MAX, enforced before jbody_parse sees the bytes.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/base/util.h"
#include "core/base/err.h"
#include "core/http/http.h"

static const jfield_t spec[] = {
	{"name", JF_STRING, JF_REQUIRED, 5},
	{"roles", JF_STRINGS, 0, 0},
	{"version", JF_INT, 0, 0},
	{"parent_id", JF_STRING, JF_NULLABLE, 64},
	{NULL, 0, 0, 0},
};

static const char *
check(const char *body, const char **field)
{
	static char code[64];
	json_t *j = NULL;
	fg_err_t e = FG_ERR_INIT;
	*field = NULL;
	if (jbody_parse(body, strlen(body), &j, &e) == 0 && jbody_check(j, spec, &e) == 0) {
		json_decref(j);
		return "ok";
	}
	json_decref(j);
	snprintf(code, sizeof code, "%s", e.code);
	static char f[64];
	const char *ff = e.details ? json_string_value(json_object_get(e.details, "field")) : NULL;
	if (ff) {
		snprintf(f, sizeof f, "%s", ff);
		*field = f;
	}
	fg_err_clear(&e);
	return code;
}

static void
body_validation_names_the_field(void **state)
{
	const char *f;
	assert_string_equal(check("{\"name\":\"abc\"}", &f), "ok");
	assert_string_equal(check("{\"name\":\"张三李四王\"}", &f), "ok"); /* 5 characters, 15 bytes */
	assert_string_equal(check("{\"name\":\"abcdef\"}", &f), "invalid_field");
	assert_string_equal(f, "name");
	assert_string_equal(check("{\"name\":\"a\",\"nmae\":1}", &f), "unknown_field");
	assert_string_equal(f, "nmae");
	assert_string_equal(check("{\"roles\":[]}", &f), "missing_field");
	assert_string_equal(f, "name");
	assert_string_equal(check("{\"name\":5}", &f), "invalid_field");
	assert_string_equal(f, "name");
	assert_string_equal(check("{\"name\":\"a\",\"roles\":[1]}", &f), "invalid_field");
	assert_string_equal(f, "roles");
	assert_string_equal(check("{\"name\":\"a\",\"version\":null}", &f), "invalid_field");
	assert_string_equal(check("{\"name\":\"a\",\"parent_id\":null}", &f), "ok");
	assert_string_equal(check("{\"name\":\"a\",\"version\":1.5}", &f), "invalid_field");
}

static void
body_parse_rejects_what_is_not_one_json_object(void **state)
{
	const char *f;
	assert_string_equal(check("[1]", &f), "invalid_json");
	assert_string_equal(check("{\"name\":\"a\"} trailing", &f), "invalid_json");
	assert_string_equal(check("{\"name\":\"a\",\"name\":\"b\"}", &f), "invalid_json"); /* duplicate key */
	assert_string_equal(check("{\"name\":\"\xff\"}", &f), "invalid_json");               /* not UTF-8 */
	assert_string_equal(check("{bad", &f), "invalid_json");
	json_t *j = NULL;
	fg_err_t e = FG_ERR_INIT;
	assert_int_equal(jbody_parse("", 0, &j, &e), 0); /* empty body of an action = {} */
	assert_true(json_is_object(j) && json_object_size(j) == 0);
	json_decref(j);
}

/* jbody_check of body (parsed, must be valid JSON) against a spec: "ok", or "code field reason" as the error says
 * ("-" for a part it leaves out). */
static const char *
verdict(const jfield_t *s, const char *body)
{
	static char out[256];
	json_error_t je;
	json_t *j = json_loads(body, 0, &je);
	if (!j)
		fail_msg("test body is not JSON: %s (%s)", body, je.text);
	fg_err_t e = FG_ERR_INIT;
	int rc = jbody_check(j, s, &e);
	json_decref(j);
	if (rc == 0) {
		assert_null(e.code);
		return "ok";
	}
	assert_int_equal(rc, -1);
	const char *f = e.details ? json_string_value(json_object_get(e.details, "field")) : NULL;
	const char *why = e.details ? json_string_value(json_object_get(e.details, "reason")) : NULL;
	snprintf(out, sizeof out, "%s %s %s", e.code, f ? f : "-", why ? why : "-");
	fg_err_clear(&e);
	return out;
}

/* {"v": <value>} with the value written out as JSON */
static const char *
one(const jfield_t *s, const char *value)
{
	char body[8192];
	snprintf(body, sizeof body, "{\"v\":%s}", value);
	return verdict(s, body);
}

/* "x" repeated n times, quoted; or the UTF-8 "电" (3 bytes) when wide */
static char *
str_of(size_t n, bool wide)
{
	char *s = malloc(n * 3 + 3), *p = s;
	*p++ = '"';
	for (size_t i = 0; i < n; i++) {
		if (wide) {
			memcpy(p, "电", 3);
			p += 3;
		} else
			*p++ = 'x';
	}
	*p++ = '"';
	*p = 0;
	return s;
}

static void
a_string_field_counts_characters(void **state)
{
	static const jfield_t dflt[] = {{"v", JF_STRING, 0, 0}, {NULL, 0, 0, 0}};
	static const jfield_t three[] = {{"v", JF_STRING, 0, 3}, {NULL, 0, 0, 0}};
	assert_string_equal(one(dflt, "\"\""), "ok");
	assert_string_equal(one(dflt, "5"), "invalid_field v must be a string");
	assert_string_equal(one(dflt, "[\"a\"]"), "invalid_field v must be a string");
	assert_string_equal(one(dflt, "true"), "invalid_field v must be a string");
	/* max_len 0 means 1000 characters */
	char *s = str_of(1000, false);
	assert_string_equal(one(dflt, s), "ok");
	free(s);
	s = str_of(1001, false);
	assert_string_equal(one(dflt, s), "invalid_field v too long");
	free(s);
	s = str_of(1000, true); /* 3,000 bytes, 1,000 characters */
	assert_string_equal(one(dflt, s), "ok");
	free(s);
	s = str_of(1001, true);
	assert_string_equal(one(dflt, s), "invalid_field v too long");
	free(s);
	assert_string_equal(one(three, "\"电电电\""), "ok");
	assert_string_equal(one(three, "\"电电电x\""), "invalid_field v too long");
	assert_string_equal(one(three, "\"ab\\u00e9\""), "ok"); /* an escape is one character */
}

static void
an_int_field_takes_integers_only(void **state)
{
	static const jfield_t s[] = {{"v", JF_INT, 0, 0}, {NULL, 0, 0, 0}};
	assert_string_equal(one(s, "0"), "ok");
	assert_string_equal(one(s, "-42"), "ok");
	assert_string_equal(one(s, "9007199254740993"), "ok");
	assert_string_equal(one(s, "1.0"), "invalid_field v must be an integer");
	assert_string_equal(one(s, "1e3"), "invalid_field v must be an integer");
	assert_string_equal(one(s, "\"3\""), "invalid_field v must be an integer");
	assert_string_equal(one(s, "true"), "invalid_field v must be an integer");
}

static void
a_bool_field_takes_true_or_false(void **state)
{
	static const jfield_t s[] = {{"v", JF_BOOL, 0, 0}, {NULL, 0, 0, 0}};
	assert_string_equal(one(s, "true"), "ok");
	assert_string_equal(one(s, "false"), "ok");
	assert_string_equal(one(s, "0"), "invalid_field v must be true or false");
	assert_string_equal(one(s, "\"true\""), "invalid_field v must be true or false");
}

static void
a_strings_field_bounds_its_list_and_items(void **state)
{
	static const jfield_t s[] = {{"v", JF_STRINGS, 0, 0}, {NULL, 0, 0, 0}};
	assert_string_equal(one(s, "[]"), "ok");
	assert_string_equal(one(s, "[\"a\",\"b\"]"), "ok");
	assert_string_equal(one(s, "\"a\""), "invalid_field v must be a list of strings");
	assert_string_equal(one(s, "[\"a\",1]"), "invalid_field v must be a list of strings");
	assert_string_equal(one(s, "[null]"), "invalid_field v must be a list of strings");
	/* at most 100 items */
	char list[4096] = "[";
	for (int i = 0; i < 101; i++)
		strcat(list, i == 0 ? "\"a\"" : ",\"a\"");
	strcat(list, "]");
	assert_string_equal(one(s, list), "invalid_field v must be a list of strings");
	list[strlen(list) - 5] = ']'; /* drop the last ,"a" */
	list[strlen(list) - 4] = 0;
	assert_int_equal(strlen(list), 1 + 100 * 4 - 1 + 1);
	assert_string_equal(one(s, list), "ok");
	/* each at most 200 bytes (not characters) */
	char *item = str_of(200, false);
	snprintf(list, sizeof list, "[%s]", item);
	free(item);
	assert_string_equal(one(s, list), "ok");
	item = str_of(201, false);
	snprintf(list, sizeof list, "[%s]", item);
	free(item);
	assert_string_equal(one(s, list), "invalid_field v must be a list of strings");
	item = str_of(67, true); /* 67 characters, 201 bytes */
	snprintf(list, sizeof list, "[%s]", item);
	free(item);
	assert_string_equal(one(s, list), "invalid_field v must be a list of strings");
}

static void
object_and_any_fields(void **state)
{
	static const jfield_t obj[] = {{"v", JF_OBJECT, 0, 0}, {NULL, 0, 0, 0}};
	static const jfield_t any[] = {{"v", JF_ANY, 0, 0}, {NULL, 0, 0, 0}};
	assert_string_equal(one(obj, "{}"), "ok");
	assert_string_equal(one(obj, "{\"deep\":{\"x\":[1,2]}}"), "ok"); /* what is inside is the handler's */
	assert_string_equal(one(obj, "[]"), "invalid_field v must be an object");
	assert_string_equal(one(obj, "\"{}\""), "invalid_field v must be an object");
	static const char *const values[] = {"1", "1.5", "\"x\"", "[]", "{}", "true", NULL};
	for (int i = 0; values[i]; i++)
		assert_string_equal(one(any, values[i]), "ok");
}

static void
flags_decide_on_absent_and_null(void **state)
{
	static const jfield_t s[] = {
		{"req", JF_INT, JF_REQUIRED, 0},
		{"opt", JF_INT, 0, 0},
		{"nul", JF_INT, JF_NULLABLE, 0},
		{"both", JF_STRING, JF_REQUIRED | JF_NULLABLE, 0},
		{NULL, 0, 0, 0},
	};
	assert_string_equal(verdict(s, "{\"req\":1,\"both\":\"b\"}"), "ok");
	assert_string_equal(verdict(s, "{\"req\":1,\"both\":\"b\",\"opt\":2,\"nul\":3}"), "ok");
	assert_string_equal(verdict(s, "{\"both\":\"b\"}"), "missing_field req -");
	assert_string_equal(verdict(s, "{\"req\":null,\"both\":\"b\"}"), "missing_field req -"); /* null is no value */
	assert_string_equal(verdict(s, "{\"req\":1,\"both\":\"b\",\"opt\":null}"), "invalid_field opt must not be null");
	assert_string_equal(verdict(s, "{\"req\":1,\"both\":\"b\",\"nul\":null}"), "ok");
	assert_string_equal(verdict(s, "{\"req\":1,\"both\":null}"), "missing_field both -"); /* required wins */
	assert_string_equal(verdict(s, "{\"req\":1}"), "missing_field both -");
}

static void
unknown_fields_first_then_the_spec_in_order(void **state)
{
	static const jfield_t s[] = {
		{"a", JF_INT, JF_REQUIRED, 0},
		{"b", JF_INT, 0, 0},
		{NULL, 0, 0, 0},
	};
	/* an unknown field is named even when a required one is missing too */
	assert_string_equal(verdict(s, "{\"zz\":1}"), "unknown_field zz -");
	assert_string_equal(verdict(s, "{\"a\":1,\"A\":1}"), "unknown_field A -"); /* names are case-sensitive */
	/* several wrong fields: the first in the spec's order */
	assert_string_equal(verdict(s, "{\"b\":\"x\",\"a\":\"y\"}"), "invalid_field a must be an integer");
	/* an empty spec takes only {} */
	static const jfield_t none[] = {{NULL, 0, 0, 0}};
	assert_string_equal(verdict(none, "{}"), "ok");
	assert_string_equal(verdict(none, "{\"a\":1}"), "unknown_field a -");
}

/* jbody_parse's verdict: "ok", or "invalid_json <reason>" */
static const char *
parsed(const char *data, size_t len)
{
	static char out[256];
	json_t *j = NULL;
	fg_err_t e = FG_ERR_INIT;
	if (jbody_parse(data, len, &j, &e) == 0) {
		assert_true(json_is_object(j));
		json_decref(j);
		return "ok";
	}
	assert_null(j);
	snprintf(out, sizeof out, "%s %s", e.code, json_string_value(json_object_get(e.details, "reason")));
	fg_err_clear(&e);
	return out;
}

static void
the_parser_refuses_duplicates_scalars_and_nul_everywhere(void **state)
{
	/* duplicate keys are refused at any depth, not only at the top */
	const char *dup = "{\"a\":{\"b\":1,\"b\":2}}";
	assert_non_null(strstr(parsed(dup, strlen(dup)), "invalid_json"));
	const char *dup2 = "{\"a\":[{\"c\":1,\"c\":1}]}";
	assert_non_null(strstr(parsed(dup2, strlen(dup2)), "invalid_json"));
	/* a body must be one object: a scalar is no JSON text to the parser, an array is named */
	assert_non_null(strstr(parsed("1", 1), "invalid_json "));
	assert_non_null(strstr(parsed("\"s\"", 3), "invalid_json "));
	assert_non_null(strstr(parsed("null", 4), "invalid_json "));
	assert_string_equal(parsed("[]", 2), "invalid_json the body must be a JSON object");
	assert_string_equal(parsed("[{}]", 4), "invalid_json the body must be a JSON object");
	assert_string_equal(parsed(" {} ", 4), "ok");
	assert_string_not_equal(parsed("  ", 2), "ok"); /* blank is not empty */
	assert_string_not_equal(parsed("{}{}", 4), "ok");
	/* NUL: escaped or raw, it is refused (a C string would end there) */
	const char *esc = "{\"a\":\"x\\u0000y\"}";
	assert_string_not_equal(parsed(esc, strlen(esc)), "ok");
	const char raw[] = "{\"a\":\"x\0y\"}";
	assert_string_not_equal(parsed(raw, sizeof raw - 1), "ok");
	/* the length given is the body: bytes after it are not read */
	assert_string_equal(parsed("{}garbage", 2), "ok");
	/* a syntax error says where */
	json_t *j = NULL;
	fg_err_t e = FG_ERR_INIT;
	assert_int_equal(jbody_parse("{\n\"a\": tru}", 11, &j, &e), -1);
	assert_string_equal(e.code, "invalid_json");
	assert_int_equal(json_integer_value(json_object_get(e.details, "line")), 2);
	assert_true(json_integer_value(json_object_get(e.details, "column")) > 0);
	assert_true(json_integer_value(json_object_get(e.details, "position")) > 0);
	fg_err_clear(&e);
}

/* "{"a":" + depth '[' + depth ']' + "}" */
static char *
nested(int depth)
{
	char *s = malloc((size_t)depth * 2 + 16);
	strcpy(s, "{\"a\":");
	size_t n = strlen(s);
	memset(s + n, '[', (size_t)depth);
	memset(s + n + depth, ']', (size_t)depth);
	strcpy(s + n + 2 * (size_t)depth, "}");
	return s;
}

static void
nesting_deeper_than_the_parser_limit_is_refused(void **state)
{
	/* jansson stops at JSON_PARSER_MAX_DEPTH (2048) levels, the object itself being one: no deep recursion on a
	 * hostile body */
	char *s = nested(2000);
	assert_string_equal(parsed(s, strlen(s)), "ok");
	free(s);
	s = nested(2048);
	assert_string_not_equal(parsed(s, strlen(s)), "ok");
	free(s);
	s = nested(100000);
	const char *v = parsed(s, strlen(s));
	assert_non_null(strstr(v, "invalid_json"));
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(body_validation_names_the_field),
		cmocka_unit_test(body_parse_rejects_what_is_not_one_json_object),
		cmocka_unit_test(a_string_field_counts_characters),
		cmocka_unit_test(an_int_field_takes_integers_only),
		cmocka_unit_test(a_bool_field_takes_true_or_false),
		cmocka_unit_test(a_strings_field_bounds_its_list_and_items),
		cmocka_unit_test(object_and_any_fields),
		cmocka_unit_test(flags_decide_on_absent_and_null),
		cmocka_unit_test(unknown_fields_first_then_the_spec_in_order),
		cmocka_unit_test(the_parser_refuses_duplicates_scalars_and_nul_everywhere),
		cmocka_unit_test(nesting_deeper_than_the_parser_limit_is_refused),
	};
	return cmocka_run_group_tests_name("jbody", tests, NULL, NULL);
}
