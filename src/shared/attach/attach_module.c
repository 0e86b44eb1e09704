/* The attach module (shared): Attachments (photos, documents) of any entity. */
#include "core/module/module.h"

extern const route_t attach_routes[];

const fg_module_t attach_module = {
	.name = "attach",
	.context = "shared",
	.routes = (const route_t *const[]){attach_routes, NULL},
};
