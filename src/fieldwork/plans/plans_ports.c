/* Field work's side of the ports other contexts declare (safety/interface/work.h): the safety context asks about
 * plans through these, so it never includes field work. */
#include "fieldwork/plans/plans.h"
#include "safety/interface/work.h"

json_t *
work_plan_get(db_t *db, const char *plan_id)
{
	return plans_get(db, plan_id);
}

json_t *
work_plan_record_part(db_t *db, const char *plan_id, const char *part)
{
	return plans_record_part(db, plan_id, part);
}
