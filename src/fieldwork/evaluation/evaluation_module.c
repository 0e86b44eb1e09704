/* The evaluation module (fieldwork): Quantitative evaluation of a job. */
#include "core/module/module.h"

extern const route_t evaluation_routes[];

const fg_module_t evaluation_module = {
	.name = "evaluation",
	.context = "fieldwork",
	.routes = (const route_t *const[]){evaluation_routes, NULL},
};
