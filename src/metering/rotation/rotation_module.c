/* The rotation module (metering): rotation campaigns over the meter ledger (rotation.h, issue 12 item 4). */
#include "core/module/module.h"
#include "fieldwork/interface/work_results.h"
#include "metering/rotation/rotation.h"

extern const route_t rotation_routes[];
extern const flow_guard_t rotation_guards[];
extern const flow_effect_t rotation_effects[];

static const fg_subscription_t subscriptions[] = {
	{WORK_ORDER_FINISHED, "rotation.on_finished", rotation_on_finished},
	{NULL, NULL, NULL},
};

static const errcat_t rotation_errors[] = {
	{"rotation_no_meters", 409, "按所选条件没有需要轮换的电能表", "No installed meter matches the campaign's criteria"},
	{"rotation_items_open", 409, "仍有未完成轮换的电能表", "Some of the campaign's meters are not replaced yet"},
	{NULL, 0, NULL, NULL},
};

const fg_module_t rotation_module = {
	.name = "rotation",
	.context = "metering",
	.routes = (const route_t *const[]){rotation_routes, NULL},
	.guards = rotation_guards,
	.effects = rotation_effects,
	.flows = (const flow_binding_t *const[]){&rotation_flow, NULL},
	.subscriptions = subscriptions,
	.errors = rotation_errors,
};
