#include <errno.h>
#include <stdatomic.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <netdb.h>
#include <sys/socket.h>
#include "core/base/log.h"
#include "core/http/http.h"
#include "core/http/rcache.h"
#include "core/ocpp/ocpp.h"

/* A refused request's body (401, 403, 404, 413, 429 …) up to this size is read and dropped, holding no memory,
 * before the refusal is sent; a larger one is answered at once (see refuse()). */
#define HTTP_DRAIN_MAX (64ULL * 1024 * 1024)

static struct MHD_Daemon *daemon_;
static http_config_t config;
static atomic_int inflight;
static atomic_bool stopping;

static int64_t
now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static enum MHD_Result
queue(req_t *r)
{
	if (atomic_load(&stopping)) /* let the client know not to send more on this connection */
		MHD_add_response_header(r->resp, MHD_HTTP_HEADER_CONNECTION, "close");
	/* every answer, whatever made it (API, error, static file, stored file) */
	if (!MHD_get_response_header(r->resp, "Referrer-Policy"))
		MHD_add_response_header(r->resp, "Referrer-Policy", "same-origin");
	enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, r->resp);
	MHD_destroy_response(r->resp);
	r->resp = NULL;
	r->queued = true;
	return ret;
}

static bool
has_body(const char *method)
{
	return strcmp(method, "POST") == 0 || strcmp(method, "PATCH") == 0 || strcmp(method, "PUT") == 0 ||
	    strcmp(method, "DELETE") == 0;
}

/* A refusal decided from the headers (r->resp holds it). What the client sees depends on when we send it:
 * libmicrohttpd answers a response queued before the body at once and then closes the connection without
 * reading the rest. The body the client is still sending then lands on a closed socket: the kernel answers it
 * with RST, which also discards our answer from the client's receive buffer, so curl and node's fetch (undici)
 * report a reset or EPIPE instead of the 401 (figures: docs/architecture.md "HTTP server"; tests/edge).
 * So the body is read and dropped ("drained to nowhere": each piece is discarded as it arrives, nothing is
 * kept but libmicrohttpd's fixed 16 KiB connection buffer) and the refusal is sent after it, with the body's
 * deadline (edge.c) bounding the time a slow client can take. Two cases are answered at once: a client that
 * sent `Expect: 100-continue` (curl for big bodies) has not sent its body and will not, and a body declared
 * larger than HTTP_DRAIN_MAX is not worth reading. */
static enum MHD_Result
refuse(req_t *r, unsigned long long declared)
{
	const char *expect = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
	if (!has_body(r->method) || (expect && strcasecmp(expect, "100-continue") == 0) || declared > HTTP_DRAIN_MAX)
		return queue(r);
	r->refused = true;
	return MHD_YES;
}

static void
too_large(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	fg_err(&e, "body_too_large");
	fg_err_detail_int(&e, "limit", (long long)r->body_limit); /* the route's own limit */
	http_error(r, &e);
}

/* A body piece after the request was refused (or became refused while streaming): dropped. Past
 * HTTP_DRAIN_MAX the connection is closed without an answer: libmicrohttpd cannot send one mid-body. */
