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
 * (pitfall 5). ocpp_stop closes every connection before the server calls MHD_stop_daemon (pitfall 8). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <wslay/wslay.h>
#include "core/base/embed.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/ocpp/ocpp.h"
#include "core/ocpp/ocpp_frame.h"
#include "core/ocpp/ocpp_schema.h"
#include "core/ocpp/ocpp_internal.h"

#define GW_MAX_MSG (64 * 1024)
#define GW_RECENT 8
#define GW_CMD_QUEUE 16
#define GW_SEEN_MS 15000
#define GW_CLOSE_GRACE_MS 2000
#define GW_BUCKETS 16384
#define GW_WRITER_MAX 50000 /* jobs waiting at the writer before new CALLs are refused */
#define GW_CONN_INFLIGHT 4  /* CALLs of one charger at the writer (OCPP-J: it SHOULD wait for each answer) */

typedef struct cmd {
	struct cmd *next;
	char id[37];
	char action[65];
	char *frame;
	int timeout_s;
} cmd_t;

typedef struct conn {
	struct conn *hnext; /* the cpid table */
	struct conn *all_next, *all_prev;
	int fd;
	struct MHD_UpgradeResponseHandle *urh;
	wslay_event_context_ptr ws;
	uint64_t serial;
	char cpid[65], charger_id[37];
	int hb_interval;
	char *extra; /* bytes MHD read past the headers (pitfall 4) */
	size_t extra_len, extra_off;
	int64_t last_rx, last_ping, seen_sent, close_at;
	uint32_t events;
	bool closing, in_table;
	bool in_recv;  /* inside wslay_event_recv: queue only, on_io sends after */
	bool draining; /* our close frame is out and reading is over: discard input until EOF or close_at */
	/* our CALL in flight and the queue behind it */
	cmd_t *out, *q_head, *q_tail;
	int q_len;
	int64_t out_sent;
	/* the last inbound CALLs: id, hash of the bytes, our answer (NULL while the writer has it) */
	struct {
		char id[37];
		uint64_t hash;
		char *reply;
	} recent[GW_RECENT];
	int recent_next;
	int at_writer; /* its CALLs the writer has not answered yet */
} conn_t;

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
static int inbox_fd = -1, ep = -1;
static pthread_t thread;
static bool running;
static bool accepting; /* under inbox_mu: false once stopping */
static atomic_bool stop_flag;

/* cpid → connection. The loop is the only writer; other threads read it under reg_mu (ocpp_connected). */
static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static conn_t *table[GW_BUCKETS];
static conn_t *all; /* every connection, for the timers */
static uint64_t next_serial = 1;
static int64_t ping_ms = 60000, idle_override_ms = 0;

static uint64_t
fnv(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ULL;
	return h;
}

static conn_t *
lookup(const char *cpid)
{
	for (conn_t *c = table[fnv(cpid, strlen(cpid)) % GW_BUCKETS]; c; c = c->hnext)
		if (strcmp(c->cpid, cpid) == 0)
			return c;
	return NULL;
}

static void
table_add(conn_t *c)
{
	size_t b = fnv(c->cpid, strlen(c->cpid)) % GW_BUCKETS;
	pthread_mutex_lock(&reg_mu);
	c->hnext = table[b];
	table[b] = c;
	c->in_table = true;
	pthread_mutex_unlock(&reg_mu);
}

static void
table_del(conn_t *c)
{
	if (!c->in_table)
		return;
	size_t b = fnv(c->cpid, strlen(c->cpid)) % GW_BUCKETS;
	pthread_mutex_lock(&reg_mu);
	for (conn_t **pp = &table[b]; *pp; pp = &(*pp)->hnext) {
		if (*pp == c) {
			*pp = c->hnext;
			break;
		}
	}
	c->in_table = false;
	pthread_mutex_unlock(&reg_mu);
}

