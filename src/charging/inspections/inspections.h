#ifndef FG_INSPECTIONS_H
#define FG_INSPECTIONS_H
#include <stdint.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/flow/flow.h"
#include "core/events/events.h"

/* Charging-station inspections (issue 5 items 3 and 6; R4.3, R4.6, R4.10, R4.12):
 *   equipment.c   station equipment (箱变, distribution / secondary control cabinets, monitoring, fire facilities)
 *                 and defects (缺陷) of equipment or chargers, open → fixing → closed (data/flows/defect.json),
 *                 with the yearly defect analysis;
 *   inspections.c per-station plans whose checklist comes from data/kb/inspection_kinds.json (copied, editable),
 *                 generating one inspection (a charger_inspection work order + its checklist) per plan and period;
 *   firmware.c    firmware campaigns: UpdateFirmware charger by charger in batches, tracked through
 *                 FirmwareStatusNotification and the next BootNotification. */

/* Due time of a defect by severity: critical 24 h, serious 7 days, general 30 days. 0 for an unknown severity. */
int64_t defects_due_ms(const char *severity);

/* Equipment. in: kind, name, model?, serial?, installed_on?, last_check?, status?, note?. */
int equipment_create(db_t *db, const char *actor_id, const char *station_id, json_t *in, json_t **out, fg_err_t *err);
int equipment_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err);
json_t *equipment_get(db_t *db, const char *id);
json_t *equipment_list(db_t *db, const char *station_id);

/* Defects. in: equipment_id | charger_id | station_id, description, severity, found_at?, photos?, due_at?,
 * needs_fault_order?. */
int defects_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
/* Inside the caller's transaction (an inspection item that failed): the defect's id into id_out (37 bytes). */
int defects_create_tx(db_t *db, const char *actor_id, json_t *in, char id_out[37], fg_err_t *err);
json_t *defects_get(db_t *db, const char *id);
json_t *defects_list(db_t *db, const char *status, const char *station_id, const char *severity, const char *target_id,
    int year);
/* The yearly analysis: counts by kind, severity, station and month, time to close, repeat defects. */
json_t *defects_analysis(db_t *db, int year, const char *station_id);
extern const flow_binding_t defects_flow;

/* Plans. in: kind, checklist? (else the kind's default), team_id?, due_days?, active?, note?. */
int inspections_plan_create(db_t *db, const char *actor_id, const char *station_id, json_t *in, json_t **out,
    fg_err_t *err);
int inspections_plan_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err);
json_t *inspections_plan_get(db_t *db, const char *id);
json_t *inspections_plans(db_t *db, const char *station_id);

/* Generates the inspection of every active plan whose period (at `at`, Asia/Shanghai) has none yet: a
 * charger_inspection work order and the checklist. Idempotent per plan and period, whichever server runs it.
 * Returns how many were made, or -1. */
int inspections_generate(db_t *db, const char *actor_id, int64_t at);
json_t *inspections_get(db_t *db, const char *id);
/* filters: status (open|in_progress|done|pending: not done), station_id, overdue (1: pending and past due). */
json_t *inspections_list(db_t *db, const char *status, const char *station_id, int overdue);
/* Records one item: result pass|fail|na, reading?, note?, photos?, version. A failed item opens a defect
 * (severity?, needs_fault_order?), and with repair_order a charger_repair work order linked to it. */
int inspections_record(db_t *db, const char *actor_id, const char *inspection_id, const char *item_id, json_t *in,
    json_t **out, fg_err_t *err);
/* Finishes the visit: every item recorded; date, content (summary) and staff kept; the work order done. */
int inspections_finish(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err);
/* The same two at a given instant instead of the clock: only for history written after the fact (the demo's month
 * of visits, src/cli/demo_chargers.c), so a visit made three weeks ago reads as made then. */
int inspections_record_at(db_t *db, const char *actor_id, const char *inspection_id, const char *item_id, json_t *in,
    int64_t at, json_t **out, fg_err_t *err);
int inspections_finish_at(db_t *db, const char *actor_id, const char *id, json_t *in, int64_t at, json_t **out,
    fg_err_t *err);

/* Firmware campaigns. in: location, retrieve_at, charger_ids | vendor/model/station_id, batch_size?, name?. */
int firmware_campaign_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
json_t *firmware_campaign_get(db_t *db, const char *id);
json_t *firmware_campaigns(db_t *db);
int firmware_campaign_cancel(db_t *db, const char *actor_id, const char *id, json_t **out, fg_err_t *err);
/* Sends UpdateFirmware to the next chargers of every running campaign while fewer than batch_size are in flight
 * (outside any transaction: it sends commands). Returns how many were sent, or -1. */
int firmware_advance(db_t *db, const char *actor_id);
/* Subscribers (src/core/events/): "charger.firmware_status" (a FirmwareStatusNotification) and "charger.booted". */
int firmware_on_status(db_t *db, const fg_event_t *ev, fg_err_t *err);
int firmware_on_boot(db_t *db, const fg_event_t *ev, fg_err_t *err);

#endif
