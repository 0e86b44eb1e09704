/* The notification outbox: queueing in the event's transaction, delivery by the scheduler, receipts, the log. */
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

/* Receipts signed further than this from our clock are refused: a recorded callback cannot be replayed later. */
#define RECEIPT_SKEW_S 300

static const char *const channel_names[] = {"inapp", "sms", "wechat", NULL};

static const char *
str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static bool
known_channel(const char *c)
{
	for (int i = 0; channel_names[i]; i++)
		if (strcmp(channel_names[i], c) == 0)
			return true;
	return false;
}

/* ---------- channel configuration ---------- */

/* The secrets may come from the environment, which then wins over what admins stored. */
static const char *
env_secret(const char *channel, const char *what)
{
	const char *name = NULL;
	if (strcmp(channel, "sms") == 0)
		name = strcmp(what, "credential") == 0 ? "FIELDGRID_SMS_CREDENTIAL" : "FIELDGRID_SMS_RECEIPT_KEY";
	else if (strcmp(channel, "wechat") == 0 && strcmp(what, "credential") == 0)
		name = "FIELDGRID_WECHAT_CREDENTIAL";
	const char *v = name ? getenv(name) : NULL;
	return v && *v ? v : NULL;
}

/* The channel's row, its templates parsed, with the secrets the sender uses (env over config). Internal only. */
json_t *
outbox_channel_load(db_t *db, const char *channel)
{
	int rc;
	json_t *row = db_one(db_q(db, "SELECT channel, enabled, url, username, credential, receipt_key, templates, max_attempts, "
				      "backoff_s, backoff_max_s, timeout_ms, version, updated_at FROM notify_channels WHERE channel = $1",
			       "t", channel), &rc);
	if (!row)
		return NULL;
	json_t *t = json_loads(str(row, "templates"), 0, NULL);
	json_object_set_new(row, "templates", json_is_object(t) ? t : json_object());
	if (!json_is_object(t))
		json_decref(t);
	static const char *const secrets[] = {"credential", "receipt_key", NULL};
	for (int i = 0; secrets[i]; i++) {
		const char *e = env_secret(channel, secrets[i]);
		const char *stored = json_string_value(json_object_get(row, secrets[i]));
		char src[40];
		snprintf(src, sizeof src, "%s_source", secrets[i]);
		json_object_set_new(row, src, json_string(e ? "env" : stored && *stored ? "config" : "none"));
		if (e)
			json_object_set_new(row, secrets[i], json_string(e));
	}
	json_object_set_new(row, "enabled", json_boolean(json_integer_value(json_object_get(row, "enabled")) != 0));
	return row;
}

/* What admins see: the secrets masked. */
static json_t *
channel_view(json_t *row)
{
	json_t *v = json_deep_copy(row);
	static const char *const secrets[] = {"credential", "receipt_key", NULL};
	for (int i = 0; secrets[i]; i++) {
		char m[32], k[40];
		notify_mask_secret(json_string_value(json_object_get(v, secrets[i])), m, sizeof m);
		snprintf(k, sizeof k, "%s_masked", secrets[i]);
		json_object_set_new(v, k, json_string(m));
		json_object_del(v, secrets[i]);
	}
	return v;
}

static int
channel_counts(db_t *db, json_t *view)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT state, COUNT(*) AS n FROM outbox WHERE channel = $1 AND state IN "
					"('queued', 'sending', 'failed', 'dead') GROUP BY state", "t", str(view, "channel")), &rc);
	if (!rows)
		return -1;
	json_t *c = json_pack("{s:i, s:i, s:i, s:i}", "queued", 0, "sending", 0, "failed", 0, "dead", 0), *r;
	size_t i;
	json_array_foreach(rows, i, r) json_object_set(c, str(r, "state"), json_object_get(r, "n"));
	json_decref(rows);
	json_object_set_new(view, "pending", c);
	return 0;
}

int
notify_channels_list(db_t *db, json_t **out, fg_err_t *err)
{
	json_t *items = json_array();
	for (int i = 0; channel_names[i]; i++) {
		json_t *row = outbox_channel_load(db, channel_names[i]);
		json_t *v = row ? channel_view(row) : NULL;
		json_decref(row);
		if (!v || channel_counts(db, v) != 0) {
			json_decref(v);
			json_decref(items);
			return db_fail(db, err);
		}
		json_array_append_new(items, v);
	}
	*out = json_pack("{s:o}", "items", items);
	return 0;
}

