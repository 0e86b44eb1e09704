/* The notify module (shared): Notifications and the hourly reminders. */
#include "core/module/module.h"
#include "shared/notify/notify.h"

extern const route_t notify_routes[];

static int
reminders(db_t *db, int64_t now)
{
	return notify_reminders(db);
}

static const fg_job_t jobs[] = {
	{"notify.reminders", 3600, NULL, 10, reminders},
	{NULL, 0, NULL, 0, NULL},
};

const fg_module_t notify_module = {
	.name = "notify",
	.context = "shared",
	.routes = (const route_t *const[]){notify_routes, NULL},
	.jobs = jobs,
};
