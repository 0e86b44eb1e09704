#ifndef FG_APPSPACE_H
#define FG_APPSPACE_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/auth/session.h"

/* The desk's side of customers' applications (R0.9; issue 11 item 11; docs/api.md "Applications: shared space",
 * "Applications: responsibilities", "Applications: board", "Applications: timeline"):
 *   - the shared space of one application: comments and documents beyond the kind's checklist, both append-only
 *     (history is history: nothing here edits or removes a comment or a file);
 *   - the responsibility list: which department owns which stage of which track, with its limit in working days
 *     (owners, limits and each track's stages from data/flows/application.json; the departments and their duties
 *     in words from data/applications/responsibilities.json);
 *   - the board: open applications by stage with their clocks;
 *   - one application's timeline: stages, documents, pauses, comments, files and notifications, in time order.
 * The caller has checked that the viewer may see the application (applications_visible). */

/* Comments, oldest first: {items: [{id, application_id, author_id, author_name, text, created_at}]}. */
int appspace_comments(db_t *db, const char *app_id, json_t **out, fg_err_t *err);
/* Adds a comment (text: 1–4000 characters, not blank). Audited (application_comment create). */
int appspace_comment_add(db_t *db, const auth_user_t *actor, const char *app_id, const char *text, json_t **out,
    fg_err_t *err);

/* Documents of the shared space, oldest first: {items: [{id, application_id, attachment_id, title, filename,
 * content_type, size, added_by, added_by_name, created_at}]}. */
int appspace_files(db_t *db, const char *app_id, json_t **out, fg_err_t *err);
/* Puts an uploaded attachment into the space. The attachment must not belong to anything else (a plan's photo, another
 * application); it is marked as the application's. Refusals: invalid_field (attachment_id), application_file_exists
 * (409: already in this space). Audited (application_file create). */
int appspace_file_add(db_t *db, const auth_user_t *actor, const char *app_id, const char *attachment_id,
    const char *title, json_t **out, fg_err_t *err);

/* The responsibility list (R0.9). org_unit_id (may be NULL): a serving unit whose routing names the team of each
 * stage. {departments: [{key, name_zh, name_en, roles, owns: [{track, stage, limit_working_days}], supports:
 * [{track, stage}]}], tracks: [{track, limit_working_days, stages: [{code, name_zh, name_en, owner_role,
 * customer_turn, department, limit_working_days, duty_zh, duty_en, supports: [{department, duty_zh, duty_en}],
 * team_id, team_name}]}]}. */
int appspace_responsibilities(db_t *db, const char *org_unit_id, json_t **out, fg_err_t *err);

typedef struct {
	const char *kind, *track, *customer_manager_id;
	int late;      /* -1 any, 1 late (a stage or the process past its limit), 0 not late */
	int fast_path; /* -1 any */
	int per_stage; /* items kept per column (the counts are of all) */
	const auth_user_t *viewer;
} appspace_board_filter_t;
/* Open applications (not archived nor cancelled) in the viewer's scope by stage, in the flow's order: {at, total,
 * late, nearly_late, paused, stages: [{code, name_zh, name_en, owner_role, customer_turn, count, late, nearly_late,
 * paused, items: [{id, number, kind, track, applicant_name, fast_path, customer_manager_id, hold_reason,
 * waiting_reason, created_at, clock: {stage_due_at, process_due_at, late, nearly_late, paused}}]}]}; fast-path
 * applications first in a column, then the oldest. Names are masked by the caller (applications_mask). */
int appspace_board(db_t *db, const appspace_board_filter_t *f, json_t **out, fg_err_t *err);

/* One application's timeline, oldest first: {items: [{at, type (stage | hold | resume | document | comment | file |
 * notification | message), ...}]} — see docs/api.md "Applications: timeline". app: the application as
 * applications_load gives it (documents included). */
int appspace_timeline(db_t *db, json_t *app, json_t **out, fg_err_t *err);

/* Checks data/applications/responsibilities.json against the application flow (every stage has a duty, every owning
 * role a department, every department named exists); the module's start. 0, or -1 after logging why. */
int appspace_check(void);

#endif
