/* The inspections module (charging): Inspection plans, equipment and defects (data/flows/defect.json), firmware campaigns. */
#include "core/module/module.h"
#include "charging/inspections/inspections.h"

extern const route_t inspection_routes[];
extern const flow_guard_t defect_guards[];
extern const flow_effect_t defect_effects[];

/* Only when a campaign runs: one cheap query otherwise. */
static int
firmware(db_t *db, int64_t now)
{
	int rc;
	json_t *r = db_one(db_prepare(db, "SELECT id FROM firmware_campaigns WHERE status = 'running' LIMIT 1"), &rc);
	if (!r)
		return rc == DB_DONE ? 0 : -1;
	json_decref(r);
	return firmware_advance(db, NULL);
}

static int
generate(db_t *db, int64_t now)
{
	return inspections_generate(db, NULL, now);
}

static const fg_job_t jobs[] = {
	{"firmware.advance", 2, NULL, 0, firmware},
	{"inspections.generate", 3600, NULL, 10, generate},
	{NULL, 0, NULL, 0, NULL},
};

/* Firmware campaigns follow their chargers' reports (src/charging/inspections/firmware.c). */
static const fg_subscription_t subscriptions[] = {
	{"charger.firmware_status", "firmware.on_status", firmware_on_status},
	{"charger.booted", "firmware.on_boot", firmware_on_boot},
	{NULL, NULL, NULL},
};

const fg_module_t inspections_module = {
	.name = "inspections",
	.context = "charging",
	.routes = (const route_t *const[]){inspection_routes, NULL},
	.guards = defect_guards,
	.effects = defect_effects,
	.flows = (const flow_binding_t *const[]){&defects_flow, NULL},
	.jobs = jobs,
	.subscriptions = subscriptions,
};
