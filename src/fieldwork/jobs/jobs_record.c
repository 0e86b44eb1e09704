/* The record of a finished job (issue 9, finding 6): what the job's views showed at the moment it finished —
 * the tools in hand and their holders, its people's readiness, the steps recorded against their SOPs — frozen in
 * job_records by the finish transition. Those views read live ledgers (a tool's custody, a certificate's expiry,
 * the knowledge base), so without the record a later return, renewal or SOP edit rewrote the past. Read back with
 * plans_record_part (fieldwork/plans). */
#include <stdlib.h>
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "safety/interface/readiness.h"
#include "fieldwork/steps/steps.h"
#include "fieldwork/jobs/jobs.h"

int
jobs_record_freeze(db_t *db, const char *actor_id, const char *plan_id)
{
	int rc;
	json_t *have = db_one(db_q(db, "SELECT plan_id FROM job_records WHERE plan_id = $1", "t", plan_id), &rc);
	if (rc < 0)
		return -1;
	if (have) { /* written once: a record is never rewritten */
		json_decref(have);
		return 0;
	}
	json_t *tools = tools_for_plan(db, plan_id), *ready = people_plan_readiness(db, plan_id),
	       *steps = steps_for_plan(db, plan_id);
	rc = -1;
	if (tools && ready && steps) {
		json_object_del(tools, "proposed"); /* suggestions for a job in hand; a finished job needs none */
		char *t = json_dumps(tools, JSON_COMPACT), *r = json_dumps(ready, JSON_COMPACT), *s = json_dumps(steps, JSON_COMPACT);
		rc = t && r && s && db_run(db_q(db,
					"INSERT INTO job_records (plan_id, tools, readiness, steps, recorded_at) VALUES ($1, $2, $3, $4, $5)",
					"tttti", plan_id, t, r, s, fg_now_ms())) == DB_DONE ? 0 : -1;
		free(t);
		free(r);
		free(s);
		json_t *after = json_pack("{s:O, s:O, s:O}", "tools", tools, "readiness", ready, "steps", steps);
		if (rc == 0)
			rc = audit_write(db, actor_id, "freeze", "job_record", plan_id, NULL, after);
		json_decref(after);
	}
	json_decref(tools);
	json_decref(ready);
	json_decref(steps);
	return rc;
}
