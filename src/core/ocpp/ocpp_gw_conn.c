/* One charger's WebSocket session (part of the gateway loop, ocpp_gw_internal.h): from the socket libmicrohttpd
 * hands over after the 101 to its release.
 *
 * Each connection has its own wslay server context, touched only by the loop thread; wslay reads and writes the
 * socket through recv_cb/send_cb and hands complete messages to ocpp_gw_dispatch.c. Frames are capped at 64 KiB
 * (wslay closes with 1009); invalid UTF-8 closes with 1007 (wslay); a binary message closes with 1003. Closing is
 * a Close frame, then reading and dropping until the peer's FIN or GW_CLOSE_GRACE_MS. A second connection with
 * the same chargePointId replaces the first.
 *
 * Sockets: never close(2) them. We remove the fd from epoll, then call MHD_upgrade_action(CLOSE) exactly once
 * (pitfall 5), in gw_conn_free and nowhere else. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/ocpp/ocpp_gw_internal.h"

static uint64_t next_serial = 1;

void
gw_update_interest(gw_conn_t *c)
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
		if (epoll_ctl(gw_ep, EPOLL_CTL_MOD, c->fd, &e) == 0)
			c->events = ev;
	}
}

void
gw_send_text(gw_conn_t *c, const char *text)
{
	struct wslay_event_msg m = {.opcode = WSLAY_TEXT_FRAME, .msg = (const uint8_t *)text, .msg_length = strlen(text)};
	if (wslay_event_queue_msg(c->ws, &m) != 0)
		return; /* closing: nothing more goes out */
	if (!c->in_recv && wslay_event_send(c->ws) != 0)
		c->closing = true;
}

void
gw_start_close(gw_conn_t *c, uint16_t code, const char *reason)
{
	if (!c->close_at) {
		wslay_event_queue_close(c->ws, code, (const uint8_t *)reason, strlen(reason));
		if (!c->in_recv)
			wslay_event_send(c->ws);
		c->close_at = fg_now_ms() + GW_CLOSE_GRACE_MS;
	}
}

void
gw_conn_free(gw_conn_t *c, const char *why)
{
	epoll_ctl(gw_ep, EPOLL_CTL_DEL, c->fd, NULL); /* before MHD closes the fd, whose number may be reused at once */
	MHD_upgrade_action(c->urh, MHD_UPGRADE_ACTION_CLOSE);
	bool current = c->in_table;
	gw_table_del(c);
	gw_list_del(c);
	gw_calls_abort(c, "the charger disconnected before answering", "the charger disconnected before the command was sent");
	if (current) /* only connections that were announced (not the refused ones without ocpp1.6) */
		gw_link_job(c, "disconnected");
	log_info("ocpp %s disconnected (%s)", c->cpid, why);
	wslay_event_context_free(c->ws);
	for (int i = 0; i < GW_RECENT; i++)
		free(c->recent[i].reply);
	free(c->extra);
	free(c);
}

void
gw_conn_ping(gw_conn_t *c, int64_t now)
{
	struct wslay_event_msg m = {.opcode = WSLAY_PING, .msg = (const uint8_t *)"", .msg_length = 0};
	wslay_event_queue_msg(c->ws, &m);
	wslay_event_send(c->ws);
	c->last_ping = now;
	gw_update_interest(c);
}

