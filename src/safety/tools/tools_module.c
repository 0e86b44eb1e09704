/* The tools module (safety): The safety-tool ledger, tests, check-out and return, labels and bulk import. */
#include "core/module/module.h"
#include "safety/tools/tools.h"
#include "safety/tools/tools_import.h"

extern const route_t tool_routes[];
extern const route_t tool_import_routes[];

static int
start(void)
{
	tools_import_start(); /* the import worker, before the first request can queue an import */
	return 0;
}

static int
reminders(db_t *db, int64_t now)
{
	return tools_reminders(db); /* tests due or overdue: the tool keepers */
}

static const fg_job_t jobs[] = {
	{"tools.reminders", 3600, NULL, 10, reminders},
	{NULL, 0, NULL, 0, NULL},
};

const fg_module_t tools_module = {
	.name = "tools",
	.context = "safety",
	.routes = (const route_t *const[]){tool_routes, tool_import_routes, NULL},
	.jobs = jobs,
	.queue = tools_queue,
	.start = start,
	.stop = tools_import_stop, /* after the server: no request can queue a job it would not run */
};