/* Chargers between their 101 and the loop's adopt: connected for the API already (under reg_mu). */
typedef struct adopting {
	struct adopting *next;
	char cpid[65];
} adopting_t;
static adopting_t *adopting;

static void
adopting_del(const char *cpid)
{
	pthread_mutex_lock(&reg_mu);
	for (adopting_t **pp = &adopting; *pp; pp = &(*pp)->next) {
		if (strcmp((*pp)->cpid, cpid) == 0) {
			adopting_t *a = *pp;
			*pp = a->next;
			free(a);
			break;
		}
	}
	pthread_mutex_unlock(&reg_mu);
}

bool
ocpp_connected(const char *cpid)
{
	pthread_mutex_lock(&reg_mu);
	bool yes = false;
	for (adopting_t *a = adopting; a && !yes; a = a->next)
		yes = strcmp(a->cpid, cpid) == 0;
	for (conn_t *c = table[fnv(cpid, strlen(cpid)) % GW_BUCKETS]; c; c = c->hnext)
		if (strcmp(c->cpid, cpid) == 0 && !c->closing)
			yes = true;
	pthread_mutex_unlock(&reg_mu);
	return yes;
}

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
	adopting_t *a = fg_calloc(1, sizeof *a);
	fg_fmt(a->cpid, sizeof a->cpid, "%s", h->cpid);
	pthread_mutex_lock(&reg_mu);
	a->next = adopting;
	adopting = a;
	pthread_mutex_unlock(&reg_mu);
	if (!inbox_push(it)) { /* stopping: let MHD close it */
		adopting_del(h->cpid);
		MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
		free(it->extra);
		free(it);
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

static job_t *
job(conn_t *c, enum job_kind kind, const char *action)
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

static void
link_job(conn_t *c, const char *what)
{
	writer_push(job(c, JOB_LINK, what));
}

/* A command's end: status answered|failed|timeout|disconnected */
static void
cmd_done(conn_t *c, cmd_t *cmd, const char *status, json_t *result, const char *code, const char *desc)
{
	job_t *j = job(c, JOB_CMD_DONE, status);
	fg_fmt(j->msg_id, sizeof j->msg_id, "%s", cmd->id);
	j->payload = result ? json_incref(result) : NULL;
	if (code)
		fg_fmt(j->error_code, sizeof j->error_code, "%s", code);
	if (desc)
		fg_fmt(j->error_desc, sizeof j->error_desc, "%s", desc);
	writer_push(j);
	free(cmd->frame);
	free(cmd);
}

/* ---------- sending ---------- */

static void
update_interest(conn_t *c)
{
	uint32_t ev = 0;
	if (wslay_event_want_read(c->ws))
		ev |= EPOLLIN;
	if (wslay_event_want_write(c->ws))
		ev |= EPOLLOUT;
	if (ev == 0)
		ev = EPOLLIN; /* closing: wait for the timer or the peer's FIN */
	if (ev != c->events) {
		struct epoll_event e = {.events = ev | EPOLLRDHUP, .data.ptr = c};
		if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e) == 0)
			c->events = ev;
	}
}

static void
send_text(conn_t *c, const char *text)
{
	struct wslay_event_msg m = {.opcode = WSLAY_TEXT_FRAME, .msg = (const uint8_t *)text, .msg_length = strlen(text)};
	if (wslay_event_queue_msg(c->ws, &m) != 0)
		return; /* closing: nothing more goes out */
	if (!c->in_recv && wslay_event_send(c->ws) != 0)
		c->closing = true;
}

static void
start_close(conn_t *c, uint16_t code, const char *reason)
{
	if (!c->close_at) {
		wslay_event_queue_close(c->ws, code, (const uint8_t *)reason, strlen(reason));
		if (!c->in_recv)
			wslay_event_send(c->ws);
		c->close_at = fg_now_ms() + GW_CLOSE_GRACE_MS;
	}
}

