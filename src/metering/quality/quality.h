#ifndef FG_METERING_QUALITY_H
#define FG_METERING_QUALITY_H
#include <jansson.h>
#include "core/auth/session.h"
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/events/events.h"

/* Service management of the metering field work (issue 12 item 6, R1.2; docs/api.md "Metering quality and
 * evaluation"): the register of finished metering jobs, quality re-checks of a reproducible sample of them, and the
 * monthly evaluation per team.
 *
 * Why a register of its own: field work publishes the fact of a finish (work_order.finished) and a summary view
 * without the team or the finish instant; the quality module keeps what it needs at the moment of the finish, so
 * later changes to an order never rewrite a month that was evaluated. */

/* The metering work kinds (data/kb/work_kinds.json) whose finished jobs are registered. */
bool quality_metering_kind(const char *kind);

/* The subscriber to work_order.finished: registers a finished metering job (once). */
int quality_on_finished(db_t *db, const fg_event_t *ev, fg_err_t *err);

/* Draws a sample (in: team_id, from, to (YYYY-MM-DD, inclusive), rate 1–100): of the team's jobs finished in the
 * days and not yet sampled, rate % by core/base/sample.h seeded by the new sample's id. Audited. out: the sample
 * with its checks. quality_sample_empty when there is nothing to draw from. */
int quality_sample_create(db_t *db, const auth_user_t *actor, json_t *in, json_t **out, fg_err_t *err);
json_t *quality_sample_get(db_t *db, const char *id);
/* Newest first; team_id may be NULL. */
int quality_sample_list(db_t *db, const char *team_id, const char *cursor, int limit, json_t **out, fg_err_t *err);

/* Records a re-check (in: result passed|failed, note, findings [{severity, category, description}]): once; a
 * failed check names at least one finding; the checker may not have been on the job's plan. Audited. out: the
 * check. */
int quality_check_record(db_t *db, const auth_user_t *actor, const char *check_id, json_t *in, json_t **out,
    fg_err_t *err);

/* The month's evaluation (month YYYY-MM; team_id NULL for every team, with the unassigned row): per team and per
 * work kind, jobs finished, on time and the on-time rate, re-checked, passed first time and the first-pass rate,
 * findings by severity; per team and process, the metering cases closed and closed on time; the collection success
 * rate of the team's transformer areas (quality_eval.c says how each is counted). */
int quality_evaluation(db_t *db, const char *month, const char *team_id, json_t **out, fg_err_t *err);

/* Which team answers for a transformer area (metering_area_teams, migration 0043). List: {"items": [{transformer_area,
 * team_id, team_name, updated_by, updated_at, version}]}, by area; team_id may be NULL. Set (in: transformer_area,
 * team_id — an org unit of kind team): inserts or replaces, audited; out: the row. Clear (in: transformer_area):
 * deletes, audited; not_found when the area has no team. */
int quality_areas_list(db_t *db, const char *team_id, json_t **out, fg_err_t *err);
int quality_area_set(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
int quality_area_clear(db_t *db, const char *actor_id, json_t *in, fg_err_t *err);

#endif