bool
outbox_http_url(const char *u)
{
	return u && (strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0) && strlen(u) > 8 && strlen(u) <= 500 &&
	       !strpbrk(u, " \t\r\n");
}

/* A channel's templates have the shape its sender needs (docs/api.md). */
static int
check_templates(const char *channel, json_t *t, fg_err_t *err)
{
	const char *kind;
	json_t *v;
	char field[120];
	json_object_foreach(t, kind, v) {
		snprintf(field, sizeof field, "templates.%.80s", kind);
		bool ok = strlen(kind) > 0 && strlen(kind) <= 64;
		for (const char *p = kind; ok && *p; p++)
			ok = islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_' || *p == '.';
		if (!ok)
			return fg_err_field(err, "invalid_field", field, "a kind is 1 to 64 of a-z, 0-9, _ and .");
		if (strcmp(channel, "sms") == 0) {
			if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 1000)
				return fg_err_field(err, "invalid_field", field, "an SMS template is a text of 1 to 1000 bytes");
		} else if (strcmp(channel, "wechat") == 0) {
			json_t *data = json_object_get(v, "data"), *x;
			const char *k;
			bool good = json_is_object(v) && json_is_string(json_object_get(v, "template_id")) && json_is_object(data);
			json_object_foreach(v, k, x) if (strcmp(k, "template_id") && strcmp(k, "data") && strcmp(k, "url")) good = false;
			if (good && json_object_get(v, "url") && !json_is_string(json_object_get(v, "url")))
				good = false;
			if (good)
				json_object_foreach(data, k, x) if (!json_is_string(x)) good = false;
			if (!good)
				return fg_err_field(err, "invalid_field", field,
				    "{\"template_id\", \"data\": {key: text}, \"url\"?}");
		} else {
			json_t *title = json_object_get(v, "title"), *body = json_object_get(v, "body"), *x;
			const char *k;
			bool good = json_is_object(v) && json_is_string(title) && (!body || json_is_string(body));
			json_object_foreach(v, k, x) if (strcmp(k, "title") && strcmp(k, "body")) good = false;
			if (!good)
				return fg_err_field(err, "invalid_field", field, "{\"title\", \"body\"?}");
		}
	}
	return 0;
}

