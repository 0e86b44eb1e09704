#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <netdb.h>
#include <sys/socket.h>
#include "base/log.h"
#include "http/http.h"
#include "ocpp/ocpp.h"

/* Bodies up to this size are read and dropped before a 413 (see on_request). */
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
	enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, r->resp);
	MHD_destroy_response(r->resp);
	r->resp = NULL;
	return ret;
}

/* libmicrohttpd calls this at least twice per request: once when the headers are in (we set up the request
 * context), then with each piece of body, then once more with no data (we answer). */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method, const char *version,
    const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	if (strncmp(url, "/ocpp/", 6) == 0) /* a charger's WebSocket upgrade: the gateway's handshake */
		return ocpp_http_handshake(conn, url, method, con_cls);
	req_t *r = *con_cls;
	if (!r) {
		r = fg_calloc(1, sizeof *r);
		r->conn = conn;
		r->method = method;
		r->path = url;
		r->started_us = now_us();
		r->lang = http_lang(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Language"));
		r->body_limit = strncmp(url, "/api/", 5) == 0 ? router_body_limit(method, url) : HTTP_BODY_MAX;
		fg_buf_init(&r->body, r->body_limit);
		*con_cls = r;
		atomic_fetch_add(&inflight, 1);
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0;
		if (declared > HTTP_DRAIN_MAX) {
			/* too big even to read and drop: answer now; libmicrohttpd closes the connection after */
			fg_err_t e = FG_ERR_INIT;
			fg_err(&e, "body_too_large");
			fg_err_detail_int(&e, "limit", (long long)r->body_limit);
			http_error(r, &e);
			r->too_large = true;
			return queue(r);
		}
		/* Over the limit but drainable: read and drop it, then answer 413. Answering before the client has
		 * sent its body makes the kernel reset the connection, and the client sees a reset, not our error. */
		r->too_large = declared > r->body_limit;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!r->too_large && fg_buf_append(&r->body, upload_data, *upload_data_size) != 0) {
			r->too_large = true; /* chunked upload past the limit: drop what we have, answer at the end */
			fg_buf_free(&r->body);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->status) /* already answered (413 above) */
		return MHD_YES;
	if (r->too_large) {
		fg_err_t e = FG_ERR_INIT;
		fg_err(&e, "body_too_large");
		fg_err_detail_int(&e, "limit", HTTP_BODY_MAX);
		http_error(r, &e);
	} else if (strncmp(url, "/api/", 5) == 0 || strcmp(url, "/api") == 0) {
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
	free(r->resp_copy);
	json_decref(r->json);
	if (r->resp)
		MHD_destroy_response(r->resp);
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&inflight, 1);
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
	/* MHD_ALLOW_UPGRADE: chargers' WebSockets (src/ocpp/); it implies MHD_ALLOW_SUSPEND_RESUME */
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_ALLOW_UPGRADE;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	daemon_ = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
	    MHD_OPTION_CONNECTION_LIMIT, cfg->connection_limit,
	    MHD_OPTION_CONNECTION_TIMEOUT, 60u,
	    /* each connection's pool: 16 KiB holds any request head we accept and keeps an upgraded charger socket,
	     * which holds its pool until closed, at ~22 KB instead of ~31 KB (ENGINEERING.md §1, bench/ocpp) */
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024),
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_END);
	if (!daemon_) {
		log_error("cannot listen on %s (address in use, or not permitted)", cfg->listen);
		return -1;
	}
	return 0;
}

/* A graceful stop: no new connections; every request that reaches us on a connection already open is served
 * (answered with Connection: close) until none has been running for a short quiet spell, or the grace is
 * over. A request whose headers are still queued behind a busy worker is not counted in `inflight` yet, hence
 * the quiet spell rather than stopping the moment the count touches zero. */
void
http_stop(int grace_ms)
{
	if (!daemon_)
		return;
	atomic_store(&stopping, true);
	MHD_socket ls = MHD_quiesce_daemon(daemon_);
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	int quiet = 0;
	for (int waited = 0; waited < grace_ms && quiet < 200; waited += 20) {
		usleep(20 * 1000);
		quiet = atomic_load(&inflight) > 0 ? 0 : quiet + 20;
	}
	if (atomic_load(&inflight) > 0)
		log_warn("stopping with %d requests still in flight after %d ms", atomic_load(&inflight), grace_ms);
	/* chargers first: the gateway closes every upgraded socket (MHD_upgrade_action CLOSE) and the writer stores
	 * what was queued; MHD_stop_daemon would otherwise close those sockets under the loop (pitfall 8) */
	ocpp_stop();
	MHD_stop_daemon(daemon_);
	daemon_ = NULL;
}
