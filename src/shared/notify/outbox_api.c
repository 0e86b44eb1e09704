/* HTTP glue of the notification outbox (docs/api.md "Notification outbox"): channel configuration, a message sent by
 * hand, the delivery log and its retry, a delivery run now, and the SMS gateway's receipt callback. */
#include <string.h>
#include <stdlib.h>
#include "core/http/http.h"
#include "shared/notify/outbox.h"

static const jfield_t channel_spec[] = {
	{"version", JF_INT, JF_REQUIRED, 0},
	{"enabled", JF_BOOL, 0, 0},
	{"url", JF_STRING, JF_NULLABLE, 500},
	{"username", JF_STRING, JF_NULLABLE, 200},
	{"credential", JF_STRING, JF_NULLABLE, 1000},
	{"receipt_key", JF_STRING, JF_NULLABLE, 1000},
	{"templates", JF_OBJECT, 0, 0},
	{"max_attempts", JF_INT, 0, 0},
	{"backoff_s", JF_INT, 0, 0},
	{"backoff_max_s", JF_INT, 0, 0},
	{"timeout_ms", JF_INT, 0, 0},
	{NULL, 0, 0, 0},
};

static const jfield_t send_spec[] = {
	{"kind", JF_STRING, JF_REQUIRED, 64},
	{"recipient", JF_OBJECT, JF_REQUIRED, 0},
	{"params", JF_OBJECT, 0, 0},
	{"channels", JF_STRINGS, 0, 0},
	{"entity", JF_STRING, 0, 64},
	{"entity_id", JF_STRING, 0, 128},
	{NULL, 0, 0, 0},
};

static void
channels_list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = notify_channels_list(r->db, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
channel_put(req_t *r)
{
	if (http_body(r, channel_spec) != 0)
		return;
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = notify_channel_put(r->db, r->user.id, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

/* An admin's message by hand: checking a gateway's configuration end to end ("send me a test SMS"). */
static void
send_h(req_t *r)
{
	if (http_body(r, send_spec) != 0)
		return;
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	notify_msg_t m = {
		.kind = json_string_value(json_object_get(r->json, "kind")),
		.recipient = json_object_get(r->json, "recipient"),
		.params = json_object_get(r->json, "params"),
		.channels = json_object_get(r->json, "channels"),
		.entity = json_string_value(json_object_get(r->json, "entity")),
		.entity_id = json_string_value(json_object_get(r->json, "entity_id")),
		.actor_id = r->user.id,
	};
	int rc = notify_send_msg(r->db, &m, &out, &e);
	http_result(r, 201, rc < 0 ? -1 : 0, rc < 0 ? NULL : json_pack("{s:o}", "items", out), &e);
}

static int64_t
query_ms(req_t *r, const char *name, int *bad)
{
	const char *v = http_query(r, name);
	if (!v)
		return 0;
	char *end;
	long long x = strtoll(v, &end, 10);
	if (!*v || *end || x < 0) {
		fg_err_t e = FG_ERR_INIT;
		fg_err_field(&e, "invalid_query", name, "epoch milliseconds");
		http_error(r, &e);
		*bad = 1;
	}
	return x;
}

static void
outbox_list(req_t *r)
{
	static const char *const states[] = {"queued", "sending", "sent", "failed", "dead", NULL};
	notify_filter_t f = {
		.state = http_query(r, "state"),
		.channel = http_query(r, "channel"),
		.kind = http_query(r, "kind"),
		.recipient = http_query(r, "recipient"),
		.entity = http_query(r, "entity"),
		.entity_id = http_query(r, "entity_id"),
	};
	fg_err_t e = FG_ERR_INIT;
	if (f.state) {
		bool ok = false;
		for (int i = 0; states[i]; i++)
			ok = ok || strcmp(states[i], f.state) == 0;
		if (!ok) {
			fg_err_field(&e, "invalid_query", "state", "queued, sending, sent, failed or dead");
			http_error(r, &e);
			return;
		}
	}
	int bad = 0;
	f.since = query_ms(r, "since", &bad);
	if (!bad)
		f.until = query_ms(r, "until", &bad);
	if (bad)
		return;
	int limit;
	const char *cursor;
	if (http_paging(r, &limit, &cursor))
		return;
	json_t *out = NULL;
	int rc = notify_outbox_list(r->db, &f, cursor, limit, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
outbox_get(req_t *r)
{
	http_entity(r, notify_outbox_get(r->db, r->params[0]), "outbox_message", r->params[0]);
}

static void
outbox_retry(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = notify_outbox_retry(r->db, r->user.id, r->params[0], &out, &e);
	http_result(r, 200, rc, out, &e);
}

/* The delivery job once, now (admins; the scheduler runs it every FG_NOTIFY_DELIVER_S seconds). */
static void
outbox_run(req_t *r)
{
	int failed = 0, parked = 0;
	int sent = notify_deliver(r->db, fg_now_ms(), &failed, &parked);
	if (sent < 0) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, json_pack("{s:i, s:i, s:i}", "sent", sent, "failed", failed, "parked", parked));
}

/* Public: the SMS gateway calls it. Who it is, is proven by the HMAC over the raw body, not by a session. */
static void
receipts(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = notify_receipts(r->db, http_header_in(r, "X-Fieldgrid-Timestamp"), http_header_in(r, "X-Fieldgrid-Signature"),
	    r->body.data, r->body.len, &out, &e);
	http_result(r, 200, rc, out, &e);
}

const route_t outbox_routes[] = {
	{"GET", "/api/v1/notify/channels", channels_list, "notify.admin", 0, .ok = "200"},
	{"PUT", "/api/v1/notify/channels/{channel}", channel_put, "notify.admin", 0, .body = channel_spec,
	    .errors = HTTP_ERRORS("version_conflict", "notify_channel_incomplete")},
	{"POST", "/api/v1/notify/messages", send_h, "notify.admin", 0, .body = send_spec, .ok = "201",
	    .errors = HTTP_ERRORS("notify_no_channel", "notify_template_param_missing")},
	{"GET", "/api/v1/notify/outbox", outbox_list, "notify.admin", 0, .resp = "list:"},
	{"POST", "/api/v1/notify/outbox/actions/run", outbox_run, "notify.admin", 0, .ok = "200"},
	{"GET", "/api/v1/notify/outbox/{id}", outbox_get, "notify.admin", 0, .ok = "200"},
	{"POST", "/api/v1/notify/outbox/{id}/actions/retry", outbox_retry, "notify.admin", 0,
	    .errors = HTTP_ERRORS("invalid_transition")},
	{"POST", "/api/v1/notify/receipts/sms", receipts, NULL, 0,
	    .errors = HTTP_ERRORS("notify_receipts_disabled", "notify_signature_invalid", "unknown_field"),
	    .doc = "The SMS gateway's delivery receipts, signed with HMAC-SHA256 (X-Fieldgrid-Timestamp, X-Fieldgrid-Signature)."},
	{0},
};