int
notify_channel_put(db_t *db, const char *actor_id, const char *channel, json_t *in, json_t **out, fg_err_t *err)
{
	if (!known_channel(channel))
		return fg_err_not_found(err, "notify_channel", channel);
	if (strcmp(channel, "inapp") == 0) {
		static const char *const not_inapp[] = {"url", "username", "credential", "receipt_key", "timeout_ms", NULL};
		for (int i = 0; not_inapp[i]; i++)
			if (json_object_get(in, not_inapp[i]))
				return fg_err_field(err, "invalid_field", not_inapp[i], "the in-app channel has no gateway");
	}
	if (json_object_get(in, "receipt_key") && strcmp(channel, "sms") != 0)
		return fg_err_field(err, "invalid_field", "receipt_key", "only the SMS gateway sends receipts");
	json_t *t = json_object_get(in, "templates");
	if (t && check_templates(channel, t, err) != 0)
		return -1;
	static const struct {
		const char *name;
		json_int_t lo, hi;
	} ints[] = {{"max_attempts", 1, 20}, {"backoff_s", 0, 86400}, {"backoff_max_s", 0, 604800}, {"timeout_ms", 100, 60000}};
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
		json_t *v = json_object_get(in, ints[i].name);
		if (v && (json_integer_value(v) < ints[i].lo || json_integer_value(v) > ints[i].hi)) {
			char why[64];
			snprintf(why, sizeof why, "from %lld to %lld", (long long)ints[i].lo, (long long)ints[i].hi);
			return fg_err_field(err, "invalid_field", ints[i].name, why);
		}
	}
	json_t *url = json_object_get(in, "url");
	if (url && !json_is_null(url) && !outbox_http_url(json_string_value(url)))
		return fg_err_field(err, "invalid_field", "url", "an http:// or https:// URL of at most 500 characters");

	if (db_begin(db) != 0 || db_lock_where(db, "notify_channels", "channel", channel, NULL) != 0)
		return db_fail(db, err);
	int rc;
	json_t *cur = db_one(db_q(db, "SELECT channel, enabled, url, username, credential, receipt_key, templates, max_attempts, "
				      "backoff_s, backoff_max_s, timeout_ms, version FROM notify_channels WHERE channel = $1",
			       "t", channel), &rc);
	if (!cur) {
		db_rollback(db);
		return rc == DB_DONE ? fg_err_not_found(err, "notify_channel", channel) : db_fail(db, err);
	}
	if (db_check_version(cur, in, err) != 0) {
		json_decref(cur);
		db_rollback(db);
		return -1;
	}
	/* the merged row: absent fields keep their value, null clears a nullable one */
	json_t *next = json_deep_copy(cur);
	const char *k;
	json_t *v;
	json_object_foreach(in, k, v) {
		if (strcmp(k, "version") == 0)
			continue;
		if (strcmp(k, "enabled") == 0)
			json_object_set_new(next, k, json_integer(json_is_true(v)));
		else if (strcmp(k, "templates") != 0)
			json_object_set(next, k, v);
	}
	if (json_object_get(in, "templates")) { /* stored as JSON text */
		char *dumped = json_dumps(json_object_get(in, "templates"), JSON_COMPACT | JSON_SORT_KEYS);
		json_object_set_new(next, "templates", json_string(dumped));
		free(dumped);
	}
	if (json_integer_value(json_object_get(next, "enabled")) && strcmp(channel, "inapp") != 0 &&
	    !outbox_http_url(json_string_value(json_object_get(next, "url")))) {
		json_decref(cur);
		json_decref(next);
		db_rollback(db);
		fg_err(err, "notify_channel_incomplete");
		fg_err_detail_str(err, "field", "url");
		return -1;
	}
	int64_t now = fg_now_ms();
	rc = db_run(db_q(db, "UPDATE notify_channels SET enabled = $1, url = $2, username = $3, credential = $4, receipt_key = $5, "
			     "templates = $6, max_attempts = $7, backoff_s = $8, backoff_max_s = $9, timeout_ms = $10, "
			     "version = version + 1, updated_at = $11 WHERE channel = $12",
		"itttttiiiiit", json_integer_value(json_object_get(next, "enabled")), json_string_value(json_object_get(next, "url")),
		json_string_value(json_object_get(next, "username")), json_string_value(json_object_get(next, "credential")),
		json_string_value(json_object_get(next, "receipt_key")), str(next, "templates"),
		(int64_t)json_integer_value(json_object_get(next, "max_attempts")),
		(int64_t)json_integer_value(json_object_get(next, "backoff_s")),
		(int64_t)json_integer_value(json_object_get(next, "backoff_max_s")),
		(int64_t)json_integer_value(json_object_get(next, "timeout_ms")), now, channel));
	json_decref(next);
	if (rc != DB_DONE) {
		json_decref(cur);
		return db_fail(db, err);
	}
	json_t *after = outbox_channel_load(db, channel);
	/* the audit record holds the masked view only: a credential never reaches the (append-only) audit log */
	json_t *before_row = json_deep_copy(cur);
	json_object_set_new(before_row, "templates", json_loads(str(cur, "templates"), 0, NULL));
	json_t *before = channel_view(before_row), *view = after ? channel_view(after) : NULL;
	json_decref(before_row);
	json_decref(cur);
	json_decref(after);
	if (!view) {
		json_decref(before);
		return db_fail(db, err);
	}
	json_t *audited = json_deep_copy(view);
	if (audit_commit(db, actor_id, "update", "notify_channel", channel, before, audited, NULL, err) != 0) {
		json_decref(view);
		return -1;
	}
	if (channel_counts(db, view) != 0) {
		json_decref(view);
		return db_fail(db, err);
	}
	*out = view;
	return 0;
}

/* ---------- queueing ---------- */

