#ifndef FG_ROTATION_H
#define FG_ROTATION_H
#include <jansson.h>
#include "core/auth/session.h"
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/events/events.h"
#include "core/flow/flow.h"

/* Rotation campaigns (轮换, issue 12 item 4; REFERENCE.md §4.3), a process in data/flows/rotation_campaign.json.
 *
 * Criteria (JSON object, every key optional; installed meters only, and none already in an open item of another
 * campaign): older_than_years N with age_basis "installed_on" (default) or "produced_on" — older than N years on
 * as_of (YYYY-MM-DD, default today in Asia/Shanghai); sampling_failed true (状态更换: the batch failed its
 * sampling); when both are given a meter qualifies by either. And, each narrowing: batch, model, accuracy_class,
 * subtype, org_unit_id, areas (array of transformer areas).
 *
 * Selection reads metering_assets set-based (the assets module owns the table; siblings read it, issue 12): counts
 * and items never pass through C one meter at a time. Generation schedules the areas (by name) into working days
 * from start_on, each day holding at most crews × per_crew_day meters; one work order (meter_rotation) per area
 * and day, due at the end of its day plus due_days working days; the items are inserted with one INSERT … SELECT. */

/* {total, by_area: [{area, count}], by_batch: [{batch, count}]} (areas and batches by count, then name; at most 200
 * each). Refusals: invalid_field (field names the criterion). */
int rotation_preview(db_t *db, json_t *criteria, json_t **out, fg_err_t *err);
/* A draft: in {name, criteria, crews, per_crew_day, start_on, due_days?, team_id?}. */
int rotation_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
/* The campaign with its progress {total, done, open, cancelled, percent, by_area: [{area, total, done}], by_day:
 * [{day, total, done}]}; NULL when none. */
json_t *rotation_get(db_t *db, const char *id);
json_t *rotation_load(db_t *db, const char *id);
int rotation_list(db_t *db, const char *status, json_t **out, fg_err_t *err);
/* The campaign's work orders [{id, area, day, seq, meters, work_order_id, status, done}] */
int rotation_orders(db_t *db, const char *id, json_t **out, fg_err_t *err);

/* For the large screen (issue 12 item 7): {"campaigns":[{"id","name","status","total","done","percent"}],
 * "by_area":[{"area","total","done"}]} over the running campaigns. NULL on a database error. */
json_t *rotation_screen_summary(db_t *db);

/* work_order.finished: the order's meters are done; a campaign with none open completes (the system fires
 * complete). */
int rotation_on_finished(db_t *db, const fg_event_t *ev, fg_err_t *err);

extern const flow_binding_t rotation_flow;

/* Pure helpers (unit-tested): the date N years before day (29 Feb → 28 Feb), and days since 1970-01-01. */
int rotation_years_before(const char *day, int years, char out[11]);
int64_t rotation_day_number(const char *day);
void rotation_day_string(int64_t dn, char out[11]);

#endif
