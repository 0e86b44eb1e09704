/* The record of a finished job (issue 9, finding 6): what the job's views showed at the moment it finished —
 * the tools in hand and their holders, its people's readiness, the steps recorded against their SOPs — frozen in
 * job_records by the finish transition. Those views read live ledgers (a tool's custody, a certificate's expiry,
 * the knowledge base), so without the record a later return, renewal or SOP edit rewrote the past. */
#include <string.h>
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "safety/people/people.h"
#include "fieldwork/plans/plans.h"
#include "fieldwork/steps/steps.h"
#include "safety/tools/tools.h"

int
plans_record_freeze(db_t *db, const char *actor_id, const char *plan_id)
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

json_t *
plans_record_part(db_t *db, const char *plan_id, const char *part)
{
	static const char *const parts[] = {"tools", "readiness", "steps", NULL};
	const char *col = NULL;
	for (int i = 0; parts[i]; i++)
		if (strcmp(parts[i], part) == 0)
			col = parts[i];
	if (!col)
		return NULL;
	int rc;
	char sql[128];
	fg_fmt(sql, sizeof sql, "SELECT %s AS body, recorded_at FROM job_records WHERE plan_id = $1", col);
	json_t *row = db_one(db_q(db, sql, "t", plan_id), &rc);
	if (!row)
		return NULL;
	json_t *body = json_loads(json_string_value(json_object_get(row, "body")), 0, NULL);
	if (json_is_object(body))
		json_object_set_new(body, "recorded_at", json_copy(json_object_get(row, "recorded_at")));
	json_decref(row);
	return body;
}
