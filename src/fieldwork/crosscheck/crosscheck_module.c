/* The crosscheck module (fieldwork): The anti-violation cross-check. */
#include "core/module/module.h"

extern const route_t crosscheck_routes[];

const fg_module_t crosscheck_module = {
	.name = "crosscheck",
	.context = "fieldwork",
	.routes = (const route_t *const[]){crosscheck_routes, NULL},
};
