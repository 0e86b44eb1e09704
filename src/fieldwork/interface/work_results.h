#ifndef FG_WORK_RESULTS_H
#define FG_WORK_RESULTS_H
#include <jansson.h>
#include "core/db/db.h"

/* What field work tells other contexts about a finished job (issue 11 item 4: a customer's application follows
 * its survey and its meter installation). Field work includes no other context: it states the fact as a domain
 * event (src/core/events) and answers questions through this header; the context that cares subscribes.
 *
 * The event WORK_ORDER_FINISHED ("work_order.finished", entity "work_order", entity_id the order's id) is emitted
 * by the work-order module in the transaction that moves an order to done — the finish of the plan it is on, or a
 * process it follows (work_orders_follow) — with data {"number", "kind", "plan_id" (or null), "from" (its state
 * before)}, by the actor who finished it. */
#define WORK_ORDER_FINISHED "work_order.finished"

/* What the crew recorded for the order on its job (the guided steps, data/kb/sops.json), implemented by the steps
 * module: {"records": {key: value} (every step's readings merged in step order), "steps": [{step_no, title, result,
 * note, done_by, done_at}], "nonconforming": n}. An order with no step recorded gives empty records and steps. NULL
 * on a database error. */
json_t *work_order_results(db_t *db, const char *work_order_id);

#endif
