/* fieldgrid routes: the route table as JSON, so tests can be generated from what the server really serves
 * (tests/api/access_matrix.test.mjs fails on a route nobody declared). perm is null for a public route and ""
 * for any signed-in user; max_body 0 means the JSON default (HTTP_BODY_MAX). */
#include <stdio.h>
#include <jansson.h>
#include "cli/cli.h"
#include "core/http/routes.h"

static void
add(const route_t *rt, void *arg)
{
	json_array_append_new(arg, json_pack("{s:s, s:s, s:s?, s:I}", "method", rt->method, "pattern", rt->pattern, "perm",
				       rt->perm, "max_body", (json_int_t)rt->max_body));
}

int
cmd_routes(int argc, char **argv)
{
	json_t *a = json_array();
	router_each(add, a);
	int rc = json_dumpf(a, stdout, JSON_INDENT(1)) == 0 && putchar('\n') != EOF ? 0 : 1;
	json_decref(a);
	return rc;
}