json_t *
outbox_params_view(json_t *params)
{
	json_t *p = json_deep_copy(params ? params : json_object()), *v;
	const char *k;
	void *tmp;
	json_object_foreach_safe(p, tmp, k, v) if (notify_param_sensitive(k)) json_object_set_new(p, k, json_string("***"));
	return p;
}

/* The message as the log shows it: a phone masked, sensitive parameters hidden, params parsed. */
static void
message_view(json_t *row)
{
	json_t *params = json_loads(str(row, "params"), 0, NULL);
	json_object_set_new(row, "params", outbox_params_view(params));
	json_decref(params);
	if (strcmp(str(row, "channel"), "sms") == 0) {
		char m[64];
		notify_mask_phone(str(row, "recipient"), m, sizeof m);
		json_object_set_new(row, "recipient", json_string(m));
	}
	const char *st = str(row, "state");
	if (strcmp(st, "queued") != 0 && strcmp(st, "failed") != 0)
		json_object_set_new(row, "next_attempt_at", json_null());
}

#define MSG_COLS                                                                                                     \
	"id, channel, recipient, kind, params, state, attempts, next_attempt_at, last_error, provider_id, receipt_status, " \
	"receipt_error, receipt_at, entity, entity_id, created_at, updated_at, sent_at"

static json_t *
message_row(db_t *db, const char *id)
{
	int rc;
	return db_one(db_q(db, "SELECT " MSG_COLS " FROM outbox WHERE id = $1", "t", id), &rc);
}

static const char *
address_key(const char *channel)
{
	return strcmp(channel, "inapp") == 0 ? "user_id" : strcmp(channel, "sms") == 0 ? "phone" : "openid";
}

static int
check_recipient(json_t *r, fg_err_t *err)
{
	if (!json_is_object(r))
		return fg_err_field(err, "invalid_field", "recipient", "an object {user_id?, phone?, openid?}");
	const char *k;
	json_t *v;
	json_object_foreach(r, k, v) {
		char field[80];
		snprintf(field, sizeof field, "recipient.%.60s", k);
		if (strcmp(k, "user_id") && strcmp(k, "phone") && strcmp(k, "openid"))
			return fg_err_field(err, "unknown_field", field, "user_id, phone or openid");
		if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 128)
			return fg_err_field(err, "invalid_field", field, "a text of 1 to 128 characters");
	}
	const char *phone = json_string_value(json_object_get(r, "phone"));
	if (phone) {
		bool ok = strlen(phone) >= 7 && strlen(phone) <= 20;
		for (const char *p = phone; ok && *p; p++)
			ok = isdigit((unsigned char)*p) || (p == phone && *p == '+');
		if (!ok)
			return fg_err_field(err, "invalid_field", "recipient.phone", "7 to 20 digits, an optional leading +");
	}
	return 0;
}

/* A database failure while queueing: a transaction of our own is rolled back; the caller's is the caller's to end
 * (its event fails with it), so only the error is reported. */
static int
send_fail(db_t *db, bool own, fg_err_t *err)
{
	if (own)
		return db_fail(db, err);
	log_error("notify: queueing failed: %s", db_errmsg(db));
	return fg_err(err, "internal");
}

static bool
wanted(json_t *channels, const char *c)
{
	if (!channels)
		return true;
	size_t i;
	json_t *x;
	json_array_foreach(channels, i, x) if (json_is_string(x) && strcmp(json_string_value(x), c) == 0) return true;
	return false;
}

/* In-app: the notification row is the delivery, written now in the caller's transaction. */
static int
deliver_inapp(db_t *db, const char *id, const char *user_id, const char *kind, json_t *content, const notify_msg_t *m)
{
	char dedupe[64];
	snprintf(dedupe, sizeof dedupe, "outbox:%s", id);
	return notify_add(db, user_id, kind, str(content, "title"), json_string_value(json_object_get(content, "body")),
		       m->entity, m->entity_id, dedupe) < 0
		   ? -1
		   : 0;
}

