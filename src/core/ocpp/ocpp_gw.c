/* The OCPP gateway loop (docs/architecture.md "OCPP gateway"; ENGINEERING.md §1 pitfalls 3–10).
 *
 * One thread runs one epoll set holding every charger's socket (handed over by libmicrohttpd after the
 * handshake), one eventfd (the inbox) and nothing else; a 1 s epoll timeout drives the timers. Each charger has
 * its own wslay server context, touched only by this thread.
 *
 * This loop never touches the database and never waits on anything but epoll:
 *   - A CALL from a charger is parsed and checked against the OCPP 1.6 schema here (ocpp_frame.c,
 *     ocpp_schema.c); a bad one gets its CALLERROR at once. Heartbeat is answered here. Every other CALL goes
 *     to the writer as a job; the writer answers after its transaction commits, by pushing the ready frame
 *     into our inbox (gw_reply) and waking us.
 *   - An operator command comes from an HTTP worker (ocpp_send_command) through the same inbox. We send it as a
 *     CALL with the command's id as message id, one at a time per charger (OCPP-J §4.1.1 synchronicity), and
 *     hand the CALLRESULT, CALLERROR, timeout or disconnect to the writer, which settles the command's row.
 *   - Repeated message ids: the last GW_RECENT inbound CALLs are remembered with their answers. The same id
 *     with the same bytes (a charger retrying because our answer was lost) gets the same answer again without
 *     being processed twice; while it is still at the writer the copy is dropped; the same id with other
 *     content is a ProtocolError.
 *   - Liveness is the last frame or pong: we ping after GW_PING_MS of silence and close after the idle limit
 *     (2 × the heartbeat interval + 60 s, or FG_OCPP_IDLE_S). Connect, disconnect and "seen" (at most every
 *     GW_SEEN_MS) go to the writer for the live board.
 *   - Frames are capped at 64 KiB (wslay closes with 1009); invalid UTF-8 closes with 1007 (wslay); a binary
 *     message closes with 1003.
 *
 * Sockets: never close(2) them. We remove the fd from epoll, then call MHD_upgrade_action(CLOSE) exactly once
 * (pitfall 5). ocpp_stop closes every connection before the server calls MHD_stop_daemon (pitfall 8).
 *
 * This file owns the loop itself and its edges with other threads: the thread, the epoll set, the inbox (adopt,
 * the writer's replies, operator commands), the jobs it hands the writer, and the 1 s timers. The rest is one
 * concern a file (see ocpp_gw_internal.h): the connection registry, a charger's WebSocket session, dispatching
 * its messages, and our outbound CALLs. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include "core/base/embed.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/ocpp/ocpp.h"
#include "core/ocpp/ocpp_schema.h"
#include "core/ocpp/ocpp_internal.h"
#include "core/ocpp/ocpp_gw_internal.h"

/* The inbox: what other threads ask of the loop. */
enum item_kind { IT_ADOPT, IT_REPLY, IT_COMMAND };
typedef struct item {
	struct item *next;
	enum item_kind kind;
	char cpid[65];
	uint64_t serial;
	char id[37];
	char *text; /* IT_REPLY frame; IT_COMMAND CALL frame */
	char action[65];
	int timeout_s;
	gw_hello_t hello;
	char *extra;
	size_t extra_len;
	MHD_socket sock;
	struct MHD_UpgradeResponseHandle *urh;
} item_t;

static pthread_mutex_t inbox_mu = PTHREAD_MUTEX_INITIALIZER;
static item_t *inbox_head, *inbox_tail;
static int inbox_fd = -1;
int gw_ep = -1;
static pthread_t thread;
static atomic_bool running; /* read by ocpp_close_all on other threads */
static bool accepting; /* under inbox_mu: false once stopping */
static atomic_bool stop_flag;
/* ocpp_close_all's request to the loop: its reason (a string that lives as long as the program), NULL when none */
static _Atomic(const char *) close_all_reason;

static int64_t ping_ms = 60000, idle_override_ms = 0;

/* ---------- the inbox ---------- */

static bool
inbox_push(item_t *it)
{
	it->next = NULL;
	pthread_mutex_lock(&inbox_mu);
	if (!accepting) {
		pthread_mutex_unlock(&inbox_mu);
		return false;
	}
	if (inbox_tail)
		inbox_tail->next = it;
	else
		inbox_head = it;
	inbox_tail = it;
	pthread_mutex_unlock(&inbox_mu);
	uint64_t one = 1;
	if (write(inbox_fd, &one, sizeof one) < 0 && errno != EAGAIN)
		log_error("ocpp: inbox eventfd write: %s", strerror(errno));
	return true;
}

