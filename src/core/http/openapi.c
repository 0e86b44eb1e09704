/* GET /api/v1/openapi.json: the API's OpenAPI 3.1 description, generated from the route table the router
 * serves (method, pattern, permission, body limit, the body's field spec, success status and shape, error codes)
 * and the error catalog, so it cannot drift from the server. Response shapes the route table names are
 * components in data/openapi/components.json. The API tests validate every response they receive against it
 * (tests/api/lib.mjs). The document holds no data: it is public, built once and kept. */
#include <ctype.h>
#include <pthread.h>
#include <string.h>
#include <stdlib.h>
#include "core/base/embed.h"
#include "core/base/log.h"
#include "core/http/routes.h"
#include "core/http/openapi.h"

#ifndef FG_VERSION
#define FG_VERSION "0.1.0"
#endif

static bool
is_write(const char *m)
{
	return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0;
}

static bool
has_json_body(const route_t *rt)
{
	return !rt->max_body && (strcmp(rt->method, "POST") == 0 || strcmp(rt->method, "PATCH") == 0 ||
				    strcmp(rt->method, "PUT") == 0);
}

static json_t *
field_schema(const jfield_t *f)
{
	json_t *s = json_object();
	const char *type = "object";
	switch (f->type) {
	case JF_STRING:
		type = "string";
		json_object_set_new(s, "maxLength", json_integer((json_int_t)(f->max_len ? f->max_len : 1000)));
		break;
	case JF_INT: type = "integer"; break;
	case JF_BOOL: type = "boolean"; break;
	case JF_STRINGS:
		type = "array";
		json_object_set_new(s, "maxItems", json_integer(100));
		/* jbody.c counts bytes here; 200 characters is the most any such string can hold */
		json_object_set_new(s, "items", json_pack("{s:s, s:i, s:s}", "type", "string", "maxLength", 200,
							 "description", "at most 200 bytes of UTF-8"));
		break;
	case JF_OBJECT: type = "object"; break;
	case JF_ANY: type = NULL; break;
	}
	if (type && (f->flags & JF_NULLABLE))
		json_object_set_new(s, "type", json_pack("[s, s]", type, "null"));
	else if (type)
		json_object_set_new(s, "type", json_string(type));
	return s;
}

/* What jbody_check accepts: exactly these fields, the required ones present and not null. */
static json_t *
body_schema(const jfield_t *spec)
{
	json_t *props = json_object(), *req = json_array();
	for (const jfield_t *f = spec; f->name; f++) {
		json_object_set_new(props, f->name, field_schema(f));
		if (f->flags & JF_REQUIRED)
			json_array_append_new(req, json_string(f->name));
	}
	json_t *s = json_pack("{s:s, s:o, s:b}", "type", "object", "properties", props, "additionalProperties", 0);
	if (json_array_size(req))
		json_object_set_new(s, "required", req);
	else
		json_decref(req);
	return s;
}

static void
add_code(json_t *codes, const char *code)
{
	size_t i;
	json_t *v;
	json_array_foreach(codes, i, v) if (strcmp(json_string_value(v), code) == 0) return;
	json_array_append_new(codes, json_string(code));
}

/* The error codes a route can answer: what the router, the edge, the body check and the idempotency layer
 * answer for every route of its kind (router.c, edge.c, jbody.c, idempotency.c), then the route's own. */
