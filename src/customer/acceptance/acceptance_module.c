/* The joint acceptance module (customer; issue 11 item 5): acceptance records with the departments' checklists and
 * signatures, sampling of routine items, hazards found, and the guards that hold an application's inspections and
 * power-on to them (acceptance.h). */
#include "core/module/module.h"
#include "customer/acceptance/acceptance.h"

extern const route_t acceptance_routes[];

static const errcat_t acceptance_errors[] = {
	{"acceptance_wrong_stage", 409, "申请当前环节不能开展该项验收", "The application is not at the stage this inspection belongs to"},
	{"acceptance_exists", 409, "该环节已有未完成或已通过的验收记录", "The stage already has an open or passed acceptance record"},
	{"acceptance_department_role", 403, "您不能代表该部门检查或签字", "You may not check or sign for this department"},
	{"acceptance_signed", 409, "该部门已签字，签字后不能更改", "The department has signed its part; a signature is final"},
	{"acceptance_same_signer", 409, "联合验收须由各部门不同人员签字", "Each department of a joint acceptance signs by a different person"},
	{"acceptance_items_unchecked", 409, "该部门仍有须检查的项目未记录结果", "Items the department must check have no result yet"},
	{"acceptance_missing", 409, "该环节尚无验收记录", "The stage has no acceptance record yet"},
	{"acceptance_unsigned", 409, "验收记录尚未由各部门全部签字", "Not every department has signed the acceptance record"},
	{"acceptance_failed", 409, "验收未通过，请整改后重新验收", "The acceptance failed; inspect again after rectification"},
	{"application_hazards_open", 409, "存在未闭环的缺陷或隐患，不能送电", "Hazards are still open; power-on is blocked until they are closed"},
	{"hazard_closed", 409, "该隐患已闭环", "The hazard is already closed"},
	{NULL, 0, NULL, NULL},
};

const fg_module_t acceptance_module = {
	.name = "acceptance",
	.context = "customer",
	.routes = (const route_t *const[]){acceptance_routes, NULL},
	.guards = acceptance_guards,
	.errors = acceptance_errors,
	.start = acceptance_start,
	.stop = acceptance_stop,
};