/* Everything in the inbox, which is left empty. */
static item_t *
inbox_take(void)
{
	pthread_mutex_lock(&inbox_mu);
	item_t *it = inbox_head;
	inbox_head = inbox_tail = NULL;
	pthread_mutex_unlock(&inbox_mu);
	return it;
}

static void
item_free(item_t *it)
{
	free(it->text);
	free(it->extra);
	free(it);
}

void
gw_adopt(const gw_hello_t *h, const char *extra_in, size_t extra_len, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
	item_t *it = fg_calloc(1, sizeof *it);
	it->kind = IT_ADOPT;
	it->hello = *h;
	if (extra_len) {
		it->extra = fg_malloc(extra_len);
		memcpy(it->extra, extra_in, extra_len);
		it->extra_len = extra_len;
	}
	it->sock = sock;
	it->urh = urh;
	gw_adopting_add(h->cpid);
	if (!inbox_push(it)) { /* stopping: let MHD close it */
		gw_adopting_del(h->cpid);
		MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
		item_free(it);
	}
}

void
gw_reply(const char *cpid, uint64_t serial, const char *msg_id, char *frame)
{
	item_t *it = fg_calloc(1, sizeof *it);
	it->kind = IT_REPLY;
	fg_fmt(it->cpid, sizeof it->cpid, "%s", cpid);
	fg_fmt(it->id, sizeof it->id, "%s", msg_id);
	it->serial = serial;
	it->text = frame;
	if (!inbox_push(it)) {
		free(frame);
		free(it);
	}
}

int
ocpp_send_command(const char *cpid, const char *cmd_id, const char *action, json_t *payload, int timeout_s)
{
	if (!ocpp_connected(cpid))
		return -1;
	item_t *it = fg_calloc(1, sizeof *it);
	it->kind = IT_COMMAND;
	fg_fmt(it->cpid, sizeof it->cpid, "%s", cpid);
	fg_fmt(it->id, sizeof it->id, "%s", cmd_id);
	fg_fmt(it->action, sizeof it->action, "%s", action);
	it->text = ocpp_frame_call(cmd_id, action, payload);
	it->timeout_s = timeout_s;
	if (!inbox_push(it)) {
		free(it->text);
		free(it);
		return -1;
	}
	return 0;
}

/* ---------- jobs for the writer ---------- */

job_t *
gw_job(gw_conn_t *c, enum job_kind kind, const char *action)
{
	job_t *j = fg_calloc(1, sizeof *j);
	j->kind = kind;
	j->serial = c->serial;
	fg_fmt(j->cpid, sizeof j->cpid, "%s", c->cpid);
	fg_fmt(j->charger_id, sizeof j->charger_id, "%s", c->charger_id);
	fg_fmt(j->action, sizeof j->action, "%s", action);
	j->at = fg_now_ms();
	return j;
}

void
gw_link_job(gw_conn_t *c, const char *what)
{
	writer_push(gw_job(c, JOB_LINK, what));
}

/* ---------- the loop ---------- */

static void
drain_inbox(void)
{
	uint64_t v;
	if (read(inbox_fd, &v, sizeof v) < 0 && errno != EAGAIN)
		log_error("ocpp: inbox eventfd read: %s", strerror(errno));
	for (item_t *it = inbox_take(), *nx; it; it = nx) {
		nx = it->next;
		if (it->kind == IT_ADOPT) {
			gw_conn_adopt(&it->hello, it->extra, it->extra_len, it->sock, it->urh);
			it->extra = NULL;
			gw_adopting_del(it->hello.cpid);
		} else if (it->kind == IT_REPLY) {
			gw_conn_t *c = gw_lookup(it->cpid);
			if (c && c->serial == it->serial)
				gw_dispatch_reply(c, it->id, it->text);
		} else { /* IT_COMMAND */
			gw_calls_take(gw_lookup(it->cpid), it->id, it->action, it->text, it->timeout_s);
			it->text = NULL;
		}
		item_free(it);
	}
}

static int64_t
idle_limit(gw_conn_t *c)
{
	return idle_override_ms ? idle_override_ms : (2 * (int64_t)c->hb_interval + 60) * 1000;
}

