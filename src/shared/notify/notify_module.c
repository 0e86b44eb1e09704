/* The notify module (shared): notifications; the reminders are the jobs "<module>.reminders" of the modules whose
 * deadlines they are (tools, people), and POST /reminders/actions/run runs them all. The outbox (outbox.c) delivers
 * messages through channels — in-app, an SMS gateway, WeChat-style template messages — by the job notify.deliver. */
#include <stdlib.h>
#include "core/module/module.h"
#include "shared/notify/notify.h"
#include "shared/notify/outbox.h"
#include "shared/notify/notify_http.h"

extern const route_t notify_routes[];
extern const route_t outbox_routes[];

/* Deadlines that notify (data/flows: on_expiry.notify) reach people through here; core includes no module. libcurl's
 * global state is set up here, before any thread sends. */
static int
start(void)
{
	flow_set_notifier(notify_add);
	return notify_http_init();
}

static void
stop(void)
{
	notify_http_cleanup();
}

static int
deliver(db_t *db, int64_t now)
{
	return notify_deliver(db, now, NULL, NULL);
}

/* FG_NOTIFY_KEEP_DAYS: how long the delivery log keeps sent and parked messages (default 180 days). */
static int
prune(db_t *db, int64_t now)
{
	const char *v = getenv("FG_NOTIFY_KEEP_DAYS");
	int days = v && atoi(v) > 0 ? atoi(v) : NOTIFY_KEEP_DAYS;
	int64_t n = notify_prune(db, now, days);
	return n < 0 ? -1 : n > 1000000 ? 1000000 : (int)n;
}

/* FG_NOTIFY_DELIVER_S shortens the period (default 5 s): a verification code must not wait long. */
static const fg_job_t jobs[] = {
	{"notify.deliver", 5, "FG_NOTIFY_DELIVER_S", 2, deliver},
	{"notify.prune", 3600, NULL, 300, prune},
	{NULL, 0, NULL, 0, NULL},
};

static const errcat_t errors[] = {
	{"notify_no_channel", 409, "没有可用的通知渠道：该类消息没有已启用且有模板、能送达该接收人的渠道",
	    "no channel can send this message: none is enabled with a template for its kind and an address of the recipient"},
	{"notify_template_param_missing", 409, "模板参数缺失", "a template parameter is missing"},
	{"notify_channel_incomplete", 409, "渠道启用前须配置网关地址", "a channel needs its gateway URL before it is enabled"},
	{"notify_receipts_disabled", 503, "未配置回执签名密钥，不接收回执", "no receipt key is configured: receipts are not taken"},
	{"notify_signature_invalid", 401, "回执签名无效或已过期", "the receipt's signature is wrong or its timestamp too old"},
	{NULL, 0, NULL, NULL},
};

const fg_module_t notify_module = {
	.start = start,
	.stop = stop,
	.name = "notify",
	.context = "shared",
	.routes = (const route_t *const[]){notify_routes, outbox_routes, NULL},
	.jobs = jobs,
	.errors = errors,
};
