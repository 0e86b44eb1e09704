#ifndef FG_CROSSCHECK_H
#define FG_CROSSCHECK_H
#include <stdint.h>
#include <jansson.h>
#include "core/db/db.h"

/* Anti-violation cross-check (R2.4): from work orders back to plans and tickets, over a period, to find
 *   no_dispatch          an order in progress or done that was never on a plan
 *   no_ticket            an order worked on a plan whose ticket was never permitted
 *   single_person        a job started with fewer than two people
 *   outside_ticket       a step recorded before the ticket's permission or after its end
 * The gates stop all of these through the API; the check finds what came in any other way (imports, edits,
 * records made by hand during an outage, R1.4). out: {"from","to","findings":[{kind, work_order_id?, plan_id?,
 * ticket_id?, number?, at?}], "counts":{kind: n}}. NULL on a database error. */
json_t *crosscheck_run(db_t *db, int64_t from, int64_t to);

#endif
