/* The router's matching (src/core/http/router.c): patterns against paths, the method check with its Allow list,
 * HEAD through GET routes, and the first match winning in the order of the modules table. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/http/http.h"
#include "core/http/routes.h"
#include "core/module/module.h"

/* Matches and returns the captures joined by "|" ("" when none), or NULL when the path does not match. */
static const char *
captures(const char *pattern, const char *path)
{
	static char out[1024];
	char *params[HTTP_MAX_PARAMS] = {0};
	int n = -1;
	if (!router_match(pattern, path, params, &n)) {
		for (int i = 0; i < HTTP_MAX_PARAMS; i++)
			assert_null(params[i]); /* a path that does not match keeps nothing */
		assert_int_equal(n, -1);
		return NULL;
	}
	assert_in_range(n, 0, HTTP_MAX_PARAMS);
	out[0] = 0;
	for (int i = 0; i < n; i++) {
		assert_non_null(params[i]);
		size_t l = strlen(out);
		snprintf(out + l, sizeof out - l, "%s%s", i ? "|" : "", params[i]);
		free(params[i]);
	}
	for (int i = n; i < HTTP_MAX_PARAMS; i++)
		assert_null(params[i]);
	return out;
}

static void
literal_segments_match_exactly(void **state)
{
	assert_string_equal(captures("/api/v1/health", "/api/v1/health"), "");
	assert_null(captures("/api/v1/health", "/api/v1/healthz"));
	assert_null(captures("/api/v1/health", "/api/v1/heal"));
	assert_null(captures("/api/v1/health", "/api/v1"));
	assert_null(captures("/api/v1/health", "/api/v1/health/x"));
	assert_null(captures("/api/v1/health", "/API/v1/health")); /* case matters */
	assert_null(captures("/api/v1/health", ""));
	/* router_match without captures answers the same */
	assert_true(router_match("/api/v1/me", "/api/v1/me", NULL, NULL));
	assert_false(router_match("/api/v1/me", "/api/v1/mex", NULL, NULL));
}

static void
params_capture_one_segment_each_in_order(void **state)
{
	assert_string_equal(captures("/api/v1/plans/{id}", "/api/v1/plans/0190a1b2"), "0190a1b2");
	assert_string_equal(captures("/api/v1/plans/{id}/crew/{user}", "/api/v1/plans/p1/crew/u9"), "p1|u9");
	assert_string_equal(captures("/api/v1/plans/{id}/actions/{action}", "/api/v1/plans/p1/actions/approve"),
	    "p1|approve");
	/* a capture stops at the next "/": the rest must match the pattern's literal part */
	assert_null(captures("/api/v1/plans/{id}", "/api/v1/plans/p1/crew"));
	assert_null(captures("/api/v1/plans/{id}/crew", "/api/v1/plans/p1/tools"));
	/* the literal text around a capture is checked, too */
	assert_null(captures("/api/v1/plans/{id}/crew/{user}", "/api/v1/plan/p1/crew/u9"));
	/* what a segment holds is taken as it is (percent-decoding is libmicrohttpd's) */
	assert_string_equal(captures("/f/{name}", "/f/a.b-c_%20d"), "a.b-c_%20d");
}

static void
one_trailing_slash_is_accepted(void **state)
{
	assert_string_equal(captures("/api/v1/health", "/api/v1/health/"), "");
	assert_string_equal(captures("/api/v1/plans/{id}", "/api/v1/plans/p1/"), "p1");
	assert_null(captures("/api/v1/plans/{id}", "/api/v1/plans/p1//"));
	assert_null(captures("/api/v1/health", "/api/v1/health//"));
}

static void
an_empty_segment_is_no_param(void **state)
{
	assert_null(captures("/api/v1/plans/{id}", "/api/v1/plans/"));
	assert_null(captures("/api/v1/plans/{id}", "/api/v1/plans"));
	assert_null(captures("/api/v1/plans/{id}/crew", "/api/v1/plans//crew"));
	assert_null(captures("/a/{x}/b/{y}", "/a/1/b/"));
}