static void
timers(void)
{
	int64_t now = fg_now_ms();
	for (gw_conn_t *c = gw_all, *nx; c; c = nx) {
		nx = c->all_next;
		if (c->closing) {
			gw_conn_free(c, "connection lost");
			continue;
		}
		if (c->close_at) {
			if (now >= c->close_at)
				gw_conn_free(c, "closed");
			continue;
		}
		if (now - c->last_rx > idle_limit(c)) {
			gw_start_close(c, WSLAY_CODE_GOING_AWAY, "idle");
			gw_update_interest(c);
			continue;
		}
		if (now - c->last_rx >= ping_ms && now - c->last_ping >= ping_ms)
			gw_conn_ping(c, now);
		gw_calls_tick(c, now);
		if (c->in_table && c->last_rx - c->seen_sent >= GW_SEEN_MS) {
			gw_link_job(c, "seen");
			c->seen_sent = c->last_rx;
		}
	}
}

static void *
loop(void *arg)
{
	struct epoll_event evs[256];
	int64_t last_tick = fg_now_ms();
	while (!atomic_load(&stop_flag)) {
		int n = epoll_wait(gw_ep, evs, 256, 1000);
		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr == NULL)
				drain_inbox();
			else
				gw_on_io(evs[i].data.ptr, evs[i].events);
		}
		const char *why = atomic_exchange(&close_all_reason, NULL);
		if (why) {
			int closed = 0;
			for (gw_conn_t *c = gw_all; c; c = c->all_next, closed++) {
				gw_start_close(c, WSLAY_CODE_GOING_AWAY, why);
				gw_update_interest(c);
			}
			log_warn("ocpp: closing every charger's connection (%d): %s", closed, why);
		}
		int64_t now = fg_now_ms();
		if (now - last_tick >= 1000) {
			timers();
			last_tick = now;
		}
	}
	/* stopping: close every charger (CLOSE each urh once) before the server stops libmicrohttpd */
	pthread_mutex_lock(&inbox_mu);
	accepting = false;
	pthread_mutex_unlock(&inbox_mu);
	drain_inbox(); /* adopt what was handed over, so its urh is closed too */
	while (gw_all) {
		gw_start_close(gw_all, WSLAY_CODE_GOING_AWAY, "server stopping");
		gw_conn_free(gw_all, "server stopping");
	}
	return NULL;
}

int
gw_start(void)
{
	const char *p = getenv("FG_OCPP_PING_S"), *idle = getenv("FG_OCPP_IDLE_S");
	if (p && atoi(p) > 0)
		ping_ms = (int64_t)atoi(p) * 1000;
	if (idle && atoi(idle) > 0)
		idle_override_ms = (int64_t)atoi(idle) * 1000;
	gw_ep = epoll_create1(EPOLL_CLOEXEC);
	inbox_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (gw_ep < 0 || inbox_fd < 0)
		return -1;
	struct epoll_event e = {.events = EPOLLIN, .data.ptr = NULL};
	if (epoll_ctl(gw_ep, EPOLL_CTL_ADD, inbox_fd, &e) != 0)
		return -1;
	accepting = true;
	atomic_store(&stop_flag, false);
	if (pthread_create(&thread, NULL, loop, NULL) != 0)
		return -1;
	running = true;
	return 0;
}

void
gw_stop(void)
{
	if (!running)
		return;
	atomic_store(&stop_flag, true);
	uint64_t one = 1;
	if (write(inbox_fd, &one, sizeof one) < 0)
		log_error("ocpp: inbox eventfd write: %s", strerror(errno));
	pthread_join(thread, NULL);
	running = false;
	/* replies the writer sends from now on are dropped (accepting is false) */
	for (item_t *it = inbox_take(), *nx; it; it = nx) {
		nx = it->next;
		if (it->kind == IT_ADOPT) {
			MHD_upgrade_action(it->urh, MHD_UPGRADE_ACTION_CLOSE);
			gw_adopting_del(it->hello.cpid);
		}
		item_free(it);
	}
	close(gw_ep);
	close(inbox_fd);
	gw_ep = inbox_fd = -1;
}

void
ocpp_close_all(const char *reason)
{
	if (!running)
		return;
	atomic_store(&close_all_reason, reason);
	uint64_t one = 1;
	if (write(inbox_fd, &one, sizeof one) < 0)
		log_error("ocpp: inbox eventfd write: %s", strerror(errno));
}

int
ocpp_start(void)
{
	const embed_file_t *f = embed_find("data/ocpp/ocpp16.json");
	if (!f || ocpp_schema_load_text(f->data, f->len) != 0) {
		log_error("ocpp: the embedded OCPP 1.6 schemas do not load");
		return -1;
	}
	if (writer_start() != 0 || gw_start() != 0) {
		log_error("ocpp: cannot start the gateway threads");
		return -1;
	}
	return 0;
}

void
ocpp_stop(void)
{
	gw_stop();
	writer_stop();
}
