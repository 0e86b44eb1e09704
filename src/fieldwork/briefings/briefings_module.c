/* The briefings module (fieldwork): Pre-shift briefings and attendance. */
#include "core/module/module.h"

extern const route_t briefing_routes[];

/* Attendance is each member's own (issue 14 item 3, R3.7). */
static const errcat_t briefing_errors[] = {
	{"attendance_not_own", 403, "班前会签到须由本人确认：在本人手机上确认，或在负责人设备上手写签名并输入本人密码",
	    "Attendance is confirmed by the member: on their own phone, or on the leader's screen with their handwritten mark and their own password"},
	{"attendance_signature_required", 422, "在负责人设备上签到须附本人手写签名", "Signing on the leader's screen needs the member's handwritten mark"},
	{NULL, 0, NULL, NULL},
};

const fg_module_t briefings_module = {
	.name = "briefings",
	.context = "fieldwork",
	.routes = (const route_t *const[]){briefing_routes, NULL},
	.errors = briefing_errors,
};