static void
a_segment_over_128_bytes_is_refused(void **state)
{
	char path[300], seg[200];
	memset(seg, 'x', 128);
	seg[128] = 0;
	snprintf(path, sizeof path, "/api/v1/plans/%s", seg);
	assert_string_equal(captures("/api/v1/plans/{id}", path), seg);
	seg[128] = 'x';
	seg[129] = 0;
	snprintf(path, sizeof path, "/api/v1/plans/%s", seg);
	assert_null(captures("/api/v1/plans/{id}", path));
	/* a long literal segment is no capture: only the pattern's text limits it */
	snprintf(path, sizeof path, "/%s", seg);
	char pattern[300];
	snprintf(pattern, sizeof pattern, "/%s", seg);
	assert_string_equal(captures(pattern, path), "");
}

static void
captures_past_the_maximum_match_but_are_not_kept(void **state)
{
	assert_int_equal(HTTP_MAX_PARAMS, 4); /* the pattern below has one more */
	assert_string_equal(captures("/{a}/{b}/{c}/{d}/{e}", "/1/2/3/4/5"), "1|2|3|4");
	assert_string_equal(captures("/{a}/{b}/{c}/{d}", "/1/2/3/4"), "1|2|3|4");
	/* the fifth still has to be a non-empty segment */
	assert_null(captures("/{a}/{b}/{c}/{d}/{e}", "/1/2/3/4/"));
}

/* Two modules whose routes overlap, as a later module's could with an earlier one's. */
static void h_list(req_t *r) { (void)r; }
static void h_create(req_t *r) { (void)r; }
static void h_get(req_t *r) { (void)r; }
static void h_delete(req_t *r) { (void)r; }
static void h_special(req_t *r) { (void)r; }
static void h_put(req_t *r) { (void)r; }
static void h_form(req_t *r) { (void)r; }

static const route_t things_routes[] = {
	{"GET", "/things", h_list, "", 0, .ok = NULL},
	{"POST", "/things", h_create, "things.write", 0, .ok = NULL},
	{"GET", "/things/{id}", h_get, "", 0, .ok = NULL},
	{"DELETE", "/things/{id}", h_delete, "things.write", 0, .ok = NULL},
	{0},
};
static const route_t forms_routes[] = {
	{"POST", "/forms", h_form, NULL, 0, .ok = NULL},
	{0},
};
static const route_t extra_routes[] = {
	{"GET", "/things/special", h_special, "", 0, .ok = NULL}, /* shadowed by /things/{id} when the first module comes first */
	{"PUT", "/things/{id}", h_put, "things.write", 0, .ok = NULL},
	{"GET", "/things/{id}", h_special, "", 0, .ok = NULL}, /* a second GET: the Allow list names it once */
	{0},
};
static const fg_module_t m_things = {
	.name = "things", .context = "core", .routes = (const route_t *const[]){things_routes, forms_routes, NULL}};
static const fg_module_t m_extra = {
	.name = "extra", .context = "core", .routes = (const route_t *const[]){extra_routes, NULL}};
static const fg_module_t m_none = {.name = "none", .context = "core"}; /* a module without routes */
static const fg_module_t *const table[] = {&m_none, &m_things, &m_extra, NULL};
static const fg_module_t *const reversed[] = {&m_extra, &m_things, &m_none, NULL};

static const route_t *
find(const fg_module_t *const *t, const char *method, const char *path, char *allow)
{
	strcpy(allow, "stale"); /* router_find must reset it */
	return router_find(t, method, path, allow, 128);
}

