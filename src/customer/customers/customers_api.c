/* HTTP glue of the customers module: field specs, query parameters, and the domain's answer. */
#include "core/http/routes.h"
#include "customer/customers/customers.h"

#define CUSTOMER_FIELDS(req)                          \
	{"kind", JF_STRING, req, 16},                 \
	{"name", JF_STRING, req, 100},                \
	{"id_type", JF_STRING, 0, 8},                 \
	{"id_number", JF_STRING, req, 18},            \
	{"contacts", JF_ANY, req, 0},                 \
	{"org_unit_id", JF_STRING, JF_NULLABLE, 64},  \
	{"note", JF_STRING, JF_NULLABLE, 500}

static const jfield_t create_spec[] = {
	CUSTOMER_FIELDS(JF_REQUIRED),
	{NULL, 0, 0, 0},
};

static const jfield_t update_spec[] = {
	{"version", JF_INT, JF_REQUIRED, 0},
	CUSTOMER_FIELDS(0),
	{NULL, 0, 0, 0},
};

static const jfield_t account_create_spec[] = {
	{"number", JF_STRING, JF_REQUIRED, 16},
	{NULL, 0, 0, 0},
};

static const jfield_t account_update_spec[] = {
	{"version", JF_INT, JF_REQUIRED, 0},
	{"number", JF_STRING, 0, 16},
	{"status", JF_STRING, 0, 8},
	{NULL, 0, 0, 0},
};

#define PREMISES_FIELDS(req)                               \
	{"supply_address", JF_STRING, req, 300},           \
	{"voltage_level", JF_STRING, req, 8},              \
	{"transformer_area", JF_STRING, JF_NULLABLE, 100}, \
	{"capacity_kva", JF_INT, req, 0}

static const jfield_t premises_create_spec[] = {
	PREMISES_FIELDS(JF_REQUIRED),
	{NULL, 0, 0, 0},
};

static const jfield_t premises_update_spec[] = {
	{"version", JF_INT, JF_REQUIRED, 0},
	PREMISES_FIELDS(0),
	{NULL, 0, 0, 0},
};

#define POINT_FIELDS                                        \
	{"number", JF_STRING, 0, 30},                       \
	{"purpose", JF_STRING, 0, 8},                       \
	{"status", JF_STRING, 0, 10},                       \
	{"meter_asset_no", JF_STRING, JF_NULLABLE, 50},     \
	{"meter_model", JF_STRING, JF_NULLABLE, 60},        \
	{"installed_at", JF_INT, JF_NULLABLE, 0},           \
	{"install_reading", JF_STRING, JF_NULLABLE, 20}

static const jfield_t point_create_spec[] = {
	POINT_FIELDS,
	{NULL, 0, 0, 0},
};

static const jfield_t point_update_spec[] = {
	{"version", JF_INT, JF_REQUIRED, 0},
	POINT_FIELDS,
	{NULL, 0, 0, 0},
};

static void
list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	customers_filter_t f = {.q = http_query(r, "q"), .kind = http_query(r, "kind"),
	    .org_unit_id = http_query(r, "org_unit_id"), .viewer = &r->user};
	if (http_paging(r, &f.limit, &f.cursor))
		return;
	int rc = customers_list(r->db, &f, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
get(req_t *r)
{
	http_entity(r, customers_get(r->db, &r->user, r->params[0]), "customer", r->params[0]);
}

static void
identity(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = customers_identity(r->db, &r->user, r->params[0], &out, &e);
	http_result(r, 200, rc, out, &e);
}

/* The writes differ only in their spec, their domain call and their success status. */
typedef int (*write_fn)(db_t *, const auth_user_t *, const char *, json_t *, json_t **, fg_err_t *);

static void
do_write(req_t *r, const jfield_t *spec, write_fn fn, int status)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, spec))
		return;
	int rc = fn(r->db, &r->user, r->nparams ? r->params[0] : NULL, r->json, &out, &e);
	http_result(r, status, rc, out, &e);
}

static int
create_fn(db_t *db, const auth_user_t *u, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	(void)id;
	return customers_create(db, u, in, out, err);
}

static void create(req_t *r) { do_write(r, create_spec, create_fn, 201); }
static void update(req_t *r) { do_write(r, update_spec, customers_update, 200); }
static void account_create(req_t *r) { do_write(r, account_create_spec, customers_account_create, 201); }
static void account_update(req_t *r) { do_write(r, account_update_spec, customers_account_update, 200); }
static void premises_create(req_t *r) { do_write(r, premises_create_spec, customers_premises_create, 201); }
static void premises_update(req_t *r) { do_write(r, premises_update_spec, customers_premises_update, 200); }
static void point_create(req_t *r) { do_write(r, point_create_spec, customers_point_create, 201); }
static void point_update(req_t *r) { do_write(r, point_update_spec, customers_point_update, 200); }

#define ID_ERRORS "id_card_invalid", "credit_code_invalid", "customer_id_number_taken"

const route_t customer_routes[] = {
	{"GET", "/api/v1/customers", list, "customers.read", 0, .resp = "list:Customer",
	    .doc = "q matches the customer and account numbers; with customers.contact also names and phones"},
	{"POST", "/api/v1/customers", create, "customers.write", 0, .body = create_spec, .ok = "201", .resp = "Customer",
	    .errors = HTTP_ERRORS(ID_ERRORS),
	    .doc = "contacts: 1 to 10 of {name, phone, role}; id_type defaults from kind (resident id_card, enterprise uscc)"},
	{"GET", "/api/v1/customers/{id}", get, "customers.read", 0, .resp = "Customer"},
	{"PATCH", "/api/v1/customers/{id}", update, "customers.write", 0, .body = update_spec, .resp = "Customer",
	    .errors = HTTP_ERRORS(ID_ERRORS, "version_conflict"), .doc = "contacts, when given, replace the list"},
	{"GET", "/api/v1/customers/{id}/identity", identity, "customers.identity", 0, .resp = "CustomerIdentity",
	    .doc = "the whole ID number; every call leaves an audit record (reveal_id_number)"},
	{"POST", "/api/v1/customers/{id}/accounts", account_create, "customers.write", 0, .body = account_create_spec,
	    .ok = "201", .resp = "CustomerAccount", .errors = HTTP_ERRORS("account_number_taken")},
	{"PATCH", "/api/v1/customer-accounts/{id}", account_update, "customers.write", 0, .body = account_update_spec,
	    .resp = "CustomerAccount", .errors = HTTP_ERRORS("account_number_taken", "version_conflict")},
	{"POST", "/api/v1/customer-accounts/{id}/premises", premises_create, "customers.write", 0,
	    .body = premises_create_spec, .ok = "201", .resp = "Premises"},
	{"PATCH", "/api/v1/premises/{id}", premises_update, "customers.write", 0, .body = premises_update_spec,
	    .resp = "Premises", .errors = HTTP_ERRORS("version_conflict")},
	{"POST", "/api/v1/premises/{id}/metering-points", point_create, "customers.write", 0, .body = point_create_spec,
	    .ok = "201", .resp = "MeteringPoint", .errors = HTTP_ERRORS("metering_point_number_taken")},
	{"PATCH", "/api/v1/metering-points/{id}", point_update, "customers.write", 0, .body = point_update_spec,
	    .resp = "MeteringPoint", .errors = HTTP_ERRORS("metering_point_number_taken", "version_conflict")},
	{0},
};
