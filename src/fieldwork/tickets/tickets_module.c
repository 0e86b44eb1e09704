/* The tickets module (fieldwork): Electronic work tickets (data/flows/ticket.json). */
#include "core/module/module.h"
#include "fieldwork/tickets/tickets.h"

extern const route_t ticket_routes[];
extern const flow_guard_t ticket_guards[];
extern const flow_effect_t ticket_effects[];

const fg_module_t tickets_module = {
	.name = "tickets",
	.context = "fieldwork",
	.routes = (const route_t *const[]){ticket_routes, NULL},
	.guards = ticket_guards,
	.effects = ticket_effects,
	.flows = (const flow_binding_t *const[]){&tickets_flow, NULL},
	.queue = tickets_queue,
};
