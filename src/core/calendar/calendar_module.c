/* The calendar module (core): China's working days (holidays and make-up working days from the State Council's
 * yearly notice), read by every deadline counted in working days, edited by admins. */
#include "core/module/module.h"

extern const route_t calendar_routes[];

const fg_module_t calendar_module = {
	.name = "calendar",
	.context = "core",
	.routes = (const route_t *const[]){calendar_routes, NULL},
};
