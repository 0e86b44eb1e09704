/* The collection module (metering): collection anomalies and success rates from the collection system
 * (用电信息采集系统), issue 12 item 5, R0.7 — see collection.h. */
#include "core/module/module.h"
#include "fieldwork/interface/work_results.h"
#include "metering/collection/collection.h"

extern const route_t collection_routes[];

/* Restored anomalies whose flap window has passed settle their work order (FG_COLLECTION_SETTLE_S, default 60 s). */
static const fg_job_t jobs[] = {
	{"collection.settle", 60, "FG_COLLECTION_SETTLE_S", 20, collection_settle},
	{NULL, 0, NULL, 0, NULL},
};

static const fg_subscription_t subscriptions[] = {
	{WORK_ORDER_FINISHED, "collection.on_finished", collection_on_finished},
	{NULL, NULL, NULL},
};

static const errcat_t collection_errors[] = {
	{"collection_key_required", 401, "需要用电信息采集系统的接口密钥（用户令牌不可用）",
	    "This route takes the collection system's key (a user's token is not accepted)"},
	{"collection_key_invalid", 401, "采集系统接口密钥无效", "The collection system's key is not valid"},
	{"collection_key_revoked", 403, "采集系统接口密钥已被吊销", "The collection system's key has been revoked"},
	{"collection_batch_too_large", 413, "一批事件过多，请分批发送", "Too many items in one batch: send them in smaller batches"},
	{"collection_file_columns", 400, "导入文件缺少必需的列（event_id、kind、point_no、occurred_at）",
	    "The file lacks required columns (event_id, kind, point_no, occurred_at)"},
	{NULL, 0, NULL, NULL},
};

const fg_module_t collection_module = {
	.name = "collection",
	.context = "metering",
	.routes = (const route_t *const[]){collection_routes, NULL},
	.jobs = jobs,
	.subscriptions = subscriptions,
	.errors = collection_errors,
};
