#ifndef FG_WORK_ORDERS_H
#define FG_WORK_ORDERS_H
#include <stdbool.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"

/* The work-order module's published API (implemented in src/fieldwork/orders/): how other contexts — charging's
 * fault cases, inspections and part requests — create, read, lock and move work orders. The work-order module owns
 * the work_orders table: no other module writes it or names it in SQL. For lists that show a work order beside their
 * own rows, the module publishes the view work_order_summaries (id, number, title, kind, status, priority, due_at;
 * migration 0025), which it keeps whatever becomes of its table. */

/* Creates a work order with the module's rules (in: kind, title, priority, source, description, due_at …, see
 * POST /api/v1/work-orders), audited; nests in the caller's transaction. out: the order. */
int work_orders_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
/* The order as the module shows it (GET /api/v1/work-orders/{id}), or NULL. */
json_t *work_orders_get(db_t *db, const char *id);
/* Locks the order's row for a read-check-write of something that hangs on it (a part request's stock): call inside
 * the caller's transaction, before reading the order. 0 or a DB_* error. */
int work_orders_lock(db_t *db, const char *id);
/* The order follows the process that drives it (a fault case, an inspection): it moves to `status` (a state of
 * data/flows/work_order.json), audited as `why` ("fault_sync", "inspection_start" …) by the actor, in the caller's
 * transaction. Nothing happens when it is in that state already, nor — with keep_final — when it is done or
 * cancelled. 0, or -1 with err (not_found, invalid_field for an unknown state, internal). */
int work_orders_follow(db_t *db, const char *actor_id, const char *id, const char *status, const char *why,
    bool keep_final, fg_err_t *err);

#endif
