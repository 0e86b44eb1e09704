#ifndef FG_FLOW_H
#define FG_FLOW_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/db/qb.h"
#include "core/auth/session.h"

/* Processes as data (DESIGN.md §7). A process — ticket life, field job, work order … — is a JSON file under
 * data/flows/ (compiled in): its states, and transitions {action, from[], to, roles[], guards[], effects[]}.
 * Guards and effects are C functions registered by name; one engine fires every transition the same way:
 *
 *   lock the row → find the transition for (state, action) → check the actor's role → run EVERY guard, so a
 *   refusal lists all that is wrong at once → set the new state → run effects → record a flow event and an
 *   audit record → commit.
 *
 * New process = new JSON + any new guard, not new plumbing.
 *
 * What a transition needs is declared next to it and checked by ONE generic guard (flow.c), each kind of check
 * answering one error code unless the declaration names the code a client already knows:
 *   "who":    {"relation": "leader_id", "or_roles": ["manager"], "code": "not_the_leader"}
 *             the actor must be the user the entity's field names (or hold one of or_roles):
 *             flow_not_related (403, details.relation)
 *   "fields": {"command_id": "text", "hours": "integer", "photo_ids": "array",
 *              "resolution": {"type": "text", "code": "defect_resolution_required"}}
 *             missing or empty: missing_field (400), wrong type: invalid_field (400); details.field either way
 *   "reason": true | {"code": "missing_field"}
 *             a non-empty body.reason: reason_required (409, details.field "reason"); recorded on the flow event
 *   "stamps": {"closed_by": "actor", "closed_at": "now", "resolution": "body.resolution", "fixing_by": "null"}
 *             columns of the entity's table set after the effects ran
 *   "when":   {"track": ["hv_single", "hv_dual"]}
 *             the transition exists only for entities whose columns hold one of the values (compared as JSON);
 *             two transitions of one action from one state may lead to different states per kind
 *   "pause": true / "resume": true
 *             stops (with the reason recorded) or restarts the clock of the entity's open deadlines
 * Module guards remain for real domain rules only (stock, gates, signatures …).
 *
 * A state may declare a deadline, one timer per arming in flow_timers (flow_timers.c):
 *   "deadline": {"after": {"hours": N} | {"working_days": N}, "from": "state" | "start",
 *                or "at": "due_at" (the instant a column of the entity holds; re-read after each transition),
 *                "on_expiry": {"fire": "action"} | {"escalate": true} (fires "escalate") and/or
 *                             {"notify": {"roles": [...], "relation": "leader_id", "kind": "…_overdue"}},
 *                "warn": {"before": {"hours": N} | {"working_days": N}, "notify": {…}}}   (nearly late, once)
 *   N is a number, or {"by": "kind", "values": {"lv_residential": 5, …}, "default"?: N}: the entity's column picks
 *   it (no value and no default: no deadline for that entity).
 * A flow may declare a whole-process deadline, counted from the entity's created_at across its states:
 *   "process_deadline": {"after": …, "on_expiry": …, "warn"?: …, "ends"?: ["archived", …]}
 *   its clock stops in states that declare "process_clock": false (the customer's turn; the state's name is the
 *   reason shown) and during every pause; it ends in "ends" (default: the states no transition leaves).
 * A working-day count that reaches a year the calendar does not hold is armed without its instant (due unknown,
 * calendar_year_unknown) and computed when the year is entered. A pause keeps a working-day count's working days
 * left and the resume counts them from the resume's day; an hours count keeps the wall-clock time left.
 * Due timers are fired by the scheduler as the system actor (users.id 'system'); a firing is a flow event and an
 * audit record like a person's, in the transaction that marks the timer fired; a warning is a deadline_warning
 * flow event and audit record. */

