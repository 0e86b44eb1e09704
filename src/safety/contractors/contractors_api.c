#include "core/http/routes.h"
#include "shared/org/scope.h"
#include "safety/contractors/contractors.h"

#define CONTRACTOR_FIELDS(req)                                   \
	{"name", JF_STRING, req, 100},                           \
	{"credit_code", JF_STRING, JF_NULLABLE, 18},             \
	{"contact_name", JF_STRING, JF_NULLABLE, 60},            \
	{"contact_phone", JF_STRING, JF_NULLABLE, 30},           \
	{"qualification_name", JF_STRING, JF_NULLABLE, 100},     \
	{"qualification_no", JF_STRING, JF_NULLABLE, 60},        \
	{"qualification_grade", JF_STRING, JF_NULLABLE, 30},     \
	{"qualification_expires_on", JF_STRING, JF_NULLABLE, 10}

static const jfield_t create_spec[] = {
	CONTRACTOR_FIELDS(JF_REQUIRED),
	{NULL, 0, 0, 0},
};

static const jfield_t update_spec[] = {
	{"version", JF_INT, JF_REQUIRED, 0},
	CONTRACTOR_FIELDS(0),
	{"suspended", JF_BOOL, 0, 0},
	{"suspended_reason", JF_STRING, JF_NULLABLE, 200},
	{NULL, 0, 0, 0},
};

static const jfield_t agreement_spec[] = {
	{"number", JF_STRING, JF_REQUIRED, 60},
	{"signed_on", JF_STRING, JF_REQUIRED, 10},
	{"expires_on", JF_STRING, JF_REQUIRED, 10},
	{"contractor_signer", JF_STRING, JF_REQUIRED, 60},
	{"attachment_id", JF_STRING, JF_NULLABLE, 64},
	{NULL, 0, 0, 0},
};

static const jfield_t staff_spec[] = {
	{"user_id", JF_STRING, JF_REQUIRED, 64},
	{NULL, 0, 0, 0},
};

static void
list(req_t *r)
{
	http_json(r, 200, contractors_list(r->db, http_query(r, "q")));
}

static void
get(req_t *r)
{
	json_t *c = contractors_get(r->db, r->params[0]), *s;
	size_t i;
	json_array_foreach(c ? json_object_get(c, "staff") : NULL, i, s) /* docs/api.md "Phone numbers" */
		scope_phone(r->db, &r->user, s, "phone", json_string_value(json_object_get(s, "id")), NULL);
	http_entity(r, c, "contractor", r->params[0]);
}

static void
create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, create_spec))
		return;
	int rc = contractors_create(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
update(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, update_spec))
		return;
	int rc = contractors_update(r->db, r->user.id, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
add_agreement(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, agreement_spec))
		return;
	int rc = contractors_add_agreement(r->db, r->user.id, r->params[0], r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
add_staff(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, staff_spec))
		return;
	const char *uid = json_string_value(json_object_get(r->json, "user_id"));
	int rc = contractors_add_staff(r->db, r->user.id, r->params[0], uid, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
remove_staff(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	if (contractors_remove_staff(r->db, r->user.id, r->params[0], r->params[1], &e) != 0) {
		http_error(r, &e);
		return;
	}
	http_json(r, 200, contractors_get(r->db, r->params[0]));
}

const route_t contractor_routes[] = {
	{"GET", "/api/v1/contractors", list, "contractors.read", 0, .ok = "200"},
	{"POST", "/api/v1/contractors", create, "contractors.write", 0, .body = create_spec, .ok = "201",
	    .errors = HTTP_ERRORS("contractor_name_taken")},
	{"GET", "/api/v1/contractors/{id}", get, "contractors.read", 0, .ok = "200"},
	{"PATCH", "/api/v1/contractors/{id}", update, "contractors.write", 0, .body = update_spec,
	    .errors = HTTP_ERRORS("version_conflict")},
	{"POST", "/api/v1/contractors/{id}/agreements", add_agreement, "contractors.write", 0, .body = agreement_spec, .ok = "201"},
	{"POST", "/api/v1/contractors/{id}/staff", add_staff, "contractors.write", 0, .body = staff_spec,
	    .errors = HTTP_ERRORS("contractor_staff_elsewhere")},
	{"DELETE", "/api/v1/contractors/{id}/staff/{id}", remove_staff, "contractors.write", 0, .ok = "200"},
	{0},
};
