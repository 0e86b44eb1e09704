#ifndef FG_APPLICATIONS_ROUTING_H
#define FG_APPLICATIONS_ROUTING_H
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"

/* Internal routing (issue 11 item 3): which team owns a stage of the applications a serving unit takes. The
 * stage's role (data/flows/application.json "owner") owns it where no team is routed. */

/* {items: [{id, org_unit_id, org_unit_name, stage, team_id, team_name, updated_at}]}, optionally of one unit. */
int applications_routing_list(db_t *db, const char *org_unit_id, json_t **out, fg_err_t *err);
/* in = {org_unit_id, stage, team_id}: sets (team_id null: removes) the route. Audited. *out = the route or
 * {org_unit_id, stage, team_id: null}. */
int applications_routing_put(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);

#endif
