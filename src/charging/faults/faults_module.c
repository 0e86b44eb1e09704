/* The faults module (charging): Alarms, fault cases (data/flows/fault.json), the service desk and the error-code dictionary. */
#include "core/module/module.h"
#include "charging/faults/faults.h"

extern const route_t fault_routes[];
extern const flow_guard_t fault_guards[];
extern const flow_effect_t fault_effects[];

static int
offline_scan(db_t *db, int64_t now)
{
	return faults_offline_scan(db, now, NULL);
}

/* FG_FAULT_SCAN_S shortens the period (default 60 s). SLA escalation is the fault flow's deadline, fired by the
 * core job flow.timers. */
static const fg_job_t jobs[] = {
	{"faults.offline_scan", 60, "FG_FAULT_SCAN_S", 10, offline_scan},
	{NULL, 0, NULL, 0, NULL},
};

/* The chargers' facts the alarm rules react to (src/charging/faults/alarms.c). */
static const fg_subscription_t subscriptions[] = {
	{"connector.status", "faults.on_status", faults_on_status},
	{"charger.link", "faults.on_link", faults_on_link},
	{NULL, NULL, NULL},
};

const fg_module_t faults_module = {
	.name = "faults",
	.context = "charging",
	.routes = (const route_t *const[]){fault_routes, NULL},
	.guards = fault_guards,
	.effects = fault_effects,
	.flows = (const flow_binding_t *const[]){&faults_flow, NULL},
	.jobs = jobs,
	.subscriptions = subscriptions,
	.queue = faults_queue,
};
