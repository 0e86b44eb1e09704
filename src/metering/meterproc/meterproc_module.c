/* The meterproc module (metering): seven of the metering centre's field-service processes on the clock
 * (data/flows/metering_case.json), their work orders followed, the 退补 calculation with a second person (issue 12
 * item 2, R1.1). */
#include "core/module/module.h"
#include "metering/meterproc/meterproc.h"
#include "fieldwork/interface/work_results.h"

extern const route_t meterproc_routes[];

static const fg_subscription_t subscriptions[] = {
	{WORK_ORDER_FINISHED, "meterproc.on_finished", meterproc_on_finished},
	{NULL, NULL, NULL},
};

/* Periodic work from the assets: daily (FG_METERPROC_PERIODIC_S shortens it), first run five minutes after start. */
static const fg_job_t jobs[] = {
	{"meterproc.periodic", 86400, "FG_METERPROC_PERIODIC_S", 300, meterproc_periodic_job},
	{NULL, 0, NULL, 0, NULL},
};

static const errcat_t meterproc_errors[] = {
	{"metering_case_job_open", 409, "该环节的现场工单尚未完成，请等待工单完成或先取消工单",
	    "The stage's field work order is still open: let it finish, or cancel it first"},
	{"metering_case_untested", 409, "尚未记录检验误差，请在作业步骤中记录或先执行“记录检验结果”",
	    "No test error is recorded yet: record it in the job's steps, or with record_test"},
	{"metering_refund_same_person", 409, "退补电量须由计算人以外的第二人审核", "A refund calculation is approved by a second person, not the one who calculated it"},
	{NULL, 0, NULL, NULL},
};

const fg_module_t meterproc_module = {
	.name = "meterproc",
	.context = "metering",
	.routes = (const route_t *const[]){meterproc_routes, NULL},
	.guards = meterproc_guards,
	.effects = meterproc_effects,
	.flows = (const flow_binding_t *const[]){&meterproc_flow, NULL},
	.subscriptions = subscriptions,
	.jobs = jobs,
	.errors = meterproc_errors,
	.start = meterproc_check,
	.queue = meterproc_queue,
};
