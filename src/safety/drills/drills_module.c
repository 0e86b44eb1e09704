/* The drills module (safety): emergency plans per kind and the drills held against them (R2.14, R4.6; issue 13
 * item 5). */
#include "core/module/module.h"
#include "safety/drills/drills.h"

extern const route_t drills_routes[];

static const errcat_t drills_errors[] = {
	{"drill_person_unknown", 400, "人员不在人员档案中（须为系统用户）", "Not a person of the people records (a user of the system)"},
	{NULL, 0, NULL, NULL},
};

const fg_module_t drills_module = {
	.name = "drills",
	.context = "safety",
	.routes = (const route_t *const[]){drills_routes, NULL},
	.errors = drills_errors,
};
