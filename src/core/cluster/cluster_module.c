/* The cluster module (core): many servers on one PostgreSQL — nodes and their leases, messages between them, and
 * the status operations read (cluster.h). */
#include "core/module/module.h"

extern const route_t cluster_routes[];

const fg_module_t cluster_module = {
	.name = "cluster",
	.context = "core",
	.routes = (const route_t *const[]){cluster_routes, NULL},
};
