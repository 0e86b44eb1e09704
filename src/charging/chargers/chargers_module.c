/* The chargers module (charging): Stations, chargers, id tags and remote commands. */
#include "core/module/module.h"

extern const route_t charger_routes[];

const fg_module_t chargers_module = {
	.name = "chargers",
	.context = "charging",
	.routes = (const route_t *const[]){charger_routes, NULL},
};
