#ifndef FG_ROUTES_H
#define FG_ROUTES_H
#include "core/http/http.h"

/* Route tables live in the modules (fg_module_t.routes, src/modules.c lists the modules). */

/* Calls fn for every route in dispatch order: `fieldgrid routes` prints the table the access test is generated
 * from (tests/api/access_matrix.test.mjs). */
void router_each(void (*fn)(const route_t *rt, void *arg), void *arg);

/* The router's matching, declared for its unit test (tests/unit/test_router.c).
 * router_match: path against pattern ("/api/v1/users/{id}"), {name} taking one non-empty segment of at most 128
 * bytes, one trailing "/" on the path allowed; params (NULL: none kept) gets the first HTTP_MAX_PARAMS captures,
 * allocated, and *nparams their count. router_find: the first route of modules (a NULL-terminated table, dispatch
 * order) matching method and path, a GET route serving HEAD; NULL when none, allow then listing the methods the
 * path takes ("GET, POST"; "" when the path is unknown). */
struct fg_module;
bool router_match(const char *pattern, const char *path, char *params[HTTP_MAX_PARAMS], int *nparams);
const route_t *router_find(const struct fg_module *const *modules, const char *method, const char *path, char *allow,
    size_t allow_size);

#endif
