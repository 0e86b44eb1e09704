#ifndef FG_CONTRACTORS_H
#define FG_CONTRACTORS_H
#include "safety/interface/readiness.h"
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"

/* Contractors (R2.8, R2.15): an outsourced company works for us only while its qualification is in date, a
 * signed safety agreement is in force and it is not suspended. Its staff are ordinary accounts; those
 * conditions become part of each staff member's readiness (gate_person_unqualified), and a job with contractor
 * staff on it needs supervision (gate_contractor_unsupervised). */

/* in: name, credit_code?, contact_name?, contact_phone?, qualification_name?, qualification_no?,
 * qualification_grade?, qualification_expires_on?. Refusals: invalid_field, contractor_name_taken. */
int contractors_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
/* in: version plus any field of create, suspended (bool), suspended_reason (needed to suspend). */
int contractors_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err);
/* The contractor with "status" (see contractors_status), "agreements" (newest first) and "staff". */
json_t *contractors_get(db_t *db, const char *id);
/* {"items": [contractor + status]}; q filters by name (substring). */
json_t *contractors_list(db_t *db, const char *q);
/* in: number, signed_on, expires_on, contractor_signer, attachment_id?. Appended; the newest in force counts. */
int contractors_add_agreement(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out,
    fg_err_t *err);
/* Refusals: not_found (contractor or user), contractor_staff_elsewhere (already works for another one). */
int contractors_add_staff(db_t *db, const char *actor_id, const char *id, const char *user_id, json_t **out,
    fg_err_t *err);
int contractors_remove_staff(db_t *db, const char *actor_id, const char *id, const char *user_id, fg_err_t *err);


#endif
