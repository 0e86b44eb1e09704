/* Reading the record of a finished job (job_records, issue 9): the views of a finished job (its steps, tools,
 * people's readiness) answer from it. The jobs module (fieldwork/jobs/jobs_record.c) writes it. */
#include <string.h>
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "fieldwork/plans/plans.h"

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
