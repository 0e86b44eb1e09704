/* A charger's messages (part of the gateway loop, ocpp_gw_internal.h): what arrives on its WebSocket, once wslay
 * has made a text message of it.
 *
 * A CALL is parsed and checked against the OCPP 1.6 schema here (ocpp_frame.c, ocpp_schema.c); a bad one gets its
 * CALLERROR at once. Heartbeat is answered here. Every other CALL goes to the writer as a job (at most
 * GW_CONN_INFLIGHT a charger, GW_WRITER_MAX in all); the writer's answer comes back through the inbox
 * (gw_dispatch_reply). Repeated message ids: the last GW_RECENT inbound CALLs are remembered with their answers.
 * The same id with the same bytes (a charger retrying because our answer was lost) gets the same answer again
 * without being processed twice; while it is still at the writer the copy is dropped; the same id with other
 * content is a ProtocolError. A CALLRESULT or CALLERROR answers one of our CALLs (ocpp_gw_calls.c); a malformed
 * one is logged, never answered. */
#include <string.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/ocpp/ocpp.h"
#include "core/ocpp/ocpp_frame.h"
#include "core/ocpp/ocpp_schema.h"
#include "core/ocpp/ocpp_gw_internal.h"

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
reply_error(gw_conn_t *c, const char *id, const char *code, const char *desc)
{
	char *f = ocpp_frame_error(id, code, desc);
	gw_send_text(c, f);
	free(f);
}

static void
on_call(gw_conn_t *c, ocpp_frame_t *f, uint64_t hash)
{
	for (int i = 0; i < GW_RECENT; i++) {
		if (strcmp(c->recent[i].id, f->id) != 0)
			continue;
		if (c->recent[i].hash != hash) {
			reply_error(c, f->id, "ProtocolError", "this MessageId was already used for another message on this connection");
		} else if (c->recent[i].reply) {
			gw_send_text(c, c->recent[i].reply); /* our answer was lost: the same answer again */
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
		gw_send_text(c, c->recent[slot].reply);
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
	job_t *j = gw_job(c, JOB_CALL, f->action);
	fg_fmt(j->msg_id, sizeof j->msg_id, "%s", f->id);
	j->payload = json_incref(f->payload);
	writer_push(j);
}

void
gw_on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg, void *user)
{
	gw_conn_t *c = user;
	if (arg->opcode == WSLAY_BINARY_FRAME) {
		gw_start_close(c, WSLAY_CODE_UNSUPPORTED_DATA, "OCPP-J messages are text");
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
		on_call(c, &f, fg_fnv1a(arg->msg, arg->msg_length));
	else
		gw_calls_answer(c, &f);
	ocpp_frame_clear(&f);
}

void
gw_dispatch_reply(gw_conn_t *c, const char *msg_id, const char *frame)
{
	c->at_writer--;
	for (int i = 0; i < GW_RECENT; i++) {
		if (strcmp(c->recent[i].id, msg_id) == 0 && !c->recent[i].reply) {
			c->recent[i].reply = fg_strdup(frame);
			break;
		}
	}
	gw_send_text(c, frame);
	gw_update_interest(c);
}
