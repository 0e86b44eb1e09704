/* HTTP glue for the metering assets (docs/api.md "Metering: assets"). */
#include <string.h>
#include "core/http/routes.h"
#include "core/auth/perm.h"
#include "core/base/day.h"
#include "core/base/util.h"
#include "metering/assets/assets.h"

static const jfield_t receive_spec[] = {
	{"asset_no", JF_STRING, JF_REQUIRED, 40},
	{"kind", JF_STRING, JF_REQUIRED, 20},
	{"subtype", JF_STRING, JF_NULLABLE, 40},
	{"model", JF_STRING, JF_NULLABLE, 60},
	{"manufacturer", JF_STRING, JF_NULLABLE, 100},
	{"batch", JF_STRING, JF_NULLABLE, 60},
	{"accuracy_class", JF_STRING, JF_NULLABLE, 10},
	{"rated", JF_STRING, JF_NULLABLE, 60},
	{"ratio", JF_STRING, JF_NULLABLE, 30},
	{"constant", JF_STRING, JF_NULLABLE, 30},
	{"produced_on", JF_STRING, JF_NULLABLE, 10},
	{"verified_on", JF_STRING, JF_NULLABLE, 10},
	{"org_unit_id", JF_STRING, JF_NULLABLE, 64},
	{"note", JF_STRING, JF_NULLABLE, 500},
	{NULL, 0, 0, 0},
};

/* One spec for every move; each action reads what it needs (assets.h assets_move). */
static const jfield_t move_spec[] = {
	{"version", JF_INT, 0, 0},
	{"holder_id", JF_STRING, JF_NULLABLE, 64},
	{"work_order_id", JF_STRING, JF_NULLABLE, 64},
	{"point_no", JF_STRING, JF_NULLABLE, 50},
	{"transformer_area", JF_STRING, JF_NULLABLE, 100},
	{"position", JF_STRING, JF_NULLABLE, 40},
	{"reading", JF_STRING, JF_NULLABLE, 20},
	{"reason", JF_STRING, JF_NULLABLE, 200},
	{"result", JF_STRING, JF_NULLABLE, 10},
	{"repair", JF_BOOL, 0, 0},
	{"verified_on", JF_STRING, JF_NULLABLE, 10},
	{"note", JF_STRING, JF_NULLABLE, 500},
	{NULL, 0, 0, 0},
};

static const jfield_t batch_spec[] = {
	{"holder_id", JF_STRING, JF_REQUIRED, 64},
	{"work_order_ids", JF_STRINGS, JF_REQUIRED, 0},
	{"asset_nos", JF_STRINGS, 0, 0},
	{"items", JF_ANY, 0, 0},
	{"note", JF_STRING, JF_NULLABLE, 500},
	{NULL, 0, 0, 0},
};

static const jfield_t reserve_spec[] = {
	{"day", JF_STRING, JF_REQUIRED, 10},
	{"holder_id", JF_STRING, JF_REQUIRED, 64},
	{"work_order_ids", JF_STRINGS, JF_REQUIRED, 0},
	{"asset_nos", JF_STRINGS, 0, 0},
	{"items", JF_ANY, 0, 0},
	{"note", JF_STRING, JF_NULLABLE, 500},
	{NULL, 0, 0, 0},
};

static const jfield_t reservation_action_spec[] = {
	{"version", JF_INT, 0, 0},
	{"reason", JF_STRING, JF_NULLABLE, 200},
	{"note", JF_STRING, JF_NULLABLE, 500},
	{NULL, 0, 0, 0},
};

static const jfield_t resolve_spec[] = {
	{"resolution", JF_STRING, JF_REQUIRED, 500},
	{NULL, 0, 0, 0},
};

static void
list(req_t *r)
{
	int limit;
	const char *cursor;
	if (http_paging(r, &limit, &cursor))
		return;
	assets_filter_t f = {http_query(r, "kind"), http_query(r, "status"), http_query(r, "batch"), http_query(r, "model"),
	    http_query(r, "point_no"), http_query(r, "holder_id"), http_query(r, "work_order_id"), http_query(r, "q")};
	json_t *out = NULL;
	if (assets_list(r->db, &f, cursor, limit, &out) != 0) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, out);
}