static void
send_next_command(conn_t *c)
{
	if (c->out || !c->q_head || c->close_at)
		return;
	c->out = c->q_head;
	c->q_head = c->out->next;
	if (!c->q_head)
		c->q_tail = NULL;
	c->q_len--;
	c->out_sent = fg_now_ms();
	send_text(c, c->out->frame);
}

/* ---------- connections ---------- */

static void
conn_free(conn_t *c, const char *why)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL); /* before MHD closes the fd, whose number may be reused at once */
	MHD_upgrade_action(c->urh, MHD_UPGRADE_ACTION_CLOSE);
	bool current = c->in_table;
	table_del(c);
	if (c->all_prev)
		c->all_prev->all_next = c->all_next;
	else
		all = c->all_next;
	if (c->all_next)
		c->all_next->all_prev = c->all_prev;
	if (c->out)
		cmd_done(c, c->out, "disconnected", NULL, NULL, "the charger disconnected before answering");
	for (cmd_t *q = c->q_head, *nx; q; q = nx) {
		nx = q->next;
		cmd_done(c, q, "disconnected", NULL, NULL, "the charger disconnected before the command was sent");
	}
	if (current) /* only connections that were announced (not the refused ones without ocpp1.6) */
		link_job(c, "disconnected");
	log_info("ocpp %s disconnected (%s)", c->cpid, why);
	wslay_event_context_free(c->ws);
	for (int i = 0; i < GW_RECENT; i++)
		free(c->recent[i].reply);
	free(c->extra);
	free(c);
}

static ssize_t
recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *user)
{
	conn_t *c = user;
	if (c->extra_off < c->extra_len) {
		size_t n = c->extra_len - c->extra_off < len ? c->extra_len - c->extra_off : len;
		memcpy(buf, c->extra + c->extra_off, n);
		c->extra_off += n;
		return (ssize_t)n;
	}
	ssize_t r;
	while ((r = recv(c->fd, buf, len, 0)) < 0 && errno == EINTR)
		;
	if (r < 0) {
		wslay_event_set_error(ctx, errno == EAGAIN || errno == EWOULDBLOCK ? WSLAY_ERR_WOULDBLOCK : WSLAY_ERR_CALLBACK_FAILURE);
		return -1;
	}
	if (r == 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
		return -1;
	}
	c->last_rx = fg_now_ms();
	return r;
}

static ssize_t
send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags, void *user)
{
	conn_t *c = user;
	ssize_t r;
	/* wslay hands a frame's header and its payload separately: MSG_MORE keeps them in one segment (with
	 * TCP_NODELAY the last part leaves at once; without both, the payload waited for the charger's delayed ACK,
	 * ~40 ms a reply, as bench/ocpp measured) */
	int more = (flags & WSLAY_MSG_MORE) ? MSG_MORE : 0;
	while ((r = send(c->fd, data, len, MSG_NOSIGNAL | more)) < 0 && errno == EINTR)
		;
	if (r < 0) {
		wslay_event_set_error(ctx, errno == EAGAIN || errno == EWOULDBLOCK ? WSLAY_ERR_WOULDBLOCK : WSLAY_ERR_CALLBACK_FAILURE);
		return -1;
	}
	return r;
}

static const char *const inbound[] = {"Authorize", "BootNotification", "DataTransfer", "DiagnosticsStatusNotification",
    "FirmwareStatusNotification", "Heartbeat", "MeterValues", "StartTransaction", "StatusNotification", "StopTransaction",
    NULL};

static bool
is_inbound(const char *action)
{
	for (int i = 0; inbound[i]; i++)
		if (strcmp(inbound[i], action) == 0)
			return true;
	return false;
}

static void
reply_error(conn_t *c, const char *id, const char *code, const char *desc)
{
	char *f = ocpp_frame_error(id, code, desc);
	send_text(c, f);
	free(f);
}