static json_t *
error_codes(const route_t *rt)
{
	json_t *c = json_array();
	add_code(c, "internal");
	add_code(c, "unavailable");
	if (rt->perm) {
		add_code(c, "unauthenticated");
		add_code(c, "device_revoked");
		if (*rt->perm)
			add_code(c, "forbidden");
	}
	if (is_write(rt->method))
		add_code(c, "csrf_origin_mismatch");
	if (strchr(rt->pattern, '{'))
		add_code(c, "not_found");
	if (!is_write(rt->method))
		add_code(c, "invalid_query");
	if (has_json_body(rt)) {
		add_code(c, "invalid_json");
		add_code(c, "unsupported_media_type");
		add_code(c, "body_too_large");
		if (rt->body || rt->doc) {
			add_code(c, "unknown_field");
			add_code(c, "missing_field");
		}
		add_code(c, "invalid_field");
	}
	if (rt->max_body) {
		add_code(c, "body_too_large");
		add_code(c, "too_many_uploads");
	}
	if (rt->perm && is_write(rt->method)) { /* Idempotency-Key (idempotency.c) */
		add_code(c, "invalid_field");
		add_code(c, "idempotency_key_reused");
		add_code(c, "idempotency_in_progress");
	}
	/* a flow's action route (POST …/actions/{action}): what the flow engine answers for any process (flow.c) */
	size_t n = strlen(rt->pattern);
	if (n > 17 && strcmp(rt->pattern + n - 17, "/actions/{action}") == 0) {
		add_code(c, "invalid_transition");
		add_code(c, "version_conflict");
		add_code(c, "forbidden");
		add_code(c, "flow_not_related");
		add_code(c, "reason_required");
		add_code(c, "missing_field");
		add_code(c, "invalid_field");
	}
	for (const char *const *e = rt->errors; e && *e; e++)
		add_code(c, *e);
	return c;
}

static json_t *
ref(const char *component)
{
	char tmp[160];
	fg_fmt(tmp, sizeof tmp, "#/components/schemas/%s", component);
	return json_pack("{s:s}", "$ref", tmp);
}

static json_t *
success_content(const route_t *rt)
{
	const char *resp = rt->resp;
	if (resp && strchr(resp, '/'))
		return json_pack("{s:{s:{s:s}}}", resp, "schema", "type", "string");
	json_t *schema;
	if (!resp)
		schema = json_object();
	else if (strncmp(resp, "list:", 5) == 0) {
		schema = ref("Page");
		schema = json_pack("{s:[o, {s:{s:o}}]}", "allOf", schema, "properties", "items", json_pack("{s:s, s:o}", "type",
									      "array", "items", resp[5] ? ref(resp + 5) : json_object()));
	} else
		schema = ref(resp);
	return json_pack("{s:{s:o}}", "application/json", "schema", schema);
}

/* "get_work_orders_id_actions_action" from GET /api/v1/work-orders/{id}/actions/{action} */
static void
operation_id(const route_t *rt, char *out, size_t cap)
{
	size_t n = 0;
	for (const char *m = rt->method; *m && n + 1 < cap; m++)
		out[n++] = (char)tolower((unsigned char)*m);
	const char *p = strncmp(rt->pattern, "/api/v1", 7) == 0 ? rt->pattern + 7 : rt->pattern;
	bool sep = true;
	for (; *p && n + 2 < cap; p++) {
		if (!isalnum((unsigned char)*p)) {
			sep = true;
			continue;
		}
		if (sep)
			out[n++] = '_';
		out[n++] = (char)tolower((unsigned char)*p);
		sep = false;
	}
	out[n] = '\0';
}

typedef struct {
	json_t *paths;
	json_t *ids;
} build_t;

