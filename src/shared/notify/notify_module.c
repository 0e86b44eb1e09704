/* The notify module (shared): notifications; the reminders are the jobs "<module>.reminders" of the modules whose
 * deadlines they are (tools, people), and POST /reminders/actions/run runs them all. */
#include "core/module/module.h"
#include "shared/notify/notify.h"

extern const route_t notify_routes[];

const fg_module_t notify_module = {
	.name = "notify",
	.context = "shared",
	.routes = (const route_t *const[]){notify_routes, NULL},
};
