#ifndef FG_SEALS_H
#define FG_SEALS_H
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/auth/session.h"
#include "core/flow/flow.h"
#include "customer/interface/seals.h"

/* Seals on equipment used in violation (R2.11; docs/api.md "Seals"): sealed on site with numbered seals (a number
 * unique while in use), the rectification accepted, the seal removed by an authorised person (seals.remove). Each
 * change runs in its own transaction and is audited in it. */

int seals_create(db_t *db, const auth_user_t *actor, json_t *in, json_t **out, fg_err_t *err);
json_t *seals_get(db_t *db, const char *id);
int seals_list(db_t *db, const char *customer_id, const char *status, json_t **out, fg_err_t *err);
/* sealed → rectified (the rectification accepted): refusals seal_already_accepted, seal_already_removed. */
int seals_accept(db_t *db, const auth_user_t *actor, const char *id, json_t *in, json_t **out, fg_err_t *err);
/* rectified → removed, the numbers released: refusals seal_not_rectified, seal_already_removed. */
int seals_remove(db_t *db, const auth_user_t *actor, const char *id, json_t *in, json_t **out, fg_err_t *err);
/* A power-on request for the customer's equipment: refused with equipment_sealed while a seal is on; allowed
 * requests are audited ("power_on_request" "customer"). */
int seals_power_on(db_t *db, const auth_user_t *actor, json_t *in, json_t **out, fg_err_t *err);

extern const flow_guard_t seals_guards[];

#endif
