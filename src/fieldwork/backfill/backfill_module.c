/* The backfill module (fieldwork): work done on paper while the system was down, entered afterwards with its
 * original times and reviewed by the team's leader (R1.4, issue 13 item 7). */
#include "core/module/module.h"
#include "fieldwork/backfill/backfill.h"

extern const route_t backfill_routes[];

static const errcat_t backfill_errors[] = {
	{"backfill_no_ticket", 409, "纸质记录须有工作票（票号及签发时间）：无票作业不得补录",
	    "The paper record must show a work ticket (number and issue time): work without a ticket cannot be backfilled"},
	{"backfill_not_permitted", 409, "纸质工作票须有许可时间：未经许可的作业不得补录",
	    "The paper ticket must show when work was permitted: unpermitted work cannot be backfilled"},
	{"backfill_no_briefing", 409, "须记录班前会召开时间：未开班前会的作业不得补录",
	    "The pre-shift meeting's time must be recorded: work without the meeting cannot be backfilled"},
	{"backfill_single_person", 409, "不得单人作业：工作负责人之外至少需要一名工作班成员",
	    "No single-person work: the leader needs at least one crew member"},
	{"backfill_supervision_missing", 409, "高风险作业须记录现场监督人员", "High-risk work must name who supervised it on site"},
	{"backfill_photo_required", 422, "须上传纸质票据的照片", "A photo of the paper form is required"},
	{"backfill_time_future", 422, "补录的时间不能晚于当前时间", "A backfilled time cannot be in the future"},
	{"backfill_time_order", 422, "时间顺序不符：签发、许可、班前会、开工、完工、终结须依次发生",
	    "The times are out of order: issued, permitted, meeting, start, finish and end must follow one another"},
	{"backfill_started_before_permit", 409, "开工时间早于许可时间：未许可即开工的作业不得补录",
	    "Work started before the ticket was permitted: such work cannot be backfilled"},
	{"backfill_briefing_after_start", 409, "班前会晚于开工：须先开班前会再开工",
	    "The pre-shift meeting was held after work started: it must come first"},
	{"backfill_outside_window", 422, "超出补录期限", "The work is older than the backfill window"},
	{"backfill_duplicate_ticket", 409, "该工作票号已录入", "This ticket number is already recorded"},
	{"backfill_self_review", 403, "录入人不能审核自己录入的记录", "Whoever entered a backfill cannot review it"},
	{"backfill_not_team_leader", 403, "只有该班组的工作负责人（班组长）或管理人员可以审核", "Only a leader of the team or a manager may review it"},
	{"backfill_already_reviewed", 409, "该补录记录已审核", "This backfill has already been reviewed"},
	{NULL, 0, NULL, NULL},
};

const fg_module_t backfill_module = {
	.name = "backfill",
	.context = "fieldwork",
	.routes = (const route_t *const[]){backfill_routes, NULL},
	.errors = backfill_errors,
	.queue = backfill_queue,
};
