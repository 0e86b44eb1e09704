/* The jobs module (fieldwork): the plan flow's gates and effects (data/flows/plan.json) and the finished job's record. */
#include "core/module/module.h"

extern const flow_guard_t plan_guards[];
extern const flow_effect_t plan_effects[];

const fg_module_t jobs_module = {
	.name = "jobs",
	.context = "fieldwork",
	.guards = plan_guards,
	.effects = plan_effects,
};
