/* The appspace module (customer): the desk's side of applications — each application's shared space (comments and
 * documents), the departments' responsibility list (R0.9), the board by stage and one application's timeline. */
#include "core/module/module.h"
#include "customer/appspace/appspace.h"

extern const route_t appspace_routes[];

static const errcat_t appspace_errors[] = {
	{"application_file_exists", 409, "该文件已在此申请的共享空间中", "The file is already in this application's shared space"},
	{NULL, 0, NULL, NULL},
};

const fg_module_t appspace_module = {
	.name = "appspace",
	.context = "customer",
	.routes = (const route_t *const[]){appspace_routes, NULL},
	.errors = appspace_errors,
	.start = appspace_check,
};
