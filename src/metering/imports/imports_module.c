/* The metering_imports module (metering): the meter ledger's bulk loader (imports.h), the one exception to "only
 * the assets module writes metering_assets" — it inserts new rows in bulk (issue 12, the lead's decision). */
#include "core/module/module.h"
#include "metering/imports/imports.h"

extern const route_t mimp_routes[];

static const errcat_t mimp_errors[] = {
	{"meter_import_running", 409, "已有电能表导入正在进行，请等待其完成", "A meter import is already running; wait for it to finish"},
	{"meter_import_missing_column", 422, "缺少必需的列：资产编号（asset_no）", "A required column is missing: asset_no (资产编号)"},
	{NULL, 0, NULL, NULL},
};

const fg_module_t metering_imports_module = {
	.name = "metering_imports",
	.context = "metering",
	.routes = (const route_t *const[]){mimp_routes, NULL},
	.errors = mimp_errors,
	.start = mimp_start,
	.stop = mimp_stop,
};
