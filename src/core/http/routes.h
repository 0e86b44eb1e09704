#ifndef FG_ROUTES_H
#define FG_ROUTES_H
#include "core/http/http.h"

/* Route tables live in the modules (fg_module_t.routes, src/modules.c lists the modules). */

/* Calls fn for every route in dispatch order: `fieldgrid routes` prints the table the access test is generated
 * from (tests/api/access_matrix.test.mjs). */
void router_each(void (*fn)(const route_t *rt, void *arg), void *arg);

#endif
