#ifndef FG_JOBS_H
#define FG_JOBS_H
#include "core/db/db.h"

/* The job: a plan's flow (data/flows/plan.json) with the safety gates that consult the other field-work modules —
 * tickets, briefings, steps — and the safety context's readiness. The plan entity lives in fieldwork/plans; this
 * module sits above plans, tickets, briefings and steps, so none of them needs to include another in a circle. */

/* A finished job's record (job_records, issue 9): freezes the job's tools (who held which), its people's
 * readiness and its steps, inside the finish transition (audited as "freeze" of job_record); once per plan. */
int jobs_record_freeze(db_t *db, const char *actor_id, const char *plan_id);

#endif
