/* The plans module (fieldwork): Job plans: crew, work orders, schedule; the plan flow's gates are the jobs module's. */
#include "core/module/module.h"
#include "fieldwork/plans/plans.h"

extern const route_t plan_routes[];

const fg_module_t plans_module = {
	.name = "plans",
	.context = "fieldwork",
	.routes = (const route_t *const[]){plan_routes, NULL},
	.flows = (const flow_binding_t *const[]){&plans_flow, NULL},
	.queue = plans_queue,
};
