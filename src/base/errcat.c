#include <string.h>
#include "base/err.h"

/* Every error code the API can answer, with its HTTP status and a message in both UI languages.
 * Codes are a public contract (docs/api.md): add new ones, never rename. */
static const errcat_t catalog[] = {
	{"internal", 500, "服务器内部错误，请稍后重试", "Internal server error; please try again later"},
	{"unavailable", 503, "服务暂时不可用，请稍后重试", "The service is temporarily unavailable; try again shortly"},
	{"invalid_json", 400, "请求内容不是有效的 JSON 对象", "The request body is not a valid JSON object"},
	{"unknown_field", 400, "请求包含不支持的字段", "The request contains a field this endpoint does not accept"},
	{"missing_field", 400, "缺少必填字段", "A required field is missing"},
	{"invalid_field", 400, "字段值无效", "A field has an invalid value"},
	{"invalid_query", 400, "查询参数无效", "A query parameter is invalid"},
	{"weak_password", 400, "密码强度不足：至少 10 位，且包含字母和数字", "Password too weak: at least 10 characters with letters and digits"},
	{"unauthenticated", 401, "请先登录", "Please sign in"},
	{"invalid_credentials", 401, "用户名或密码错误", "Wrong username or password"},
	{"device_revoked", 401, "该设备已被注销，请重新绑定", "This device has been revoked; register it again"},
	{"forbidden", 403, "您的角色无权执行此操作", "Your role does not allow this action"},
	{"account_disabled", 403, "账号已停用，请联系管理员", "This account is disabled; contact an administrator"},
	{"not_found", 404, "未找到请求的资源", "The requested resource was not found"},
	{"method_not_allowed", 405, "该资源不支持此请求方法", "This method is not allowed on this resource"},
	{"version_conflict", 409, "数据已被他人修改，请刷新后重试", "Someone else changed this record; reload and try again"},
	{"username_taken", 409, "用户名已存在", "That username is already taken"},
	{"cannot_disable_self", 409, "不能停用自己的账号", "You cannot disable your own account"},
	{"org_unit_cycle", 409, "上级单位不能是其自身或下级单位", "A parent unit cannot be the unit itself or one of its descendants"},
	{"invalid_transition", 409, "当前状态下不能执行该操作", "This action is not possible in the current state"},
	{"order_in_active_plan", 409, "工单已在已发布或作业中的计划内，请先从计划中移除", "The order is on a published or running plan; take it off the plan first"},
	{"plan_no_orders", 409, "计划中没有工单，不能发布", "The plan has no work orders to publish"},
	{"plan_orders_unavailable", 409, "计划中的部分工单已取消、已完成或已被其他计划占用", "Some of the plan's work orders are cancelled, done or on another plan"},
	{"body_too_large", 413, "请求内容过大", "The request body is too large"},
	{"unsupported_media_type", 415, "请求内容类型必须为 application/json", "The request body must be application/json"},
	{"account_locked", 429, "连续登录失败次数过多，账号已临时锁定", "Too many failed sign-ins; the account is locked for a while"},
	{NULL, 0, NULL, NULL},
};

const errcat_t *
errcat_find(const char *code)
{
	for (const errcat_t *c = catalog; code && c->code; c++)
		if (strcmp(c->code, code) == 0)
			return c;
	return &catalog[0];
}
