#ifndef FG_FLOW_H
#define FG_FLOW_H
#include <stdint.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/auth/session.h"

/* Processes as data (DESIGN.md §7). A process — ticket life, field job, work order … — is a JSON file under
 * data/flows/ (compiled in): its states, and transitions {action, from[], to, roles[], guards[], effects[]}.
 * Guards and effects are C functions registered by name; one engine fires every transition the same way:
 *
 *   lock the row → find the transition for (state, action) → check the actor's role → run EVERY guard, so a
 *   refusal lists all that is wrong at once → set the new state → run effects → record a flow event and an
 *   audit record → commit.
 *
 * New process = new JSON + any new guard, not new plumbing. */

typedef struct {
	db_t *db;
	const auth_user_t *actor;
	const char *flow;   /* "plan" */
	const char *id;     /* the entity's id */
	const char *action; /* "start" */
	json_t *row;        /* the entity before the transition (as its module shows it) */
	json_t *body;       /* the action's body ({} when none) */
	json_t *transition; /* the transition's definition (borrowed), e.g. its "signs" role */
} flow_ctx_t;

/* A guard passes (0) or fails (-1) after filling gate with its own error code and details. */
typedef int (*flow_guard_fn)(flow_ctx_t *c, fg_err_t *gate);
/* An effect runs after the state changed (same transaction): 0, or -1 with err set. */
typedef int (*flow_effect_fn)(flow_ctx_t *c, fg_err_t *err);

typedef struct {
	const char *name;
	flow_guard_fn fn;
} flow_guard_t;

typedef struct {
	const char *name;
	flow_effect_fn fn;
} flow_effect_t;

/* How the engine reaches one kind of entity. */
typedef struct {
	const char *flow;  /* file data/flows/<flow>.json */
	const char *table; /* has id, status, version, updated_at */
	const char *entity;/* audit entity name */
	json_t *(*load)(db_t *db, const char *id);
	/* NULL, or locks the rows the flow's guards and effects change besides the entity's own (a plan's work
	 * orders), right after the entity's row and before anything is audited: every transition then takes its
	 * locks in one order, entity first, and never waits for a row while holding the audit chain's head. */
	int (*lock_related)(db_t *db, const char *id);
} flow_binding_t;

/* Loads and checks every flow file against the registered guards, effects and roles; aborts on a mistake
 * (a flow naming a guard that does not exist is a build error, not a runtime surprise). Idempotent. */
void flow_init(void);

/* Fires `action` on the entity. On success *out is the entity after the change. Refusals:
 *   not_found, invalid_transition (409: not allowed from this state; details.state, details.allowed),
 *   forbidden (403: role), version_conflict (body "version" given and stale),
 *   the first failed guard's own code (409) with details.gates = every failed guard. */
int flow_fire(db_t *db, const flow_binding_t *b, const char *id, const char *action, const auth_user_t *actor,
    json_t *body, json_t **out, fg_err_t *err);

/* The first transition named `action` (borrowed), or NULL: lets HTTP glue see e.g. that an action signs. */
json_t *flow_transition(const char *flow, const char *action);

/* The flow's definition as JSON (for the UI: states with names, transitions). NULL when unknown. */
json_t *flow_describe(const char *flow);
/* Actions the actor could try from a state (role-permitted; guards not evaluated). */
json_t *flow_actions(const char *flow, const char *state, uint32_t roles);


#endif
