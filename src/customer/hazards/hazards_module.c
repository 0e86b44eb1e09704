/* The hazards module (customer; issue 13 item 3): hazards found at customers' installations, classified by who must
 * fix them, each a process (data/flows/customer_hazard.json) — grid-side plan to closure, customer-side notice →
 * signed receipt → report → follow-ups → closed — the notice PDF, the report to the authority, the searchable
 * database with its yearly analysis, and the escalation of overdue ones (R2.3, R2.9, R2.10, R2.16). */
#include "core/module/module.h"
#include "customer/hazards/hazards.h"
#include "customer/interface/check_findings.h"

extern const route_t hazards_routes[];

/* Overdue hazards escalate: hourly (FG_HAZARDS_ESCALATE_S shortens it), first run ten minutes after start. */
static const fg_job_t jobs[] = {
	{"hazards.escalate", 3600, "FG_HAZARDS_ESCALATE_S", 600, hazards_escalate_job},
	{NULL, 0, NULL, 0, NULL},
};

/* what a finished safety check found becomes hazards (hazards_checks.c) */
static const fg_subscription_t subscriptions[] = {
	{CHECK_FINDINGS, "hazards.on_check_findings", hazards_on_check_findings},
	{NULL, NULL, NULL},
};

static const errcat_t hazards_errors[] = {
	{"customer_hazard_not_rectified", 409, "最近一次复查未确认整改完成，不能闭环", "The last follow-up did not find the hazard rectified; it cannot be closed"},
	{"customer_hazard_no_notice", 409, "该隐患尚未下达用电检查结果通知书", "No hazard notice has been issued for this hazard"},
	{NULL, 0, NULL, NULL},
};

const fg_module_t hazards_module = {
	.name = "hazards",
	.context = "customer",
	.routes = (const route_t *const[]){hazards_routes, NULL},
	.guards = hazards_guards,
	.effects = hazards_effects,
	.flows = (const flow_binding_t *const[]){&hazards_flow, NULL},
	.jobs = jobs,
	.subscriptions = subscriptions,
	.errors = hazards_errors,
	.start = hazards_check,
	.queue = hazards_queue,
};