static void
add_route(const route_t *rt, void *arg)
{
	build_t *bd = arg;
	/* The router matches {name} segments by position; OpenAPI wants each name once per path, so a repeated
	 * one ("/defects/{id}/actions/{id}") is numbered in the document ("{id_2}"). */
	char path[300] = "";
	const char *seen[HTTP_MAX_PARAMS * 2];
	size_t nseen = 0;
	json_t *params = json_array();
	for (const char *p = rt->pattern; *p;) {
		size_t n = strlen(path);
		const char *e = *p == '{' ? strchr(p, '}') : NULL;
		/* seen[] holds "name}…" tails: compared by length below */
		if (!e) {
			fg_fmt(path + n, sizeof path - n, "%c", *p++);
			continue;
		}
		char name[64];
		fg_fmt(name, sizeof name, "%.*s", (int)(e - p - 1), p + 1);
		int k = 1;
		for (size_t i = 0; i < nseen; i++)
			if (strlen(seen[i]) == (size_t)(e - p - 1) && strncmp(seen[i], p + 1, (size_t)(e - p - 1)) == 0)
				k++;
		if (nseen < sizeof seen / sizeof *seen)
			seen[nseen++] = p + 1;
		if (k > 1) {
			size_t m = strlen(name);
			fg_fmt(name + m, sizeof name - m, "_%d", k);
		}
		fg_fmt(path + n, sizeof path - n, "{%s}", name);
		json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", name, "in", "path", "required", 1,
						    "schema", "type", "string"));
		p = e + 1;
	}
	json_t *item = json_object_get(bd->paths, path);
	if (!item) {
		item = json_object();
		json_object_set_new(bd->paths, path, item);
	}
	json_t *op = json_object();
	char id[256];
	operation_id(rt, id, sizeof id);
	if (json_object_get(bd->ids, id)) { /* two routes would share an id: number the later one */
		size_t n = strlen(id);
		fg_fmt(id + n, sizeof id - n, "_%d", (int)json_object_size(bd->ids));
	}
	json_object_set_new(bd->ids, id, json_true());
	json_object_set_new(op, "operationId", json_string(id));

	/* who may call it */
	char desc[600];
	if (!rt->perm)
		fg_fmt(desc, sizeof desc, "Public: no sign-in.");
	else if (!*rt->perm)
		fg_fmt(desc, sizeof desc, "Any signed-in user.");
	else
		fg_fmt(desc, sizeof desc, "Needs the permission `%s`.", rt->perm);
	if (rt->doc) {
		size_t n = strlen(desc);
		fg_fmt(desc + n, sizeof desc - n, " %s", rt->doc);
	}
	json_object_set_new(op, "description", json_string(desc));
	json_object_set_new(op, "x-permission", rt->perm ? json_string(rt->perm) : json_null());
	json_object_set_new(op, "x-route", json_string(rt->pattern));
	json_object_set_new(op, "security",
	    rt->perm ? json_pack("[{s:[]}, {s:[]}]", "bearer", "cookie") : json_array());

	/* the headers a write with a body may carry (router.c reads them for POST, PUT and PATCH: idempotency.c,
	 * reply.c http_device_time_read) */
	if (is_write(rt->method) && strcmp(rt->method, "DELETE") != 0) {
		if (rt->perm)
			json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:i, s:i}}", "name", "Idempotency-Key",
							    "in", "header", "required", 0, "description",
							    "a replay with the same key answers the first answer once more (Idempotent-Replayed: true)",
							    "schema", "type", "string", "minLength", 1, "maxLength", 100));
		json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:s}}", "name", "X-Device-Time", "in",
						    "header", "required", 0, "description",
						    "when the device made this write (epoch milliseconds, digits); a record that keeps it returns "
						    "it beside the server's time (device_at, confirm_device_at, done_device_at)",
						    "schema", "type", "string", "pattern", "^[0-9]{1,15}$"));
	}
	/* a JSON read answers If-None-Match naming its current ETag with 304 (etag.h; docs/api.md "Reads: ETag and 304") */
	bool json_read = strcmp(rt->method, "GET") == 0 && strstr(rt->ok ? rt->ok : "200", "200") &&
			 !(rt->resp && strchr(rt->resp, '/'));
	if (json_read)
		json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:s, s:{s:s}}", "name", "If-None-Match", "in", "header",
						    "required", 0, "description",
						    "the ETag of the answer the client holds: 304 with no body while it is still current",
						    "schema", "type", "string"));
	if (json_array_size(params))
		json_object_set_new(op, "parameters", params);
	else
		json_decref(params);

	if (rt->max_body) {
		json_object_set_new(op, "requestBody", json_pack("{s:b, s:s, s:{s:{s:{}}}}", "required", 1, "description",
							       "the file's raw bytes", "content", "*/*", "schema"));
		json_object_set_new(op, "x-max-body", json_integer((json_int_t)rt->max_body));
	} else if (has_json_body(rt)) {
		json_t *schema = rt->body ? body_schema(rt->body) : json_pack("{s:s}", "type", "object");
		json_object_set_new(op, "requestBody", json_pack("{s:b, s:{s:{s:o}}}", "required", 0, "content",
							       "application/json", "schema", schema));
	}

	json_t *responses = json_object();
	const char *ok = rt->ok ? rt->ok : "200";
	for (const char *s = ok; *s;) {
		size_t n = strcspn(s, " ");
		char status[8];
		fg_fmt(status, sizeof status, "%.*s", (int)n, s);
		if (strcmp(status, "204") == 0 || strcmp(status, "304") == 0)
			json_object_set_new(responses, status, json_pack("{s:s}", "description", "no body"));
		else
			json_object_set_new(responses, status, json_pack("{s:s, s:o}", "description", "success", "content",
								      success_content(rt)));
		s += n;
		while (*s == ' ')
			s++;
	}
	/* and its 200 carries the ETag, its 304 no body */
	if (json_read)
		json_object_set_new(json_object_get(responses, "200"), "headers", json_pack("{s:{s:s, s:{s:s}}, s:{s:s, s:{s:s}}}", "ETag", "description",
							       "the answer's validator: '\"' + 32 hex digits + '\"' (a hash of the body)",
							       "schema", "type", "string", "Cache-Control", "description",
							       "private, no-cache: kept by the client, revalidated before each use", "schema",
							       "type", "string"));
	if (json_read && !json_object_get(responses, "304"))
		json_object_set_new(responses, "304", json_pack("{s:s}", "description",
		    "not modified: If-None-Match named the current ETag of this answer; no body"));
	json_t *codes = error_codes(rt);
	size_t i;
	json_t *v;
	json_array_foreach(codes, i, v) {
		const errcat_t *c = errcat_find(json_string_value(v));
		char status[8];
		fg_fmt(status, sizeof status, "%d", c->status);
		json_t *r = json_object_get(responses, status);
		if (!r) {
			r = json_pack("{s:s, s:{s:{s:o}}, s:[]}", "description", "", "content", "application/json", "schema",
			    ref("Error"), "x-error-codes");
			json_object_set_new(responses, status, r);
		}
		json_array_append(json_object_get(r, "x-error-codes"), v);
	}
	json_decref(codes);
	const char *k;
	json_t *r;
	json_object_foreach(responses, k, r) { /* each error response names its codes */
		json_t *list = json_object_get(r, "x-error-codes");
		if (!list)
			continue;
		char d[1024] = "error: ";
		json_array_foreach(list, i, v) {
			size_t n = strlen(d);
			fg_fmt(d + n, sizeof d - n, "%s%s", i ? ", " : "", json_string_value(v));
		}
		json_object_set_new(r, "description", json_string(d));
	}
	json_object_set_new(op, "responses", responses);

	char m[8];
	size_t n = 0;
	for (; rt->method[n] && n < sizeof m - 1; n++)
		m[n] = (char)tolower((unsigned char)rt->method[n]);
	m[n] = '\0';
	json_object_set_new(item, m, op);
}

