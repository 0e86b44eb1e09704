/* The customer portal module (customer): one-time codes by SMS, customer sessions scoped to a phone, and the
 * customer's side of applications and feedback (docs/api.md "Customer portal"). */
#include "core/module/module.h"
#include "customer/portal/portal.h"

extern const route_t portal_routes[];

static const errcat_t portal_errors[] = {
	{"portal_rate_limited", 429, "验证码请求过于频繁，请稍后再试", "Too many code requests; try again later"},
	{"portal_code_invalid", 401, "验证码错误或已失效", "The code is wrong, expired or already used"},
	{"portal_code_locked", 429, "验证码错误次数过多，请重新获取", "Too many wrong codes; ask for a new one"},
	{"portal_session_required", 401, "请先用短信验证码登录", "Sign in with a code sent by SMS first"},
	{NULL, 0, NULL, NULL},
};

static const fg_job_t jobs[] = {
	{"portal.sweep", 3600, NULL, 60, portal_sweep},
	{NULL, 0, NULL, 0, NULL},
};

const fg_module_t portal_module = {
	.name = "portal",
	.context = "customer",
	.routes = (const route_t *const[]){portal_routes, NULL},
	.errors = portal_errors,
	.jobs = jobs,
};
