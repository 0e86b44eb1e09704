#include <fcntl.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include "core/http/http.h"
#include "core/http/etag.h"
#include "core/http/gzip.h"
#include "core/http/rcache.h"
#include "core/http/static_neg.h"

/* Cache-Control: a read's answer may be kept by the browser that asked and revalidated by its ETag
 * (HTTP_READ_CACHE_CONTROL); everything else (writes, errors, files made for one request) is no-store. */
static void
common_headers_cc(struct MHD_Response *resp, const char *cache_control)
{
	MHD_add_response_header(resp, "Cache-Control", cache_control);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
}

static void
common_headers(struct MHD_Response *resp)
{
	common_headers_cc(resp, "no-store");
}

void
http_json(req_t *r, int status, json_t *body)
{
	char *s = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(body);
	if (!s)
		s = fg_strdup("{\"error\":{\"code\":\"internal\",\"message\":\"encoding failed\",\"details\":{}}}");
	size_t n = strlen(s);
	/* a read's answer: validated by its ETag (etag.h); the response cache makes its own from the same bytes */
	bool read = status == 200 && (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0);
	char etag[HTTP_ETAG_SIZE] = "";
	if (read && !r->rc_capture) {
		http_etag_of(s, n, etag);
		if (http_etag_matches(r, etag)) {
			free(s);
			http_not_modified(r, etag); /* replaces any response set before, as every reply does */
			return;
		}
	}
	if (r->idem_key) {
		free(r->resp_copy);
		r->resp_copy = fg_strdup(s);
	}
	if (r->resp)
		MHD_destroy_response(r->resp);
	/* compressed when the client takes gzip and it is worth it; not a kept answer (the cache keeps plain bytes
	 * and its ETag is theirs) */
	char *gz = NULL;
	size_t gzn = 0;
	if (!r->rc_capture && static_pick_coding(http_header_in(r, "Accept-Encoding"), false, true) == STATIC_GZIP)
		gz = http_gzip(s, n, &gzn);
	if (r->rc_capture) /* the response cache keeps these bytes (rcache.c) */
		rcache_capture(r, s, n);
	else if (gz) {
		free(s);
		r->resp = MHD_create_response_from_buffer(gzn, gz, MHD_RESPMEM_MUST_FREE);
		n = gzn;
	} else
		r->resp = MHD_create_response_from_buffer(n, s, MHD_RESPMEM_MUST_FREE);
	r->status = status;
	r->resp_bytes = n;
	MHD_add_response_header(r->resp, "Content-Type", "application/json; charset=utf-8");
	if (gz)
		MHD_add_response_header(r->resp, "Content-Encoding", "gzip");
	/* whether it is compressed depends on the request's Accept-Encoding: caches must key on it */
	MHD_add_response_header(r->resp, "Vary", "Accept-Encoding");
	common_headers_cc(r->resp, read ? HTTP_READ_CACHE_CONTROL : "no-store");
	if (etag[0])
		MHD_add_response_header(r->resp, "ETag", etag);
}

void
http_error(req_t *r, fg_err_t *err)
{
	/* a handler's "internal" while the database connection went away (a failover, a restart) is not a bug of the
	 * request: it is answered as the retryable 503 it is, and the thread reconnects at its next request */
	if (err->code && strcmp(err->code, "internal") == 0 && r->db && db_broken(r->db))
		err->code = "unavailable";
	const errcat_t *c = errcat_find(err->code);
	json_t *details = err->details ? err->details : json_object();
	err->details = NULL;
	/* read what the headers need before the body (which owns details) is serialized and freed */
	json_int_t retry = json_integer_value(json_object_get(details, "retry_after"));
	json_t *body = json_pack("{s:{s:s, s:s, s:o}}", "error", "code", c->code, "message",
	    strcmp(r->lang, "en") == 0 ? c->en : c->zh, "details", details);
	http_json(r, c->status, body);
	if (strcmp(c->code, "unavailable") == 0)
		http_header(r, "Retry-After", "1");
	else if (strcmp(c->code, "account_locked") == 0 || (c->status == 429 && retry > 0)) {
		char tmp[32];
		fg_fmt(tmp, sizeof tmp, "%lld", (long long)(retry > 0 ? retry : 60));
		http_header(r, "Retry-After", tmp);
	}
	err->code = NULL;
}

void
http_error_code(req_t *r, const char *code)
{
	fg_err_t e = FG_ERR_INIT;
	fg_err(&e, code);
	http_error(r, &e);
}

