/* The large screen module (metering): read-only display links and the metering centre's wall display data
 * (issue 12 item 7, R1.5; docs/api.md "Metering: large screen"). */
#include "core/module/module.h"
#include "metering/screen/screen.h"

extern const route_t screen_routes[];

static const errcat_t screen_errors[] = {
	{"screen_link_invalid", 401, "显示链接无效", "Not a valid display link"},
	{"screen_link_revoked", 403, "显示链接已被撤销", "This display link has been revoked"},
	{NULL, 0, NULL, NULL},
};

const fg_module_t screen_module = {
	.name = "screen",
	.context = "metering",
	.routes = (const route_t *const[]){screen_routes, NULL},
	.errors = screen_errors,
};
