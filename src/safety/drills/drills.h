#ifndef FG_DRILLS_H
#define FG_DRILLS_H
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"

/* Emergency plans and drills (R2.14, R4.6; issue 13 item 5). A plan is of a kind of data/emergency/kinds.json (large
 * outage, disaster-driven mass faults, fire, charging-station fire), with its content, attachments and the date it
 * is next reviewed. A drill is scheduled against a plan (date, place, scenario) and then recorded once: attendance
 * as people (users' ids, each present or absent; an unknown id is refused), findings, and improvements each with an
 * owner and a deadline, closed when done. The calendar lists drills by month.
 *
 * The charging inspection kind emergency_drill (data/kb/inspection_kinds.json) is a station's yearly checklist
 * ("plan current", "drill held with attendees", "drill reviewed"): the inspector ticks it on the round; the drill it
 * asks about is the one recorded here, against the station's charging_station_fire plan. */

json_t *drills_plan_get(db_t *db, const char *id);
json_t *drills_plan_list(db_t *db, const char *kind);
/* in: kind, title, content, attachment_ids?, org_unit_id?, review_on? */
int drills_plan_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
/* in: version, and any of title, content, attachment_ids, org_unit_id, review_on */
int drills_plan_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err);

json_t *drills_get(db_t *db, const char *id);
/* month "YYYY-MM" (NULL: every drill from a year back on); plan_id optional. {items}. */
json_t *drills_list(db_t *db, const char *month, const char *plan_id);
/* in: plan_id, date, place, scenario */
int drills_schedule(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
/* in: attendance [{user_id, present}], findings, improvements [{text, owner_id, due_on}]?, version? */
int drills_record(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err);
/* in: note?. The improvement's owner or a drills.write holder (checked by the caller: may_any). */
int drills_improvement_close(db_t *db, const char *actor_id, bool may_any, const char *drill_id, const char *imp_id,
    json_t *in, json_t **out, fg_err_t *err);

#endif
