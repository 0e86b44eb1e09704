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
	{"reauth_failed", 403, "密码不正确，签名未完成", "Wrong password; nothing was signed"},
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
	{"ticket_exists", 409, "该计划已有未终结的工作票", "This plan already has a ticket in force"},
	{"ticket_no_measures", 409, "工作票没有安全措施，不能签发", "The ticket has no safety measures and cannot be issued"},
	{"signer_conflict", 409, "签发人、许可人不能由工作负责人兼任", "The issuer or permitter cannot be the ticket's leader"},
	{"not_the_leader", 403, "只有本工作票的工作负责人可以执行此操作", "Only this ticket's work leader may do this"},
	{"ticket_measures_open", 409, "尚有安全措施未落实，不能许可开工", "Some safety measures are not in place yet; permission refused"},
	{"ticket_not_extendable", 409, "该票种不允许延期或已延期过", "This ticket kind cannot be extended, or was extended already"},
	{"ticket_end_photo_missing", 409, "工作终结须上传至少一张现场照片", "Ending the work needs at least one site photo"},
	{"reason_required", 409, "请填写原因", "A reason is required"},
	{"gate_single_person", 409, "不得单人作业：工作负责人之外至少需要一名工作班成员", "No single-person work: the leader needs at least one crew member"},
	{"briefing_not_held", 409, "班前会尚未召开，不能签到", "The pre-shift meeting has not been held yet"},
	{"gate_ticket_not_permitted", 409, "工作票未许可，不得开工", "The work ticket is not permitted; work cannot start"},
	{"gate_leader_busy", 409, "工作负责人另有未终结的工作票", "The work leader holds another ticket still in force"},
	{"gate_briefing_missing", 409, "未召开班前会或有人未签到", "The pre-shift meeting was not held or not everyone signed"},
	{"gate_risk_unconfirmed", 409, "风险点未全部确认", "Not every risk point has been confirmed"},
	{"gate_supervision_missing", 409, "高风险作业须接入视频或安排现场监督", "High-risk work needs a video link or an on-site supervisor"},
	{"ticket_not_ended", 409, "工作票尚未终结，不能完成作业", "The work ticket has not been ended; the job cannot finish"},
	{"step_out_of_order", 409, "请按作业指导书顺序执行，前序步骤尚未记录", "Follow the SOP in order: earlier steps are not recorded yet"},
	{"step_done", 409, "该步骤已记录", "This step is already recorded"},
	{"step_photo_missing", 409, "该步骤须拍照留证", "This step needs a photo"},
	{"evaluation_exists", 409, "该工作票已评价", "This ticket has already been evaluated"},
	{"ticket_not_finished", 409, "工作票终结后才能评价", "A ticket is evaluated once it has ended"},
	{"idempotency_key_reused", 409, "该幂等键已用于另一个请求", "This Idempotency-Key was used for a different request"},
	{"idempotency_in_progress", 409, "相同请求正在处理中，请稍后重试", "The same request is still being processed; retry shortly"},
	{"asset_no_taken", 409, "该资产编号已存在", "That asset number is already in the ledger"},
	{"tool_test_overdue", 409, "工器具已超过试验有效期，禁止领用", "The tool is past its test date and cannot be checked out"},
	{"tool_test_failed", 409, "工器具最近一次试验不合格，禁止领用", "The tool failed its last test and cannot be checked out"},
	{"tool_not_available", 409, "工器具不在库（已领用、送检、报废或遗失）", "The tool is not in store (checked out, under test, scrapped or lost)"},
	{"tool_not_checked_out", 409, "工器具未被领用，无需归还", "The tool is not checked out"},
	{"gate_person_unqualified", 409, "作业人员资格不符：安规考试未通过或已过期，或证书过期", "Someone on the job is not qualified: no valid safety-rules exam, or an expired certificate"},
	{"gate_tool_not_ready", 409, "安全工器具未就绪：作业所需工器具未领用或超出试验有效期", "Safety tools not ready: a tool the job needs is not checked out or is past its test date"},
	{"charge_point_id_taken", 409, "该充电桩编号已存在", "That charge point id is already in the ledger"},
	{"station_code_taken", 409, "该充电站编号已存在", "That station code is already in the ledger"},
	{"id_tag_taken", 409, "该卡号已存在", "That id tag is already registered"},
	{"charger_offline", 409, "充电桩不在线，无法下发指令", "The charger is not connected; the command cannot be sent"},
	{"command_not_supported", 400, "不支持该充电桩指令", "This charger command is not supported"},
	{"charger_unknown", 404, "未登记的充电桩", "No charger with this charge point id is in the ledger"},
	{"charger_auth_failed", 401, "充电桩认证失败", "Wrong or missing charge point password"},
	{"not_websocket", 400, "此处需要 WebSocket 升级请求", "A WebSocket upgrade is expected here"},
	{"websocket_version", 426, "需要 WebSocket 协议版本 13", "WebSocket version 13 is required"},
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
