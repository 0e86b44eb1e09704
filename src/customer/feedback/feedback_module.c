/* The feedback module (customer): feedback and complaints on the clock (data/flows/feedback.json), the ratings
 * import and improvements. */
#include "core/module/module.h"
#include "customer/feedback/feedback.h"

extern const route_t feedback_routes[];
extern const flow_guard_t feedback_guards[];
extern const flow_effect_t feedback_effects[];

static const errcat_t feedback_errors[] = {
	{"feedback_answer_required", 409, "办结前须记录给客户的答复", "The answer given to the customer must be recorded before closing"},
	{"feedback_satisfaction_required", 409, "办结前须记录客户满意度（满意、基本满意、不满意）",
	    "The customer's satisfaction (satisfied, basically satisfied, dissatisfied) must be recorded before closing"},
	{"feedback_sensitive_complaint_only", 409, "只有投诉可以标记为敏感", "Only a complaint can be flagged sensitive"},
	{"feedback_already_sensitive", 409, "该投诉已标记为敏感", "This complaint is already flagged sensitive"},
	{"feedback_sensitive_handlers_only", 403, "敏感投诉只能由其处理人办理", "A sensitive complaint is worked by its handlers only"},
	{NULL, 0, NULL, NULL},
};

const fg_module_t feedback_module = {
	.name = "feedback",
	.context = "customer",
	.routes = (const route_t *const[]){feedback_routes, NULL},
	.guards = feedback_guards,
	.effects = feedback_effects,
	.flows = (const flow_binding_t *const[]){&feedback_flow, NULL},
	.errors = feedback_errors,
	.start = feedback_check_limits,
	.queue = feedback_queue,
};