typedef struct {
	db_t *db;
	const auth_user_t *actor;
	const char *flow;   /* "plan" */
	const char *id;     /* the entity's id */
	const char *action; /* "start" */
	json_t *row;        /* the entity before the transition (as its module shows it) */
	json_t *body;       /* the action's body ({} when none) */
	json_t *transition; /* the transition's definition (borrowed), e.g. its "signs" role */
	int64_t now;        /* the instant of the firing (a deadline's run may be "as of" a later time) */
	bool by_deadline;   /* fired by a deadline as the system actor */
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
	/* Who may read the entity's history (GET /flows/{flow}/history/{id}): the permission its own GET needs, and
	 * NULL or a scope check (plans and tickets: the user's teams) — false reads as missing. */
	const char *read_perm;
	bool (*visible)(db_t *db, const auth_user_t *u, const char *id);
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

/* The system actor (users.id 'system', no roles, cannot sign in): who fires a deadline's transitions. */
#define FLOW_SYSTEM_ID "system"
extern const auth_user_t flow_system_actor;

/* flow_fire inside the caller's open transaction (no begin/commit): the row is locked here as well. now: the
 * firing's instant (0: the clock). by_deadline: the system actor fires what a deadline names, past roles and
 * relations. Errors as flow_fire. */
int flow_fire_tx(db_t *db, const flow_binding_t *b, const char *id, const char *action, const auth_user_t *actor,
    json_t *body, int64_t now, bool by_deadline, json_t **out, fg_err_t *err);

/* ---- deadlines (flow_timers.c) ---- */

/* The instant a deadline falls due, counted from from_ms: {"hours": N} or {"working_days": N} (Asia/Shanghai).
 * 0, or -1 with err set (e.g. beyond the calendar's last known year). The one place working days are counted. */
int flow_deadline_due(db_t *db, int64_t from_ms, json_t *after, int64_t *due_ms, fg_err_t *err);

/* Arms, moves or ends the entity's timers to match its current state's deadline (inside the caller's
 * transaction). entering: the entity just entered its state (created, or a transition moved it), so its open
 * timers end and the state's deadline, if any, starts from now (or from the process start). A module calls it
 * with entering=true after creating an entity of a flow, and with false after changing a deadline's "at" field
 * outside a transition. 0 or -1 (db error). */
int flow_timers_sync(db_t *db, const flow_binding_t *b, const char *id, bool entering, int64_t now);

/* Records a move its module made outside flow_fire because another process drives it (a work order following its
 * fault case or inspection): the flow event (actor, from, to, action `why`) and the entity's timers follow, in the
 * caller's transaction, so the process's history and deadlines show it like any transition. The caller audits the
 * change itself. 0 or -1 (db error). */
int flow_record(db_t *db, const char *flow, const char *id, const char *why, const char *from, const char *to,
    const char *actor_id);

/* The entity's flow events, oldest first (at most 1,000): [{id, action, from_state, to_state, actor_id, actor_name,
 * at, reason}], or NULL on a database error. */
json_t *flow_history(db_t *db, const char *flow, const char *id);

/* Stops / restarts the entity's open timers' clocks (a declared pause / resume). */
int flow_timers_pause(db_t *db, const flow_binding_t *b, const char *id, const char *reason, int64_t now);
int flow_timers_resume(db_t *db, const flow_binding_t *b, const char *id, int64_t now);

/* Computes the open deadlines still waiting for a calendar year that is now known (the scheduler's run and an
 * admin's PUT /calendar/{year} through the calendar.year_changed event). Returns how many, or -1. */
int flow_timers_resolve(db_t *db, int64_t now);

/* What the entity's clocks say, as of now: {"state": the open state deadline or null, "process": the process
 * deadline or null, "items": every arming, oldest first}, each {id, kind, state, status (running | paused | fired |
 * ended), due_at (null when not known yet), due_day, due_unknown (null or {code, year}), count_from, count_wd,
 * warn_at, warned_at, paused_at, pause_reason, remaining ({working_days} | {ms} while paused), late, nearly_late,
 * fired_at, ended_at, created_at}. NULL on a database error. */
json_t *flow_deadlines(db_t *db, const char *flow, const char *id, int64_t now);

/* Fires every timer due before `now` (optionally of one flow, or one entity), each in its own transaction as the
 * system actor: the entity row, then the timer row are locked, and a timer another node fired meanwhile is
 * skipped. Warnings due are given first, the same way. Deadlines waiting for a calendar year are computed first
 * when it is known. Returns how many fired or warned, or -1. */
int flow_timers_run(db_t *db, int64_t now, const char *flow, const char *entity_id);

/* Who a notify deadline tells (shared/notify registers itself; core includes no module). */
typedef int (*flow_notify_fn)(db_t *db, const char *user_id, const char *kind, const char *title, const char *body,
    const char *entity, const char *entity_id, const char *dedupe);
void flow_set_notifier(flow_notify_fn fn);

/* Adds a flow at run time, checked like a file (aborts on a mistake), with its binding: the unit tests' own
 * process over their own table. Not thread-safe against concurrent firings of the same name. */
void flow_define(json_t *def, const flow_binding_t *b);

/* The binding of a flow some module runs (fg_module_t.flows), or NULL: how a timer reaches its entity. */
const flow_binding_t *flow_binding(const char *flow);

/* The first transition named `action` (borrowed), or NULL: lets HTTP glue see e.g. that an action signs. */
json_t *flow_transition(const char *flow, const char *action);

/* flow_timers_sync with the entity's row in hand (core/flow's own use): the engine has just loaded it. from: the state
 * the entity was in before (NULL: unknown); a state without a deadline holds no open state timer, so leaving it needs
 * no statement for the state clock (the process clock, where the flow declares one, is synced all the same).
 * with: NULL, or (PostgreSQL, entering) a WITH clause being built, to which the state timers' statements are added as
 * parts ("name AS (…), ") instead of being run: the caller sends them in its own round trip. A flow with a process
 * deadline does not use it: its timers' statements run on their own. */
int flow_timers_sync_row(db_t *db, const flow_binding_t *b, const char *id, json_t *row, bool entering, const char *from,
    int64_t now, qb_t *with);

/* The definition itself (borrowed; core/flow's own use), or NULL. */
json_t *flow_def(const char *flow);

/* The flow's definition as JSON (for the UI: states with names, transitions). NULL when unknown. */
json_t *flow_describe(const char *flow);
/* Actions the actor could try from a state (role-permitted; guards not evaluated). */
json_t *flow_actions(const char *flow, const char *state, uint32_t roles);
/* A "when" ({column: [values]}; NULL holds) against a row: every column it names holds one of its values, compared
 * as JSON (1 and true are told apart, so flags are declared as the row shows them). Transitions use it, and data
 * files that borrow the notation (the application's document list). */
bool flow_when_holds(json_t *when, json_t *row);
/* The same for one entity: its state, and only the transitions whose "when" its row satisfies. */
json_t *flow_actions_for(const char *flow, json_t *row, uint32_t roles);


#endif
