/* The applications module (customer): customers' applications for a supply on the 十项承诺 clocks
 * (data/flows/application.json), their documents and the routing of stages to teams. */
#include "core/module/module.h"
#include "customer/applications/applications.h"

extern const route_t applications_routes[];
extern const flow_guard_t applications_guards[];

static const errcat_t applications_errors[] = {
	{"application_documents_missing", 409, "申请资料不全，请先补齐所列资料", "Documents of the application are missing: see details.missing"},
	{"application_on_hold", 409, "申请已暂停办理，请先恢复", "The application is on hold: resume it first"},
	{"application_not_on_hold", 409, "申请未暂停", "The application is not on hold"},
	{"application_closed", 409, "申请已归档或撤销", "The application is archived or cancelled"},
	{"application_document_accepted", 409, "该资料已审核通过，不能替换", "The document was accepted and cannot be replaced"},
	{"application_document_missing", 409, "该资料尚未提交，无法审核", "The document has not been received: nothing to check"},
	{"application_not_powered", 409, "送电后才能评价", "The service can be rated after power-on"},
	{"application_already_rated", 409, "该申请已评价", "The application has been rated already"},
	{NULL, 0, NULL, NULL},
};

const fg_module_t applications_module = {
	.name = "applications",
	.context = "customer",
	.routes = (const route_t *const[]){applications_routes, NULL},
	.guards = applications_guards,
	.flows = (const flow_binding_t *const[]){&applications_flow, NULL},
	.errors = applications_errors,
};
