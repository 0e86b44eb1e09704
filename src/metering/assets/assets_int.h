#ifndef FG_ASSETS_INT_H
#define FG_ASSETS_INT_H
/* Inside the assets module only. */
#include "metering/assets/assets.h"

#define ASSET_COLS                                                                                                     \
	"id, asset_no, kind, subtype, model, manufacturer, batch, accuracy_class, rated, ratio, constant, produced_on, "  \
	"verified_on, sampling, status, org_unit_id, holder_id, work_order_id, point_no, transformer_area, installed_on, " \
	"import_id, note, created_at, updated_at, version"

/* One move of the asset numbered asset_no, in its own transaction (a savepoint inside the caller's). */
int assets_move_by_no(db_t *db, const char *actor_id, const char *asset_no, const char *action, json_t *in,
    fg_err_t *err);

/* Issues each {asset_no, work_order_id} of pairs to holder_id in the caller's transaction (the batch issue's and the
 * day's reservation's one path): the assets after go to done, each refusal to failed as {asset_no, code, field?,
 * status?, reservation_id?}. 0, or -1 on a database error. */
int assets_issue_items(db_t *db, const char *actor_id, const char *holder_id, json_t *pairs, const char *note, json_t *done,
    json_t *failed);

/* A batch body's assets ({asset_nos: [...], items: [{asset_no, work_order_id?}]}, numbers first) paired with their
 * order — the item's own when it names one, else the first of work_order_ids — appended to pairs as {asset_no,
 * work_order_id} in the order given. An order outside work_order_ids goes to failed (invalid_field work_order_id);
 * an item without a number goes to failed (invalid_field asset_no) when no_number_fails, else into pairs with a null
 * number (the caller's lookup refuses it). The batch issue's and the reservation's one reading of the body. */
void assets_batch_pairs(json_t *in, bool no_number_fails, json_t *pairs, json_t *failed);

/* The reservation holding the asset (assets_reserve.c): *hold {reservation_id, day, holder_id, holder_name,
 * work_order_id} or NULL. 0, or -1 on a database error. */
int assets_hold_find(db_t *db, const char *asset_id, json_t **hold);
/* The refusal's details naming the hold: reservation_id, reserved_for (the day), holder_id, holder_name. */
void assets_hold_details(fg_err_t *err, json_t *hold);
/* The asset was issued to its hold's holder: the hold ends (issued), and its reservation, when nothing of it is
 * held any more, is issued (audited). In the caller's transaction; 0 or -1. */
int assets_hold_consume(db_t *db, const char *actor_id, const char *asset_id, int64_t now);

#endif
