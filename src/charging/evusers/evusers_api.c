#include <string.h>
#include "core/http/routes.h"
#include "charging/evusers/evusers.h"

static const jfield_t credit_spec[] = {
	{"kind", JF_STRING, JF_REQUIRED, 10},
	{"points", JF_INT, JF_REQUIRED, 0},
	{"note", JF_STRING, JF_REQUIRED, 500},
	{NULL, 0, 0, 0},
};

static const jfield_t reserve_spec[] = {
	{"charger_id", JF_STRING, JF_REQUIRED, 64},
	{"connector_id", JF_INT, JF_REQUIRED, 0},
	{"id_tag", JF_STRING, JF_REQUIRED, 20},
	{"minutes", JF_INT, JF_REQUIRED, 0},
	{NULL, 0, 0, 0},
};

static void
credit_get(req_t *r)
{
	http_entity(r, evusers_credit(r->db, r->params[0]), "id_tag", r->params[0]);
}

static void
credit_list(req_t *r)
{
	const char *lv = http_query(r, "level");
	if (lv && strcmp(lv, "good") != 0 && strcmp(lv, "warned") != 0 && strcmp(lv, "blocked") != 0) {
		fg_err_t e = FG_ERR_INIT;
		fg_err_field(&e, "invalid_query", "level", "good, warned or blocked");
		http_error(r, &e);
		return;
	}
	http_json(r, 200, evusers_credit_list(r->db, lv));
}

static void
credit_record(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, credit_spec))
		return;
	int rc = evusers_credit_record(r->db, r->user.id, r->params[0], r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
sweep(req_t *r)
{
	int n = evusers_sweep(r->db);
	if (n < 0) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, json_pack("{s:i}", "events", n));
}

static void
reservation_list(req_t *r)
{
	http_json(r, 200, evusers_reservations(r->db, http_query(r, "charger_id"), http_query(r, "id_tag")));
}

static void
reservation_create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, reserve_spec))
		return;
	int rc = evusers_reserve(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
reservation_get(req_t *r)
{
	http_entity(r, evusers_reservation_get(r->db, r->params[0]), "reservation", r->params[0]);
}

static void
reservation_cancel(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = evusers_reservation_cancel(r->db, r->user.id, r->params[0], &out, &e);
	http_result(r, 200, rc, out, &e);
}

const route_t evuser_routes[] = {
	{"GET", "/api/v1/id-tags/{tag}/credit", credit_get, "chargers.read", 0, .ok = "200"},
	{"POST", "/api/v1/id-tags/{tag}/credit", credit_record, "idtags.credit", 0, .body = credit_spec, .ok = "201"},
	{"GET", "/api/v1/ev-credit", credit_list, "chargers.read", 0, .ok = "200"},
	{"POST", "/api/v1/ev-credit/actions/sweep", sweep, "reminders.run", 0, .ok = "200"},
	{"GET", "/api/v1/reservations", reservation_list, "chargers.read", 0, .ok = "200"},
	{"POST", "/api/v1/reservations", reservation_create, "reservations.write", 0, .body = reserve_spec, .ok = "201",
	    .errors = HTTP_ERRORS("charger_offline", "id_tag_blocked", "reservation_overlap")},
	{"GET", "/api/v1/reservations/{id}", reservation_get, "chargers.read", 0, .ok = "200"},
	{"POST", "/api/v1/reservations/{id}/actions/cancel", reservation_cancel, "reservations.write", 0, .ok = "200",
	    .errors = HTTP_ERRORS("reservation_not_active")},
	{0},
};