static void
receive(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, receive_spec))
		return;
	int rc = assets_receive(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
get(req_t *r)
{
	http_entity(r, assets_get(r->db, r->params[0]), "metering_asset", r->params[0]);
}

static void
by_no(req_t *r)
{
	http_entity(r, assets_get_by_no(r->db, r->params[0]), "metering_asset", r->params[0]);
}

/* The stock room's moves need metering.stock; putting in and taking out at a point is field work, which
 * metering.write grants as well (the desk correcting a job, the process modules). */
static void
move(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	const char *a = r->params[1];
	bool field = strcmp(a, "install") == 0 || strcmp(a, "remove") == 0 || strcmp(a, "apply") == 0 || strcmp(a, "break") == 0;
	if (!perm_allows(r->user.roles, "metering.stock") && !(field && perm_allows(r->user.roles, "metering.write"))) {
		fg_err(&e, "forbidden");
		fg_err_detail_str(&e, "permission", field ? "metering.write" : "metering.stock");
		http_error(r, &e);
		return;
	}
	if (http_body(r, move_spec))
		return;
	int rc = assets_move(r->db, r->user.id, r->params[0], a, r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
batch(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, batch_spec))
		return;
	int rc = assets_batch_issue(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
issued(req_t *r)
{
	json_t *out = assets_issued(r->db, http_query(r, "holder_id"), http_query(r, "work_order_ids"), http_query(r, "day"));
	if (!out) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, out);
}

static void
returns_due(req_t *r)
{
	json_t *out = assets_returns_due(r->db, http_query(r, "work_order_id"));
	if (!out) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, out);
}

static void
history(req_t *r)
{
	json_t *out = assets_point_history(r->db, r->params[0]);
	if (!out) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, out);
}

static void
discrepancies(req_t *r)
{
	int all = http_query_bool(r, "all");
	if (all == -2)
		return;
	json_t *out = assets_discrepancies(r->db, all == 1 ? 0 : 1, http_query(r, "work_order_id"));
	if (!out) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, out);
}

static void
resolve(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, resolve_spec))
		return;
	int rc = assets_discrepancy_resolve(r->db, r->user.id, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
reservations(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = assets_reservations(r->db, http_query(r, "day"), http_query(r, "holder_id"), http_query(r, "status"), &out, &e);
	http_result(r, 200, rc, out, &e);
}

static const jfield_t propose_spec[] = {
	{"work_order_ids", JF_STRINGS, JF_REQUIRED, 0},
	{"needs", JF_ANY, 0, 0},
	{NULL, 0, 0, 0},
};

static void
propose(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, propose_spec))
		return;
	int rc = assets_reservation_propose(r->db, r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
choices(req_t *r)
{
	json_t *out = assets_reservation_choices(r->db, http_query(r, "q"));
	if (!out) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, out);
}

static void
reserve(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, reserve_spec))
		return;
	int rc = assets_reserve(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
reservation(req_t *r)
{
	http_entity(r, assets_reservation_get(r->db, r->params[0]), "metering_reservation", r->params[0]);
}

static void
reservation_cancel(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, reservation_action_spec))
		return;
	int rc = assets_reservation_cancel(r->db, r->user.id, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
reservation_issue(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, reservation_action_spec))
		return;
	int rc = assets_reservation_issue(r->db, r->user.id, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static const jfield_t release_spec[] = {
	{"as_of", JF_STRING, JF_NULLABLE, 10},
	{NULL, 0, 0, 0},
};

/* The release job's run now, by a keeper tidying the store (and the tests: no waiting for the hour). as_of: a day
 * from today on — the keeper closing today's books early releases today's leftovers as tomorrow's job would; never
 * a day before today (that would hold what the job lets go). */
static void
release_stale(req_t *r)
{
	json_t *out = NULL;
	char today[11];
	day_today(today);
	if (http_body(r, release_spec))
		return;
	const char *as_of = fg_jstr(r->json, "as_of");
	if (as_of && (!day_valid(as_of) || strcmp(as_of, today) < 0)) {
		fg_err_t e = FG_ERR_INIT;
		fg_err_field(&e, "invalid_field", "as_of", "YYYY-MM-DD, today or later");
		http_error(r, &e);
		return;
	}
	if (assets_reservations_release_stale(r->db, r->user.id, as_of ? as_of : today, fg_now_ms(), &out) != 0) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, out);
}

