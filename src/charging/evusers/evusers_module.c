/* The evusers module (charging): EV users' reservations and credit. */
#include "core/module/module.h"
#include "charging/evusers/evusers.h"

extern const route_t evuser_routes[];

static int
sweep(db_t *db, int64_t now)
{
	return evusers_sweep(db); /* held connectors and reservations not used (R4.7) */
}

static const fg_job_t jobs[] = {
	{"evusers.sweep", 3600, NULL, 10, sweep},
	{NULL, 0, NULL, 0, NULL},
};

/* A connector freed long after its session stopped costs its user credit (R4.7). */
static const fg_subscription_t subscriptions[] = {
	{"connector.status", "evusers.on_status", evusers_on_status},
	{NULL, NULL, NULL},
};

const fg_module_t evusers_module = {
	.name = "evusers",
	.context = "charging",
	.routes = (const route_t *const[]){evuser_routes, NULL},
	.jobs = jobs,
	.subscriptions = subscriptions,
};
