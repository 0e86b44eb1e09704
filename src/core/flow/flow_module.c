/* The flow module (core): GET /flows/{name}, and the one job that fires every flow's due deadlines (flow_timers)
 * as the system actor. FG_FAULT_SCAN_S shortens its period (default 60 s), as it did for fault escalation. */
#include "core/module/module.h"

extern const route_t flow_routes[];

static int
timers(db_t *db, int64_t now)
{
	return flow_timers_run(db, now, NULL, NULL);
}

static const fg_job_t jobs[] = {
	{"flow.timers", 60, "FG_FAULT_SCAN_S", 10, timers},
	{NULL, 0, NULL, 0, NULL},
};

const fg_module_t flow_module = {
	.name = "flow",
	.context = "core",
	.routes = (const route_t *const[]){flow_routes, NULL},
	.jobs = jobs,
};
