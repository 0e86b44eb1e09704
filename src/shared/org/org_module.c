/* The org module (shared): Org units, the directory of people and units, and who sees which plans (scope). */
#include "core/module/module.h"
#include "shared/org/org.h"

extern const route_t org_routes[];
extern const route_t directory_routes[];

const fg_module_t org_module = {
	.name = "org",
	.context = "shared",
	.routes = (const route_t *const[]){org_routes, directory_routes, NULL},
	.me = org_me,
};
