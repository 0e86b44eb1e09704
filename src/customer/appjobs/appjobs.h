#ifndef FG_APPJOBS_H
#define FG_APPJOBS_H
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/auth/session.h"
#include "core/events/events.h"

/* Field work from an application (issue 11 item 4; docs/api.md "Field work from an application"). The survey
 * stage and the meter installation stage of a customer's application (data/flows/application.json) each get a
 * work order of field work — created through fieldwork/interface/work_orders.h when the application enters the
 * stage — which runs through the usual plan → ticket → steps; when field work says the order is finished (the
 * domain event work_order.finished, fieldwork/interface/work_results.h), the stage completes as the system actor:
 * the survey's recorded supply scheme goes with complete_survey, the installed meter and its start reading are
 * written on the application's metering point with complete_installation. One row per job links the two
 * (application_jobs, migration 0033); the work order itself stays field work's.
 *
 * Work kinds: survey connection_survey; installation lv_connection_install (LV tracks) or hv_metering_install
 * (HV tracks) — data/kb/work_kinds.json. */

/* The application's jobs, oldest first: {items: [{id, application_id, stage, work_order_id, work_order: {id, number,
 * kind, title, status, priority, due_at, team_id, plan_id} or null, finished_at, result, outcome, created_by,
 * created_at, updated_at, version}]}. NULL on a database error. */
json_t *appjobs_list(db_t *db, const char *application_id);

/* A new job for the stage the application is in (survey or installation), when it has none open: after a work
 * order was cancelled, or for an application that entered the stage before field work was linked. Refusals:
 * not_found, application_not_in_field_stage (details state), application_job_open (details stage, work_order_id,
 * work_order_number, work_order_status). out: the job. */
int appjobs_create(db_t *db, const auth_user_t *actor, const char *application_id, json_t **out, fg_err_t *err);

/* The subscriber to work_order.finished (the module's subscription table). */
int appjobs_on_finished(db_t *db, const fg_event_t *ev, fg_err_t *err);

#endif
