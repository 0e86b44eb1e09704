/* HTTP glue for the customer portal (docs/api.md "Customer portal"). Every route is public to the router (a customer
 * is not a user); the customer routes resolve the customer session themselves (customer()), from a bearer token or
 * the fg_portal cookie, and a cookie-authenticated write must come from this server's own pages (the edge's rule
 * for staff cookies, applied here because the router does not know this cookie). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include "core/http/routes.h"
#include "core/base/log.h"
#include "shared/attach/attach.h"
#include "customer/applications/applications.h"
#include "customer/portal/portal.h"
#include "core/base/util.h"

#define COOKIE "fg_portal"

static const jfield_t code_spec[] = {
	{"phone", JF_STRING, JF_NULLABLE, 32},
	{"number", JF_STRING, JF_NULLABLE, 32},
	{NULL, 0, 0, 0},
};

static const jfield_t session_spec[] = {
	{"phone", JF_STRING, JF_NULLABLE, 32},
	{"number", JF_STRING, JF_NULLABLE, 32},
	{"code", JF_STRING, JF_REQUIRED, 16},
	{NULL, 0, 0, 0},
};

/* The client's address as the socket shows it (a proxy in front is one address: FG_PORTAL_ADDR_PER_HOUR then
 * bounds everyone behind it; see docs/operations.md). */
static void
client_addr(req_t *r, char out[64])
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	fg_fmt(out, 64, "-");
	if (ci && ci->client_addr)
		getnameinfo(ci->client_addr, sizeof(struct sockaddr_storage), out, 64, NULL, 0, NI_NUMERICHOST);
}

/* 429 with Retry-After (seconds), from the refusal's details. */
static void
refuse(req_t *r, fg_err_t *e)
{
	char ra[24] = "";
	if (e->code && strcmp(e->code, "portal_rate_limited") == 0)
		fg_fmt(ra, sizeof ra, "%lld", (long long)json_integer_value(json_object_get(e->details, "retry_after_s")));
	http_error(r, e);
	if (ra[0])
		http_header(r, "Retry-After", ra);
}

/* The customer session of the request: 0, or -1 with the refusal answered. */
static int
portal_customer(req_t *r, portal_session_t *s)
{
	fg_err_t e = FG_ERR_INIT;
	const char *authz = http_header_in(r, "Authorization");
	const char *token = NULL;
	if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
		token = authz + 7;
	} else {
		token = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, COOKIE);
		if (token && edge_check_origin(r, true, &e) != 0) {
			http_error(r, &e);
			return -1;
		}
	}
	if (portal_session_resolve(r->db, token, s, &e) != 0) {
		http_error(r, &e);
		return -1;
	}
	return 0;
}

/* The routes' admit hook: an upload without a customer session is refused at its headers, before its body is
 * spooled or an upload slot (shared by every anonymous caller) is taken. */
static int
admit_customer(req_t *r)
{
	portal_session_t s;
	return portal_customer(r, &s);
}

static void
h_code_request(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	char addr[64];
	if (http_body(r, code_spec))
		return;
	client_addr(r, addr);
	if (portal_code_request(r->db, fg_jstr(r->json, "phone"), fg_jstr(r->json, "number"), addr, &out, &e) != 0) {
		refuse(r, &e);
		return;
	}
	http_json(r, 202, out);
}

static void
h_session_create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, session_spec))
		return;
	if (portal_session_create(r->db, fg_jstr(r->json, "phone"), fg_jstr(r->json, "number"), fg_jstr(r->json, "code"), &out, &e) != 0) {
		refuse(r, &e);
		return;
	}
	char cookie[256];
	/* the cookie for the portal's pages, only ever sent to the portal's routes; the token in the body for apps */
	fg_fmt(cookie, sizeof cookie, COOKIE "=%s; Path=/api/v1/portal; HttpOnly; SameSite=Strict; Max-Age=%lld%s", fg_jstr(out, "token"),
	    (long long)((json_integer_value(json_object_get(out, "expires_at")) - fg_now_ms()) / 1000),
	    edge_request_is_https(r) ? "; Secure" : "");
	http_json(r, 201, out);
	http_header(r, "Set-Cookie", cookie);
}

static void
h_session_get(req_t *r)
{
	portal_session_t s;
	if (portal_customer(r, &s) != 0)
		return;
	char m[16];
	portal_phone_mask(s.phone, m);
	http_json(r, 200, json_pack("{s:s, s:I}", "phone", m, "expires_at", (json_int_t)s.expires_at));
}