int
notify_send_msg(db_t *db, const notify_msg_t *m, json_t **out, fg_err_t *err)
{
	if (out)
		*out = NULL;
	if (!m->kind || !*m->kind)
		return fg_err_field(err, "invalid_field", "kind", "a message kind");
	if (check_recipient(m->recipient, err) != 0)
		return -1;
	json_t *params = m->params ? m->params : json_object();
	if (!json_is_object(params)) {
		if (!m->params)
			json_decref(params);
		return fg_err_field(err, "invalid_field", "params", "an object");
	}
	/* every refusal is found before the first write, so a refusal leaves the caller's transaction untouched */
	struct {
		const char *channel;
		const char *address;
		json_t *content;
		json_t *cfg;
	} plan[3];
	int n = 0, ret = -1;
	for (int i = 0; channel_names[i]; i++) {
		const char *c = channel_names[i];
		const char *addr = json_string_value(json_object_get(m->recipient, address_key(c)));
		if (!addr || !wanted(m->channels, c))
			continue;
		json_t *cfg = outbox_channel_load(db, c);
		if (!cfg) {
			send_fail(db, !db_in_tx(db), err);
			goto done;
		}
		json_t *tpl = json_object_get(json_object_get(cfg, "templates"), m->kind);
		/* in-app without a template of its own: the sender's "title" and "body" */
		json_t *fallback = NULL;
		if (!tpl && strcmp(c, "inapp") == 0 && json_is_string(json_object_get(params, "title")))
			tpl = fallback = json_pack("{s:s, s:s}", "title", "{{title}}", "body",
			    json_is_string(json_object_get(params, "body")) ? "{{body}}" : "");
		if (!json_is_true(json_object_get(cfg, "enabled")) || !tpl) {
			json_decref(cfg);
			continue;
		}
		const char *missing;
		json_t *content = notify_render_json(tpl, params, &missing);
		json_decref(fallback);
		if (!content) {
			json_decref(cfg);
			fg_err(err, "notify_template_param_missing");
			fg_err_detail_str(err, "channel", c);
			fg_err_detail_str(err, "kind", m->kind);
			fg_err_detail_str(err, "param", missing ? missing : "");
			goto done;
		}
		plan[n].channel = c;
		plan[n].address = addr;
		plan[n].content = content;
		plan[n].cfg = cfg;
		n++;
	}
	if (n == 0) {
		fg_err(err, "notify_no_channel");
		fg_err_detail_str(err, "kind", m->kind);
		goto done;
	}
	bool own = !db_in_tx(db);
	if (own && db_begin(db) != 0) {
		send_fail(db, own, err);
		goto done;
	}
	char *ptext = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS);
	json_t *list = json_array();
	int64_t now = fg_now_ms();
	bool ok = ptext != NULL;
	for (int i = 0; ok && i < n; i++) {
		char id[37];
		fg_uuid7(id);
		bool inapp = strcmp(plan[i].channel, "inapp") == 0;
		ok = db_run(db_q(db, "INSERT INTO outbox (id, channel, recipient, kind, params, state, attempts, next_attempt_at, "
					 "entity, entity_id, created_at, updated_at, sent_at) "
					 "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)",
				 "ttttttiittii", id, plan[i].channel, plan[i].address, m->kind, ptext, inapp ? "sent" : "queued",
				 (int64_t)(inapp ? 1 : 0), now, m->entity, m->entity_id, now, inapp ? now : (int64_t)0)) == DB_DONE;
		if (ok && inapp)
			ok = deliver_inapp(db, id, plan[i].address, m->kind, plan[i].content, m) == 0;
		json_t *row = ok ? message_row(db, id) : NULL;
		if (row && inapp && db_run(db_q(db, "UPDATE outbox SET sent_at = $1 WHERE id = $2", "it", now, id)) != DB_DONE)
			ok = false;
		if (row)
			message_view(row);
		/* the audit record names channel, kind and the masked address; never the parameters (a code) */
		json_t *info = row ? json_pack("{s:s, s:s, s:O, s:s}", "channel", plan[i].channel, "kind", m->kind, "recipient",
						json_object_get(row, "recipient"), "state", str(row, "state"))
				   : NULL;
		ok = ok && row && audit_write(db, m->actor_id, "queue", "outbox", id, NULL, info) == 0;
		json_decref(info);
		if (row)
			json_array_append_new(list, row);
	}
	free(ptext);
	if (!ok || (own && db_commit(db) != 0)) {
		json_decref(list);
		send_fail(db, own, err);
		goto done;
	}
	if (out)
		*out = list;
	else
		json_decref(list);
	ret = n;
