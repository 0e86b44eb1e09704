#ifndef FG_STEPS_H
#define FG_STEPS_H
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/auth/session.h"

/* Guided field work (R3.9): every work order on a plan follows the SOP of its work kind (data/kb/sops.json);
 * the crew records each step in order with its result, the readings the SOP asks for (asset numbers, register
 * readings, CT ratio, seal numbers …) and photos where required. Steps flow to supervision as they happen. */

/* The plan's orders with their SOP steps, each with what was recorded ({"items":[…], "progress":{done,total}}). */
json_t *steps_for_plan(db_t *db, const char *plan_id);
/* Records one step. in: work_order_id, step_no, result ok|nonconforming, records {}, note?, photo_ids?.
 * Refusals: invalid_transition (plan not working), forbidden (not on the plan), step_out_of_order (details
 * missing), step_done, step_photo_missing, invalid_field "records.<key>". */
int steps_record(db_t *db, const auth_user_t *actor, const char *plan_id, json_t *in, json_t **out, fg_err_t *err);
/* Checks record values against a step's definition (exposed for the fuzz target and unit tests). */
int steps_check_records(json_t *def_records, json_t *records, fg_err_t *err);

#endif
