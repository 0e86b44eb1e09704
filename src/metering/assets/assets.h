#ifndef FG_ASSETS_H
#define FG_ASSETS_H
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/events/events.h"

/* Metering assets (issue 12 item 1; docs/api.md "Metering: assets"): meters, CTs/PTs, collection
 * terminals and seals as tracked objects over migration 0036. This module is the only writer of metering_assets,
 * metering_asset_moves and metering_point_installs; sibling modules of the metering context may read them in SQL
 * and move assets only through the functions below.
 *
 * Every function that writes opens its own transaction (a savepoint inside the caller's), locks the asset's row
 * before reading its state (two moves of one asset cannot both succeed on PostgreSQL), appends the move, the
 * point's install row where one opens or closes, and audits, all in that transaction. */

/* The asset as the ledger shows it, with its moves oldest first ("moves") and its open install ("install", or
 * null). NULL when there is none. */
json_t *assets_get(db_t *db, const char *id);
json_t *assets_get_by_no(db_t *db, const char *asset_no);

/* Receives one asset into stock. in: asset_no, kind, subtype, model, manufacturer, batch, accuracy_class, rated,
 * ratio, constant, produced_on, verified_on, org_unit_id, note. Per kind: a meter needs subtype, accuracy_class
 * and rated; a CT or PT ratio and accuracy_class; a terminal subtype; a seal subtype. Refusals: missing_field,
 * invalid_field, metering_asset_no_taken. */
int assets_receive(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);

typedef struct {
	const char *kind, *status, *batch, *model, *point_no, *holder_id, *work_order_id, *q;
} assets_filter_t;
/* A keyset page ordered by asset_no ({items, next_cursor, total}); q is a prefix of the asset number. 0 or -1. */
int assets_list(db_t *db, const assets_filter_t *f, const char *cursor, int limit, json_t **out);

/* One lifecycle move (the transition table in assets_moves.c): action issue, return, install, remove, send,
 * verify, scrap, apply (a seal's install), break (a seal's removal). in: version (optional), holder_id and
 * work_order_id (issue), point_no, reading, position, work_order_id (install/apply), reading, reason (remove/
 * break), result passed|failed and keep (verify), note. Refusals: each illegal move its own code (docs/api.md),
 * missing_field, invalid_field, version_conflict, not_found. out: the asset after. */
int assets_move(db_t *db, const char *actor_id, const char *id, const char *action, json_t *in, json_t **out,
    fg_err_t *err);

/* The moves field work and the metering processes make, by asset number, in the caller's transaction.
 * assets_install: the asset (issued or, for a job's own records, in stock) goes in at point_no for work_order_id
 * (reading required for a meter; position the CT/PT phase or the seal's place). assets_remove: the installed
 * asset comes out (reading for a meter, reason). 0 or -1 with err as assets_move. */
int assets_install(db_t *db, const char *actor_id, const char *asset_no, const char *point_no,
    const char *work_order_id, const char *reading, const char *position, fg_err_t *err);
int assets_remove(db_t *db, const char *actor_id, const char *asset_no, const char *work_order_id,
    const char *reading, const char *reason, fg_err_t *err);

/* Issues a list of asset numbers to one crew member for one or more work orders, all or nothing (a day's
 * preparation, issue 12 item 6). in: holder_id, work_order_ids [..] (each asset's order: the one named by
 * items[].work_order_id, else the first), asset_nos [..] or items [{asset_no, work_order_id}]. Refusal:
 * metering_batch_refused with details.items [{asset_no, code}] naming every asset that cannot go. */
int assets_batch_issue(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);

/* Stock issued and not yet back or installed: {items, by_holder: [{holder_id, holder_name, count}]}, filtered by
 * holder_id, work_order_ids (comma separated) and day (YYYY-MM-DD of the issue, China time). */
json_t *assets_issued(db_t *db, const char *holder_id, const char *work_order_ids, const char *day);

/* A day's reservation (assets_reserve.c; migration 0044): specific in-stock assets held for one crew member's work
 * orders of one day, then issued together. in: day (today or later), holder_id, work_order_ids [..] (open orders),
 * asset_nos [..] or items [{asset_no, work_order_id}], note. All or nothing: metering_reservation_refused with
 * details.items [{asset_no, code}] (not_found, metering_asset_not_in_stock, metering_asset_reserved …);
 * metering_work_order_closed for a cancelled or done order. out: the reservation (as assets_reservation_get). */
int assets_reserve(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
/* {id, day, holder_id, holder_name, status, …, items [..], work_orders [..], by_kind, counts, stale, stale_reason}
 * or NULL. */
json_t *assets_reservation_get(db_t *db, const char *id);
/* {items: reservations} filtered by day, holder_id, status (invalid_query). 0 or -1. */
int assets_reservations(db_t *db, const char *day, const char *holder_id, const char *status, json_t **out, fg_err_t *err);
/* Lets every hold go (cancelled). in: reason, version. metering_reservation_closed when not open. */
int assets_reservation_cancel(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err);
/* Issues every held asset to the holder for its order, all or nothing (the batch issue's path: metering_batch_refused);
 * holds for orders closed since are released, not issued. metering_reservation_closed, metering_reservation_stale
 * (its day passed, or every order closed). out: {reservation, items (the assets after), count, released}. */
int assets_reservation_issue(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err);
/* Releases open reservations whose day is before today (YYYY-MM-DD, China time) and the holds for closed orders,
 * each in its own transaction, as actor_id. out: {count, items [{id, status, reason}]}. 0 or -1. */
int assets_reservations_release_stale(db_t *db, const char *actor_id, const char *today, int64_t now_ms, json_t **out);
/* What the keeper picks from: {work_orders [open metering orders {id, number, title, kind, status, due_at}, by due
 * date; q a number prefix or a word of the title], holders [enabled crew and leaders {id, display_name, username}]}. */
json_t *assets_reservation_choices(db_t *db, const char *q);
/* Reserve by need: for the day's work_order_ids (open), which in-stock, unheld assets to reserve — per order the
 * needs of its work kind (data/metering/reservation_needs.json) or in.needs [{kind, subtype?, model?, count,
 * work_order_id? (else the first order)}], the oldest verification first. Holds nothing. out: {items [{asset_no,
 * kind, subtype, model, batch, verified_on, work_order_id, work_order_number}], needs [{work_order_id, kind,
 * subtype, model, count, found}], short [the needs found < count]}. */
int assets_reservation_propose(db_t *db, json_t *in, json_t **out, fg_err_t *err);
/* The periodic job (fg_job_t) around it, as the system actor. */
int assets_release_stale_job(db_t *db, int64_t now_ms);

/* A metering point's history: {point_no, point (the metering_points row or null), current [installs open now],
 * history [every install row, oldest first, with the asset's number, kind, model and the people's names]}. */
json_t *assets_point_history(db_t *db, const char *point_no);

/* Assets still issued to orders that are finished (done): what must come back. work_order_id filters. */
json_t *assets_returns_due(db_t *db, const char *work_order_id);

/* What a finished job recorded that the ledger could not apply. open: 1 unresolved only (default), 0 all. */
json_t *assets_discrepancies(db_t *db, int open, const char *work_order_id);
/* Marks one resolved with the resolution text. Refusals: not_found, metering_discrepancy_resolved. */
int assets_discrepancy_resolve(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out,
    fg_err_t *err);

/* The subscriber to work_order.finished: applies the crew's SOP records to the ledger, records discrepancies, and
 * tells the holder and the keepers about assets issued to the order and not installed. */
int assets_on_finished(db_t *db, const fg_event_t *ev, fg_err_t *err);

#endif
