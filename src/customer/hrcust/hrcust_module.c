/* The hrcust module (customer; issue 13 items 1 and 2): the ledger of high-risk and important customers and the
 * safety checks generated from it by rule (hrcust.h). */
#include "core/module/module.h"
#include "customer/hrcust/hrcust.h"
#include "fieldwork/interface/work_results.h"

extern const route_t hrcust_routes[];

/* Generation daily (FG_HRCUST_GENERATE_S shortens it), first run five minutes after start; escalation hourly. */
static const fg_job_t jobs[] = {
	{"hrcust.generate", 86400, "FG_HRCUST_GENERATE_S", 300, hrcust_generate_job},
	{"hrcust.escalate", 3600, "FG_HRCUST_ESCALATE_S", 600, hrcust_escalate},
	{NULL, 0, NULL, 0, NULL},
};

static const fg_subscription_t subscriptions[] = {
	{WORK_ORDER_FINISHED, "hrcust.on_order_finished", hrcheck_on_order_finished},
	{NULL, NULL, NULL},
};

static const errcat_t hrcust_errors[] = {
	{"hrcust_exists", 409, "该客户已在重要客户台账中，请编辑其台账", "The customer is in the ledger already: edit its entry"},
	{"hrcust_event_required", 400, "临时性重要客户须填写活动起止日期", "A temporary important customer needs its event's start and end"},
	{"hrcust_suspected_reason_required", 400, "标记疑似未登记自备电源须说明原因", "Flagging suspected unregistered power needs a reason"},
	{"hrcheck_done", 409, "该检查已完成，记录不可更改", "The check is finished: its record is not changed"},
	{"hrcheck_hazard_note_required", 400, "发现隐患须说明隐患内容", "A hazard found needs a note saying what it is"},
	{"hrcheck_items_open", 409, "尚有检查项目未记录结果", "Some checklist items have no result yet"},
	{NULL, 0, NULL, NULL},
};

const fg_module_t hrcust_module = {
	.name = "hrcust",
	.context = "customer",
	.routes = (const route_t *const[]){hrcust_routes, NULL},
	.jobs = jobs,
	.subscriptions = subscriptions,
	.errors = hrcust_errors,
	.start = hrcust_start,
	.queue = hrcust_queue,
};
