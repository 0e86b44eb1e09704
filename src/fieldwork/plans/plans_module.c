/* The plans module (fieldwork): Job plans and their safety gates (data/flows/plan.json). */
#include "core/module/module.h"

extern const route_t plan_routes[];
extern const flow_guard_t plan_guards[];
extern const flow_effect_t plan_effects[];

const fg_module_t plans_module = {
	.name = "plans",
	.context = "fieldwork",
	.routes = (const route_t *const[]){plan_routes, NULL},
	.guards = plan_guards,
	.effects = plan_effects,
};
