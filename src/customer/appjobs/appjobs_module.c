/* The appjobs module (customer): field work from an application — the survey and the meter installation stages of
 * data/flows/application.json get work orders of field work and complete when field work finishes them
 * (issue 11 item 4). */
#include "core/module/module.h"
#include "customer/appjobs/appjobs.h"
#include "fieldwork/interface/work_results.h"

extern const route_t appjobs_routes[];
extern const flow_guard_t appjobs_guards[];
extern const flow_effect_t appjobs_effects[];

static const fg_subscription_t subscriptions[] = {
	{WORK_ORDER_FINISHED, "appjobs.on_finished", appjobs_on_finished},
	{NULL, NULL, NULL},
};

static const errcat_t appjobs_errors[] = {
	{"application_job_open", 409, "该环节的现场工单尚未完成，请等待工单完成或先取消工单",
	    "The stage's field work order is still open: let it finish, or cancel it first"},
	{"application_meter_missing", 409, "缺少装表信息（电能表资产编号、起度），请在作业步骤中记录或随操作提交",
	    "The installed meter is not known (asset number, start reading): record it in the job's steps or send it with the action"},
	{"application_not_in_field_stage", 409, "申请不在现场勘查或装表接电环节", "The application is not in its survey or installation stage"},
	{NULL, 0, NULL, NULL},
};

const fg_module_t appjobs_module = {
	.name = "appjobs",
	.context = "customer",
	.routes = (const route_t *const[]){appjobs_routes, NULL},
	.guards = appjobs_guards,
	.effects = appjobs_effects,
	.subscriptions = subscriptions,
	.errors = appjobs_errors,
};
