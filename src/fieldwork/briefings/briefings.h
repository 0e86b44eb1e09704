#ifndef FG_BRIEFINGS_H
#define FG_BRIEFINGS_H
#include <stdbool.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/auth/session.h"

/* The pre-shift meeting (班前会, R3.7): generated from the knowledge base for the plan's work kinds — workflow,
 * content, quality requirements, technical and safety briefing — plus the ticket's risk points and measures;
 * held by the leader; every member of the plan signs attendance. */

json_t *briefings_get(db_t *db, const char *plan_id);
/* Creates the briefing, or regenerates it while not yet held (the leader or a manager). */
int briefings_generate(db_t *db, const auth_user_t *actor, const char *plan_id, json_t **out, fg_err_t *err);
/* The leader records that the meeting was held. */
int briefings_hold(db_t *db, const auth_user_t *actor, const char *plan_id, json_t **out, fg_err_t *err);
/* Attendance (after the meeting was held), with where (in's lat/lng/place). A member confirms their own on their own
 * device (in's user_id absent or their own; signature_id optional); or the leader's screen carries another
 * member's (user_id), with their handwritten mark (signature_id, a PNG) — only when reauthed: the member's own
 * password was re-entered and checked (briefings_api.c), else attendance_not_own. The first confirmation stays. */
int briefings_sign(db_t *db, const auth_user_t *actor, const char *plan_id, json_t *in, bool reauthed, json_t **out,
    fg_err_t *err);
/* Members of the plan (leader + crew) who have not signed; NULL on a database error. held: whether it was held. */
json_t *briefings_missing(db_t *db, const char *plan_id, bool *exists, bool *held);

#endif
