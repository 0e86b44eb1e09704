#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "core/base/log.h"
#include "core/http/http.h"

/* The HTTP edge (issue 9): what a connection may cost before anyone has been authenticated. Three things live
 * here so server.c and router.c stay small: connection deadlines (slowloris), the upload slots (a cap per user
 * and in total) and the same-origin rule for cookie-authenticated writes (CSRF). */

static http_config_t cfg;

static int
env_int(const char *name, int dflt, int lo, int hi)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return dflt;
	char *end;
	long n = strtol(v, &end, 10);
	if (*end || n < lo || n > hi) {
		log_warn("%s=%s ignored (want %d..%d); using %d", name, v, lo, hi, dflt);
		return dflt;
	}
	return (int)n;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- connection deadlines ----
 * libmicrohttpd's MHD_OPTION_CONNECTION_TIMEOUT is an idle timeout: a client that drips one header byte every
 * few seconds is never idle and holds its connection forever. So each connection also gets a deadline for the
 * phase it is in: its headers (from connect, or from the end of its previous request plus the idle timeout),
 * its body (from the headers), none while a handler runs or a response is being sent (the idle timeout covers
 * a stalled reader), and none ever for a charger's upgraded WebSocket (src/ocpp keeps its own liveness). A
 * sweeper thread shuts down (shutdown(2), not close: the descriptor stays libmicrohttpd's, which then sees EOF
 * and cleans up as for any client that went away) every connection past its deadline. Entries are removed in
 * MHD_CONNECTION_NOTIFY_CLOSED, which libmicrohttpd calls before it closes the socket, under the same mutex as
 * the sweep, so the sweeper never touches a descriptor number that has been reused. */
typedef struct econn {
	struct econn *prev, *next;
	int fd;
	int64_t deadline_ms; /* 0: none */
	bool exempt;         /* a charger's WebSocket */
} econn_t;

static pthread_mutex_t conns_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sweep_cv = PTHREAD_COND_INITIALIZER;
static econn_t *conns;
static pthread_t sweeper;
static bool sweeping, sweep_stop;
static int header_ms, body_ms, upload_body_ms, idle_ms;
static atomic_long cut_total;

static void *
sweep_main(void *arg)
{
	pthread_mutex_lock(&conns_mu);
	while (!sweep_stop) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&sweep_cv, &conns_mu, &ts);
		int64_t now = mono_ms();
		int cut = 0;
		for (econn_t *c = conns; c; c = c->next)
			if (!c->exempt && c->deadline_ms && now > c->deadline_ms) {
				shutdown(c->fd, SHUT_RDWR);
				c->deadline_ms = 0;
				cut++;
			}
		if (cut) {
			atomic_fetch_add(&cut_total, cut);
			log_info("http: closed %d connection(s) that did not finish their request in time", cut);
		}
	}
	pthread_mutex_unlock(&conns_mu);
	return NULL;
}

void
edge_conn_notify(void *cls, struct MHD_Connection *conn, void **socket_context, enum MHD_ConnectionNotificationCode toe)
{
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		econn_t *c = fg_calloc(1, sizeof *c);
		c->fd = ci ? ci->connect_fd : -1;
		c->deadline_ms = c->fd >= 0 ? mono_ms() + header_ms : 0;
		pthread_mutex_lock(&conns_mu);
		c->next = conns;
		if (conns)
			conns->prev = c;
		conns = c;
		pthread_mutex_unlock(&conns_mu);
		*socket_context = c;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
		econn_t *c = *socket_context;
		pthread_mutex_lock(&conns_mu);
		if (c->prev)
			c->prev->next = c->next;
		else
			conns = c->next;
		if (c->next)
			c->next->prev = c->prev;
		pthread_mutex_unlock(&conns_mu);
		free(c);
		*socket_context = NULL;
	}
}

void
edge_conn_phase(struct MHD_Connection *conn, enum edge_phase phase)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	econn_t *c = ci ? ci->socket_context : NULL;
	if (!c)
		return;
	int64_t now = mono_ms();
	pthread_mutex_lock(&conns_mu);
	switch (phase) {
	case EDGE_WEBSOCKET: c->exempt = true; c->deadline_ms = 0; break;
	case EDGE_BODY: c->deadline_ms = now + body_ms; break;
	case EDGE_UPLOAD: c->deadline_ms = now + upload_body_ms; break;
	case EDGE_HANDLER: c->deadline_ms = 0; break;
	/* a kept-alive connection may sit idle (libmicrohttpd's idle timeout closes it), then send its next head */
	case EDGE_KEEPALIVE: c->deadline_ms = c->exempt ? 0 : now + idle_ms + header_ms; break;
	}
	pthread_mutex_unlock(&conns_mu);
}

