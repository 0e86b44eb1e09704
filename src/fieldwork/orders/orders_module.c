/* The orders module (fieldwork): Work orders (data/flows/work_order.json). */
#include "core/module/module.h"

extern const route_t order_routes[];
extern const flow_guard_t order_guards[];
extern const flow_effect_t order_effects[];

const fg_module_t orders_module = {
	.name = "orders",
	.context = "fieldwork",
	.routes = (const route_t *const[]){order_routes, NULL},
	.guards = order_guards,
	.effects = order_effects,
};
