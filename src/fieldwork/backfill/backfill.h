#ifndef FG_BACKFILL_H
#define FG_BACKFILL_H
#include <stdint.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/auth/session.h"

/* Work done on paper while the system was down (R1.4, issue 13 item 7; docs/api.md "Backfilled work"). A backfill
 * is entered after the fact with the paper's original times, crew, ticket number and photo(s) of the form; the
 * signed-in user who enters it and when are recorded by the server. It is pending until a leader of its team (or a
 * manager) who did not enter it approves or rejects it. Approval writes the work as field work itself, in the same
 * transaction: a finished plan, a done work order, an ended ticket under the paper's number and a held briefing,
 * each with the original times, the plan and order marked with backfill_id. Every read of field work (the board,
 * the large screen, the on-time rate, the cross-checks, the plan and order reads) then counts it as it counts live
 * work, and can show it apart by that mark, without a second copy of those reads. Pending and rejected backfills
 * are only in the backfills table and count nowhere.
 *
 * The safety rules are not waived: what the live gates would have refused is refused here, each with its own code
 * (no ticket, not permitted before work, no briefing before work, single-person work, times in the future or out of
 * order, no photo of the paper, older than the window, high-risk work without a supervisor on site). */

/* The window: work started at most this many days ago (FG_BACKFILL_WINDOW_DAYS, default 7, 1 … 90). */
int backfill_window_days(void);

/* in: team_id, leader_id, onsite_supervisor_id? (required for a high-risk kind), crew_ids, kind, ticket_kind?, title, place, content?, outage_note?, paper_ticket_no,
 * ticket_issued_at, ticket_permitted_at, briefing_held_at, work_started_at, work_finished_at, ticket_ended_at,
 * photo_ids. The backfill (backfill_get) on success. */
int backfill_create(db_t *db, const auth_user_t *actor, json_t *in, json_t **out, fg_err_t *err);
/* The backfill with crew, photos, who entered and reviewed it and, once approved, its plan and order. NULL: none. */
json_t *backfill_get(db_t *db, const char *id);
/* Visible to the viewer: company-wide roles, the team's own unit (and above), its enterer, leader and crew. */
bool backfill_visible(db_t *db, const auth_user_t *viewer, json_t *b);

typedef struct {
	const char *status, *team_id, *date_from, *date_to;
	int limit;
	const char *cursor;
} backfill_filter_t;
/* {"items", "next_cursor", "total", "counts": {pending, approved, rejected}}, newest first, in the viewer's scope;
 * counts are of every state (the status filter narrows items and total only). */
int backfill_list(db_t *db, const auth_user_t *viewer, const backfill_filter_t *f, json_t **out, fg_err_t *err);

/* approve: 1, reject: 0 (reason required). One review wins: a second answers backfill_already_reviewed. */
int backfill_review(db_t *db, const auth_user_t *actor, const char *id, int approve, const char *reason, json_t **out,
    fg_err_t *err);

/* Marks rows of field work made by a backfill: for each row with a non-null `key` (a backfill id), "backfilled":
 * true and "backfill": {id, number, paper_ticket_no, entered_by, entered_by_name, entered_at, reviewed_by,
 * reviewed_by_name, reviewed_at}; others "backfilled": false. 0 or -1. */
int backfill_mark_rows(db_t *db, json_t *rows, const char *key);

/* Backfills waiting for the person's review: the module's part of GET /api/v1/me/queue (backfill_queue.c). */
struct fg_queue;
void backfill_queue(db_t *db, const auth_user_t *u, struct fg_queue *q);

#endif
