#ifndef FG_SAFETY_READINESS_H
#define FG_SAFETY_READINESS_H
#include <jansson.h>
#include "core/db/db.h"

/* The safety context's published answers about whether people and tools are fit for a job, what field work's gates
 * (gate_person_unqualified, gate_tool_not_ready, gate_contractor_*) and job records ask. Implemented in
 * safety/people, safety/tools, safety/contractors. */

/* {"user_id","display_name","ready","reasons":[{code, name?, expires_on?}]}; codes: no_valid_safety_exam,
 * certificate_expired, and for contractor staff (with "contractor") contractor_suspended, contractor_unqualified,
 * contractor_agreement_missing. */
json_t *people_readiness(db_t *db, const char *user_id);
/* {"items": [readiness of the leader, then each crew member]}: what gate_person_unqualified will say at start.
 * A finished job answers from its record (the readiness when it finished). NULL when there is no such plan. */
json_t *people_plan_readiness(db_t *db, const char *plan_id);
/* What a plan needs (tool kinds of its work kinds), what is checked out for it, and in-date tools to propose. */
json_t *tools_for_plan(db_t *db, const char *plan_id);
/* For a person: NULL when they work for no contractor; else {"id","name"} and the reasons their company keeps
 * them from work are appended to `reasons` ({code: contractor_suspended | contractor_unqualified |
 * contractor_agreement_missing, contractor, …}). `today` is YYYY-MM-DD. */
json_t *contractors_person(db_t *db, const char *user_id, const char *today, json_t *reasons);

#endif
