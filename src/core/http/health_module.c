/* The health module (core): Liveness and readiness probes. */
#include "core/module/module.h"

extern const route_t health_routes[];

const fg_module_t health_module = {
	.name = "health",
	.context = "core",
	.routes = (const route_t *const[]){health_routes, NULL},
};
