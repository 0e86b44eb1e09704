#ifndef FG_EVUSERS_H
#define FG_EVUSERS_H
#include <stdint.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/events/events.h"

/* Charging users (R4.7, issue 5 item 9): reservations (ReserveNow / CancelReservation through the gateway) and a
 * credit rating per id tag that warns the desk and then blocks the tag after repeated misuse. The rules are data:
 * data/ev/credit.json. The block is an id tag status, so the gateway's Authorize answers it without knowing why. */

/* ---- credit (credit.c) ---- */

/* {score, level: good|warned|blocked, events: [...newest first], rules} for an id tag; NULL when unknown. */
json_t *evusers_credit(db_t *db, const char *id_tag);
/* Every id tag with its score and level, lowest score first; level filters (good|warned|blocked). */
json_t *evusers_credit_list(db_t *db, const char *level);
/* A deduction or a restoration by the desk. in: kind manual|restore, points (1..manual_max_points), note.
 * Refusals: invalid_field, not_found. */
int evusers_credit_record(db_t *db, const char *actor_id, const char *id_tag, json_t *in, json_t **out, fg_err_t *err);
/* Subscriber of "connector.status" (src/core/events/): a connector that becomes Available long after its last
 * session stopped was held: one occupancy event for that session's tag. 0 or -1. */
int evusers_on_status(db_t *db, const fg_event_t *ev, fg_err_t *err);
/* The periodic sweep: connectors still held past the grace, reservations expired unused (no-show). Returns how
 * many events were recorded, or -1. */
int evusers_sweep(db_t *db);

/* ---- reservations (reservations.c) ---- */

/* in: charger_id, connector_id (>= 1), id_tag, minutes (5..240). Records it and sends ReserveNow (outside any
 * transaction). Refusals: invalid_field, not_found, id_tag_blocked, charger_offline, reservation_overlap. */
int evusers_reserve(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
/* Sends CancelReservation. Refusals: not_found, reservation_not_active, charger_offline. */
int evusers_reservation_cancel(db_t *db, const char *actor_id, const char *id, json_t **out, fg_err_t *err);
/* With "status" derived from the charger's answer and what happened since: requested, accepted, occupied,
 * faulted, unavailable, rejected, failed, cancelled, used, expired. */
json_t *evusers_reservation_get(db_t *db, const char *id);
json_t *evusers_reservations(db_t *db, const char *charger_id, const char *id_tag);

#endif
