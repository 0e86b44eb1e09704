/* The contractors module (safety): Contractors, their qualification, agreements and staff. */
#include "core/module/module.h"

extern const route_t contractor_routes[];

const fg_module_t contractors_module = {
	.name = "contractors",
	.context = "safety",
	.routes = (const route_t *const[]){contractor_routes, NULL},
};