static enum MHD_Result
drain(req_t *r, size_t n)
{
	r->drained += n;
	return r->drained > HTTP_DRAIN_MAX ? MHD_NO : MHD_YES;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* libmicrohttpd calls this at least twice per request: once when the headers are in (we decide everything the
 * headers can decide: route, origin, session, permission, size, upload slot), then with each piece of body,
 * then once more with no data (we answer). */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method, const char *version,
    const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	if (strncmp(url, "/ocpp/", 6) == 0) { /* a charger's WebSocket upgrade: the gateway's handshake */
		edge_conn_phase(conn, EDGE_WEBSOCKET); /* its liveness is the gateway's (pings), not our deadlines */
		return ocpp_http_handshake(conn, url, method, con_cls);
	}
	req_t *r = *con_cls;
	if (!r) {
		r = fg_calloc(1, sizeof *r);
		r->conn = conn;
		r->method = method;
		r->path = url;
		r->upload_fd = -1;
		r->started_us = now_us();
		r->lang = http_lang(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Language"));
		r->body_limit = HTTP_BODY_MAX;
		*con_cls = r;
		atomic_fetch_add(&inflight, 1);
		edge_conn_phase(conn, EDGE_BODY); /* the headers are in: now the body's deadline (also for a drain) */
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0;
		bool api = strncmp(url, "/api/", 5) == 0 || strcmp(url, "/api") == 0;
		if (!api) /* static files read no body: what an unknown client may make us hold stays small */
			r->body_limit = HTTP_PUBLIC_BODY_MAX;
		if (api && router_prepare(r) != 0)
			return refuse(r, declared);
		if (!api && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
			static_serve(r, config.web_root); /* 405: the web root takes no writes, nor their bodies */
			return refuse(r, declared);
		}
		if (declared > r->body_limit) {
			too_large(r);
			return refuse(r, declared);
		}
		if (r->route && r->route->admit && r->route->admit(r) != 0)
			return refuse(r, declared);
		bool upload = r->route && r->route->max_body && has_body(method);
		if (upload) {
			edge_conn_phase(conn, EDGE_UPLOAD);
			fg_err_t e = FG_ERR_INIT;
			if (edge_upload_acquire(r->user.id, &e) != 0) {
				http_error(r, &e);
				return refuse(r, declared);
			}
			r->upload_slot = true;
			r->upload_fd = edge_upload_tmpfile();
			if (r->upload_fd < 0) {
				log_error("cannot create an upload's temporary file under the data directory: %s", strerror(errno));
				http_error_code(r, "internal");
				return refuse(r, declared);
			}
		} else {
			fg_buf_init(&r->body, r->body_limit);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (r->refused)
			return drain(r, n);
		if (r->upload_fd >= 0) {
			if (r->upload_len + n > r->body_limit) { /* chunked past the route's limit */
				too_large(r);
				r->refused = true;
				return drain(r, n);
			}
			if (write_all(r->upload_fd, upload_data, n) != 0) {
				log_error("cannot spool an upload to its temporary file: %s", strerror(errno));
				http_error_code(r, "internal");
				r->refused = true;
				return drain(r, n);
			}
			r->upload_len += n;
		} else if (fg_buf_append(&r->body, upload_data, n) != 0) {
			fg_buf_free(&r->body); /* chunked past the limit: drop what we have */
			too_large(r);
			r->refused = true;
			return drain(r, n);
		}
		return MHD_YES;
	}
	if (r->queued) /* already answered from the headers */
		return MHD_YES;
	edge_conn_phase(conn, EDGE_HANDLER);
	if (r->refused) {
		/* the answer decided earlier */
	} else if (r->upload_fd >= 0 && lseek(r->upload_fd, 0, SEEK_SET) != 0) {
		http_error_code(r, "internal");
	} else if (r->route) {
		router_dispatch(r);
	} else {
		static_serve(r, config.web_root);
	}
	if (!r->resp)
		http_error_code(r, "internal");
	return queue(r);
}

/* One access-log line per request. The query string is left out: it may carry search terms about customers;
 * no header (tokens, cookies) is ever logged. */
static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	req_t *r = *con_cls;
	if (!r || *con_cls == (void *)&ocpp_http_marker)
		return;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char host[64] = "-";
	if (ci && ci->client_addr)
		getnameinfo(ci->client_addr, sizeof(struct sockaddr_storage), host, sizeof host, NULL, 0, NI_NUMERICHOST);
	log_info("http %s %s %s %d %zu %.1fms user=%s%s", host, r->method, r->path, r->status, r->resp_bytes,
	    (double)(now_us() - r->started_us) / 1000.0, r->authed ? r->user.username : "-",
	    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
	for (int i = 0; i < r->nparams; i++)
		free(r->params[i]);
	fg_buf_free(&r->body);
	if (r->upload_fd >= 0)
		close(r->upload_fd);
	if (r->upload_slot)
		edge_upload_release(r->user.id);
	free(r->resp_copy);
	rcache_release(r);
	json_decref(r->json);
	if (r->resp)
		MHD_destroy_response(r->resp);
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&inflight, 1);
	edge_conn_phase(conn, EDGE_KEEPALIVE); /* the next request's headers have their own deadline */
}

static int
resolve(const char *listen, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[256], port[16];
	const char *colon = strrchr(listen, ':');
	if (!colon || !colon[1])
		return -1;
	size_t hn = (size_t)(colon - listen);
	if (hn >= sizeof host)
		return -1;
	memcpy(host, listen, hn);
	host[hn] = 0;
	fg_fmt(port, sizeof port, "%s", colon + 1);
	char *h = host;
	if (h[0] == '[') { /* [::1]:8080 */
		h++;
		h[strcspn(h, "]")] = 0;
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *ai;
	if (getaddrinfo(*h ? h : NULL, port, &hints, &ai) != 0)
		return -1;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

int
http_start(const http_config_t *cfg)
{
	struct sockaddr_storage ss;
	socklen_t len;
	config = *cfg;
	if (resolve(cfg->listen, &ss, &len) != 0) {
		log_error("cannot resolve listen address %s (want HOST:PORT)", cfg->listen);
		return -1;
	}
	edge_start(cfg);
	rcache_init();
	static_init(cfg->web_root);
	/* MHD_ALLOW_UPGRADE: chargers' WebSockets (src/core/ocpp/); it implies MHD_ALLOW_SUSPEND_RESUME */
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_ALLOW_UPGRADE;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	daemon_ = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
	    MHD_OPTION_CONNECTION_LIMIT, cfg->connection_limit,
	    MHD_OPTION_CONNECTION_TIMEOUT, HTTP_IDLE_TIMEOUT_S, /* idle only; edge.c adds deadlines per phase */
	    /* each connection's pool: 16 KiB holds any request head we accept and keeps an upgraded charger socket,
	     * which holds its pool until closed, at ~22 KB instead of ~31 KB (ENGINEERING.md §1, bench/ocpp) */
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024),
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_NOTIFY_CONNECTION, edge_conn_notify, NULL,
	    MHD_OPTION_END);
	if (!daemon_) {
		edge_stop();
		log_error("cannot listen on %s (address in use, or not permitted)", cfg->listen);
		return -1;
	}
	return 0;
}

/* Waits until no request has been running for quiet_ms, or until the deadline (mono ms); returns when either. */
static void
wait_quiet(int64_t deadline, int quiet_ms)
{
	int quiet = 0;
	while (quiet < quiet_ms && (now_us() / 1000) < deadline) {
		usleep(20 * 1000);
		quiet = atomic_load(&inflight) > 0 ? 0 : quiet + 20;
	}
}

/* A graceful stop: every request already sent to us is served (answered with Connection: close), then the
 * daemon stops. "Already sent" includes connections still in the kernel's listen backlog: a worker busy with a
 * slow request (an argon2id login) accepts nothing until it is free, and closing the listening socket would reset
 * those clients. So the listening socket stays open until no request has been running for a quiet spell (the
 * workers are free and have taken what was queued), and only then is closed; a last short spell serves what was
 * accepted in the meantime. A request whose headers are still queued behind a busy worker is not counted in
 * `inflight` yet, hence a spell rather than stopping the moment the count touches zero. All within grace_ms. */
void
http_stop(int grace_ms)
{
	if (!daemon_)
		return;
	atomic_store(&stopping, true);
	int64_t deadline = (now_us() / 1000) + grace_ms;
	wait_quiet(deadline, 200);
	MHD_socket ls = MHD_quiesce_daemon(daemon_);
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	wait_quiet(deadline, 60);
	if (atomic_load(&inflight) > 0)
		log_warn("stopping with %d requests still in flight after %d ms", atomic_load(&inflight), grace_ms);
	/* chargers first: the gateway closes every upgraded socket (MHD_upgrade_action CLOSE) and the writer stores
	 * what was queued; MHD_stop_daemon would otherwise close those sockets under the loop (pitfall 8) */
	ocpp_stop();
	MHD_stop_daemon(daemon_);
	daemon_ = NULL;
	edge_stop();
}
