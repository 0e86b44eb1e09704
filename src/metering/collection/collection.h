#ifndef FG_COLLECTION_H
#define FG_COLLECTION_H
#include <stdint.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/events/events.h"

/* Collection anomalies and success rates (issue 12 item 5, R0.7; docs/api.md "Metering: collection anomalies").
 *
 * The collection system (用电信息采集系统) reports events — reverse_energy, cover_opened, clock_error,
 * voltage_loss, current_loss, communication_failure, abnormal_consumption — each an alarm or a "restored" signal
 * for a metering point, with its own event id; and daily per-area counts of meters expected and collected. It calls
 * with its own key (collection_keys, created and revoked by metering.admin, kept as a salted hash), never a user
 * session. Staff import the same events from a CSV file.
 *
 * Anomalies follow the charger alarms' discipline (src/charging/faults/alarms.c): per subject (the metering point;
 * a communication failure that names its terminal: the terminal, so the points behind one concentrator make one
 * anomaly) and kind, at most one is open; the same condition again while open only counts; a relapse within the
 * flap window (data/metering/collection_kinds.json flap_window_s) after a restore reopens the same anomaly; an event
 * older than what is already known for its subject and kind is kept but changes nothing. A new anomaly opens one
 * collection_fault work order (fieldwork/interface/work_orders.h), due in the kind's working days counted from the
 * event. An anomaly closes on the restored signal, or when field work finishes its order (work_order.finished).
 * After a restore its order is settled once the flap window has passed: cancelled when it is still new (no crew
 * has it on a plan), else left to the crew, who were sent and will finish it. */

/* ---- the system key ---- */
/* {name}: a new key; *out {id, name, key (shown this once), created_at …}. */
int collection_key_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
json_t *collection_keys_list(db_t *db);
int collection_key_revoke(db_t *db, const char *actor_id, const char *id, json_t **out, fg_err_t *err);
/* The Authorization header of a call from the collection system: "Bearer fgc.<id>.<secret>". *key_id (37 bytes)
 * gets the key's id. Refusals: collection_key_required (no key of the collection system: none, or a user's token),
 * collection_key_invalid (unknown or wrong), collection_key_revoked. */
int collection_key_check(db_t *db, const char *authorization, char key_id[37], fg_err_t *err);

/* ---- events ---- */
/* Ingests checked events (collection_parse.h) in one transaction: stored by event id (one already stored is left
 * as it is, and counts as accepted again: a replayed batch answers what it answered the first time), then applied
 * in the order they happened. source "api" (key_id) or "file" (actor_id). errors: the parser's refusals (stolen).
 * *out {received, accepted, rejected, errors}. */
int collection_ingest(db_t *db, const char *source, const char *key_id, const char *actor_id, json_t *events,
    json_t *errors, size_t received, json_t **out, fg_err_t *err);
/* Restored anomalies whose flap window has passed by `now`: their orders are settled (see above). How many. */
int collection_settle(db_t *db, int64_t now);
int collection_on_finished(db_t *db, const fg_event_t *ev, fg_err_t *err);

typedef struct {
	const char *kind, *area, *state, *point_no, *cursor;
	int limit;
} collection_filter_t;
int collection_anomalies_list(db_t *db, const collection_filter_t *f, json_t **out, fg_err_t *err);
json_t *collection_anomaly_get(db_t *db, const char *id);

/* ---- success rate ---- */
int collection_daily_post(db_t *db, const char *key_id, json_t *items, json_t **out, fg_err_t *err);
/* from/to: YYYY-MM-DD (NULL: the latest day known), area NULL for all. */
int collection_rates(db_t *db, const char *from, const char *to, const char *area, json_t **out, fg_err_t *err);
/* For the large screen: {"day", "by_area":[{"area","expected","collected","success_rate","open_anomalies"}],
 * "open_by_kind":[{"kind","count"}]} for the latest day (success_rate in percent, 2 decimals; null when nothing
 * was expected). NULL on a database error. */
json_t *collection_screen_summary(db_t *db);

#endif
