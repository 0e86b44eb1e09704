/* The notify module (shared): notifications; the reminders are the jobs "<module>.reminders" of the modules whose
 * deadlines they are (tools, people), and POST /reminders/actions/run runs them all. */
#include "core/module/module.h"
#include "shared/notify/notify.h"

extern const route_t notify_routes[];

/* Deadlines that notify (data/flows: on_expiry.notify) reach people through here; core includes no module. */
static int
start(void)
{
	flow_set_notifier(notify_add);
	return 0;
}

const fg_module_t notify_module = {
	.start = start,
	.name = "notify",
	.context = "shared",
	.routes = (const route_t *const[]){notify_routes, NULL},
};
