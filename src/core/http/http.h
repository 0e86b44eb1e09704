#ifndef FG_HTTP_H
#define FG_HTTP_H
#include <stdbool.h>
#include <stdint.h>
#include <microhttpd.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/base/util.h"
#include "core/db/db.h"
#include "core/auth/session.h"

/* HTTP glue (DESIGN.md §3): parses requests, authenticates, checks the route's permission, calls a module's
 * handler and turns its JSON or fg_err_t into a response. Handlers never write SQL; domain code never sees
 * this header. */

#define HTTP_BODY_MAX (1024 * 1024)
/* A public route's body (the login) is held in memory before anyone is known: no bigger than a request head. */
#define HTTP_PUBLIC_BODY_MAX (16 * 1024)
#define HTTP_MAX_PARAMS 4
#define HTTP_IDLE_TIMEOUT_S 60u /* libmicrohttpd's idle timeout (MHD_OPTION_CONNECTION_TIMEOUT) */

struct route;

typedef struct req {
	struct MHD_Connection *conn;
	const char *method;
	const char *path;
	char *params[HTTP_MAX_PARAMS]; /* {name} segments of the matched route, in order */
	int nparams;
	fg_buf_t body;
	size_t body_limit;
	bool too_large;
	json_t *json; /* parsed body of POST/PATCH/PUT ({} when empty) */
	bool authed;
	auth_user_t user;
	const char *lang; /* "zh" | "en" */
	db_t *db;
	int status;
	size_t resp_bytes;
	int64_t started_us;
	struct MHD_Response *resp;
	const char *idem_key; /* the request's Idempotency-Key once claimed (idempotency.c) */
	int64_t device_at;    /* X-Device-Time (epoch ms): when the phone made this write, e.g. offline; 0 = not sent */
	char *resp_copy;      /* the JSON answer kept for a replay, only when idem_key is set */
	/* the edge (server.c, edge.c): decided from the headers, before any body is read */
	const struct route *route; /* matched by router_prepare */
	int upload_fd;     /* routes with max_body: the body in an unlinked temp file at offset 0; -1 when none.
	                    * Owned by the request (closed in on_completed). */
	size_t upload_len; /* its length */
	bool upload_slot;  /* holds one of edge_upload_acquire's slots */
	bool refused;      /* r->resp is the answer, kept until the body has been read and dropped */
	bool queued;       /* MHD_queue_response done */
	size_t drained;    /* bytes of a refused body dropped so far */
	/* the response cache (rcache.c), on `.cache` routes */
	bool rc_capture;            /* http_json keeps the answer's bytes (rc_body) */
	struct rc_body *rc_body;
	char *rc_key;
	uint64_t rc_hash, rc_bumps;
} req_t;

typedef void (*http_handler_t)(req_t *r);

/* Body validation against a field list: unknown fields, missing required ones and wrong types are refused
 * with the field named. */
enum jf_type { JF_STRING, JF_INT, JF_BOOL, JF_STRINGS, JF_OBJECT, JF_ANY };
enum { JF_REQUIRED = 1, JF_NULLABLE = 2 };
typedef struct {
	const char *name;
	enum jf_type type;
	unsigned flags;
	size_t max_len; /* strings: characters; 0 = 1000 */
} jfield_t;

/* perm: NULL = public; "" = any signed-in user; otherwise the permission the caller must hold.
 * max_body: 0 = a JSON body up to HTTP_BODY_MAX (HTTP_PUBLIC_BODY_MAX on a public route); otherwise the body is
 * raw bytes (an upload) up to max_body, spooled to a temp file (req_t.upload_fd), never held in memory. */
typedef struct route {
	const char *method;
	const char *pattern; /* "/api/v1/users/{id}/actions/disable" */
	http_handler_t fn;
	const char *perm;
	size_t max_body;
	/* The route's self-description (openapi.c builds GET /api/v1/openapi.json from it), all optional, so the
	 * document is generated from what the router serves and cannot drift from it:
	 * body: the field spec the handler passes to http_body (declared once, used by both); NULL when the route
	 *       takes no JSON body or its handler picks the spec at run time (see doc).
	 * ok: the success status(es), e.g. "201" or "200 202"; NULL = "200".
	 * resp: the success body: a component of openapi.c ("WorkOrder"), "list:Component" for a page of them
	 *       ({items, next_cursor, total}), a media type ("application/pdf") for bytes; NULL = any JSON value.
	 * errors: NULL-terminated error codes this route's handler may answer beyond the ones the router, the edge
	 *       and the body check answer for every route of its kind (openapi.c adds those).
	 * doc: one sentence for the document (e.g. how a run-time body spec is chosen). */
	const jfield_t *body;
	const char *ok;
	const char *resp;
	const char *const *errors;
	const char *doc;
	/* cache: a GET whose 200 answer depends only on the caller, language, path, query, the tables it reads and
	 * the clock to within a second may be answered again from the response cache (rcache.h), with an ETag */
	bool cache;
	/* standby: a report that only reads and may lag the primary by a moment (KPIs, evaluations): it reads from
	 * the standby named by FIELDGRID_READ_DB when one is set and reachable, else from the primary */
	bool standby;
	/* admit: a check of the caller the router cannot make itself (a credential of the route's own, such as the
	 * portal's customer session), run at the headers before any body is read or an upload slot taken: 0 lets the
	 * request on, -1 has answered the refusal. NULL: none. The handler still checks as before. */
	int (*admit)(struct req *r);
} route_t;
/* route_t.errors: .errors = HTTP_ERRORS("version_conflict", "invalid_transition") */
#define HTTP_ERRORS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Responses. Each sets r->resp; call exactly one. */
void http_json(req_t *r, int status, json_t *body); /* steals body */
void http_error(req_t *r, fg_err_t *err);           /* clears err */
void http_error_code(req_t *r, const char *code);
void http_no_content(req_t *r);
/* The usual ending of a handler: rc == 0 → status with out, else the error. */
void http_result(req_t *r, int status, int rc, json_t *out, fg_err_t *err);
/* 200 with the entity, or 404 naming it when ent is NULL. */
void http_entity(req_t *r, json_t *ent, const char *entity, const char *id);
void http_header(req_t *r, const char *name, const char *value);
/* Bytes made in memory as the response (takes ownership of buf). */
void http_bytes(req_t *r, int status, const char *content_type, unsigned char *buf, size_t len);
/* A stored file as the response (404 when it cannot be opened). */
void http_file(req_t *r, const char *path, const char *content_type);
/* The same for a file already open (an attachment copied out of the database into an unlinked temp file): size bytes
 * from offset 0; the response owns fd and closes it. */
