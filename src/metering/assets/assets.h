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
