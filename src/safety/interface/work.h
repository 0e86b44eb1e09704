#ifndef FG_SAFETY_WORK_H
#define FG_SAFETY_WORK_H
#include <jansson.h>
#include "core/db/db.h"

/* What the safety context needs to know about field work — a port safety declares and field work implements
 * (fieldwork/plans/plans_ports.c), so the dependency runs one way: field work uses safety, never the reverse. */

/* The job plan as field work shows it ({id, status, leader_id, crew:[{id}], work_orders:[{kind}], finished_at …}),
 * or NULL when there is none. */
json_t *work_plan_get(db_t *db, const char *plan_id);
/* A finished job's recorded part ("readiness", "tools"): what it was when the job finished; NULL when the job has
 * no record (not finished, or finished before records were kept). */
json_t *work_plan_record_part(db_t *db, const char *plan_id, const char *part);

#endif
