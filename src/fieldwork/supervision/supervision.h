#ifndef FG_SUPERVISION_H
#define FG_SUPERVISION_H
#include <stdbool.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/auth/session.h"

/* Supervision (R3.10, R3.13, R2.1): a live board of the day's jobs by state and risk level, with each job's
 * ticket, step progress and findings; graded findings recorded on site or by video; an evaluation of every
 * ended ticket and the coverage of those evaluations. */

/* date: YYYY-MM-DD (Asia/Shanghai). Only the jobs in viewer's scope (auth/scope.h; NULL: all), counts included. */
json_t *supervision_board(db_t *db, const char *date, const auth_user_t *viewer);
int supervision_add_finding(db_t *db, const auth_user_t *actor, const char *plan_id, json_t *in, json_t **out,
    fg_err_t *err);
json_t *supervision_findings(db_t *db, const char *plan_id);
int supervision_evaluate(db_t *db, const auth_user_t *actor, const char *ticket_id, bool qualified, json_t *reasons,
    json_t **out, fg_err_t *err);
/* Ended/archived tickets whose end falls in [from, to) and how many were evaluated; only tickets in viewer's scope. */
json_t *supervision_coverage(db_t *db, int64_t from, int64_t to, const auth_user_t *viewer);

/* This module's part of the person's queue (GET /api/v1/me/queue; supervision_queue.c), its fg_module_t.queue hook. */
struct fg_queue;
void supervision_queue(db_t *db, const auth_user_t *u, struct fg_queue *q);

#endif
