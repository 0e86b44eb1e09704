#ifndef FG_PLANS_H
#define FG_PLANS_H
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/flow/flow.h"
#include "core/auth/session.h"

/* Work plans (作业计划, R3.2, R2.5): the dated, staffed execution of work orders by one team and one leader,
 * published to every member's device (GET /me/jobs). Its life is data/flows/plan.json. */

extern const flow_binding_t plans_flow;

/* The plan with its leader, crew and work orders. */
json_t *plans_get(db_t *db, const char *id);
/* in: date, team_id, leader_id, crew_ids, work_order_ids, optional title/place/content/video_link/
 * onsite_supervisor_id. Risk level and high-risk come from the orders' work kinds (data/kb/work_kinds.json). */
int plans_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
/* Only drafts change; in: version + any of the create fields. */
int plans_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err);

typedef struct {
	const char *date, *status, *team_id, *leader_id, *cursor;
	int limit;
	const auth_user_t *viewer; /* lists only the plans in this user's scope (auth/scope.h); NULL: all */
} plans_filter_t;
int plans_list(db_t *db, const plans_filter_t *f, json_t **out, fg_err_t *err);
/* Published, working and paused plans the user leads or is crew on: the crew's "my jobs". */
int plans_my_jobs(db_t *db, const char *user_id, json_t **out, fg_err_t *err);

/* The crew picker's warnings for `date` (YYYY-MM-DD) and user_ids (comma-separated, at most 50):
 * {"date", "items": [readiness (safety/interface/readiness.h) + "booked" and "plans": [{id, number, status, title,
 * role}] — the person's other plans that day still to be worked, exclude_plan left out]}. Unknown ids are skipped.
 * Refusals: invalid_query (details.field date or user_ids). */
int plans_crew_check(db_t *db, const char *date, const char *user_ids, const char *exclude_plan, json_t **out,
    fg_err_t *err);

/* The frozen part ("tools", "readiness" or "steps") with recorded_at, or NULL when the plan has no record. */
json_t *plans_record_part(db_t *db, const char *plan_id, const char *part);

/* This module's part of the person's queue (GET /api/v1/me/queue; plans_queue.c), its fg_module_t.queue hook. */
struct fg_queue;
void plans_queue(db_t *db, const auth_user_t *u, struct fg_queue *q);

#endif
