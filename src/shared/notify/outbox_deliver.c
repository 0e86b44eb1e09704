/* Delivering the outbox (the scheduler's side, job notify.deliver): claim one due message in a short transaction,
 * call its channel's gateway with no transaction open (a slow gateway holds no lock), record the answer; failures
 * back off and park after the channel's limit, and the admins are told. Apart from outbox.c, which queues messages
 * inside the caller's transaction and keeps the channels, the log and the receipts. */
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include "core/base/util.h"
#include "core/base/log.h"
#include "core/audit/audit.h"
#include "shared/notify/notify.h"
#include "shared/notify/outbox.h"
#include "shared/notify/notify_text.h"
#include "shared/notify/notify_http.h"
#include "shared/notify/outbox_internal.h"

/* A message held by a sender this long (it crashed mid-send) may be claimed again. Above the longest timeout. */
#define CLAIM_LEASE_MS (10LL * 60 * 1000)

static const char *
str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* ---------- delivery ---------- */

/* What the gateway said, for last_error: short, one line, and never the credential (a gateway may echo it). */
static void
describe(char *dst, size_t n, long status, const fg_buf_t *body, const char *secret)
{
	char snippet[201] = "";
	if (body->data) {
		size_t l = body->len < 200 ? body->len : 200;
		memcpy(snippet, body->data, l);
		snippet[l] = '\0';
		for (char *p = snippet; *p; p++)
			if (*p == '\n' || *p == '\r' || *p == '\t')
				*p = ' ';
		if (secret && strlen(secret) >= 4)
			for (char *hit; (hit = strstr(snippet, secret)) != NULL;)
				memset(hit, '*', strlen(secret));
	}
	snprintf(dst, n, "HTTP %ld%s%s", status, *snippet ? ": " : "", snippet);
}

typedef struct {
	bool ok;
	bool permanent; /* retrying cannot help (the request itself is refused, the message cannot be built) */
	long status;
	char error[512];
	char provider_id[130];
} sent_t;

