/* The event bus as a module (core): the admins' routes for failed deliveries and the retry job. */
#include "core/module/module.h"
#include "core/events/events.h"

extern const route_t event_routes[];

static int
retry(db_t *db, int64_t now)
{
	return events_retry_due(db, now);
}

static int
prune(db_t *db, int64_t now)
{
	return events_prune(db, now);
}

/* FG_EVENTS_RETRY_S shortens the period (default 30 s) and the backoff (events.h) */
static const fg_job_t jobs[] = {
	{"events.retry", 30, "FG_EVENTS_RETRY_S", 5, retry},
	{"events.prune", 86400, NULL, 60, prune},
	{NULL, 0, NULL, 0, NULL},
};

const fg_module_t events_module = {
	.name = "events",
	.context = "core",
	.routes = (const route_t *const[]){event_routes, NULL},
	.jobs = jobs,
};
