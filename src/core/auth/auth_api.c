#include <stdlib.h>
#include <string.h>
#include "core/http/routes.h"
#include "core/auth/perm.h"
#include "core/auth/login.h"
#include "core/auth/users.h"
#include "core/module/module.h"

static const jfield_t login_spec[] = {
	{"username", JF_STRING, JF_REQUIRED, 64},
	{"password", JF_STRING, JF_REQUIRED, 256},
	{"device_id", JF_STRING, JF_NULLABLE, 64},
	{NULL, 0, 0, 0},
};

static void
login(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, login_spec))
		return;
	if (login_password(r->db, json_string_value(json_object_get(r->json, "username")),
		json_string_value(json_object_get(r->json, "password")),
		json_string_value(json_object_get(r->json, "device_id")), &out, &e) != 0) {
		http_error(r, &e);
		return;
	}
	char cookie[256];
	/* the cookie for the browser app; the same token in the body for API clients and phones */
	/* Secure behind TLS (edge.c: FIELDGRID_COOKIE_SECURE, or a trusted proxy's X-Forwarded-Proto: https), so the
	 * browser never sends the session over plain HTTP */
	fg_fmt(cookie, sizeof cookie, "fg_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
	    json_string_value(json_object_get(out, "token")), (long long)(SESSION_MAX_MS / 1000),
	    edge_request_is_https(r) ? "; Secure" : "");
	http_json(r, 200, out);
	http_header(r, "Set-Cookie", cookie);
}

static void
logout(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	if (login_logout(r->db, r->user.id, r->user.session_id, &e) != 0) {
		http_error(r, &e);
		return;
	}
	http_no_content(r);
	/* the browser keeps the answers of reads (private, no-cache: docs/api.md "Reads: ETag and 304"); a phone shared
	 * by a crew drops them with the session (the app's own files stay in the service worker's cache) */
	http_header(r, "Clear-Site-Data", "\"cache\"");
	http_header(r, "Set-Cookie", edge_request_is_https(r) ? "fg_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure"
	                                                      : "fg_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

static void
me(req_t *r)
{
	json_t *u = users_get(r->db, r->user.id);
	if (!u) {
		http_error_code(r, "unauthenticated");
		return;
	}
	json_object_set_new(u, "permissions", perm_list(r->user.roles));
	module_me(r->db, &r->user, u); /* what modules add: the org unit's name … */
	json_object_set_new(u, "device_id", r->user.device_id[0] ? json_string(r->user.device_id) : json_null());
	http_json(r, 200, u);
}

/* What is waiting for the signed-in user (issue 14 item 4): every module's queue hook, counts and the first items. */
static void
my_queue(req_t *r)
{
	int limit = 5;
	const char *l = http_query(r, "limit");
	if (l && *l) {
		char *end;
		long v = strtol(l, &end, 10);
		if (*end || v < 1 || v > 20) {
			fg_err_t e = FG_ERR_INIT;
			fg_err_field(&e, "invalid_query", "limit", "1 to 20");
			http_error(r, &e);
			return;
		}
		limit = (int)v;
	}
	http_json(r, 200, module_queue(r->db, &r->user, limit));
}

const route_t auth_routes[] = {
	{"POST", "/api/v1/auth/login", login, NULL, 0, .body = login_spec,
	    .errors = HTTP_ERRORS("account_disabled", "account_locked", "device_revoked", "forbidden",
		"invalid_credentials")},
	{"POST", "/api/v1/auth/logout", logout, "", 0, .ok = "204"},
	{"GET", "/api/v1/me", me, "", 0, .ok = "200 304", .cache = true},
	{"GET", "/api/v1/me/queue", my_queue, "", 0, .resp = "MyQueue", .errors = HTTP_ERRORS("invalid_query"),
	    .doc = "What is waiting for the caller to act on, kind by kind: counts and the first `limit` (1-20, default 5) items."},
	{0},
};
