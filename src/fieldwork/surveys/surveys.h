#ifndef FG_SURVEYS_H
#define FG_SURVEYS_H
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/auth/session.h"

/* Site surveys (R3.3): one per plan, recorded by the leader (or an issuer/manager) before the ticket; the ticket
 * is pre-filled from it (R3.13: survey → tickets). */

json_t *surveys_get(db_t *db, const char *plan_id);
/* Creates or replaces the plan's survey while the plan has not started. in: place, content, outage_scope?,
 * live_parts?, risks? [{hazard, level?, measures?[]}], measures? [text], notes?, version (when replacing). */
int surveys_put(db_t *db, const auth_user_t *actor, const char *plan_id, json_t *in, json_t **out, fg_err_t *err);

#endif
