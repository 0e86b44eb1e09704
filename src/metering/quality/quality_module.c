/* The quality module (metering): service management of the metering field work — the register of finished
 * metering jobs, quality re-checks of a reproducible sample, findings, and the monthly evaluation per team
 * (issue 12 item 6, R1.2). */
#include "core/module/module.h"
#include "fieldwork/interface/work_results.h"
#include "metering/quality/quality.h"

extern const route_t quality_routes[];

static const fg_subscription_t subscriptions[] = {
	{WORK_ORDER_FINISHED, "quality.on_finished", quality_on_finished},
	{NULL, NULL, NULL},
};

static const errcat_t quality_errors[] = {
	{"quality_sample_empty", 409, "该班组在所选日期内没有未抽检的已完成计量作业",
	    "The team has no finished metering job in those days that has not been sampled already"},
	{"quality_finding_required", 409, "复查不合格须至少记录一项问题", "A failed re-check names at least one finding"},
	{"quality_check_recorded", 409, "该复查已记录结果，不可更改", "The re-check's result is recorded already and cannot change"},
	{"quality_checker_on_job", 409, "复查人不能是该作业的工作班成员", "Nobody re-checks a job they were on"},
	{NULL, 0, NULL, NULL},
};

const fg_module_t quality_module = {
	.name = "quality",
	.context = "metering",
	.routes = (const route_t *const[]){quality_routes, NULL},
	.subscriptions = subscriptions,
	.errors = quality_errors,
};