void
http_no_content(req_t *r)
{
	if (r->resp)
		MHD_destroy_response(r->resp);
	r->resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	r->status = 204;
	r->resp_bytes = 0;
	common_headers(r->resp);
}

void
http_header(req_t *r, const char *name, const char *value)
{
	if (r->resp)
		MHD_add_response_header(r->resp, name, value);
}

const char *
http_query(req_t *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *
http_header_in(req_t *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

static int
bad_query(req_t *r, const char *field)
{
	fg_err_t e = FG_ERR_INIT;
	fg_err_field(&e, "invalid_query", field, NULL);
	http_error(r, &e);
	return -1;
}

int
http_paging(req_t *r, int *limit, const char **cursor)
{
	const char *l = http_query(r, "limit");
	*limit = 50;
	*cursor = http_query(r, "cursor");
	if (l) {
		char *end;
		long v = strtol(l, &end, 10);
		if (!*l || *end || v < 1 || v > 200)
			return bad_query(r, "limit");
		*limit = (int)v;
	}
	if (*cursor && (strlen(*cursor) > 64 || !**cursor))
		return bad_query(r, "cursor");
	return 0;
}

int
http_query_bool(req_t *r, const char *name)
{
	const char *v = http_query(r, name);
	if (!v)
		return -1;
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		return 1;
	if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		return 0;
	bad_query(r, name);
	return -2;
}

int
http_run_when(req_t *r, int64_t *when)
{
	json_t *at = json_object_get(r->json, "at");
	int64_t now = fg_now_ms();
	*when = at ? json_integer_value(at) : now;
	if (*when >= now - 60 * 1000)
		return 0;
	fg_err_t e = FG_ERR_INIT;
	fg_err_field(&e, "invalid_field", "at", "now or later (epoch ms)");
	http_error(r, &e);
	return -1;
}

int
http_body(req_t *r, const jfield_t *spec)
{
	fg_err_t e = FG_ERR_INIT;
	if (jbody_check(r->json, spec, &e) == 0)
		return 0;
	http_error(r, &e);
	return -1;
}

int
http_device_time_read(req_t *r)
{
	const char *v = http_header_in(r, "X-Device-Time");
	int64_t n = 0;
	r->device_at = 0;
	if (!v)
		return 0;
	if (http_device_time_parse(v, &n) != 0) {
		fg_err_t e = FG_ERR_INIT;
		fg_err_field(&e, "invalid_field", "X-Device-Time", "milliseconds since 1970-01-01 UTC (digits)");
		http_error(r, &e);
		return -1;
	}
	r->device_at = n;
	return 0;
}

void
http_device_time(req_t *r)
{
	if (r->device_at > 0 && json_is_object(r->json))
		json_object_set_new(r->json, "device_at", json_integer(r->device_at));
}

void
http_result(req_t *r, int status, int rc, json_t *out, fg_err_t *err)
{
	if (rc != 0)
		http_error(r, err);
	else
		http_json(r, status, out);
}

void
http_entity(req_t *r, json_t *ent, const char *entity, const char *id)
{
	fg_err_t e = FG_ERR_INIT;
	if (ent)
		http_json(r, 200, ent);
	else {
		fg_err_not_found(&e, entity, id);
		http_error(r, &e);
	}
}

void
http_file(req_t *r, const char *path, const char *content_type)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		http_error_code(r, "not_found");
		return;
	}
	http_fd(r, fd, (size_t)st.st_size, content_type);
}

void
http_fd(req_t *r, int fd, size_t size, const char *content_type)
{
	if (r->resp)
		MHD_destroy_response(r->resp);
	r->resp = MHD_create_response_from_fd((uint64_t)size, fd);
	r->status = 200;
	r->resp_bytes = size;
	MHD_add_response_header(r->resp, "Content-Type", content_type);
	/* stored files never run as pages of ours, whatever is in them */
	MHD_add_response_header(r->resp, "Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'; media-src 'self'");
	MHD_add_response_header(r->resp, "Cache-Control", "private, max-age=86400, immutable");
	MHD_add_response_header(r->resp, "X-Content-Type-Options", "nosniff");
}

void
http_bytes(req_t *r, int status, const char *content_type, unsigned char *buf, size_t len)
{
	if (r->resp)
		MHD_destroy_response(r->resp);
	r->resp = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	r->status = status;
	r->resp_bytes = len;
	MHD_add_response_header(r->resp, "Content-Type", content_type);
	MHD_add_response_header(r->resp, "Cache-Control", "no-store");
	MHD_add_response_header(r->resp, "X-Content-Type-Options", "nosniff");
}
