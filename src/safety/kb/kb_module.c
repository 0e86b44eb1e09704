/* The kb module (safety): The knowledge base: SOPs, risks, templates, briefings, and admins' edits. */
#include "core/module/module.h"
#include "safety/kb/kb.h"

extern const route_t kb_routes[];

const fg_module_t kb_module = {
	.name = "kb",
	.context = "safety",
	.routes = (const route_t *const[]){kb_routes, NULL},
	.request_start = kb_request_start,
};
