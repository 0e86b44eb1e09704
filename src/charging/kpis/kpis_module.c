/* The kpis module (charging): Charging KPIs and their export. */
#include "core/module/module.h"

extern const route_t kpi_routes[];

const fg_module_t kpis_module = {
	.name = "kpis",
	.context = "charging",
	.routes = (const route_t *const[]){kpi_routes, NULL},
};
