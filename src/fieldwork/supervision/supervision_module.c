/* The supervision module (fieldwork): The supervision board and findings. */
#include "core/module/module.h"
#include "fieldwork/supervision/supervision.h"

extern const route_t supervision_routes[];

const fg_module_t supervision_module = {
	.name = "supervision",
	.context = "fieldwork",
	.routes = (const route_t *const[]){supervision_routes, NULL},
	.queue = supervision_queue,
};
