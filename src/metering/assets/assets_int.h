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

#endif
