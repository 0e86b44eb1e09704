/* The flow module (core): GET /flows/{name}, and the one job that fires every flow's due deadlines (flow_timers)
 * as the system actor. FG_FAULT_SCAN_S shortens its period (default 60 s), as it did for fault escalation. */
#include "core/module/module.h"
#include "core/base/util.h"

extern const route_t flow_routes[];

static int
timers(db_t *db, int64_t now)
{
	return flow_timers_run(db, now, NULL, NULL);
}

/* An admin entered or corrected a calendar year: deadlines that were waiting for it get their instant now, in the
 * same transaction (the scheduler's run would find them within a minute anyway). */
static int
calendar_changed(db_t *db, const fg_event_t *ev, fg_err_t *err)
{
	return flow_timers_resolve(db, fg_now_ms()) < 0 ? -1 : 0;
}

static const fg_subscription_t subscriptions[] = {
	{"calendar.year_changed", "flow.calendar_year", calendar_changed},
	{NULL, NULL, NULL},
};

static const fg_job_t jobs[] = {
	{"flow.timers", 60, "FG_FAULT_SCAN_S", 10, timers},
	{NULL, 0, NULL, 0, NULL},
};

const fg_module_t flow_module = {
	.name = "flow",
	.context = "core",
	.routes = (const route_t *const[]){flow_routes, NULL},
	.jobs = jobs,
	.subscriptions = subscriptions,
};
