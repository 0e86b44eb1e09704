/* The people module (safety): People's readiness: certificates, training, health. */
#include "core/module/module.h"
#include "safety/people/people.h"

extern const route_t people_routes[];

static int
reminders(db_t *db, int64_t now)
{
	return people_reminders(db); /* certificates and exams expiring: their holders and the managers */
}

static const fg_job_t jobs[] = {
	{"people.reminders", 3600, NULL, 10, reminders},
	{NULL, 0, NULL, 0, NULL},
};

const fg_module_t people_module = {
	.name = "people",
	.context = "safety",
	.routes = (const route_t *const[]){people_routes, NULL},
	.jobs = jobs,
};
