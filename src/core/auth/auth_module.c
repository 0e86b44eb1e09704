/* The auth module (core): Sign-in, sessions, devices and user accounts. */
#include "core/module/module.h"

extern const route_t auth_routes[];
extern const route_t device_routes[];
extern const route_t user_routes[];

static int
start(void)
{
	session_cluster_start();
	return 0;
}

const fg_module_t auth_module = {
	.name = "auth",
	.context = "core",
	.routes = (const route_t *const[]){auth_routes, device_routes, user_routes, NULL},
	.start = start,
};
