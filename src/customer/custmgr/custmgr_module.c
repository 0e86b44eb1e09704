/* The customer manager module (customer; issue 11 item 6): each HV application's one customer manager, the outage
 * and power-on requests that go through them with the customer's confirmation, and their queue (custmgr.h). */
#include "core/module/module.h"
#include "customer/custmgr/custmgr.h"

extern const route_t custmgr_routes[];

static const errcat_t custmgr_errors[] = {
	{"customer_manager_role_required", 409, "所选用户不是在岗的客户经理", "The user chosen is not an active customer manager"},
	{"application_manager_required", 409, "高压业扩须先指定客户经理才能受理", "An HV application needs its customer manager before it is accepted"},
	{"not_customer_manager", 403, "只有该申请的客户经理可以办理停送电申请", "Only the application's customer manager handles its outage and power-on requests"},
	{"manager_request_closed", 409, "该申请已确认或已取消", "The request is already confirmed or cancelled"},
	{"power_on_not_confirmed", 409, "送电前须有客户确认的送电申请", "Power-on needs a power-on request confirmed by the customer"},
	{NULL, 0, NULL, NULL},
};

const fg_module_t custmgr_module = {
	.name = "custmgr",
	.context = "customer",
	.routes = (const route_t *const[]){custmgr_routes, NULL},
	.guards = custmgr_guards,
	.errors = custmgr_errors,
	.queue = custmgr_waiting,
};