static void
on_call(conn_t *c, ocpp_frame_t *f, uint64_t hash)
{
	for (int i = 0; i < GW_RECENT; i++) {
		if (strcmp(c->recent[i].id, f->id) != 0)
			continue;
		if (c->recent[i].hash != hash) {
			reply_error(c, f->id, "ProtocolError", "this MessageId was already used for another message on this connection");
		} else if (c->recent[i].reply) {
			send_text(c, c->recent[i].reply); /* our answer was lost: the same answer again */
		} /* else: still at the writer; its answer will come once */
		return;
	}
	ocpp_fault_t ft;
	if (!is_inbound(f->action)) {
		if (ocpp_schema_get(f->action, false))
			reply_error(c, f->id, "NotSupported", "a central system does not take this action from a charge point");
		else
			reply_error(c, f->id, "NotImplemented", "unknown action");
		return;
	}
	if (ocpp_schema_check(ocpp_schema_get(f->action, false), f->payload, &ft) != 0) {
		reply_error(c, f->id, ft.code, ft.desc);
		return;
	}
	int slot = c->recent_next;
	c->recent_next = (c->recent_next + 1) % GW_RECENT;
	free(c->recent[slot].reply);
	c->recent[slot].reply = NULL;
	fg_fmt(c->recent[slot].id, sizeof c->recent[slot].id, "%s", f->id);
	c->recent[slot].hash = hash;
	if (strcmp(f->action, "Heartbeat") == 0) { /* answered from memory */
		char t[32];
		ocpp_format_time(fg_now_ms(), t);
		json_t *p = json_pack("{s:s}", "currentTime", t);
		c->recent[slot].reply = ocpp_frame_result(f->id, p);
		json_decref(p);
		send_text(c, c->recent[slot].reply);
		return;
	}
	if (c->at_writer >= GW_CONN_INFLIGHT) {
		c->recent[slot].id[0] = 0;
		reply_error(c, f->id, "ProtocolError", "too many CALLs without waiting for our answers");
		return;
	}
	if (writer_backlog() > GW_WRITER_MAX) {
		c->recent[slot].id[0] = 0;
		reply_error(c, f->id, "InternalError", "the central system is busy; retry later");
		return;
	}
	c->at_writer++;
	job_t *j = job(c, JOB_CALL, f->action);
	fg_fmt(j->msg_id, sizeof j->msg_id, "%s", f->id);
	j->payload = json_incref(f->payload);
	writer_push(j);
}

static void
on_answer(conn_t *c, ocpp_frame_t *f)
{
	if (!c->out || strcmp(c->out->id, f->id) != 0) {
		log_warn("ocpp %s: an answer to no CALL of ours (id %s)", c->cpid, f->id);
		return;
	}
	cmd_t *cmd = c->out;
	c->out = NULL;
	if (f->type == OCPP_CALLRESULT) {
		/* the charger's answer is stored as it came; a malformed one is recorded as a failure */
		ocpp_fault_t ft;
		if (ocpp_schema_check(ocpp_schema_get(cmd->action, true), f->payload, &ft) != 0)
			cmd_done(c, cmd, "failed", f->payload, ft.code, ft.desc);
		else
			cmd_done(c, cmd, "answered", f->payload, NULL, NULL);
	} else {
		cmd_done(c, cmd, "failed", f->payload, f->error_code, f->error_desc);
	}
	send_next_command(c);
}

static void
on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg, void *user)
{
	conn_t *c = user;
	if (arg->opcode == WSLAY_BINARY_FRAME) {
		start_close(c, WSLAY_CODE_UNSUPPORTED_DATA, "OCPP-J messages are text");
		return;
	}
	if (arg->opcode != WSLAY_TEXT_FRAME || c->close_at)
		return; /* ping (wslay answers it), pong (last_rx is already set), close (wslay answers it) */
	ocpp_frame_t f;
	ocpp_fault_t ft;
	int rc = ocpp_frame_parse((const char *)arg->msg, arg->msg_length, &f, &ft);
	if (rc == 1)
		return;
	if (rc < 0) {
		if (f.type == OCPP_CALLRESULT || f.type == OCPP_CALLERROR) /* never answer an answer */
			log_warn("ocpp %s: malformed answer dropped: %s", c->cpid, ft.desc);
		else
			reply_error(c, f.id, ft.code, ft.desc);
		ocpp_frame_clear(&f);
		return;
	}
	if (f.type == OCPP_CALL)
		on_call(c, &f, fnv(arg->msg, arg->msg_length));
	else
		on_answer(c, &f);
	ocpp_frame_clear(&f);
}

