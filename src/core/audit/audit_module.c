/* The audit module (core): The audit log's reading and verification. */
#include "core/module/module.h"

extern const route_t audit_routes[];

const fg_module_t audit_module = {
	.name = "audit",
	.context = "core",
	.routes = (const route_t *const[]){audit_routes, NULL},
};