const route_t assets_routes[] = {
	{"GET", "/api/v1/metering-assets", list, "metering.read", 0,
	    .doc = "The asset ledger, keyset-paged by asset number; filters kind, status, batch, model, point_no, holder_id, "
		   "work_order_id, q (a prefix of the asset number)."},
	{"POST", "/api/v1/metering-assets", receive, "metering.stock", 0, .body = receive_spec, .ok = "201", .resp = "MeteringAsset",
	    .errors = HTTP_ERRORS("metering_asset_no_taken")},
	{"GET", "/api/v1/metering-assets/issued", issued, "metering.read", 0,
	    .doc = "Stock issued and not yet installed or returned (a day's preparation), by holder_id, work_order_ids, day."},
	{"GET", "/api/v1/metering-assets/returns-due", returns_due, "metering.read", 0,
	    .doc = "Assets still issued to finished or cancelled work orders: what must come back."},
	{"POST", "/api/v1/metering-assets/batch-issue", batch, "metering.stock", 0, .body = batch_spec,
	    .errors = HTTP_ERRORS("metering_batch_refused")},
	{"GET", "/api/v1/metering-assets/by-no/{asset_no}", by_no, "metering.read", 0, .resp = "MeteringAsset",
	    .doc = "One asset by its number (the scanned barcode or QR), with its moves."},
	{"GET", "/api/v1/metering-assets/{id}", get, "metering.read", 0, .ok = "200", .resp = "MeteringAsset"},
	{"POST", "/api/v1/metering-assets/{id}/actions/{action}", move, "metering.read", 0, .body = move_spec, .resp = "MeteringAsset",
	    .errors = HTTP_ERRORS("forbidden", "version_conflict", "metering_asset_not_in_stock", "metering_asset_not_issued",
		"metering_asset_not_installed", "metering_asset_not_sendable", "metering_asset_not_verifying",
		"metering_asset_not_scrappable", "metering_asset_scrapped", "metering_seal_broken", "metering_move_wrong_kind",
		"metering_point_occupied", "metering_asset_reserved"),
	    .doc = "One lifecycle move: issue, return, install, apply, remove, break, send, verify or scrap. Stock moves need "
		   "metering.stock; install, apply, remove and break metering.stock or metering.write."},
	{"GET", "/api/v1/metering-reservations", reservations, "metering.read", 0, .resp = "MeteringReservationList",
	    .errors = HTTP_ERRORS("invalid_query"),
	    .doc = "A day's reservations (issue 12 item 6) by day, holder_id and status, each with its items and whether it is stale."},
	{"POST", "/api/v1/metering-reservations", reserve, "metering.stock", 0, .body = reserve_spec, .ok = "201",
	    .resp = "MeteringReservation", .errors = HTTP_ERRORS("metering_reservation_refused", "metering_work_order_closed"),
	    .doc = "Holds specific in-stock assets for one crew member's work orders of one day, all or nothing."},
	{"POST", "/api/v1/metering-reservations/release-stale", release_stale, "metering.stock", 0, .body = release_spec,
	    .doc = "Runs the stale-reservation release now: reservations past their day, holds for closed orders."},
	{"POST", "/api/v1/metering-reservations/propose", propose, "metering.stock", 0, .body = propose_spec,
	    .errors = HTTP_ERRORS("metering_work_order_closed"),
	    .doc = "Reserve by need: which in-stock, unreserved assets to reserve for the day's work orders, by their work kinds' needs or the request's. Holds nothing."},
	{"GET", "/api/v1/metering-reservations/choices", choices, "metering.stock", 0,
	    .doc = "What a reservation is made from: the open metering work orders (q: number prefix or title word) and the crew members and leaders who may hold stock."},
	{"GET", "/api/v1/metering-reservations/{id}", reservation, "metering.read", 0, .resp = "MeteringReservation"},
	{"POST", "/api/v1/metering-reservations/{id}/actions/cancel", reservation_cancel, "metering.stock", 0,
	    .body = reservation_action_spec, .resp = "MeteringReservation",
	    .errors = HTTP_ERRORS("metering_reservation_closed", "version_conflict"),
	    .doc = "Lets every hold go: the assets are plain stock again."},
	{"POST", "/api/v1/metering-reservations/{id}/actions/issue", reservation_issue, "metering.stock", 0,
	    .body = reservation_action_spec,
	    .errors = HTTP_ERRORS("metering_reservation_closed", "metering_reservation_stale", "metering_batch_refused", "version_conflict"),
	    .doc = "Issues every held asset to the holder for its order, all or nothing; holds for orders closed since are released."},
	{"GET", "/api/v1/metering-points/{point_no}/history", history, "metering.read", 0, .resp = "MeteringPointHistory",
	    .doc = "What the metering point carried when: every installation in time order and what is there now."},
	{"GET", "/api/v1/metering-discrepancies", discrepancies, "metering.read", 0,
	    .doc = "What finished jobs recorded that the ledger could not apply; ?all=true includes resolved ones."},
	{"POST", "/api/v1/metering-discrepancies/{id}/actions/resolve", resolve, "metering.write", 0, .body = resolve_spec,
	    .errors = HTTP_ERRORS("metering_discrepancy_resolved")},
	{0},
};
