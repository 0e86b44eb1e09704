/* The chargers module (charging): Stations, chargers, id tags and remote commands. */
#include "core/module/module.h"
#include "core/ocpp/ocpp_host.h"
#include "charging/chargers/chargers.h"
#include "charging/chargers/chargers_internal.h"

extern const route_t charger_routes[];

/* The gateway (core/ocpp) calls the chargers' functions through the host it defines. */
static int
start(void)
{
	ocpp_set_host(&chargers_ocpp_host);
	chg_cluster_start(); /* before the node's thread starts (cmd_serve: cluster_start after the modules) */
	return 0;
}

static void
stop(void)
{
	ocpp_set_host(NULL);
}

static const fg_job_t jobs[] = {
	{"chargers.command_sweep", 60, "FG_COMMAND_SWEEP_S", 30, chg_command_sweep},
	{NULL},
};

const fg_module_t chargers_module = {
	.name = "chargers",
	.context = "charging",
	.routes = (const route_t *const[]){charger_routes, NULL},
	.jobs = jobs,
	.start = start,
	.stop = stop,
};
