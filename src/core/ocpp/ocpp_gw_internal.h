#ifndef FG_OCPP_GW_INTERNAL_H
#define FG_OCPP_GW_INTERNAL_H
#include <stdbool.h>
#include <stdint.h>
#include <microhttpd.h>
#include <jansson.h>
#include <wslay/wslay.h>
#include "core/ocpp/ocpp_frame.h"
#include "core/ocpp/ocpp_internal.h"

/* Shared by the gateway loop's files only (ocpp_gw*.c; the writer and the HTTP side see ocpp_internal.h):
 *   ocpp_gw.c           the loop thread: epoll, the inbox from other threads, the timers, jobs for the writer
 *   ocpp_gw_registry.c  which connections exist: the cpid table other threads read, the loop's list of all
 *   ocpp_gw_conn.c      one charger's WebSocket session: adopt, read/write through wslay, close, free
 *   ocpp_gw_dispatch.c  a charger's message: CALL (schema, Heartbeat, repeats, to the writer) or an answer
 *   ocpp_gw_calls.c     our CALLs to a charger: the queue, one in flight, answer/timeout/disconnect
 * Everything declared here is the loop thread's alone, except where a comment says it locks. */

#define GW_MAX_MSG (64 * 1024)
#define GW_RECENT 8
#define GW_CMD_QUEUE 16
#define GW_SEEN_MS 15000
#define GW_CLOSE_GRACE_MS 2000
#define GW_BUCKETS 16384
#define GW_WRITER_MAX 50000 /* jobs waiting at the writer before new CALLs are refused */
#define GW_CONN_INFLIGHT 4  /* CALLs of one charger at the writer (OCPP-J: it SHOULD wait for each answer) */

typedef struct gw_cmd {
	struct gw_cmd *next;
	char id[37];
	char action[65];
	char *frame;
	int timeout_s;
} gw_cmd_t;

typedef struct gw_conn {
	struct gw_conn *hnext; /* the cpid table */
	struct gw_conn *all_next, *all_prev;
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
	gw_cmd_t *out, *q_head, *q_tail;
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
} gw_conn_t;

/* ocpp_gw.c */
extern int gw_ep; /* the loop's epoll set */
job_t *gw_job(gw_conn_t *c, enum job_kind kind, const char *action);
void gw_link_job(gw_conn_t *c, const char *what); /* connected | disconnected | seen */

/* ocpp_gw_registry.c */
extern gw_conn_t *gw_all; /* every connection, for the timers */
gw_conn_t *gw_lookup(const char *cpid);
void gw_table_add(gw_conn_t *c); /* these two lock: ocpp_connected reads the table from other threads */
void gw_table_del(gw_conn_t *c);
void gw_adopting_add(const char *cpid); /* on an MHD thread, locks */
void gw_adopting_del(const char *cpid); /* locks */
void gw_list_add(gw_conn_t *c);
void gw_list_del(gw_conn_t *c);

/* ocpp_gw_conn.c */
/* Takes over a handed-over socket (extra is taken too). */
void gw_conn_adopt(const gw_hello_t *h, char *extra, size_t extra_len, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh);
void gw_conn_free(gw_conn_t *c, const char *why);
void gw_conn_ping(gw_conn_t *c, int64_t now);
void gw_on_io(gw_conn_t *c, uint32_t ev);
void gw_update_interest(gw_conn_t *c);
void gw_send_text(gw_conn_t *c, const char *text);
void gw_start_close(gw_conn_t *c, uint16_t code, const char *reason);

/* ocpp_gw_dispatch.c */
void gw_on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg, void *user);
/* The writer's answer (frame) to the CALL msg_id of c: remembered for a repeat, and sent. */
void gw_dispatch_reply(gw_conn_t *c, const char *msg_id, const char *frame);

/* ocpp_gw_calls.c */
/* An operator command for c (NULL: not connected); frame is taken. */
void gw_calls_take(gw_conn_t *c, const char *id, const char *action, char *frame, int timeout_s);
void gw_calls_answer(gw_conn_t *c, ocpp_frame_t *f);
void gw_calls_tick(gw_conn_t *c, int64_t now);
/* Every command of c ends as "disconnected": the one in flight with why_out, the queued ones with why_queued. */
void gw_calls_abort(gw_conn_t *c, const char *why_out, const char *why_queued);

#endif
