/* The parts module (charging): Spare parts, depots, stock and part requests (data/flows/part_request.json). */
#include "core/module/module.h"
#include "charging/parts/parts.h"

extern const route_t part_routes[];
extern const flow_guard_t part_guards[];
extern const flow_effect_t part_effects[];

const fg_module_t parts_module = {
	.name = "parts",
	.context = "charging",
	.routes = (const route_t *const[]){part_routes, NULL},
	.guards = part_guards,
	.effects = part_effects,
	.flows = (const flow_binding_t *const[]){&parts_request_flow, NULL},
	.queue = parts_queue,
};
