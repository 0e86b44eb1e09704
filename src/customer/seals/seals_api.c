/* HTTP glue for seals (docs/api.md "Seals"). */
#include <string.h>
#include "core/http/routes.h"
#include "core/base/util.h"
#include "customer/seals/seals.h"

static const jfield_t create_spec[] = {
	{"customer_id", JF_STRING, JF_REQUIRED, 64},
	{"equipment", JF_STRING, JF_REQUIRED, 200},
	{"reason", JF_STRING, JF_REQUIRED, 30},
	{"numbers", JF_STRINGS, JF_REQUIRED, 0},
	{"photo_ids", JF_STRINGS, JF_REQUIRED, 0},
	{"hazard_id", JF_STRING, JF_NULLABLE, 64},
	{"place", JF_STRING, JF_NULLABLE, 200},
	{"note", JF_STRING, JF_NULLABLE, 2000},
	{NULL, 0, 0, 0},
};

static const jfield_t accept_spec[] = {
	{"note", JF_STRING, 0, 2000},
	{NULL, 0, 0, 0},
};

static const jfield_t remove_spec[] = {
	{"photo_ids", JF_STRINGS, 0, 0},
	{NULL, 0, 0, 0},
};

static const jfield_t power_spec[] = {
	{"customer_id", JF_STRING, JF_REQUIRED, 64},
	{"equipment", JF_STRING, JF_REQUIRED, 200},
	{NULL, 0, 0, 0},
};

static void
list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = seals_list(r->db, http_query(r, "customer_id"), http_query(r, "status"), &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, create_spec))
		return;
	int rc = seals_create(r->db, &r->user, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
get(req_t *r)
{
	http_entity(r, seals_get(r->db, r->params[0]), "customer_seal", r->params[0]);
}

static void
accept_seal(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, accept_spec))
		return;
	int rc = seals_accept(r->db, &r->user, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
remove_seal(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, remove_spec))
		return;
	int rc = seals_remove(r->db, &r->user, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
power_on(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, power_spec))
		return;
	int rc = seals_power_on(r->db, &r->user, r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

const route_t seals_routes[] = {
	{"GET", "/api/v1/seals", list, "hazards.read", 0, .resp = "list:",
	    .doc = "Sealings, those still on first (customer_id, status filters)"},
	{"POST", "/api/v1/seals", create, "seals.write", 0, .body = create_spec, .ok = "201", .errors = HTTP_ERRORS("seal_number_in_use", "not_found"),
	    .doc = "Records a sealing on site: the equipment, why, the seals' numbers and photos"},
	{"POST", "/api/v1/seals/power-on", power_on, "hazards.write", 0, .body = power_spec, .errors = HTTP_ERRORS("equipment_sealed", "not_found"),
	    .doc = "A request to energise the customer's equipment: refused while a seal is on it; an allowed request is audited"},
	{"GET", "/api/v1/seals/{id}", get, "hazards.read", 0, .doc = "A sealing with its numbers"},
	{"POST", "/api/v1/seals/{id}/actions/accept", accept_seal, "seals.write", 0, .body = accept_spec,
	    .errors = HTTP_ERRORS("seal_already_accepted", "seal_already_removed"),
	    .doc = "The customer's rectification accepted (sealed → rectified); the seal is still on"},
	{"POST", "/api/v1/seals/{id}/actions/remove", remove_seal, "seals.remove", 0, .body = remove_spec,
	    .errors = HTTP_ERRORS("seal_not_rectified", "seal_already_removed"),
	    .doc = "The seal removed by an authorised person after the rectification was accepted; its numbers are released"},
	{0},
};
