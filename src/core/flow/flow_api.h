#ifndef FG_FLOW_API_H
#define FG_FLOW_API_H
#include "core/http/http.h"
#include "core/flow/flow.h"

/* Adds "actions" (what the caller's roles could try from the entity's status) to an entity about to be sent. */
void flow_api_with_actions(req_t *r, json_t *ent, const char *flow);
/* POST /…/{id}/actions/{action}: checks the body against spec, fires the transition, answers the entity with its
 * next actions (or the refusal with every failed gate). */
void flow_api_action(req_t *r, const flow_binding_t *b, const jfield_t *spec);
/* POST /…/actions/run (admins; tests): the scheduler's step now — checks the body against spec, fires the flow's
 * deadlines due by its "at" (now or later; http_run_when), for the one entity named by id_field when given;
 * answers {"fired": n}. */
void flow_api_run_timers(req_t *r, const jfield_t *spec, const char *flow, const char *id_field);

#endif
