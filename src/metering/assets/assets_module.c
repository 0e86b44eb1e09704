/* The metering_assets module (metering): meters, CTs/PTs, terminals and seals as tracked assets — the ledger, their
 * lifecycle moves, each metering point's history, a day's batch issue, and the moves a finished job's records make
 * (issue 12 items 1, 6 and 8). */
#include "core/module/module.h"
#include "metering/assets/assets.h"
#include "fieldwork/interface/work_results.h"

extern const route_t assets_routes[];

static const fg_subscription_t subscriptions[] = {
	{WORK_ORDER_FINISHED, "metering_assets.on_finished", assets_on_finished},
	{NULL, NULL, NULL},
};

static const errcat_t assets_errors[] = {
	{"metering_asset_no_taken", 409, "该资产编号已在台账中", "That asset number is already in the ledger"},
	{"metering_asset_not_in_stock", 409, "资产不在库，不能领用", "The asset is not in stock: it cannot be issued"},
	{"metering_asset_not_issued", 409, "资产未领出，不能退库或装出", "The asset is not issued: it cannot be returned or installed"},
	{"metering_asset_not_installed", 409, "资产未装在计量点上，不能拆除", "The asset is not installed: it cannot be removed"},
	{"metering_asset_not_sendable", 409, "只有已拆回或在库的资产可以送检", "Only a removed or stocked asset can be sent for verification"},
	{"metering_asset_not_verifying", 409, "资产未送检，不能登记检定结果", "The asset was not sent for verification"},
	{"metering_asset_not_scrappable", 409, "领出或在装的资产不能报废，请先退库或拆回",
	    "An issued or installed asset cannot be scrapped: bring it back first"},
	{"metering_asset_scrapped", 409, "资产已报废", "The asset is scrapped"},
	{"metering_seal_broken", 409, "封印已拆封，不能再使用", "The seal is broken and can never be used again"},
	{"metering_move_wrong_kind", 409, "该类资产不能做此操作（封印用施封/拆封，表计与互感器用装出/拆除）",
	    "This kind of asset does not make that move (seals apply and break; devices install and remove)"},
	{"metering_point_occupied", 409, "计量点上已装有同类资产，请先拆除", "The metering point already carries one: remove it first"},
	{"metering_batch_refused", 409, "部分资产不能领出，整批未领出", "Some assets cannot be issued: none of the batch was issued"},
	{"metering_discrepancy_resolved", 409, "该差异已处理", "The discrepancy is resolved already"},
	{"metering_asset_reserved", 409, "资产已为他人预留（见预留单），不能领用、送检或报废",
	    "The asset is reserved for someone's day (see the reservation): it cannot be issued to another, sent or scrapped"},
	{"metering_reservation_refused", 409, "部分资产不能预留，整单未预留", "Some assets cannot be reserved: none of them was reserved"},
	{"metering_reservation_closed", 409, "预留单已领出、取消或释放", "The reservation is issued, cancelled or released already"},
	{"metering_reservation_stale", 409, "预留单已过期（作业日已过或工单均已完成/取消），请取消或重新预留",
	    "The reservation is stale (its day has passed, or every order is done or cancelled): cancel it or reserve again"},
	{"metering_work_order_closed", 409, "工单已完成或已取消，不能为其预留", "The work order is done or cancelled: nothing can be reserved for it"},
	{NULL, 0, NULL, NULL},
};

/* Stale reservations let go hourly (FG_RESERVATION_RELEASE_S shortens it). */
static const fg_job_t jobs[] = {
	{"metering_assets.release_stale", 3600, "FG_RESERVATION_RELEASE_S", 60, assets_release_stale_job},
	{NULL, 0, NULL, 0, NULL},
};

const fg_module_t metering_assets_module = {
	.name = "metering_assets",
	.context = "metering",
	.routes = (const route_t *const[]){assets_routes, NULL},
	.subscriptions = subscriptions,
	.jobs = jobs,
	.errors = assets_errors,
};
