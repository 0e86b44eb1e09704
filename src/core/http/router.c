#include <string.h>
#include <stdlib.h>
#include "core/base/log.h"
#include "core/auth/perm.h"
#include "core/module/module.h"
#include "core/http/routes.h"
#include "core/http/rcache.h"


/* Matches path against a pattern segment by segment; {name} takes one non-empty segment of at most 128 bytes.
 * params (may be NULL): the first HTTP_MAX_PARAMS captures, each allocated; *nparams how many were kept. On no
 * match nothing is kept. */
bool
router_match(const char *pattern, const char *path, char *params[HTTP_MAX_PARAMS], int *nparams)
{
	const char *p = pattern, *u = path;
	char *got[HTTP_MAX_PARAMS] = {0};
	int n = 0;
	while (*p && *u) {
		if (*p == '{') {
			const char *pe = strchr(p, '}');
			size_t ul = strcspn(u, "/");
			if (!pe || ul == 0 || ul > 128)
				goto no;
			if (params && n < HTTP_MAX_PARAMS)
				got[n] = fg_strndup(u, ul);
			n++;
			p = pe + 1;
			u += ul;
			continue;
		}
		if (*p != *u)
			goto no;
		p++;
		u++;
	}
	if (*p || (*u && strcmp(u, "/") != 0))
		goto no;
	if (params) {
		memcpy(params, got, sizeof got);
		*nparams = n < HTTP_MAX_PARAMS ? n : HTTP_MAX_PARAMS;
	}
	return true;
no:
	for (int i = 0; i < HTTP_MAX_PARAMS; i++)
		free(got[i]);
	return false;
}

static const char *
bearer(req_t *r)
{
	const char *h = http_header_in(r, "Authorization");
	if (h && strncasecmp(h, "Bearer ", 7) == 0)
		return h + 7;
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "fg_session");
}

void
router_each(void (*fn)(const route_t *rt, void *arg), void *arg)
{
	FG_EACH_MODULE(m)
		for (const route_t *const *t = m->routes; t && *t; t++)
			for (const route_t *rt = *t; rt->method; rt++)
				fn(rt, arg);
}

static bool
has_body(req_t *r)
{
	return strcmp(r->method, "POST") == 0 || strcmp(r->method, "PATCH") == 0 || strcmp(r->method, "PUT") == 0;
}

/* Parses the body of a write. An empty body is {} (action endpoints take none). */
static int
parse_body(req_t *r)
{
	const char *ct = http_header_in(r, "Content-Type");
	if (r->body.len && ct && strncasecmp(ct, "application/json", 16) != 0) {
		http_error_code(r, "unsupported_media_type");
		return -1;
	}
	fg_err_t e = FG_ERR_INIT;
	if (jbody_parse(r->body.data, r->body.len, &r->json, &e) != 0) {
		http_error(r, &e);
		return -1;
	}
	return 0;
}

/* The first route (in the order of the modules table) whose pattern and method match; HEAD is served by a GET
 * route. NULL, with the methods the path does take listed in allow ("GET, POST") when only the method was wrong. */
const route_t *
router_find(const struct fg_module *const *modules, const char *method, const char *path, char *allow,
    size_t allow_size)
{
	allow[0] = 0;
	for (const fg_module_t *const *mp = modules; *mp; mp++) {
		for (const route_t *const *t = (*mp)->routes; t && *t; t++) {
			for (const route_t *rt = *t; rt->method; rt++) {
				if (!router_match(rt->pattern, path, NULL, NULL))
					continue;
				if (strcmp(rt->method, method) == 0 ||
				    (strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0))
					return rt;
				if (!strstr(allow, rt->method)) {
					size_t n = strlen(allow);
					fg_fmt(allow + n, allow_size - n, "%s%s", n ? ", " : "", rt->method);
				}
			}
		}
	}
	return NULL;
}

/* Everything that can be decided from the headers alone, so a refused client never gets to send us a body
 * we would hold (issue 9): the route, the origin of a cookie-authenticated write, the session, the
 * permission. Runs on the connection's worker thread, as the handler later does. */
int
router_prepare(req_t *r)
{
	char allow[128] = "";
	const route_t *hit = router_find(fg_modules, r->method, r->path, allow, sizeof allow);
	fg_err_t e = FG_ERR_INIT;
	if (!hit) {
		if (allow[0]) {
			fg_err(&e, "method_not_allowed");
			fg_err_detail_str(&e, "allow", allow);
			http_error(r, &e);
			http_header(r, "Allow", allow);
		} else {
			fg_err(&e, "not_found");
			fg_err_detail_str(&e, "path", r->path);
			http_error(r, &e);
		}
		return -1;
	}
	router_match(hit->pattern, r->path, r->params, &r->nparams);
	r->route = hit;
	r->body_limit = hit->max_body ? hit->max_body : hit->perm ? HTTP_BODY_MAX : HTTP_PUBLIC_BODY_MAX;

	/* the cookie counts only when no bearer token is given (bearer() prefers the token) */
	const char *authz = http_header_in(r, "Authorization");
	bool has_bearer = authz && strncasecmp(authz, "Bearer ", 7) == 0;
	bool cookie_auth = hit->perm && !has_bearer && MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "fg_session");
	if (!has_bearer && edge_check_origin(r, cookie_auth, &e) != 0) { /* a bearer token is never ambient */
		http_error(r, &e);
		return -1;
	}
	r->db = db_thread();
	if (!r->db) { /* the database is down or failing over: retryable */
		log_warn("no database connection for this thread");
		http_error_code(r, "unavailable");
		return -1;
	}
	if (hit->perm) {
		if (session_resolve(r->db, bearer(r), &r->user, &e) != 0) {
			http_error(r, &e);
			return -1;
		}
		r->authed = true;
		if (*hit->perm && !perm_allows(r->user.roles, hit->perm)) {
			fg_err(&e, "forbidden");
			fg_err_detail_str(&e, "permission", hit->perm);
			http_error(r, &e);
			return -1;
		}
	}
	return 0;
}

/* Runs the handler of the route router_prepare matched and authorised, once the body is in. */
void
router_dispatch(req_t *r)
{
	const route_t *hit = r->route;
	if (!hit && router_prepare(r) != 0)
		return;
	hit = r->route;
	if (!hit->max_body && has_body(r) && parse_body(r) != 0)
		return;
	if (has_body(r) && (http_device_time_read(r) != 0 || idem_begin(r) != 0))
		return;
	if (hit->standby) { /* the session was resolved on the primary; the report reads the standby (may lag) */
		db_t *s = db_thread_standby();
		if (s)
			r->db = s;
	}
	module_request_start(r->db); /* e.g. the knowledge base reads admins' edits at this request's first use */
	if (rcache_serve(r)) /* a `.cache` GET answered again: nothing read has been written since */
		return;
	hit->fn(r);
	rcache_end(r);
	idem_end(r);
	if (db_in_tx(r->db)) { /* a handler bug must not leave a transaction open on this thread's connection */
		log_error("%s %s left a transaction open; rolled back", r->method, hit->pattern);
		db_rollback(r->db);
	}
}