done:
	for (int i = 0; i < n; i++) {
		json_decref(plan[i].content);
		json_decref(plan[i].cfg);
	}
	if (!m->params)
		json_decref(params);
	return ret;
}

int
notify_send(db_t *db, const char *kind, json_t *recipient, json_t *params, fg_err_t *err)
{
	notify_msg_t m = {.kind = kind, .recipient = recipient, .params = params};
	return notify_send_msg(db, &m, NULL, err);
}

/* ---------- the log ---------- */

int
notify_outbox_list(db_t *db, const notify_filter_t *f, const char *cursor, int limit, json_t **out, fg_err_t *err)
{
	int rc;
	int64_t until = f->until > 0 ? f->until : INT64_MAX;
#define WHERE                                                                                                          \
	"WHERE (CAST($1 AS TEXT) IS NULL OR state = $1) AND (CAST($2 AS TEXT) IS NULL OR channel = $2) "                 \
	"AND (CAST($3 AS TEXT) IS NULL OR kind = $3) AND (CAST($4 AS TEXT) IS NULL OR recipient = $4) "                  \
	"AND (CAST($5 AS TEXT) IS NULL OR entity = $5) AND (CAST($6 AS TEXT) IS NULL OR entity_id = $6) "                \
	"AND created_at >= $7 AND created_at <= $8 "
	json_t *rows = db_all(db_q(db, "SELECT " MSG_COLS " FROM outbox " WHERE
				       "AND (CAST($9 AS TEXT) IS NULL OR id < $9) ORDER BY id DESC LIMIT $10",
			      "ttttttiiti", f->state, f->channel, f->kind, f->recipient, f->entity, f->entity_id, f->since, until,
			      cursor, (int64_t)limit + 1), &rc);
	json_t *cnt = rows ? db_one(db_q(db, "SELECT COUNT(*) AS n FROM outbox " WHERE, "ttttttii", f->state, f->channel, f->kind,
				    f->recipient, f->entity, f->entity_id, f->since, until), &rc)
			   : NULL;
#undef WHERE
	if (!rows || !cnt) {
		json_decref(rows);
		return db_fail(db, err);
	}
	json_t *next = json_null(), *r;
	if ((int)json_array_size(rows) > limit) {
		json_array_remove(rows, (size_t)limit);
		next = json_string(str(json_array_get(rows, (size_t)limit - 1), "id"));
	}
	size_t i;
	json_array_foreach(rows, i, r) message_view(r);
	*out = json_pack("{s:o, s:o, s:O}", "items", rows, "next_cursor", next, "total", json_object_get(cnt, "n"));
	json_decref(cnt);
	return 0;
}

json_t *
notify_outbox_get(db_t *db, const char *id)
{
	json_t *row = message_row(db, id);
	if (!row)
		return NULL;
	message_view(row);
	int rc;
	json_t *log = db_all(db_q(db, "SELECT n, at, ok, http_status, error, duration_ms FROM outbox_attempts WHERE outbox_id = $1 "
				       "ORDER BY n", "t", id), &rc);
	size_t i;
	json_t *a;
	json_array_foreach(log, i, a) json_object_set_new(a, "ok", json_boolean(json_integer_value(json_object_get(a, "ok"))));
	json_object_set_new(row, "log", log ? log : json_array());
	return row;
}

int
notify_outbox_retry(db_t *db, const char *actor_id, const char *id, json_t **out, fg_err_t *err)
{
	if (db_begin(db) != 0 || db_lock_row(db, "outbox", id) != 0)
		return db_fail(db, err);
	json_t *before = message_row(db, id);
	if (!before) {
		db_rollback(db);
		return fg_err_not_found(err, "outbox_message", id);
	}
	const char *st = str(before, "state");
	if (strcmp(st, "failed") != 0 && strcmp(st, "dead") != 0) {
		fg_err(err, "invalid_transition");
		fg_err_detail_str(err, "state", st);
		fg_err_detail_str(err, "action", "retry");
		fg_err_detail(err, "allowed", json_array());
		json_decref(before);
		db_rollback(db);
		return -1;
	}
	int64_t now = fg_now_ms();
	if (db_run(db_q(db, "UPDATE outbox SET state = 'queued', attempts = 0, next_attempt_at = $1, claim = NULL, updated_at = $1 "
			     "WHERE id = $2", "it", now, id)) != DB_DONE) {
		json_decref(before);
		return db_fail(db, err);
	}
	json_t *after = message_row(db, id);
	message_view(before);
	if (after)
		message_view(after);
	return audit_commit(db, actor_id, "retry", "outbox", id, before, after, out, err);
}

