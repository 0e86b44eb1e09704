/* The briefings module (fieldwork): Pre-shift briefings and attendance. */
#include "core/module/module.h"

extern const route_t briefing_routes[];

const fg_module_t briefings_module = {
	.name = "briefings",
	.context = "fieldwork",
	.routes = (const route_t *const[]){briefing_routes, NULL},
};