static void
provider_id_of(json_t *resp, const char *key, char *out, size_t n)
{
	json_t *v = json_object_get(resp, key);
	if (json_is_string(v) && json_string_length(v) > 0 && json_string_length(v) <= 128)
		snprintf(out, n, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(out, n, "%lld", (long long)json_integer_value(v));
}

static void
send_http(json_t *cfg, json_t *msg, sent_t *s)
{
	const char *channel = str(msg, "channel"), *missing = NULL;
	json_t *tpl = json_object_get(json_object_get(cfg, "templates"), str(msg, "kind"));
	json_t *params = json_loads(str(msg, "params"), 0, NULL);
	if (!json_is_true(json_object_get(cfg, "enabled")) || !outbox_http_url(json_string_value(json_object_get(cfg, "url")))) {
		snprintf(s->error, sizeof s->error, "the %s channel is disabled or has no URL", channel);
		json_decref(params);
		return;
	}
	json_t *content = tpl ? notify_render_json(tpl, params, &missing) : NULL;
	if (!content) {
		snprintf(s->error, sizeof s->error, tpl ? "template parameter missing: %s" : "no %s template for this kind",
		    tpl ? (missing ? missing : "") : channel);
		s->permanent = true;
		json_decref(params);
		return;
	}
	json_t *body;
	if (strcmp(channel, "sms") == 0)
		body = json_pack("{s:s, s:O, s:s, s:O, s:s}", "to", str(msg, "recipient"), "text", content, "kind", str(msg, "kind"),
		    "params", params, "reference", str(msg, "id"));
	else {
		json_t *data = json_object(), *x;
		const char *k;
		json_object_foreach(json_object_get(content, "data"), k, x) json_object_set_new(data, k, json_pack("{s:O}", "value", x));
		body = json_pack("{s:s, s:O, s:o, s:s}", "touser", str(msg, "recipient"), "template_id",
		    json_object_get(content, "template_id"), "data", data, "reference", str(msg, "id"));
		if (json_object_get(content, "url"))
			json_object_set(body, "url", json_object_get(content, "url"));
	}
	json_decref(content);
	json_decref(params);
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (!text) { /* a template without its template_id cannot be stored (check_templates); kept safe all the same */
		snprintf(s->error, sizeof s->error, "the message could not be built from its template");
		s->permanent = true;
		return;
	}
	const char *cred = json_string_value(json_object_get(cfg, "credential"));
	const char *user = json_string_value(json_object_get(cfg, "username"));
	notify_http_req_t q = {
		.url = str(cfg, "url"),
		.body = text,
		.username = user,
		.password = user && *user ? cred : NULL,
		.bearer = user && *user ? NULL : cred,
		.timeout_ms = (long)json_integer_value(json_object_get(cfg, "timeout_ms")),
	};
	notify_http_resp_t r;
	int rc = notify_http_post(&q, &r);
	free(text);
	s->status = r.status;
	if (rc != 0) {
		snprintf(s->error, sizeof s->error, "%s", r.error);
	} else if (r.status >= 200 && r.status < 300) {
		json_t *j = r.body.data ? json_loadb(r.body.data, r.body.len, 0, NULL) : NULL;
		json_t *errcode = json_object_get(j, "errcode"); /* WeChat answers 200 with errcode ≠ 0 on a refusal */
		if (json_is_integer(errcode) && json_integer_value(errcode) != 0) {
			describe(s->error, sizeof s->error, r.status, &r.body, cred);
		} else {
			s->ok = true;
			provider_id_of(j, strcmp(channel, "sms") == 0 ? "message_id" : "msgid", s->provider_id, sizeof s->provider_id);
		}
		json_decref(j);
	} else {
		describe(s->error, sizeof s->error, r.status, &r.body, cred);
		/* 3xx (not followed) and 4xx other than timeout / too many requests: the request is wrong, not the moment */
		s->permanent = (r.status >= 300 && r.status < 500 && r.status != 408 && r.status != 429);
	}
	notify_http_resp_free(&r);
}

/* params with the sensitive values scrubbed: once sent, nothing keeps a verification code */
static char *
scrubbed(const char *params)
{
	json_t *p = json_loads(params, 0, NULL);
	json_t *v = outbox_params_view(p);
	json_decref(p);
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(v);
	return s;
}

/* A parked message is a person not told: the admins hear of it in-app, in the transaction that parks it (a message
 * that fails again after a retry is told again: the dedupe key holds the moment). */
static int
tell_admins_parked(db_t *db, json_t *msg, int attempts, const char *error, int64_t at)
{
	json_t *admins = notify_role_users(db, "admin"), *u;
	if (!admins)
		return -1;
	char title[200], body[700], dedupe[80];
	snprintf(title, sizeof title, "消息投递失败已搁置 / message parked: %s %s", str(msg, "channel"), str(msg, "kind"));
	snprintf(body, sizeof body, "%d attempts; %s", attempts, error);
	snprintf(dedupe, sizeof dedupe, "outbox_parked:%s:%lld", str(msg, "id"), (long long)at);
	size_t i;
	int rc = 0;
	json_array_foreach(admins, i, u) if (rc == 0 && notify_add(db, str(u, "id"), "outbox_parked", title, body,
							  "outbox_message", str(msg, "id"), dedupe) < 0) rc = -1;
	json_decref(admins);
	return rc;
}

/* 0 sent, 1 failed (will retry), 2 parked, 3 nothing done (another node had it), -1 database error */
static int
deliver_one(db_t *db, const char *id, int64_t now)
{
	char claim[37];
	fg_uuid7(claim);
	if (db_begin(db) != 0)
		return -1;
	int rc = db_run(db_q(db, "UPDATE outbox SET state = 'sending', claim = $1, claimed_at = $2, attempts = attempts + 1, "
				 "updated_at = $2 WHERE id = $3 AND ((state IN ('queued', 'failed') AND next_attempt_at <= $2) "
				 "OR (state = 'sending' AND claimed_at < $4))",
		"titi", claim, now, id, now - CLAIM_LEASE_MS));
	json_t *msg = rc == DB_DONE ? db_one(db_q(db, "SELECT id, channel, recipient, kind, params, attempts FROM outbox "
						     "WHERE id = $1 AND claim = $2", "tt", id, claim), &rc)
				    : NULL;
	if (!msg) {
		if (rc == DB_DONE && db_commit(db) == 0)
			return 3;
		db_rollback(db);
		return -1;
	}
	json_t *info = json_pack("{s:s, s:I}", "state", "sending", "attempt", json_integer_value(json_object_get(msg, "attempts")));
	int arc = audit_write(db, NULL, "send", "outbox", id, NULL, info);
	json_decref(info);
	if (arc != 0 || db_commit(db) != 0) {
		db_rollback(db);
		json_decref(msg);
		return -1;
	}
	json_t *cfg = outbox_channel_load(db, str(msg, "channel"));
	sent_t s = {0};
	int64_t t0 = fg_now_ms();
	if (!cfg)
		snprintf(s.error, sizeof s.error, "channel configuration unreadable");
	else
		send_http(cfg, msg, &s);
	int64_t t1 = fg_now_ms();
	int attempts = (int)json_integer_value(json_object_get(msg, "attempts"));
	int max = cfg ? (int)json_integer_value(json_object_get(cfg, "max_attempts")) : 1;
	int64_t base = cfg ? json_integer_value(json_object_get(cfg, "backoff_s")) : 60;
	int64_t cap = cfg ? json_integer_value(json_object_get(cfg, "backoff_max_s")) : 3600;
	json_decref(cfg);
	/* exponential backoff: base, 2×base, 4×base … up to the cap */
	int64_t delay = base;
	for (int i = 1; i < attempts && delay < cap; i++)
		delay *= 2;
	if (delay > cap)
		delay = cap;
	const char *state = s.ok ? "sent" : (s.permanent || attempts >= max) ? "dead" : "failed";
	int result = s.ok ? 0 : strcmp(state, "dead") == 0 ? 2 : 1;
	char *params = s.ok ? scrubbed(str(msg, "params")) : NULL;
	char aid[37];
	fg_uuid7(aid);
	if (db_begin(db) != 0) {
		free(params);
		json_decref(msg);
		return -1;
	}
	bool ok = db_run(db_q(db, "INSERT INTO outbox_attempts (id, outbox_id, n, at, ok, http_status, error, duration_ms) "
				  "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
			      "ttiiiiti", aid, id, (int64_t)attempts, t0, (int64_t)s.ok, (int64_t)s.status,
			      s.ok ? NULL : s.error, t1 - t0)) == DB_DONE;
	ok = ok && db_run(db_q(db, "UPDATE outbox SET state = $1, claim = NULL, next_attempt_at = $2, last_error = $3, "
				   "provider_id = COALESCE($4, provider_id), sent_at = COALESCE(NULLIF(CAST($5 AS BIGINT), 0), sent_at), params = COALESCE($6, params), updated_at = $7 "
				   "WHERE id = $8 AND claim = $9",
			       "tittititt", state, t1 + delay * 1000, s.ok ? NULL : s.error,
			       s.ok ? (*s.provider_id ? s.provider_id : id) : NULL, s.ok ? t1 : (int64_t)0, params, t1, id, claim)) ==
		    DB_DONE;
	free(params);
	info = json_pack("{s:s, s:i, s:I}", "state", state, "attempt", attempts, "http_status", (json_int_t)s.status);
	if (!s.ok)
		json_object_set_new(info, "error", json_string(s.error));
	ok = ok && audit_write(db, NULL, s.ok ? "sent" : "fail", "outbox", id, NULL, info) == 0;
	json_decref(info);
	if (ok && result == 2)
		ok = tell_admins_parked(db, msg, attempts, s.error, t1) == 0;
	if (!ok || db_commit(db) != 0) {
		db_rollback(db);
		json_decref(msg);
		return -1;
	}
	if (result == 2)
		log_warn("notify: message %s (%s) parked after %d attempts: %s", id, str(msg, "channel"), attempts, s.error);
	json_decref(msg);
	return result;
}

int
notify_deliver(db_t *db, int64_t now, int *failed, int *parked)
{
	int rc;
	json_t *due = db_all(db_q(db, "SELECT id FROM outbox WHERE (state IN ('queued', 'failed') AND next_attempt_at <= $1) "
				       "OR (state = 'sending' AND claimed_at < $2) ORDER BY next_attempt_at, id LIMIT $3",
			     "iii", now, now - CLAIM_LEASE_MS, (int64_t)NOTIFY_DELIVER_BATCH), &rc);
	if (!due)
		return -1;
	int sent = 0, nf = 0, np = 0, bad = 0;
	size_t i;
	json_t *d;
	json_array_foreach(due, i, d) {
		int r = deliver_one(db, str(d, "id"), fg_now_ms());
		if (r == 0)
			sent++;
		else if (r == 1)
			nf++;
		else if (r == 2)
			np++;
		else if (r < 0)
			bad++;
	}
	json_decref(due);
	if (failed)
		*failed = nf;
	if (parked)
		*parked = np;
	return bad && !sent ? -1 : sent;
}