/* ---------- receipts ---------- */

static const char *
receipt_key(db_t *db)
{
	static _Thread_local char key[1024];
	const char *e = env_secret("sms", "receipt_key");
	if (e) {
		snprintf(key, sizeof key, "%s", e);
		return key;
	}
	int rc;
	json_t *row = db_one(db_q(db, "SELECT receipt_key FROM notify_channels WHERE channel = 'sms'", ""), &rc);
	const char *k = json_string_value(json_object_get(row, "receipt_key"));
	bool have = k && *k;
	if (have)
		snprintf(key, sizeof key, "%s", k);
	json_decref(row);
	return have ? key : NULL;
}

int
notify_receipts(db_t *db, const char *timestamp, const char *signature, const char *body, size_t len, json_t **out,
    fg_err_t *err)
{
	/* the shape first: a body that is no receipt changes nothing whoever sent it (the router has parsed it as JSON
	 * already), and the signature is checked before anything is read from the database or written */
	json_t *items;
	if (notify_receipt_parse(body, len, &items, err) != 0)
		return -1;
	const char *key = receipt_key(db);
	if (!key) {
		json_decref(items);
		return fg_err(err, "notify_receipts_disabled");
	}
	bool digits = timestamp && *timestamp && strlen(timestamp) <= 12;
	for (const char *p = timestamp; digits && *p; p++)
		digits = isdigit((unsigned char)*p);
	int64_t now_s = fg_now_ms() / 1000;
	if (!digits || llabs(now_s - strtoll(timestamp, NULL, 10)) > RECEIPT_SKEW_S ||
	    !notify_signature_ok(key, timestamp, body, len, signature)) {
		json_decref(items);
		return fg_err(err, "notify_signature_invalid");
	}
	int accepted = 0, duplicate = 0, unknown = 0;
	if (db_begin(db) != 0) {
		json_decref(items);
		return db_fail(db, err);
	}
	int64_t now = fg_now_ms();
	size_t i;
	json_t *it;
	bool ok = true;
	json_array_foreach(items, i, it) {
		int rc;
		const char *mid = str(it, "message_id");
		/* the gateway's own id, or our reference it was sent with (a receipt may outrun our record of the send) */
		json_t *row = db_one(db_q(db, "SELECT id, receipt_status FROM outbox WHERE channel = 'sms' AND (provider_id = $1 OR "
					      "id = $1) ORDER BY id LIMIT 1", "t", mid), &rc);
		if (!row) {
			if (rc != DB_DONE) {
				ok = false;
				break;
			}
			unknown++;
			continue;
		}
		if (strcmp(str(row, "receipt_status"), str(it, "status")) == 0) {
			duplicate++;
			json_decref(row);
			continue;
		}
		json_t *at = json_object_get(it, "at");
		int64_t when = json_is_integer(at) ? json_integer_value(at) : now;
		ok = db_run(db_q(db, "UPDATE outbox SET receipt_status = $1, receipt_error = $2, receipt_at = $3, updated_at = $4 "
				     "WHERE id = $5", "ttiit", str(it, "status"), json_string_value(json_object_get(it, "error")), when,
				 now, str(row, "id"))) == DB_DONE;
		json_t *info = json_pack("{s:s, s:O}", "receipt_status", str(it, "status"), "receipt_error", json_object_get(it, "error"));
		ok = ok && audit_write(db, NULL, "receipt", "outbox", str(row, "id"), NULL, info) == 0;
		json_decref(info);
		json_decref(row);
		if (!ok)
			break;
		accepted++;
	}
	json_decref(items);
	if (!ok || db_commit(db) != 0)
		return db_fail(db, err);
	*out = json_pack("{s:i, s:i, s:i}", "accepted", accepted, "duplicate", duplicate, "unknown", unknown);
	return 0;
}