static ssize_t
recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *user)
{
	gw_conn_t *c = user;
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
	gw_conn_t *c = user;
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

/* A second connection with the same chargePointId: the old one leaves the table at once (the new one takes its place
 * for replies and commands; the disconnect is recorded now, before the new connect, so the charger stays online),
 * and gets a Close frame naming why, then the usual close path: read and drop until the peer's FIN or
 * GW_CLOSE_GRACE_MS. Freeing it at once would close with the Close frame unsent and bytes unread: the client would
 * see 1006 and no reason. 1008 (policy violation) because the peer is told not to keep two connections. */
static void
replace(gw_conn_t *old)
{
	gw_table_del(old);
	gw_link_job(old, "disconnected");
	gw_calls_abort(old, "the charger reconnected before answering", "the charger reconnected before the command was sent");
	log_info("ocpp %s replaced by a new connection; closing the old one", old->cpid);
	if (old->closing) { /* its socket already failed: nothing can be sent */
		gw_conn_free(old, "replaced by a new connection");
		return;
	}
	gw_start_close(old, WSLAY_CODE_POLICY_VIOLATION, "replaced by a new connection");
	gw_update_interest(old);
}

void
gw_conn_adopt(const gw_hello_t *h, char *extra, size_t extra_len, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
	gw_conn_t *old = gw_lookup(h->cpid);
	if (old) /* the charger came back before we noticed it left: the new connection wins */
		replace(old);
	gw_conn_t *c = fg_calloc(1, sizeof *c);
	c->fd = sock;
	int one = 1; /* answers are small and latency matters: no Nagle (a socketpair under TLS-in-MHD refuses it) */
	if (setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0 && errno != EOPNOTSUPP && errno != ENOPROTOOPT)
		log_warn("ocpp: TCP_NODELAY on %s: %s", h->cpid, strerror(errno));
	c->urh = urh;
	c->serial = next_serial++;
	fg_fmt(c->cpid, sizeof c->cpid, "%s", h->cpid);
	fg_fmt(c->charger_id, sizeof c->charger_id, "%s", h->charger_id);
	c->hb_interval = h->heartbeat_interval > 0 ? h->heartbeat_interval : 300;
	c->extra = extra;
	c->extra_len = extra_len;
	c->last_rx = c->last_ping = c->seen_sent = fg_now_ms();
	static const struct wslay_event_callbacks cbs = {recv_cb, send_cb, NULL, NULL, NULL, NULL, gw_on_msg};
	if (wslay_event_context_server_init(&c->ws, &cbs, c) != 0) {
		MHD_upgrade_action(c->urh, MHD_UPGRADE_ACTION_CLOSE);
		free(c->extra);
		free(c);
		return;
	}
	wslay_event_config_set_max_recv_msg_length(c->ws, GW_MAX_MSG);
	struct epoll_event e = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
	c->events = EPOLLIN;
	if (epoll_ctl(gw_ep, EPOLL_CTL_ADD, c->fd, &e) != 0) {
		log_error("ocpp: epoll_ctl: %s", strerror(errno));
		wslay_event_context_free(c->ws);
		MHD_upgrade_action(c->urh, MHD_UPGRADE_ACTION_CLOSE);
		free(c->extra);
		free(c);
		return;
	}
	gw_list_add(c);
	if (!h->proto_ok) {
		/* OCPP-J §3.2: no common subprotocol: the handshake completes without one, then we close */
		log_info("ocpp %s connected without the ocpp1.6 subprotocol; closing", c->cpid);
		gw_start_close(c, WSLAY_CODE_PROTOCOL_ERROR, "subprotocol ocpp1.6 required");
		gw_update_interest(c);
		return;
	}
	gw_table_add(c);
	gw_link_job(c, "connected");
	log_info("ocpp %s connected", c->cpid);
	if (c->extra_len) /* bytes that came with the handshake: read before the socket (pitfall 4) */
		gw_on_io(c, EPOLLIN);
}

/* Input after our close frame is read and dropped until the peer closes: closing a socket with unread bytes makes
 * the kernel send a reset, and the charger would see 1006 instead of our close code (1009 for an oversize
 * message, whose rest is still arriving). */
static void
drain(gw_conn_t *c)
{
	char buf[4096];
	for (;;) {
		ssize_t r = recv(c->fd, buf, sizeof buf, 0);
		if (r > 0)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		gw_conn_free(c, "closed");
		return;
	}
}

void
gw_on_io(gw_conn_t *c, uint32_t ev)
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
			gw_conn_free(c, "connection lost");
			return;
		}
	}
	if ((ev & EPOLLOUT) || wslay_event_want_write(c->ws)) {
		if (wslay_event_send(c->ws) != 0) {
			gw_conn_free(c, "connection lost");
			return;
		}
	}
	if (c->closing) {
		gw_conn_free(c, "connection lost");
		return;
	}
	if (!wslay_event_want_read(c->ws) && !wslay_event_want_write(c->ws)) {
		if (wslay_event_get_close_received(c->ws)) {
			gw_conn_free(c, c->close_at ? "closed" : "closed by the charger");
			return;
		}
		c->draining = true; /* wslay closed (oversize, bad UTF-8) or we did: wait for the charger's FIN */
		if (!c->close_at)
			c->close_at = fg_now_ms() + GW_CLOSE_GRACE_MS;
		struct epoll_event e = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
		epoll_ctl(gw_ep, EPOLL_CTL_MOD, c->fd, &e);
		c->events = EPOLLIN;
		drain(c);
		return;
	}
	gw_update_interest(c);
}