static void on_io(conn_t *c, uint32_t ev);

/* A second connection with the same chargePointId: the old one leaves the table at once (the new one takes its place
 * for replies and commands; the disconnect is recorded now, before the new connect, so the charger stays online),
 * and gets a Close frame naming why, then the usual close path: read and drop until the peer's FIN or
 * GW_CLOSE_GRACE_MS. Freeing it at once would close with the Close frame unsent and bytes unread: the client would
 * see 1006 and no reason. 1008 (policy violation) because the peer is told not to keep two connections. */
static void
replace(conn_t *old)
{
	table_del(old);
	link_job(old, "disconnected");
	if (old->out) {
		cmd_done(old, old->out, "disconnected", NULL, NULL, "the charger reconnected before answering");
		old->out = NULL;
	}
	for (cmd_t *q = old->q_head, *nx; q; q = nx) {
		nx = q->next;
		cmd_done(old, q, "disconnected", NULL, NULL, "the charger reconnected before the command was sent");
	}
	old->q_head = old->q_tail = NULL;
	old->q_len = 0;
	log_info("ocpp %s replaced by a new connection; closing the old one", old->cpid);
	if (old->closing) { /* its socket already failed: nothing can be sent */
		conn_free(old, "replaced by a new connection");
		return;
	}
	start_close(old, WSLAY_CODE_POLICY_VIOLATION, "replaced by a new connection");
	update_interest(old);
}

static void
adopt(item_t *it)
{
	conn_t *old = lookup(it->hello.cpid);
	if (old) /* the charger came back before we noticed it left: the new connection wins */
		replace(old);
	conn_t *c = fg_calloc(1, sizeof *c);
	c->fd = it->sock;
	int one = 1; /* answers are small and latency matters: no Nagle (a socketpair under TLS-in-MHD refuses it) */
	if (setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0 && errno != EOPNOTSUPP && errno != ENOPROTOOPT)
		log_warn("ocpp: TCP_NODELAY on %s: %s", it->hello.cpid, strerror(errno));
	c->urh = it->urh;
	c->serial = next_serial++;
	fg_fmt(c->cpid, sizeof c->cpid, "%s", it->hello.cpid);
	fg_fmt(c->charger_id, sizeof c->charger_id, "%s", it->hello.charger_id);
	c->hb_interval = it->hello.heartbeat_interval > 0 ? it->hello.heartbeat_interval : 300;
	c->extra = it->extra;
	c->extra_len = it->extra_len;
	it->extra = NULL;
	c->last_rx = c->last_ping = c->seen_sent = fg_now_ms();
	static const struct wslay_event_callbacks cbs = {recv_cb, send_cb, NULL, NULL, NULL, NULL, on_msg};
	if (wslay_event_context_server_init(&c->ws, &cbs, c) != 0) {
		MHD_upgrade_action(c->urh, MHD_UPGRADE_ACTION_CLOSE);
		free(c->extra);
		free(c);
		return;
	}
	wslay_event_config_set_max_recv_msg_length(c->ws, GW_MAX_MSG);
	struct epoll_event e = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
	c->events = EPOLLIN;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &e) != 0) {
		log_error("ocpp: epoll_ctl: %s", strerror(errno));
		wslay_event_context_free(c->ws);
		MHD_upgrade_action(c->urh, MHD_UPGRADE_ACTION_CLOSE);
		free(c->extra);
		free(c);
		return;
	}
	c->all_next = all;
	if (all)
		all->all_prev = c;
	all = c;
	if (!it->hello.proto_ok) {
		/* OCPP-J §3.2: no common subprotocol: the handshake completes without one, then we close */
		log_info("ocpp %s connected without the ocpp1.6 subprotocol; closing", c->cpid);
		start_close(c, WSLAY_CODE_PROTOCOL_ERROR, "subprotocol ocpp1.6 required");
		update_interest(c);
		return;
	}
	table_add(c);
	link_job(c, "connected");
	log_info("ocpp %s connected", c->cpid);
	if (c->extra_len) /* bytes that came with the handshake: read before the socket (pitfall 4) */
		on_io(c, EPOLLIN);
}

