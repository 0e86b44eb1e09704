#ifndef FG_ACCEPTANCE_H
#define FG_ACCEPTANCE_H
#include <stdbool.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/auth/session.h"
#include "core/flow/flow.h"

/* Joint acceptance of an application's works (R0.2, R2.7; issue 11 item 5; docs/api.md "Joint acceptance").
 *
 * One record per inspection: stage design_review | mid_inspection | completion, opened while the application is
 * in that stage (completion: HV tracks in `completion`; LV non-residential in `installation`, where the completion
 * check is done with the meter installation; LV residential has none). The record copies the stage's checklist of
 * data/acceptance/checklists.json: items per department, routine ones sampled at the record's rate
 * (core/base/sample.h); the departments' staff record each item's result and each department signs its part
 * once (final). When the last department signs, the record is passed (no failed item) or failed; a failed record
 * lets the re-inspection open the next round. The HV completion inspection names its first-inspection owner
 * (首检负责制). Hazards found (缺陷/隐患) are recorded with a deadline and closed with evidence; an open one
 * blocks the power-on.
 *
 * Guards on data/flows/application.json: acceptance_passed (approve_design, pass_mid_inspection, pass_completion,
 * LV complete_installation for lv_non_residential), application_no_open_hazards (power_on, LV
 * complete_installation). */

/* Reads and checks data/acceptance/checklists.json (the module's start hook): 0, or -1 with the mistake logged. */
int acceptance_start(void);
void acceptance_stop(void);

/* One record with its items, departments (signatures), sampling summary and what is unsigned; NULL: none. */
json_t *acceptance_get(db_t *db, const char *app_id, const char *id);
/* {items: [record, …]} of the application, oldest first. */
int acceptance_list(db_t *db, const char *app_id, json_t **out, fg_err_t *err);
/* in = {stage, sample_rate?, first_inspector_id?, note?}. */
int acceptance_open(db_t *db, const auth_user_t *actor, const char *app_id, json_t *in, json_t **out, fg_err_t *err);
/* A result (pass | fail; a failure needs a note) on one item, by the item's department. */
int acceptance_check(db_t *db, const auth_user_t *actor, const char *app_id, const char *id, const char *code,
    json_t *in, json_t **out, fg_err_t *err);
/* in = {department, note?}: the department's signature. */
int acceptance_sign(db_t *db, const auth_user_t *actor, const char *app_id, const char *id, json_t *in, json_t **out,
    fg_err_t *err);

/* Hazards: {items: [...]} (status NULL: all). */
int acceptance_hazards(db_t *db, const char *app_id, const char *status, json_t **out, fg_err_t *err);
/* in = {description, deadline (YYYY-MM-DD), severity?, acceptance_id?, department?}. */
int acceptance_hazard_create(db_t *db, const auth_user_t *actor, const char *app_id, json_t *in, json_t **out,
    fg_err_t *err);
/* in = {note, evidence_ids: [attachment id, …]}. */
int acceptance_hazard_close(db_t *db, const auth_user_t *actor, const char *app_id, const char *id, json_t *in,
    json_t **out, fg_err_t *err);
/* How many hazards of the application are open (-1: database error). */
int acceptance_open_hazards(db_t *db, const char *app_id);
/* The open (unsigned) record of the application, as {id, stage, unsigned: [...]}, or NULL. */
json_t *acceptance_open_record(db_t *db, const char *app_id);

extern const flow_guard_t acceptance_guards[];

#endif