void http_fd(req_t *r, int fd, size_t size, const char *content_type);

/* Request helpers. */
const char *http_query(req_t *r, const char *name);
const char *http_header_in(req_t *r, const char *name);
/* limit (1..200, default 50) and cursor; answers 400 invalid_query itself and returns -1 when bad. */
int http_paging(req_t *r, int *limit, const char **cursor);
/* ?name=true|false → 1/0, absent → -1; -2 (and answers 400) when malformed. */
int http_query_bool(req_t *r, const char *name);

int jbody_check(json_t *body, const jfield_t *spec, fg_err_t *err);
/* Parses a request body: must be one JSON object, UTF-8, no duplicate keys; empty means {}. */
int jbody_parse(const char *data, size_t len, json_t **out, fg_err_t *err);
/* A "run the scheduler's step now" route's optional "at" (epoch ms, now or later: a test may look ahead, never
 * back, a minute's slack): *when gets it, or now; on a past instant answers 400 invalid_field and returns -1. */
int http_run_when(req_t *r, int64_t *when);
/* Checks r->json against spec; on failure answers 400 and returns -1. */
int http_body(req_t *r, const jfield_t *spec);
/* X-Device-Time (DESIGN.md §9): a write made offline and replayed later carries the phone's own time of it. The
 * router reads it (http_device_time_read: a bad value answers 400 invalid_field); a handler whose record keeps it calls
 * http_device_time after http_body to hand it to the domain as "device_at" in r->json (absent when not sent). */
int http_device_time_read(req_t *r);
/* The header's value: 1–15 digits, above 0, into *out; -1 for anything else (nothing written). */
int http_device_time_parse(const char *v, int64_t *out);
void http_device_time(req_t *r);

/* Language from Accept-Language: "en" when English is preferred, else "zh". */
const char *http_lang(const char *accept_language);

/* Idempotency-Key (idempotency.c): idem_begin answers a replay or a conflict itself and returns -1, or claims the
 * key inside a transaction it opens around the handler; idem_end stores the answer and commits (5xx: rolls back).
 * Keys live IDEM_TTL_MS and are swept by the scheduler (cli/maintenance.c). */
#define IDEM_TTL_MS (24LL * 3600 * 1000)
int idem_begin(req_t *r);
void idem_end(req_t *r);

/* Routing (router.c) and static files (static.c). */
void router_dispatch(req_t *r);
/* At the headers, before any body: matches the route (r->route, r->params, r->body_limit), checks the origin of
 * cookie-authenticated writes, authenticates and authorises. -1 when r->resp holds the refusal (404, 405,
 * 401, 403). */
int router_prepare(req_t *r);
void static_serve(req_t *r, const char *web_root);
void static_init(const char *web_root); /* reads the build's assets.json once, before serving */

/* The server (server.c). */
typedef struct {
	const char *listen; /* host:port */
	const char *web_root;
	int threads;
	unsigned connection_limit;
	const char *data_dir; /* uploads are spooled under <data_dir>/tmp */
	bool cookie_secure;   /* FIELDGRID_COOKIE_SECURE=1: the session cookie always carries Secure */
	bool trusted_proxy;   /* FIELDGRID_TRUSTED_PROXY=1: believe X-Forwarded-Host / X-Forwarded-Proto */
} http_config_t;

/* The edge (edge.c): connection deadlines, upload slots, origins. */
enum edge_phase { EDGE_BODY, EDGE_UPLOAD, EDGE_HANDLER, EDGE_KEEPALIVE, EDGE_WEBSOCKET };
#define EDGE_UPLOAD_RETRY_S 10
void edge_start(const http_config_t *cfg);
void edge_stop(void);
void edge_conn_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode toe);
void edge_conn_phase(struct MHD_Connection *conn, enum edge_phase phase);
long edge_conns_cut(void);
/* 429 too_many_uploads (per user or in total) unless a slot is free; release exactly once per success. */
int edge_upload_acquire(const char *user_id, fg_err_t *err);
void edge_upload_release(const char *user_id);
int edge_upload_tmpfile(void);
/* 403 csrf_origin_mismatch for a write whose Origin / Sec-Fetch-Site is not this server's (see edge.c). */
int edge_check_origin(req_t *r, bool cookie_auth, fg_err_t *err);
/* Whether the browser reached us over TLS (the session cookie then gets Secure). */
bool edge_request_is_https(req_t *r);

int http_start(const http_config_t *cfg);
/* Stops accepting, waits up to grace_ms for requests in flight, then stops. */
void http_stop(int grace_ms);

#endif
