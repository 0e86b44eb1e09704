/* Our CALLs to a charger (part of the gateway loop, ocpp_gw_internal.h): operator commands from the API.
 *
 * A command arrives through the inbox with its ready CALL frame and the command's id as message id. Each
 * connection sends one at a time (OCPP-J §4.1.1 synchronicity) with at most GW_CMD_QUEUE behind it; the one in
 * flight ends with the charger's CALLRESULT or CALLERROR, its timeout, or the connection's end, and every end goes
 * to the writer (JOB_CMD_DONE), which settles the command's row. Kept apart from the inbound side
 * (ocpp_gw_dispatch.c) because the two never share state: a charger's CALLs and ours are separate streams. */
#include <stdlib.h>
#include <string.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/ocpp/ocpp_frame.h"
#include "core/ocpp/ocpp_schema.h"
#include "core/ocpp/ocpp_gw_internal.h"

/* A command's end: status answered|failed|timeout|disconnected */
static void
cmd_done(gw_conn_t *c, gw_cmd_t *cmd, const char *status, json_t *result, const char *code, const char *desc)
{
	job_t *j = gw_job(c, JOB_CMD_DONE, status);
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

static void
send_next_command(gw_conn_t *c)
{
	if (c->out || !c->q_head || c->close_at)
		return;
	c->out = c->q_head;
	c->q_head = c->out->next;
	if (!c->q_head)
		c->q_tail = NULL;
	c->q_len--;
	c->out_sent = fg_now_ms();
	gw_send_text(c, c->out->frame);
}

void
gw_calls_take(gw_conn_t *c, const char *id, const char *action, char *frame, int timeout_s)
{
	gw_cmd_t *cmd = fg_calloc(1, sizeof *cmd);
	fg_fmt(cmd->id, sizeof cmd->id, "%s", id);
	fg_fmt(cmd->action, sizeof cmd->action, "%s", action);
	cmd->frame = frame;
	cmd->timeout_s = timeout_s;
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
		gw_update_interest(c);
	}
}

void
gw_calls_answer(gw_conn_t *c, ocpp_frame_t *f)
{
	if (!c->out || strcmp(c->out->id, f->id) != 0) {
		log_warn("ocpp %s: an answer to no CALL of ours (id %s)", c->cpid, f->id);
		return;
	}
	gw_cmd_t *cmd = c->out;
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

void
gw_calls_tick(gw_conn_t *c, int64_t now)
{
	if (c->out && now - c->out_sent > (int64_t)c->out->timeout_s * 1000) {
		gw_cmd_t *cmd = c->out;
		c->out = NULL;
		cmd_done(c, cmd, "timeout", NULL, NULL, "no answer from the charger in time");
		send_next_command(c);
		gw_update_interest(c);
	}
}

void
gw_calls_abort(gw_conn_t *c, const char *why_out, const char *why_queued)
{
	if (c->out) {
		cmd_done(c, c->out, "disconnected", NULL, NULL, why_out);
		c->out = NULL;
	}
	for (gw_cmd_t *q = c->q_head, *nx; q; q = nx) {
		nx = q->next;
		cmd_done(c, q, "disconnected", NULL, NULL, why_queued);
	}
	c->q_head = c->q_tail = NULL;
	c->q_len = 0;
}
