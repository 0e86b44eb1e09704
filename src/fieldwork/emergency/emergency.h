#ifndef FG_EMERGENCY_H
#define FG_EMERGENCY_H
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/auth/session.h"

/* Company-level emergency mode (R1.4, issue 13 item 6). An emergency is declared with its kind
 * (data/emergency/kinds.json) and scope — areas (org units, each with everything under it) and kinds of work
 * (data/kb/work_kinds.json) — and ended; at most one active emergency per overlapping scope (two scopes overlap
 * when one area lies within the other's and they share a kind of work). Ended, it is "review_due" until its review
 * (findings, lessons) is recorded; a review not recorded within EMERGENCY_REVIEW_DAYS is overdue.
 *
 * The relaxation it brings: the emergency repair sheet (QX, 配电故障紧急抢修单) in place of the work's own ticket.
 * QX is already the normal ticket of continuous charger repair (work kind charger_repair, default_ticket_kind QX),
 * so that stays as it was; for a plan with any other kind of work, QX is accepted only inside an active emergency's
 * scope, and the ticket, the plan and its work orders then carry "under emergency E, relaxation
 * qx_in_place_of_ticket" for good. Nothing else is relaxed: the pre-shift meeting, the risks, the measures and
 * every other gate of the job stay as they are. */

#define EMERGENCY_REVIEW_DAYS 7 /* the review is due this long after the end ([U]: a common company rule) */
#define EMERGENCY_RELAX_QX "qx_in_place_of_ticket"

/* The kinds and the fault kits (borrowed, from the embedded data). */
json_t *emergency_kinds(void);
json_t *emergency_fault_kits(void);

json_t *emergency_get(db_t *db, const char *id);
/* status: NULL (all), active, review_due, closed; overdue: only reviews past their due time. {items}. */
json_t *emergency_list(db_t *db, const char *status, bool overdue);
/* in: kind, title, note?, area_ids[], work_kinds[], fault_kinds[]? (default: the kind's). */
int emergency_declare(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
int emergency_end(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err);
int emergency_review(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err);

/* Inside a write transaction: the active emergency whose scope covers a plan of team_id with work of the kinds in
 * work_kinds (an array of strings), into id_out; else emergency_ended (the covering emergency has ended) or
 * emergency_out_of_scope, with details. Locks the declarations' row first, so an end racing it waits. */
int emergency_cover(db_t *db, const char *team_id, json_t *work_kinds, char id_out[37], fg_err_t *err);
/* Inside a write transaction: records (and audits) the relaxation on the ticket, its plan and each of the plan's
 * work orders (work_orders: the plan's [{id}]). */
int emergency_relax(db_t *db, const char *actor_id, const char *emergency_id, const char *relaxation,
    const char *plan_id, const char *ticket_id, json_t *work_orders);
/* The relaxations on a record: col is "plan_id", "ticket_id" or "work_order_id" (code-written). An array. */
json_t *emergency_relaxations_of(db_t *db, const char *col, const char *id);

/* The on-call roster. in: user_id, duty, org_unit_id?, from_at, to_at (epoch ms). */
int oncall_add(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
/* Who is on call at `at` (all: every entry ending after at - 30 days), phones masked for the viewer as the
 * directory masks them. {items}. */
json_t *oncall_list(db_t *db, const auth_user_t *viewer, int64_t at, bool all);

/* This module's part of the person's queue (GET /api/v1/me/queue; emergency_queue.c), its fg_module_t.queue hook. */
struct fg_queue;
void emergency_queue(db_t *db, const auth_user_t *u, struct fg_queue *q);

#endif
