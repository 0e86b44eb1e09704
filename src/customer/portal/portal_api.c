/* HTTP glue for the customer portal (docs/api.md "Customer portal"). Every route is public to the router (a customer
 * is not a user); the customer routes resolve the customer session themselves (customer()), from a bearer token or
 * the fg_portal cookie, and a cookie-authenticated write must come from this server's own pages (the edge's rule
 * for staff cookies, applied here because the router does not know this cookie). */
#include <stdio.h>
#include <string.h>
#include <netdb.h>
#include "core/http/routes.h"
#include "core/base/log.h"
#include "customer/portal/portal.h"

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

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
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

static void
h_code_request(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	char addr[64];
	if (http_body(r, code_spec))
		return;
	client_addr(r, addr);
	if (portal_code_request(r->db, str(r->json, "phone"), str(r->json, "number"), addr, &out, &e) != 0) {
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
	if (portal_session_create(r->db, str(r->json, "phone"), str(r->json, "number"), str(r->json, "code"), &out, &e) != 0) {
		refuse(r, &e);
		return;
	}
	char cookie[256];
	/* the cookie for the portal's pages, only ever sent to the portal's routes; the token in the body for apps */
	fg_fmt(cookie, sizeof cookie, COOKIE "=%s; Path=/api/v1/portal; HttpOnly; SameSite=Strict; Max-Age=%lld%s", str(out, "token"),
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

const route_t portal_routes[] = {
	{"POST", "/api/v1/portal/codes", h_code_request, NULL, 0, .body = code_spec, .ok = "202", .resp = "PortalCodeSent",
	    .errors = HTTP_ERRORS("portal_rate_limited")},
	{"POST", "/api/v1/portal/sessions", h_session_create, NULL, 0, .body = session_spec, .ok = "201", .resp = "PortalSession",
	    .errors = HTTP_ERRORS("portal_code_invalid", "portal_code_locked")},
	{"GET", "/api/v1/portal/session", h_session_get, NULL, 0, .resp = "PortalSession",
	    .errors = HTTP_ERRORS("portal_session_required", "csrf_origin_mismatch")},
	{"DELETE", "/api/v1/portal/session", h_session_end, NULL, 0, .ok = "204",
	    .errors = HTTP_ERRORS("portal_session_required", "csrf_origin_mismatch")},
	{0},
};