long
edge_conns_cut(void)
{
	return atomic_load(&cut_total);
}

/* ---- upload slots ----
 * An upload holds a temporary file and a worker's attention for as long as its body takes; the slots bound
 * how many run at once, per user and in total, from the moment its headers are accepted until on_completed
 * (also when the client goes away). */
#define EDGE_UPLOAD_USERS_MAX 1024
static pthread_mutex_t up_mu = PTHREAD_MUTEX_INITIALIZER;
static int up_total, up_per_user_cap, up_total_cap;
static struct {
	char user[37];
	int n;
} up_users[EDGE_UPLOAD_USERS_MAX];

int
edge_upload_acquire(const char *user_id, fg_err_t *err)
{
	const char *scope = NULL;
	int limit = 0;
	pthread_mutex_lock(&up_mu);
	int free_i = -1, hit = -1;
	for (int i = 0; i < EDGE_UPLOAD_USERS_MAX; i++) {
		if (up_users[i].n && strcmp(up_users[i].user, user_id) == 0)
			hit = i;
		else if (!up_users[i].n && free_i < 0)
			free_i = i;
	}
	if (up_total >= up_total_cap || (hit < 0 && free_i < 0)) {
		scope = "server";
		limit = up_total_cap;
	} else if (hit >= 0 && up_users[hit].n >= up_per_user_cap) {
		scope = "user";
		limit = up_per_user_cap;
	} else {
		if (hit < 0) {
			hit = free_i;
			fg_fmt(up_users[hit].user, sizeof up_users[hit].user, "%s", user_id);
		}
		up_users[hit].n++;
		up_total++;
	}
	pthread_mutex_unlock(&up_mu);
	if (!scope)
		return 0;
	fg_err(err, "too_many_uploads");
	fg_err_detail_str(err, "scope", scope);
	fg_err_detail_int(err, "limit", limit);
	fg_err_detail_int(err, "retry_after", EDGE_UPLOAD_RETRY_S);
	return -1;
}

void
edge_upload_release(const char *user_id)
{
	pthread_mutex_lock(&up_mu);
	for (int i = 0; i < EDGE_UPLOAD_USERS_MAX; i++)
		if (up_users[i].n && strcmp(up_users[i].user, user_id) == 0) {
			up_users[i].n--;
			up_total--;
			break;
		}
	pthread_mutex_unlock(&up_mu);
}

/* An unlinked temporary file under <data>/tmp for an upload's body: O_TMPFILE where the filesystem has it
 * (never visible, gone with the descriptor even after a crash), else mkstemp and unlink at once. The same
 * filesystem as <data>/attachments, so attach_store can link it into place instead of copying. */
int
edge_upload_tmpfile(void)
{
	char dir[1100];
	const char *data = cfg.data_dir ? cfg.data_dir : ".";
	fg_fmt(dir, sizeof dir, "%s/tmp", data);
	/* on PostgreSQL nothing else may have made the data directory yet (attachments make theirs on first use) */
	if ((mkdir(data, 0700) != 0 && errno != EEXIST) || (mkdir(dir, 0700) != 0 && errno != EEXIST))
		return -1;
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	char tmpl[1200];
	fg_fmt(tmpl, sizeof tmpl, "%s/upload-XXXXXX", dir);
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd >= 0)
		unlink(tmpl);
	return fd;
}

/* ---- origins (CSRF) ----
 * A browser attaches the session cookie to any request to our host, whoever's page sends it; a form or a
 * `text/plain` fetch from another site needs no CORS preflight. So a write that is authenticated by the cookie
 * must show it comes from our own pages: its Origin names this server's origin, or (no Origin) Sec-Fetch-Site
 * is same-origin. Bearer tokens are never attached by a browser on its own, so those clients are unaffected.
 * "This server's origin" is the Host header, or X-Forwarded-Host / X-Forwarded-Proto when a trusted proxy
 * (FIELDGRID_TRUSTED_PROXY=1: nginx in front, which sets them) says what the browser used. Without a trusted
 * proxy the scheme is not known here (TLS ends at nginx), so only host and port are compared, with the
 * default port of the Origin's scheme left out on both sides. */

static bool
is_write(const char *m)
{
	return strcmp(m, "POST") == 0 || strcmp(m, "PATCH") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "DELETE") == 0;
}

