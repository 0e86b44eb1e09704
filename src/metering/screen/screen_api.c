/* HTTP glue of the large screen (docs/api.md "Metering: large screen"). The links are managed by metering admins; the data
 * route is public to the router (a wall screen is not a user) and authenticates the display link's bearer token
 * itself. It is a `.cache` route: the response cache keys a public route's answer on the credentials sent, hashed
 * (rcache.c), so every screen showing one link shares one build per cache age, and a revocation (a write to
 * screen_links, which the answer read) makes the next poll rebuild — and be refused. */
#include <stdlib.h>
#include <string.h>
#include "core/http/routes.h"
#include "metering/screen/screen.h"

static const jfield_t link_spec[] = {
	{"name", JF_STRING, JF_REQUIRED, 100},
	{"base_url", JF_STRING, JF_NULLABLE, 200},
	{NULL, 0, 0, 0},
};

static void
links_list(req_t *r)
{
	json_t *out = screen_links_list(r->db);
	if (!out) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, out);
}

static void
link_create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, link_spec))
		return;
	int rc = screen_link_create(r->db, r->user.id, json_string_value(json_object_get(r->json, "name")),
	    json_string_value(json_object_get(r->json, "base_url")), &out, &e);
	http_result(r, 201, rc, out, &e);
	http_header(r, "Cache-Control", "no-store"); /* the token is in it */
}

static void
link_revoke(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = screen_link_revoke(r->db, r->user.id, r->params[0], &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
data(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	const char *authz = http_header_in(r, "Authorization");
	char *name = NULL;
	/* only the header: a token in the query would be in the URL, and URLs end up in logs */
	if (screen_link_resolve(r->db, authz && strncasecmp(authz, "Bearer ", 7) == 0 ? authz + 7 : NULL, &name, &e) != 0) {
		http_error(r, &e);
		return;
	}
	json_t *out = screen_data(r->db);
	if (!out) {
		free(name);
		http_error_code(r, "internal");
		return;
	}
	json_object_set_new(out, "link", json_pack("{s:s}", "name", name));
	free(name);
	http_json(r, 200, out);
}

const route_t screen_routes[] = {
	{"GET", "/api/v1/screen/links", links_list, "metering.admin", 0, .resp = "ScreenLinks"},
	{"POST", "/api/v1/screen/links", link_create, "metering.admin", 0, .body = link_spec, .ok = "201",
	    .resp = "ScreenLink", .doc = "The answer carries the link's token (and its path, URL and QR code), this once."},
	{"POST", "/api/v1/screen/links/{id}/actions/revoke", link_revoke, "metering.admin", 0, .resp = "ScreenLink",
	    .errors = HTTP_ERRORS("not_found")},
	{"GET", "/api/v1/screen/data", data, NULL, 0, .ok = "200 304", .resp = "ScreenData",
	    .errors = HTTP_ERRORS("screen_link_invalid", "screen_link_revoked"), .cache = true,
	    .doc = "Authorization: Bearer <display link token> (not a user session)."},
	{0},
};
