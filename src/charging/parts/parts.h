#ifndef FG_PARTS_H
#define FG_PARTS_H
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/auth/session.h"
#include "core/flow/flow.h"

/* Spare parts for charger O&M (R4.13): a catalogue of parts, depots holding stock with a reorder point, an
 * append-only movement log, and requests tied to a work order whose life is data/flows/part_request.json:
 * requested → issued (stock taken, refused while short) → settled (each unit consumed on the job or returned). */

/* Catalogue. in: code, name, category, unit, fits?. Refusals: invalid_field, part_code_taken. */
int parts_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
int parts_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err);
json_t *parts_get(db_t *db, const char *id);
/* {"items"}: q matches code or name; each with on_hand summed over depots. */
json_t *parts_list(db_t *db, const char *q, const char *category);

/* Depots. in: name, org_unit_id?, location?. Refusals: depot_name_taken. */
int parts_depot_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
json_t *parts_depots(db_t *db);
/* The depot's stock: every part it holds or has a reorder point for, with "low" (on_hand <= reorder_point). */
json_t *parts_stock(db_t *db, const char *depot_id);

/* Stock changes, each a movement. receive: qty > 0 arrives. adjust: a stocktake counted `counted`. set levels:
 * reorder_point, reorder_qty (with the stock row's version when it exists). */
int parts_receive(db_t *db, const char *actor_id, const char *depot_id, json_t *in, json_t **out, fg_err_t *err);
int parts_adjust(db_t *db, const char *actor_id, const char *depot_id, json_t *in, json_t **out, fg_err_t *err);
int parts_set_levels(db_t *db, const char *actor_id, const char *depot_id, const char *part_id, json_t *in,
    json_t **out, fg_err_t *err);
/* Movements of a depot, newest first; part_id filters. */
json_t *parts_movements(db_t *db, const char *depot_id, const char *part_id);
/* Stock rows at or below their reorder point, across depots: the reorder list. */
json_t *parts_reorder(db_t *db);
/* Moves stock inside the caller's transaction and appends the movement (kind issue / return from the request
 * flow). The new on_hand, or -1: short (err gate_part_stock_short) or a database error. */
int64_t parts_move(db_t *db, const char *actor_id, const char *depot_id, const char *part_id, const char *kind,
    int64_t delta, const char *request_id, fg_err_t *err);
/* Tells every tool keeper (the depot keepers) once
 * a day while a stock row is at or below its reorder point, inside the caller's transaction. 0 or -1. */
int parts_reorder_alert(db_t *db, const char *depot_id, const char *part_id);

/* Requests. in: work_order_id, depot_id, lines [{part_id, qty}], note?. Refusals: invalid_field,
 * work_order_closed (the order is done or cancelled). */
int parts_request_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
json_t *parts_request_get(db_t *db, const char *id);
/* {"items"} newest first; filters status, work_order_id, depot_id, mine (requested_by). */
json_t *parts_requests(db_t *db, const char *status, const char *work_order_id, const char *depot_id,
    const char *requested_by);

extern const flow_binding_t parts_request_flow;

/* This module's part of the person's queue (GET /api/v1/me/queue; parts_queue.c), its fg_module_t.queue hook. */
struct fg_queue;
void parts_queue(db_t *db, const auth_user_t *u, struct fg_queue *q);

#endif