/* host[:port] lower-cased into out, without the scheme's default port. */
static void
norm_authority(const char *a, size_t n, const char *scheme, char *out, size_t outn)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < outn; i++)
		out[k++] = (char)((a[i] >= 'A' && a[i] <= 'Z') ? a[i] + 32 : a[i]);
	out[k] = 0;
	const char *dflt = scheme && strcmp(scheme, "https") == 0 ? ":443" : scheme && strcmp(scheme, "http") == 0 ? ":80" : NULL;
	size_t dl = dflt ? strlen(dflt) : 0;
	if (dflt && k > dl && strcmp(out + k - dl, dflt) == 0)
		out[k - dl] = 0;
}

static bool
origin_is_ours(req_t *r, const char *origin)
{
	const char *sep = strstr(origin, "://");
	if (!sep || sep == origin || sep - origin > 8)
		return false; /* includes "null" (sandboxed frames, file:) */
	char scheme[9];
	fg_fmt(scheme, sizeof scheme, "%.*s", (int)(sep - origin), origin);
	for (char *p = scheme; *p; p++)
		*p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
	const char *auth = sep + 3;
	size_t an = strlen(auth);
	if (an == 0 || an > 255 || strchr(auth, '/'))
		return false;
	const char *host = NULL, *proto = NULL;
	size_t hn = 0;
	if (cfg.trusted_proxy) {
		host = http_header_in(r, "X-Forwarded-Host");
		proto = http_header_in(r, "X-Forwarded-Proto");
	}
	if (!host || !*host)
		host = http_header_in(r, "Host");
	if (!host)
		return false;
	hn = strcspn(host, ", "); /* the first of a list (the proxy closest to the browser) */
	if (proto) {
		size_t pn = strcspn(proto, ", ");
		if (pn != strlen(scheme) || strncasecmp(proto, scheme, pn) != 0)
			return false;
	}
	char a[260], b[260];
	norm_authority(auth, an, scheme, a, sizeof a);
	norm_authority(host, hn, scheme, b, sizeof b);
	return strcmp(a, b) == 0;
}

int
edge_check_origin(req_t *r, bool cookie_auth, fg_err_t *err)
{
	if (!is_write(r->method))
		return 0;
	const char *origin = http_header_in(r, "Origin");
	const char *site = http_header_in(r, "Sec-Fetch-Site");
	bool ok;
	if (origin)
		ok = origin_is_ours(r, origin);
	else if (site)
		/* "none" is a navigation the user started (typed, bookmarked): no page of anyone's sent it */
		ok = strcasecmp(site, "same-origin") == 0 || (!cookie_auth && strcasecmp(site, "none") == 0);
	else
		/* no browser sends a cookie-authenticated write with neither header (every current one sends Origin on
		 * POST/PATCH/PUT/DELETE); a program without them (curl, a phone) signs in with a bearer token */
		ok = !cookie_auth;
	if (ok)
		return 0;
	fg_err(err, "csrf_origin_mismatch");
	fg_err_detail_str(err, "origin", origin ? origin : "");
	if (!origin && site)
		fg_err_detail_str(err, "sec_fetch_site", site);
	return -1;
}

bool
edge_request_is_https(req_t *r)
{
	if (cfg.cookie_secure)
		return true;
	if (!cfg.trusted_proxy)
		return false;
	const char *p = http_header_in(r, "X-Forwarded-Proto");
	return p && strncasecmp(p, "https", 5) == 0 && (p[5] == 0 || p[5] == ',' || p[5] == ' ');
}

void
edge_start(const http_config_t *c)
{
	cfg = *c;
	header_ms = env_int("FIELDGRID_HEADER_TIMEOUT_S", 15, 1, 3600) * 1000;
	body_ms = env_int("FIELDGRID_BODY_TIMEOUT_S", 60, 1, 3600) * 1000;
	upload_body_ms = env_int("FIELDGRID_UPLOAD_TIMEOUT_S", 600, 1, 24 * 3600) * 1000;
	idle_ms = (int)HTTP_IDLE_TIMEOUT_S * 1000;
	up_per_user_cap = env_int("FIELDGRID_UPLOADS_PER_USER", 4, 1, 1000);
	up_total_cap = env_int("FIELDGRID_UPLOADS_TOTAL", 64, 1, EDGE_UPLOAD_USERS_MAX);
	sweep_stop = false;
	sweeping = pthread_create(&sweeper, NULL, sweep_main, NULL) == 0;
	if (!sweeping)
		log_error("http: cannot start the connection deadline sweeper");
}

void
edge_stop(void)
{
	if (!sweeping)
		return;
	pthread_mutex_lock(&conns_mu);
	sweep_stop = true;
	pthread_cond_signal(&sweep_cv);
	pthread_mutex_unlock(&conns_mu);
	pthread_join(sweeper, NULL);
	sweeping = false;
}