static void
h_session_end(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	portal_session_t s;
	if (portal_customer(r, &s) != 0)
		return;
	if (portal_session_end(r->db, &s, &e) != 0) {
		http_error(r, &e);
		return;
	}
	http_no_content(r);
	http_header(r, "Set-Cookie", edge_request_is_https(r) ? COOKIE "=; Path=/api/v1/portal; HttpOnly; SameSite=Strict; Max-Age=0; Secure"
	                                                      : COOKIE "=; Path=/api/v1/portal; HttpOnly; SameSite=Strict; Max-Age=0");
}

/* A phone photo or a scanned PDF: well under the staff's attachment limit (the body is spooled to disk before the
 * handler can tell a customer session from none, so the limit bounds what a stranger can make us write) */
#define PORTAL_UPLOAD_MAX (10 * 1024 * 1024)

static const jfield_t apply_spec[] = {
	{"kind", JF_STRING, JF_REQUIRED, 30},
	{"applicant_name", JF_STRING, JF_REQUIRED, 200},
	{"id_type", JF_STRING, JF_NULLABLE, 20},
	{"id_number", JF_STRING, JF_NULLABLE, 40},
	{"supply_address", JF_STRING, JF_REQUIRED, 400},
	{"area", JF_STRING, JF_NULLABLE, 200},
	{"voltage_level", JF_STRING, JF_REQUIRED, 10},
	{"capacity_kva", JF_INT, JF_REQUIRED, 0},
	{"sources", JF_INT, JF_NULLABLE, 0},
	{"purpose", JF_STRING, JF_NULLABLE, 1000},
	{"ev_charger", JF_BOOL, 0, 0},
	{"documents", JF_ANY, 0, 0},
	{NULL, 0, 0, 0},
};

static const jfield_t rating_spec[] = {
	{"stars", JF_INT, JF_REQUIRED, 0},
	{"comment", JF_STRING, JF_NULLABLE, 2000},
	{NULL, 0, 0, 0},
};

static const jfield_t feedback_spec[] = {
	{"kind", JF_STRING, JF_REQUIRED, 20},
	{"subject", JF_STRING, JF_REQUIRED, 200},
	{"text", JF_STRING, JF_NULLABLE, 4000},
	{"contact_name", JF_STRING, JF_NULLABLE, 100},
	{"application_no", JF_STRING, JF_NULLABLE, 32},
	{"rating", JF_INT, JF_NULLABLE, 0},
	{NULL, 0, 0, 0},
};

static void
apps_list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	portal_session_t s;
	if (portal_customer(r, &s) != 0)
		return;
	/* out is read after the call fills it (the order of a call's arguments is unspecified) */
	int rc = portal_applications(r->db, &s, &out, &e);
	http_result(r, 200, rc, out, &e);
}

/* The session's own application of that number; anyone else's, and an unknown number, is 404 alike. */
static char *
own_app(req_t *r, portal_session_t *s)
{
	if (portal_customer(r, s) != 0)
		return NULL;
	char *id = portal_application_id(r->db, s, r->params[0]);
	if (!id) {
		fg_err_t e = FG_ERR_INIT;
		fg_err_not_found(&e, "application", r->params[0]);
		http_error(r, &e);
	}
	return id;
}

static void
app_get(req_t *r)
{
	portal_session_t s;
	char *id = own_app(r, &s);
	if (!id)
		return;
	json_t *v = portal_application_view(r->db, id);
	free(id);
	http_entity(r, v, "application", r->params[0]);
}

