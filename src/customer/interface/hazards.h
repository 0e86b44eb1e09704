#ifndef FG_CUSTOMER_HAZARDS_H
#define FG_CUSTOMER_HAZARDS_H
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/auth/session.h"

/* Customer hazards (issue 13 item 3; docs/api.md "Customer hazards"), as other modules reach them: a hazard found by
 * a check is recorded here, the same as one a crew records on its phone (POST /api/v1/hazards).
 *
 * hazards_create, inside the caller's open transaction (it begins and commits nothing; audited "create"
 * "customer_hazard" in that transaction). in: {customer_id, kind, side (grid | customer), severity (general | major
 * | critical), description, location?, photo_ids? (attachment ids), found_at? (epoch ms, not in the future),
 * check_id? (the periodic check that found it)}. found_by is the actor. *out: the hazard as GET /hazards/{id} shows
 * it (in full, unmasked). Refusals: missing_field / invalid_field (details.field), not_found (customer). */
int hazards_create(db_t *db, const auth_user_t *actor, json_t *in, json_t **out, fg_err_t *err);

/* The open hazards (not closed, not cancelled) per customer, for the ledger of high-risk customers: {customer_id:
 * {"open": n, "overdue": m}} for the customers that have any; NULL on a database error. */
json_t *hazards_open_by_customer(db_t *db);

#endif