static char *doc_text;

static void
build(void)
{
	json_error_t je;
	const embed_file_t *f = embed_find("data/openapi/components.json");
	json_t *schemas = f ? json_loadb(f->data, f->len, 0, &je) : NULL;
	if (!schemas) {
		log_error("openapi: data/openapi/components.json is missing or not JSON");
		schemas = json_object();
	}
	build_t bd = {json_object(), json_object()};
	router_each(add_route, &bd);
	json_decref(bd.ids);
	json_t *doc = json_pack("{s:s, s:{s:s, s:s, s:s}, s:o, s:{s:o, s:{s:{s:s, s:s}, s:{s:s, s:s, s:s}}}}", "openapi",
	    "3.1.0", "info", "title", "fieldgrid API", "version", FG_VERSION, "description",
	    "Generated at run time from the server's route table and error catalog; the prose is docs/api.md.", "paths",
	    bd.paths, "components", "schemas", schemas, "securitySchemes", "bearer", "type", "http", "scheme", "bearer",
	    "cookie", "type", "apiKey", "in", "cookie", "name", "fg_session");
	doc_text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
}

const char *
openapi_document(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, build);
	return doc_text;
}

void
openapi_serve(req_t *r)
{
	const char *d = openapi_document();
	if (!d) {
		http_error_code(r, "internal");
		return;
	}
	http_bytes(r, 200, "application/json; charset=utf-8", (unsigned char *)fg_strdup(d), strlen(d));
}
