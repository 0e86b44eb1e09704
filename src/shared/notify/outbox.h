#ifndef FG_NOTIFY_OUTBOX_H
#define FG_NOTIFY_OUTBOX_H
#include <stdint.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"

/* The notification outbox (issue 11 item 8, docs/api.md "Notification outbox"): messages to deliver through
 * channels — in-app, SMS through an HTTP gateway, WeChat-style template messages — written in the transaction of the
 * event that causes them and delivered by the scheduler job notify.deliver with retries and backoff. */

/* What a module sends. recipient: {"user_id"?, "phone"?, "openid"?} — the addresses the message may use; params: the
 * template's values ({"code": "123456", "minutes": 5}). A message goes out on every enabled channel that holds a
 * template for kind and can reach the recipient (in-app: user_id, sms: phone, wechat: openid); channels (a JSON array
 * of channel names, NULL = all) narrows that. */
typedef struct {
	const char *kind;
	json_t *recipient;
	json_t *params;     /* NULL: {} */
	json_t *channels;   /* NULL or ["sms", …] */
	const char *entity; /* NULL, or what the message is about ("application", its id) */
	const char *entity_id;
	const char *actor_id; /* for the audit record; NULL: the system */
} notify_msg_t;

/* Queues the message, inside the caller's open transaction (the event's own; one is opened and committed when none
 * is open). In-app messages are delivered at once, in that transaction. 0 and *out = [message] (NULL: not wanted),
 * or -1 with err: notify_no_channel (409; details kind), notify_template_param_missing (409; channel, kind, param),
 * invalid_field (a malformed recipient), internal. On an error nothing is queued; the caller's transaction stays
 * usable only when the caller opened it around a savepoint (the refusals are found before any write). */
int notify_send_msg(db_t *db, const notify_msg_t *m, json_t **out, fg_err_t *err);
/* The short form other modules call: notify_send(db, "verification_code", {"phone": "138…"}, {"code": "…",
 * "minutes": 5}, &err). Returns how many messages were queued (> 0) or -1. */
int notify_send(db_t *db, const char *kind, json_t *recipient, json_t *params, fg_err_t *err);

/* Channel configuration (admins). Secrets are never in what these return: credential_masked / receipt_key_masked
 * and where they come from (env, config, none). */
int notify_channels_list(db_t *db, json_t **out, fg_err_t *err);
int notify_channel_put(db_t *db, const char *actor_id, const char *channel, json_t *in, json_t **out, fg_err_t *err);

/* The delivery log. Filters (NULL: any): state, channel, kind, recipient (exact address), entity, entity_id;
 * since/until on created_at (0: open). Newest first, cursor = the last id of the page before. */
typedef struct {
	const char *state, *channel, *kind, *recipient, *entity, *entity_id;
	int64_t since, until;
} notify_filter_t;
int notify_outbox_list(db_t *db, const notify_filter_t *f, const char *cursor, int limit, json_t **out, fg_err_t *err);
/* One message with its attempts; NULL when there is none. */
json_t *notify_outbox_get(db_t *db, const char *id);
/* A failed or parked (dead) message queued again now with a fresh count of attempts; 409 invalid_transition from
 * any other state. Audited (retry). */
int notify_outbox_retry(db_t *db, const char *actor_id, const char *id, json_t **out, fg_err_t *err);

/* The job: sends up to NOTIFY_DELIVER_BATCH due messages, each claimed in its own transaction first (several nodes
 * may run it) and sent outside any transaction. Returns how many were sent, -1 on a database error. *failed and
 * *parked (may be NULL) count the attempts that failed and the messages parked. */
#define NOTIFY_DELIVER_BATCH 20
int notify_deliver(db_t *db, int64_t now, int *failed, int *parked);

/* The delivery log's retention (outbox_prune.c): deletes sent and parked messages created more than keep_days
 * before now, with their attempts, in audited batches. Returns how many messages went, or -1. The job notify.prune
 * runs it hourly with FG_NOTIFY_KEEP_DAYS (default NOTIFY_KEEP_DAYS). */
#define NOTIFY_KEEP_DAYS 180
int64_t notify_prune(db_t *db, int64_t now, int keep_days);

/* The SMS gateway's delivery receipts (the public callback). timestamp, signature: the request's headers; body: the
 * raw bytes. 0 and *out = {accepted, duplicate, unknown}, or -1 with err: notify_receipts_disabled (no receipt key),
 * notify_signature_invalid, invalid_json / invalid_field / unknown_field (the body). Idempotent. */
int notify_receipts(db_t *db, const char *timestamp, const char *signature, const char *body, size_t len, json_t **out,
    fg_err_t *err);

#endif
