/* The emergency module (fieldwork): company-level emergency mode (R1.4, issue 13 item 6) — declared with its scope,
 * ended, reviewed; the on-call roster; the emergency repair sheet accepted in its scope (see emergency.h). */
#include "core/module/module.h"
#include "fieldwork/emergency/emergency.h"

extern const route_t emergency_routes[];

static const errcat_t emergency_errors[] = {
	{"emergency_scope_overlap", 409, "已有进行中的应急事件覆盖重叠的区域和作业种类",
	    "An active emergency already covers an overlapping area and kind of work"},
	{"emergency_out_of_scope", 409, "紧急抢修单只能在进行中的应急事件范围内代替工作票使用",
	    "The emergency repair sheet replaces the work's ticket only within an active emergency's scope"},
	{"emergency_ended", 409, "覆盖该作业的应急事件已结束，请按正常规定办理工作票",
	    "The emergency over this work has ended: use the work's normal ticket"},
	{NULL, 0, NULL, NULL},
};

const fg_module_t emergency_module = {
	.name = "emergency",
	.context = "fieldwork",
	.routes = (const route_t *const[]){emergency_routes, NULL},
	.errors = emergency_errors,
	.queue = emergency_queue,
};
