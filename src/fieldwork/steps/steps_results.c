/* The steps module's side of fieldwork/interface/work_results.h: what the crew recorded for one work order, for a
 * context that follows the job (a customer's application takes its supply scheme and its installed meter from
 * here). */
#include <string.h>
#include "fieldwork/interface/work_results.h"

json_t *
work_order_results(db_t *db, const char *work_order_id)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT step_no, title, result, records, note, done_by, done_at FROM job_steps "
				       "WHERE work_order_id = $1 ORDER BY step_no", "t", work_order_id), &rc);
	if (!rows)
		return NULL;
	json_t *records = json_object(), *row;
	json_int_t bad = 0;
	size_t i;
	json_array_foreach(rows, i, row) {
		json_t *r = json_loads(json_string_value(json_object_get(row, "records")), 0, NULL);
		if (json_is_object(r))
			json_object_update(records, r); /* a later step's reading of the same key is the later fact */
		json_decref(r);
		json_object_del(row, "records");
		bad += strcmp(json_string_value(json_object_get(row, "result")), "nonconforming") == 0;
	}
	return json_pack("{s:o, s:o, s:I}", "records", records, "steps", rows, "nonconforming", bad);
}
