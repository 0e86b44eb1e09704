/* The tickets module (fieldwork): Electronic work tickets (data/flows/ticket.json). */
#include "core/module/module.h"
#include "fieldwork/tickets/tickets.h"

extern const route_t ticket_routes[];
extern const flow_guard_t ticket_guards[];
extern const flow_effect_t ticket_effects[];

/* The risk point's confirmation (issue 14 item 3, R3.8): once, with every measure, a photo for key risks. */
static const errcat_t ticket_errors[] = {
	{"risk_measure_left_out", 422, "风险点须连同其全部控制措施一起确认，有措施未列入", "A risk point is confirmed together with all its measures; some were left out"},
	{"risk_photo_required", 422, "关键风险点须附现场照片作为证据", "A key risk point needs a site photo as evidence"},
	{"risk_already_confirmed", 409, "该风险点已确认，确认记录不再改写", "This risk point was confirmed already; its record is not rewritten"},
	{NULL, 0, NULL, NULL},
};

const fg_module_t tickets_module = {
	.name = "tickets",
	.context = "fieldwork",
	.routes = (const route_t *const[]){ticket_routes, NULL},
	.guards = ticket_guards,
	.effects = ticket_effects,
	.flows = (const flow_binding_t *const[]){&tickets_flow, NULL},
	.queue = tickets_queue,
	.errors = ticket_errors,
};