static void
the_first_match_in_table_order_wins(void **state)
{
	char allow[128];
	const route_t *rt = find(table, "GET", "/things/special", allow);
	assert_non_null(rt);
	assert_ptr_equal(rt->fn, h_get);
	assert_string_equal(rt->pattern, "/things/{id}");
	rt = find(reversed, "GET", "/things/special", allow);
	assert_non_null(rt);
	assert_ptr_equal(rt->fn, h_special);
	assert_string_equal(rt->pattern, "/things/special");
	/* within a module, its tables in order and each table from the top */
	assert_ptr_equal(find(table, "GET", "/things/7", allow)->fn, h_get);
	assert_ptr_equal(find(table, "POST", "/forms", allow)->fn, h_form);
	assert_ptr_equal(find(table, "PUT", "/things/7", allow)->fn, h_put); /* a later module's route on the same path */
	assert_ptr_equal(find(table, "POST", "/things/", allow)->fn, h_create);
}

static void
a_wrong_method_lists_what_the_path_takes(void **state)
{
	char allow[128];
	assert_null(find(table, "PATCH", "/things/7", allow));
	assert_string_equal(allow, "GET, DELETE, PUT"); /* table order, each method once */
	assert_null(find(reversed, "PATCH", "/things/7", allow));
	assert_string_equal(allow, "PUT, GET, DELETE");
	assert_null(find(table, "DELETE", "/things", allow));
	assert_string_equal(allow, "GET, POST");
	assert_null(find(table, "GET", "/forms", allow));
	assert_string_equal(allow, "POST");
	/* an unknown path is not found, not a wrong method */
	assert_null(find(table, "GET", "/nothing", allow));
	assert_string_equal(allow, "");
	assert_null(find(table, "GET", "/things/7/more", allow));
	assert_string_equal(allow, "");
	/* a table without modules has no routes */
	static const fg_module_t *const empty[] = {NULL};
	assert_null(find(empty, "GET", "/things", allow));
	assert_string_equal(allow, "");
}

static void
head_is_served_by_a_get_route(void **state)
{
	char allow[128];
	const route_t *rt = find(table, "HEAD", "/things/7", allow);
	assert_non_null(rt);
	assert_string_equal(rt->method, "GET");
	assert_ptr_equal(rt->fn, h_get);
	assert_null(find(table, "HEAD", "/forms", allow)); /* only a GET route serves HEAD */
	assert_string_equal(allow, "POST");
	/* and GET is not served by anything but GET */
	assert_null(find(table, "GET", "/forms", allow));
}

/* The real table (src/modules.c): a few routes every build has, as the server dispatches them. */
static void
the_modules_table_routes_known_paths(void **state)
{
	char allow[128];
	const route_t *rt = find(fg_modules, "GET", "/api/v1/health", allow);
	assert_non_null(rt);
	assert_string_equal(rt->pattern, "/api/v1/health");
	assert_null(rt->perm); /* public */
	rt = find(fg_modules, "GET", "/api/v1/me", allow);
	assert_non_null(rt);
	assert_string_equal(rt->perm, ""); /* any signed-in user */
	assert_null(find(fg_modules, "DELETE", "/api/v1/health", allow));
	assert_string_equal(allow, "GET");
	assert_null(find(fg_modules, "GET", "/api/v1/no-such-thing", allow));
	assert_string_equal(allow, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(literal_segments_match_exactly),
		cmocka_unit_test(params_capture_one_segment_each_in_order),
		cmocka_unit_test(one_trailing_slash_is_accepted),
		cmocka_unit_test(an_empty_segment_is_no_param),
		cmocka_unit_test(a_segment_over_128_bytes_is_refused),
		cmocka_unit_test(captures_past_the_maximum_match_but_are_not_kept),
		cmocka_unit_test(the_first_match_in_table_order_wins),
		cmocka_unit_test(a_wrong_method_lists_what_the_path_takes),
		cmocka_unit_test(head_is_served_by_a_get_route),
		cmocka_unit_test(the_modules_table_routes_known_paths),
	};
	return cmocka_run_group_tests_name("router", tests, NULL, NULL);
}