static void
drain_inbox(void)
{
	uint64_t v;
	if (read(inbox_fd, &v, sizeof v) < 0 && errno != EAGAIN)
		log_error("ocpp: inbox eventfd read: %s", strerror(errno));
	pthread_mutex_lock(&inbox_mu);
	item_t *it = inbox_head;
	inbox_head = inbox_tail = NULL;
	pthread_mutex_unlock(&inbox_mu);
	while (it) {
		item_t *nx = it->next;
		conn_t *c = it->kind == IT_ADOPT ? NULL : lookup(it->cpid);
		if (it->kind == IT_ADOPT) {
			adopt(it);
			adopting_del(it->hello.cpid);
		} else if (it->kind == IT_REPLY) {
			if (c && c->serial == it->serial) {
				c->at_writer--;
				for (int i = 0; i < GW_RECENT; i++) {
					if (strcmp(c->recent[i].id, it->id) == 0 && !c->recent[i].reply) {
						c->recent[i].reply = fg_strdup(it->text);
						break;
					}
				}
				send_text(c, it->text);
				update_interest(c);
			}
		} else { /* IT_COMMAND */
			cmd_t *cmd = fg_calloc(1, sizeof *cmd);
			fg_fmt(cmd->id, sizeof cmd->id, "%s", it->id);
			fg_fmt(cmd->action, sizeof cmd->action, "%s", it->action);
			cmd->frame = it->text;
			it->text = NULL;
			cmd->timeout_s = it->timeout_s;
			if (!c || c->close_at) {
				job_t *j = fg_calloc(1, sizeof *j);
				j->kind = JOB_CMD_DONE;
				fg_fmt(j->msg_id, sizeof j->msg_id, "%s", cmd->id);
				fg_fmt(j->action, sizeof j->action, "disconnected");
				j->at = fg_now_ms();
				writer_push(j);
				free(cmd->frame);
				free(cmd);
			} else if (c->q_len >= GW_CMD_QUEUE) {
				cmd_done(c, cmd, "failed", NULL, "Busy", "too many commands queued for this charger");
			} else {
				if (c->q_tail)
					c->q_tail->next = cmd;
				else
					c->q_head = cmd;
				c->q_tail = cmd;
				c->q_len++;
				send_next_command(c);
				update_interest(c);
			}
		}
		free(it->text);
		free(it->extra);
		free(it);
		it = nx;
	}
}

static int64_t
idle_limit(conn_t *c)
{
	return idle_override_ms ? idle_override_ms : (2 * (int64_t)c->hb_interval + 60) * 1000;
}

