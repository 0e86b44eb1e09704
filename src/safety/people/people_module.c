/* The people module (safety): People's readiness: certificates, training, health. */
#include "core/module/module.h"

extern const route_t people_routes[];

const fg_module_t people_module = {
	.name = "people",
	.context = "safety",
	.routes = (const route_t *const[]){people_routes, NULL},
};
