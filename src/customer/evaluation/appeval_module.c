/* The appeval module (customer): the internal evaluation of customers' applications (issue 11 item 10). Its folder
 * is src/customer/evaluation; the name says whose evaluation, beside field work's evaluation module. */
#include "core/module/module.h"

extern const route_t appeval_routes[];

const fg_module_t appeval_module = {
	.name = "appeval",
	.context = "customer",
	.routes = (const route_t *const[]){appeval_routes, NULL},
};
