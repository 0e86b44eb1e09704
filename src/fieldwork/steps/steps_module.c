/* The steps module (fieldwork): Guided standard operating steps with readings and photos. */
#include "core/module/module.h"

extern const route_t step_routes[];

const fg_module_t steps_module = {
	.name = "steps",
	.context = "fieldwork",
	.routes = (const route_t *const[]){step_routes, NULL},
};