static void
timers(void)
{
	int64_t now = fg_now_ms();
	for (conn_t *c = all, *nx; c; c = nx) {
		nx = c->all_next;
		if (c->closing) {
			conn_free(c, "connection lost");
			continue;
		}
		if (c->close_at) {
			if (now >= c->close_at)
				conn_free(c, "closed");
			continue;
		}
		if (now - c->last_rx > idle_limit(c)) {
			start_close(c, WSLAY_CODE_GOING_AWAY, "idle");
			update_interest(c);
			continue;
		}
		if (now - c->last_rx >= ping_ms && now - c->last_ping >= ping_ms) {
			struct wslay_event_msg m = {.opcode = WSLAY_PING, .msg = (const uint8_t *)"", .msg_length = 0};
			wslay_event_queue_msg(c->ws, &m);
			wslay_event_send(c->ws);
			c->last_ping = now;
			update_interest(c);
		}
		if (c->out && now - c->out_sent > (int64_t)c->out->timeout_s * 1000) {
			cmd_t *cmd = c->out;
			c->out = NULL;
			cmd_done(c, cmd, "timeout", NULL, NULL, "no answer from the charger in time");
			send_next_command(c);
			update_interest(c);
		}
		if (c->in_table && c->last_rx - c->seen_sent >= GW_SEEN_MS) {
			link_job(c, "seen");
			c->seen_sent = c->last_rx;
		}
	}
}

/* Input after our close frame is read and dropped until the peer closes: closing a socket with unread bytes makes
 * the kernel send a reset, and the charger would see 1006 instead of our close code (1009 for an oversize
 * message, whose rest is still arriving). */
static void
drain(conn_t *c)
{
	char buf[4096];
	for (;;) {
		ssize_t r = recv(c->fd, buf, sizeof buf, 0);
		if (r > 0)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		conn_free(c, "closed");
		return;
	}
}

static void
on_io(conn_t *c, uint32_t ev)
{
	if (c->draining) {
		drain(c);
		return;
	}
	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) {
		c->in_recv = true;
		int rc = wslay_event_recv(c->ws);
		c->in_recv = false;
		if (rc != 0) {
			conn_free(c, "connection lost");
			return;
		}
	}
	if ((ev & EPOLLOUT) || wslay_event_want_write(c->ws)) {
		if (wslay_event_send(c->ws) != 0) {
			conn_free(c, "connection lost");
			return;
		}
	}
	if (c->closing) {
		conn_free(c, "connection lost");
		return;
	}
	if (!wslay_event_want_read(c->ws) && !wslay_event_want_write(c->ws)) {
		if (wslay_event_get_close_received(c->ws)) {
			conn_free(c, c->close_at ? "closed" : "closed by the charger");
			return;
		}
		c->draining = true; /* wslay closed (oversize, bad UTF-8) or we did: wait for the charger's FIN */
		if (!c->close_at)
			c->close_at = fg_now_ms() + GW_CLOSE_GRACE_MS;
		struct epoll_event e = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
		c->events = EPOLLIN;
		drain(c);
		return;
	}
	update_interest(c);
}

static void *
loop(void *arg)
{
	struct epoll_event evs[256];
	int64_t last_tick = fg_now_ms();
	while (!atomic_load(&stop_flag)) {
		int n = epoll_wait(ep, evs, 256, 1000);
		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr == NULL)
				drain_inbox();
			else
				on_io(evs[i].data.ptr, evs[i].events);
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
	while (all) {
		start_close(all, WSLAY_CODE_GOING_AWAY, "server stopping");
		conn_free(all, "server stopping");
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
	ep = epoll_create1(EPOLL_CLOEXEC);
	inbox_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ep < 0 || inbox_fd < 0)
		return -1;
	struct epoll_event e = {.events = EPOLLIN, .data.ptr = NULL};
	if (epoll_ctl(ep, EPOLL_CTL_ADD, inbox_fd, &e) != 0)
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
	pthread_mutex_lock(&inbox_mu);
	item_t *it = inbox_head;
	inbox_head = inbox_tail = NULL;
	pthread_mutex_unlock(&inbox_mu);
	while (it) {
		item_t *nx = it->next;
		if (it->kind == IT_ADOPT) {
			MHD_upgrade_action(it->urh, MHD_UPGRADE_ACTION_CLOSE);
			adopting_del(it->hello.cpid);
		}
		free(it->text);
		free(it->extra);
		free(it);
		it = nx;
	}
	close(ep);
	close(inbox_fd);
	ep = inbox_fd = -1;
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