static void
apply(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	portal_session_t s;
	if (portal_customer(r, &s) != 0 || http_body(r, apply_spec))
		return;
	/* out is read after the call fills it (the order of a call's arguments is unspecified) */
	int rc = portal_apply(r->db, &s, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

/* The file's bytes as the raw body (Content-Type its type), stored as an attachment of no entity yet. */
static json_t *
store_upload(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *att = NULL;
	if (r->upload_len == 0) {
		fg_err_field(&e, "missing_field", "body", "the file's bytes");
		http_error(r, &e);
		return NULL;
	}
	if (attach_store(r->db, NULL, http_header_in(r, "Content-Type"), r->upload_fd, r->upload_len, http_query(r, "filename"),
		NULL, NULL, &att, &e) != 0) {
		http_error(r, &e);
		return NULL;
	}
	return att;
}

static void
upload(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	portal_session_t s;
	if (portal_customer(r, &s) != 0)
		return;
	json_t *att = store_upload(r);
	if (!att)
		return;
	int rc = portal_upload_own(r->db, &s, fg_jstr(att, "id"), &e);
	json_t *out = rc == 0 ? json_pack("{s:O, s:O, s:O, s:O}", "id", json_object_get(att, "id"), "content_type",
	    json_object_get(att, "content_type"), "size", json_object_get(att, "size"), "filename",
	    json_object_get(att, "filename") ? json_object_get(att, "filename") : json_null()) : NULL;
	json_decref(att);
	http_result(r, 201, rc, out, &e);
}

static void
document_upload(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	portal_session_t s;
	char *id = own_app(r, &s);
	if (!id)
		return;
	json_t *att = store_upload(r);
	if (!att) {
		free(id);
		return;
	}
	int rc = applications_document_put(r->db, NULL, id, r->params[1], fg_jstr(att, "id"), true, &out, &e);
	json_decref(att);
	json_decref(out);
	out = rc == 0 ? portal_application_view(r->db, id) : NULL;
	free(id);
	http_result(r, 200, rc, out, &e);
}

static void
rate(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	portal_session_t s;
	if (portal_customer(r, &s) != 0 || http_body(r, rating_spec))
		return;
	char *id = portal_application_id(r->db, &s, r->params[0]);
	if (!id) {
		fg_err_not_found(&e, "application", r->params[0]);
		http_error(r, &e);
		return;
	}
	int rc = applications_rate(r->db, id, json_integer_value(json_object_get(r->json, "stars")),
	    fg_jstr(r->json, "comment"), &out, &e);
	json_decref(out);
	out = rc == 0 ? portal_application_view(r->db, id) : NULL;
	free(id);
	http_result(r, 200, rc, out, &e);
}

static void
feedback(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	portal_session_t s;
	if (portal_customer(r, &s) != 0 || http_body(r, feedback_spec))
		return;
	/* out is read after the call fills it (the order of a call's arguments is unspecified) */
	int rc = portal_feedback(r->db, &s, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

const route_t portal_routes[] = {
	{"POST", "/api/v1/portal/codes", h_code_request, NULL, 0, .body = code_spec, .ok = "202", .resp = "PortalCodeSent",
	    .errors = HTTP_ERRORS("portal_rate_limited")},
	{"POST", "/api/v1/portal/sessions", h_session_create, NULL, 0, .body = session_spec, .ok = "201", .resp = "PortalSession",
	    .errors = HTTP_ERRORS("portal_code_invalid", "portal_code_locked")},
	{"GET", "/api/v1/portal/session", h_session_get, NULL, 0, .resp = "PortalSession",
	    .errors = HTTP_ERRORS("portal_session_required", "csrf_origin_mismatch")},
	{"DELETE", "/api/v1/portal/session", h_session_end, NULL, 0, .ok = "204",
	    .errors = HTTP_ERRORS("portal_session_required", "csrf_origin_mismatch")},
	/* cached per caller: the response cache keys a public route's answer on the credentials sent (rcache.c), and a
	 * sign-out writes portal_sessions, which these answers read */
	{"GET", "/api/v1/portal/applications", apps_list, NULL, 0, .ok = "200 304", .resp = "PortalApplications",
	    .errors = HTTP_ERRORS("portal_session_required"), .cache = true},
	{"POST", "/api/v1/portal/applications", apply, NULL, 0, .body = apply_spec, .ok = "201", .resp = "PortalApplication",
	    .errors = HTTP_ERRORS("portal_session_required", "csrf_origin_mismatch")},
	{"GET", "/api/v1/portal/applications/{number}", app_get, NULL, 0, .ok = "200 304", .resp = "PortalApplication",
	    .errors = HTTP_ERRORS("portal_session_required", "not_found"), .cache = true},
	{"POST", "/api/v1/portal/applications/{number}/documents/{type}", document_upload, NULL, PORTAL_UPLOAD_MAX,
	    .resp = "PortalApplication", .admit = admit_customer,
	    .errors = HTTP_ERRORS("portal_session_required", "csrf_origin_mismatch", "not_found", "missing_field",
		"unsupported_media_type", "application_closed", "application_document_accepted"),
	    .doc = "The file's bytes as the raw body, its Content-Type the file's type (JPEG, PNG, WebP or PDF)."},
	{"POST", "/api/v1/portal/applications/{number}/rating", rate, NULL, 0, .body = rating_spec, .resp = "PortalApplication",
	    .errors = HTTP_ERRORS("portal_session_required", "csrf_origin_mismatch", "not_found", "application_not_powered",
		"application_already_rated")},
	{"POST", "/api/v1/portal/attachments", upload, NULL, PORTAL_UPLOAD_MAX, .ok = "201", .resp = "PortalUpload",
	    .admit = admit_customer,
	    .errors = HTTP_ERRORS("portal_session_required", "csrf_origin_mismatch", "missing_field", "unsupported_media_type"),
	    .doc = "The file's bytes as the raw body, its Content-Type the file's type; ?filename= names it."},
	{"POST", "/api/v1/portal/feedback", feedback, NULL, 0, .body = feedback_spec, .ok = "201", .resp = "PortalFeedback",
	    .errors = HTTP_ERRORS("portal_session_required", "csrf_origin_mismatch")},
	{0},
};
