#include <string.h>
#include <ctype.h>
#include "core/base/counter.h"
#include "core/base/util.h"
#include "core/base/log.h"
#include "core/audit/audit.h"
#include "core/auth/perm.h"
#include "shared/org/scope.h"
#include "customer/feedback/feedback.h"

#define I_COLS "i.id, i.number, i.status, i.kind, i.channel, i.subject, i.text, i.contact_name, i.contact_phone, " \
	       "i.customer_id, i.application_no, i.rating, i.received_at, i.contact_due_at, i.reply_due_at, i.contacted_at, " \
	       "i.contacted_by, i.contact_note, i.answered_at, i.answered_by, i.answer, i.satisfaction, i.closed_at, " \
	       "i.closed_by, i.reopen_count, i.source, i.source_ref, i.created_by, i.created_at, i.updated_at, i.version, " \
	       "i.contact_address, i.sensitive, i.sensitive_reason, i.sensitive_by, i.sensitive_at"

static const char *const kinds[] = {"complaint", "opinion", "praise", "rating", "inquiry", NULL};
static const char *const channels[] = {"phone_95598", "sms", "questionnaire", "counter", "rating_import", NULL};
static const char *const imp_statuses[] = {"open", "in_progress", "done", "cancelled", NULL};
static const char *const satisfactions[] = {"satisfied", "basically_satisfied", "dissatisfied", NULL};

/* ---- the clock ---- */

/* The flow's limits ("contact", "reply"): each an "after" of the engine ({hours} or {working_days}). */
static json_t *
limit_of(const char *which)
{
	return json_object_get(json_object_get(flow_def("feedback"), "limits"), which);
}

int
feedback_check_limits(void)
{
	const char *names[] = {"contact", "reply"};
	for (int i = 0; i < 2; i++) {
		json_t *l = limit_of(names[i]);
		if (!json_is_object(l) || json_object_size(l) != 1 ||
		    !(json_integer_value(json_object_get(l, "hours")) > 0 || json_integer_value(json_object_get(l, "working_days")) > 0)) {
			log_error("data/flows/feedback.json: limits.%s must be {\"hours\": N} or {\"working_days\": N}", names[i]);
			return -1;
		}
	}
	return 0;
}

/* The due instant of a limit counted from `from` (the engine's count: hours, or working days of the calendar).
 * A year the calendar does not hold yet leaves it unset (0) rather than refusing the customer's item: the desk
 * sees an item without a due date, and the server's log says why. -1 only on a database error. */
static int
due_of(db_t *db, const char *which, int64_t from, int64_t *due)
{
	fg_err_t e = FG_ERR_INIT;
	*due = 0;
	if (flow_deadline_due(db, from, limit_of(which), due, &e) == 0)
		return 0;
	bool unknown = e.code && strcmp(e.code, "calendar_year_unknown") == 0;
	log_warn("feedback: %s limit from %lld not counted: %s", which, (long long)from, e.code ? e.code : "?");
	fg_err_clear(&e);
	*due = 0;
	return unknown ? 0 : -1;
}

/* Complaints, opinions and inquiries are answered; so is a poor rating (1–2 stars). Praise and the other ratings
 * are recorded and closed without a clock. */
static bool
has_clock(const char *kind, int64_t rating)
{
	if (strcmp(kind, "praise") == 0)
		return false;
	if (strcmp(kind, "rating") == 0)
		return rating >= 1 && rating <= 2;
	return true;
}

static void
decorate(json_t *it, int64_t now)
{
	json_object_set_new(it, "sensitive", json_boolean(json_integer_value(json_object_get(it, "sensitive"))));
	const char *st = fg_jstr(it, "status");
	json_t *cd = json_object_get(it, "contact_due_at"), *rd = json_object_get(it, "reply_due_at");
	bool waiting_contact = strcmp(st, "received") == 0, waiting_reply = waiting_contact || strcmp(st, "contacted") == 0;
	bool contact_late = waiting_contact && json_is_integer(cd) && json_integer_value(cd) < now;
	bool reply_late = waiting_reply && json_is_integer(rd) && json_integer_value(rd) < now;
	json_t *due = waiting_contact ? cd : strcmp(st, "contacted") == 0 ? rd : NULL;
	json_object_set_new(it, "clock", json_pack("{s:O, s:b, s:b, s:b}", "due_at", due ? due : json_null(), "contact_late",
					     contact_late, "reply_late", reply_late, "overdue", contact_late || reply_late));
}

/* ---- items ---- */

json_t *
feedback_get(db_t *db, const char *id)
{
	int rc;
	json_t *it = db_one(db_q(db, "SELECT " I_COLS " FROM feedback_items i WHERE i.id = $1", "t", id), &rc);
	if (!it)
		return NULL;
	decorate(it, fg_now_ms());
	json_t *imps = db_all(db_q(db, "SELECT m.id, m.title, m.status, m.due_date FROM feedback_improvement_items l "
					"JOIN feedback_improvements m ON m.id = l.improvement_id WHERE l.item_id = $1 ORDER BY m.id", "t", id), &rc);
	json_object_set_new(it, "improvements", imps ? imps : json_array());
	json_t *hs = db_all(db_q(db, "SELECT u.id, u.display_name FROM feedback_handlers h JOIN users u ON u.id = h.user_id "
				      "WHERE h.item_id = $1 ORDER BY u.username", "t", id), &rc);
	json_object_set_new(it, "handlers", hs ? hs : json_array());
	return it;
}

static json_t *
load(db_t *db, const char *id)
{
	return feedback_get(db, id);
}

const flow_binding_t feedback_flow = {"feedback", "feedback_items", "feedback_item", load, NULL, "feedback.read", NULL};

/* A phone as people write it: digits with +, - and spaces, 3 to 20 characters. */
static bool
phone_ok(const char *p)
{
	size_t n = strlen(p), digits = 0;
	if (n < 3 || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (isdigit((unsigned char)p[i]))
			digits++;
		else if (p[i] != '+' && p[i] != '-' && p[i] != ' ')
			return false;
	}
	return digits >= 3;
}

static int
insert_item(db_t *db, const char *actor_id, const char *id, json_t *in, const char *kind, const char *channel,
    int64_t rating, int64_t received_at, int64_t clock_from, const char *source, const char *source_ref, bool *inserted,
    fg_err_t *err)
{
	int64_t now = fg_now_ms(), cdue = 0, rdue = 0;
	if (has_clock(kind, rating) && (due_of(db, "contact", clock_from, &cdue) != 0 || due_of(db, "reply", clock_from, &rdue) != 0))
		return -1;
	char number[32];
	if (counter_number(db, "KF", number) != 0)
		return -1;
	/* a rating imported twice (by the source's own id) is skipped here, even when two imports race */
	int rc;
	json_t *row = db_one(db_q(db, "INSERT INTO feedback_items (id, number, status, kind, channel, subject, text, contact_name, "
					"contact_phone, customer_id, application_no, rating, received_at, contact_due_at, reply_due_at, "
					"source, source_ref, created_by, created_at, updated_at, contact_address) VALUES ($1, $2, 'received', $3, $4, $5, $6, "
					"$7, $8, $9, $10, NULLIF(CAST($11 AS INTEGER), 0), $12, NULLIF(CAST($13 AS BIGINT), 0), "
					"NULLIF(CAST($14 AS BIGINT), 0), $15, $16, $17, $18, $18, $19) ON CONFLICT DO NOTHING RETURNING id",
				   "ttttttttttiiiittt" "it", id, number, kind, channel, fg_jstr(in, "subject"), fg_jstr(in, "text"),
				   fg_jstr(in, "contact_name"), fg_jstr(in, "contact_phone"), fg_jstr(in, "customer_id"), fg_jstr(in, "application_no"),
				   rating, received_at, cdue, rdue, source, source_ref, actor_id, now, fg_jstr(in, "contact_address")), &rc);
	(void)err;
	json_decref(row);
	if (rc != DB_ROW && rc != DB_DONE)
		return -1;
	*inserted = rc == DB_ROW;
	if (!*inserted)
		return 0;
	/* no clock: the due columns stay NULL, so the states' deadlines ("at") arm nothing */
	return flow_timers_sync(db, &feedback_flow, id, true, now);
}

int
feedback_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	const char *kind = fg_jstr(in, "kind"), *channel = fg_jstr(in, "channel"), *phone = fg_jstr(in, "contact_phone");
	json_t *r = json_object_get(in, "rating"), *ra = json_object_get(in, "received_at");
	int64_t now = fg_now_ms(), rating = json_is_integer(r) ? json_integer_value(r) : 0;
	if (!fg_one_of(kind, kinds))
		return fg_err_field(err, "invalid_field", "kind", "complaint, opinion, praise, rating or inquiry");
	if (!fg_one_of(channel, channels) || strcmp(channel, "rating_import") == 0)
		return fg_err_field(err, "invalid_field", "channel", "phone_95598, sms, questionnaire or counter (ratings come by POST /feedback/imports)");
	if (fg_blank(fg_jstr(in, "subject")))
		return fg_err_field(err, "invalid_field", "subject", "not empty");
	if (r && !json_is_null(r) && (rating < 1 || rating > 5))
		return fg_err_field(err, "invalid_field", "rating", "1 to 5");
	if (strcmp(kind, "rating") == 0 && !rating)
		return fg_err_field(err, "missing_field", "rating", "a rating has its stars (1 to 5)");
	if (phone && !phone_ok(phone))
		return fg_err_field(err, "invalid_field", "contact_phone", "digits, +, - and spaces");
	/* the clock starts when the customer spoke, which the desk may type in afterwards, never later than now */
	int64_t received = json_is_integer(ra) ? json_integer_value(ra) : now;
	if (received > now + 5 * 60 * 1000 || received < 0)
		return fg_err_field(err, "invalid_field", "received_at", "not in the future");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	char id[37];
	fg_uuid7(id);
	bool inserted = false;
	if (insert_item(db, actor_id, id, in, kind, channel, rating, received, received, NULL, NULL, &inserted, err) != 0 || !inserted)
		return db_fail(db, err);
	return audit_commit(db, actor_id, "create", "feedback_item", id, NULL, feedback_get(db, id), out, err);
}

#define I_WHERE "WHERE (CAST($1 AS TEXT) IS NULL OR i.status = $1) AND (CAST($2 AS TEXT) IS NULL OR i.kind = $2) " \
		"AND (CAST($3 AS TEXT) IS NULL OR i.channel = $3) AND (CAST($4 AS TEXT) IS NULL OR i.customer_id = $4) " \
		"AND (CAST($5 AS TEXT) IS NULL OR i.application_no = $5) AND ($6 < 0 OR $6 = CASE WHEN " \
		"(i.status = 'received' AND i.contact_due_at < $7) OR (i.status IN ('received', 'contacted') AND " \
		"i.reply_due_at < $7) THEN 1 ELSE 0 END) " \
		"AND (CAST($8 AS TEXT) IS NULL OR ((i.contact_phone = $8 OR i.contact_name = $8) AND (i.sensitive = 0 OR " \
		"i.sensitive_by = $9 OR EXISTS (SELECT 1 FROM feedback_handlers h WHERE h.item_id = i.id AND h.user_id = $9)))) "

/* A search by the complainant's phone or name (contact) finds a sensitive item only for its handlers and the one
 * who flagged it: for everyone else it is not there. */
int
feedback_list(db_t *db, const feedback_filter_t *f, json_t **out, fg_err_t *err)
{
	int rc;
	int64_t now = fg_now_ms();
	json_t *rows = db_all(db_q(db, "SELECT " I_COLS " FROM feedback_items i " I_WHERE
					"AND (CAST($10 AS TEXT) IS NULL OR i.id < $10) ORDER BY i.id DESC LIMIT $11",
				   "tttttiitt" "ti", f->status, f->kind, f->channel, f->customer_id, f->application_no, (int64_t)f->overdue,
				   now, f->contact, f->viewer_id, f->cursor, (int64_t)(f->limit + 1)), &rc);
	if (!rows)
		return db_fail(db, err);
	json_t *count = db_one(db_q(db, "SELECT COUNT(*) AS n FROM feedback_items i " I_WHERE, "tttttiitt", f->status, f->kind,
				       f->channel, f->customer_id, f->application_no, (int64_t)f->overdue, now, f->contact, f->viewer_id), &rc);
	if (!count) {
		json_decref(rows);
		return db_fail(db, err);
	}
	json_t *next = json_null();
	if ((int)json_array_size(rows) > f->limit) {
		json_array_remove(rows, (size_t)f->limit);
		next = json_string(fg_jstr(json_array_get(rows, (size_t)f->limit - 1), "id"));
	}
	size_t i;
	json_t *it;
	json_array_foreach(rows, i, it) decorate(it, now);
	*out = json_pack("{s:o, s:o, s:O}", "items", rows, "next_cursor", next, "total", json_object_get(count, "n"));
	json_decref(count);
	return 0;
}

/* "张三丰" → "张**": the first character kept, one star for each other (UTF-8 aware). */
static void
mask_name(const char *in, char *out, size_t n)
{
	size_t o = 0, i = 0;
	if (!in || n < 2) {
		if (n)
			out[0] = '\0';
		return;
	}
	do /* the first character, whole */
		out[o++] = in[i++];
	while (in[i] && ((unsigned char)in[i] & 0xC0) == 0x80 && o < n - 1);
	for (; in[i] && o < n - 1; i++)
		if (((unsigned char)in[i] & 0xC0) != 0x80)
			out[o++] = '*';
	out[o] = '\0';
}

static void
mask_one(json_t *it)
{
	char buf[128];
	const char *name = fg_jstr(it, "contact_name"), *phone = fg_jstr(it, "contact_phone");
	if (name) {
		mask_name(name, buf, sizeof buf);
		json_object_set_new(it, "contact_name", json_string(buf));
	}
	if (phone) {
		scope_mask_phone(phone, buf, sizeof buf);
		json_object_set_new(it, "contact_phone", json_string(buf));
	}
	if (fg_jstr(it, "contact_address"))
		json_object_set_new(it, "contact_address", json_string("***"));
}

/* A sensitive item as everyone but its handlers sees it: the contact masked, the address and the customer's own
 * words withheld (the subject, a desk's summary, stays), and "masked": true says so. */
static void
mask_sensitive(json_t *it)
{
	mask_one(it);
	if (fg_jstr(it, "text"))
		json_object_set_new(it, "text", json_string("***"));
	json_object_set_new(it, "masked", json_true());
}

bool
feedback_is_handler(db_t *db, const auth_user_t *viewer, json_t *it)
{
	if (!viewer || !it)
		return false;
	const char *by = fg_jstr(it, "sensitive_by");
	if (by && strcmp(by, viewer->id) == 0)
		return true;
	int rc;
	json_t *h = db_one(db_q(db, "SELECT user_id FROM feedback_handlers WHERE item_id = $1 AND user_id = $2", "tt",
				   fg_jstr(it, "id"), viewer->id), &rc);
	json_decref(h);
	return h != NULL;
}

static void
mask_for(const auth_user_t *viewer, json_t *it, bool reveal)
{
	if (json_is_true(json_object_get(it, "sensitive"))) {
		if (!reveal)
			mask_sensitive(it);
		else
			json_object_set_new(it, "masked", json_false());
	} else {
		if (!(viewer && perm_allows(viewer->roles, "feedback.contact")))
			mask_one(it);
		json_object_set_new(it, "masked", json_false());
	}
}

void
feedback_mask(const auth_user_t *viewer, json_t *v)
{
	if (!v)
		return;
	json_t *items = json_object_get(v, "items"), *it;
	size_t i;
	if (json_is_array(items))
		json_array_foreach(items, i, it) mask_for(viewer, it, false);
	else
		mask_for(viewer, v, false);
}

int
feedback_read(db_t *db, const auth_user_t *viewer, const char *id, json_t **out, fg_err_t *err)
{
	json_t *it = feedback_get(db, id);
	if (!it)
		return fg_err_not_found(err, "feedback_item", id);
	if (!json_is_true(json_object_get(it, "sensitive")) || !feedback_is_handler(db, viewer, it)) {
		mask_for(viewer, it, false);
		*out = it;
		return 0;
	}
	/* a handler's read of a sensitive complainant's data: the answer exists only if its audit record does */
	json_t *what = json_pack("{s:s, s:[s, s, s, s]}", "number", fg_jstr(it, "number"), "fields", "contact_name",
	    "contact_phone", "contact_address", "text");
	if (db_begin(db) != 0 || audit_write(db, viewer->id, "reveal_sensitive", "feedback_item", id, NULL, what) != 0 ||
	    db_commit(db) != 0) {
		json_decref(what);
		json_decref(it);
		return db_fail(db, err);
	}
	json_decref(what);
	mask_for(viewer, it, true);
	*out = it;
	return 0;
}

int
feedback_flag_sensitive(db_t *db, const auth_user_t *actor, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	const char *reason = fg_jstr(in, "reason");
	json_t *handlers = json_object_get(in, "handler_ids"), *h;
	size_t i;
	if (fg_blank(reason))
		return fg_err_field(err, "reason_required", "reason", "why the complainant's data is isolated");
	if (json_array_size(handlers) == 0)
		return fg_err_field(err, "missing_field", "handler_ids", "who handles the complaint (at least one person)");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	json_t *before = feedback_get(db, id);
	if (!before) {
		fg_err_not_found(err, "feedback_item", id);
		return db_fail(db, err);
	}
	if (strcmp(fg_jstr(before, "kind"), "complaint") != 0) {
		json_decref(before);
		fg_err(err, "feedback_sensitive_complaint_only");
		return db_fail(db, err);
	}
	int rc;
	/* flagged once: two desks flagging at once, one wins */
	json_t *won = db_one(db_q(db,
	    "UPDATE feedback_items SET sensitive = 1, sensitive_reason = $2, sensitive_by = $3, sensitive_at = $4, "
	    "updated_at = $4, version = version + 1 WHERE id = $1 AND sensitive = 0 RETURNING id",
	    "ttti", id, reason, actor->id, fg_now_ms()), &rc);
	if (!won) {
		json_decref(before);
		if (rc >= 0)
			fg_err(err, "feedback_already_sensitive");
		return db_fail(db, err);
	}
	json_decref(won);
	rc = DB_DONE;
	json_array_foreach(handlers, i, h) {
		json_t *u = db_one(db_q(db, "SELECT id FROM users WHERE id = $1 AND disabled = 0", "t", json_string_value(h)), &rc);
		if (!u) {
			json_decref(before);
			fg_err_field(err, "invalid_field", "handler_ids", "people of the directory");
			fg_err_detail_str(err, "id", json_string_value(h));
			return db_fail(db, err);
		}
		json_decref(u);
		rc = db_run(db_q(db, "INSERT INTO feedback_handlers (item_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", "tt",
		    id, json_string_value(h)));
		if (rc != DB_DONE) {
			json_decref(before);
			return db_fail(db, err);
		}
	}
	/* the audit record names the flag and the handlers, never the complainant's data it isolates */
	json_t *after = json_pack("{s:s, s:b, s:s, s:O}", "number", fg_jstr(before, "number"), "sensitive", 1, "reason", reason,
	    "handler_ids", handlers);
	json_decref(before);
	if (audit_write(db, actor->id, "flag_sensitive", "feedback_item", id, NULL, after) != 0 || db_commit(db) != 0) {
		json_decref(after);
		return db_fail(db, err);
	}
	json_decref(after);
	json_t *it = feedback_get(db, id);
	mask_for(actor, it, true);
	*out = it;
	return 0;
}

/* ---- the ratings import ---- */

#define IMPORT_MAX 500

static bool
ident_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

static int
bad_line(fg_err_t *err, size_t line, const char *reason)
{
	fg_err_field(err, "invalid_field", "items", reason);
	fg_err_detail_int(err, "line", (long long)line);
	return -1;
}

int
feedback_import(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	const char *source = fg_jstr(in, "source");
	json_t *items = json_object_get(in, "items"), *l;
	size_t n = json_array_size(items), i;
	int64_t now = fg_now_ms();
	if (!ident_ok(source, 40))
		return fg_err_field(err, "invalid_field", "source", "the platform's name: a-z, 0-9, _ and -");
	if (!json_is_array(items) || n == 0 || n > IMPORT_MAX)
		return fg_err_field(err, "invalid_field", "items", "1 to 500 ratings");
	/* the whole batch is checked before anything is written: a batch goes in whole or not at all */
	json_array_foreach(items, i, l) {
		const char *ref = fg_jstr(l, "id"), *k;
		json_t *r = json_object_get(l, "rating"), *at = json_object_get(l, "rated_at"), *v;
		if (!json_is_object(l) || !ref || fg_blank(ref) || strlen(ref) > 100)
			return bad_line(err, i, "each rating has its id at the source (1 to 100 characters)");
		if (!json_is_integer(r) || json_integer_value(r) < 1 || json_integer_value(r) > 5)
			return bad_line(err, i, "rating 1 to 5");
		if (at && !(json_is_integer(at) && json_integer_value(at) >= 0 && json_integer_value(at) <= now + 5 * 60 * 1000))
			return bad_line(err, i, "rated_at: epoch ms, not in the future");
		json_object_foreach(l, k, v) {
			if (strcmp(k, "id") && strcmp(k, "rating") && strcmp(k, "rated_at") && strcmp(k, "text") && strcmp(k, "author") &&
			    strcmp(k, "phone"))
				return bad_line(err, i, "fields: id, rating, rated_at, text, author, phone");
			if (strcmp(k, "rating") && strcmp(k, "rated_at") && (!json_is_string(v) || strlen(json_string_value(v)) > 2000))
				return bad_line(err, i, "text, author and phone are text (up to 2000 bytes)");
		}
		if (fg_jstr(l, "phone") && !phone_ok(fg_jstr(l, "phone")))
			return bad_line(err, i, "phone: digits, +, - and spaces");
	}
	if (db_begin(db) != 0)
		return db_fail(db, err);
	json_t *res = json_array();
	int created = 0, skipped = 0;
	json_array_foreach(items, i, l) {
		const char *ref = fg_jstr(l, "id");
		int64_t stars = json_integer_value(json_object_get(l, "rating"));
		json_t *at = json_object_get(l, "rated_at");
		char subject[200];
		fg_fmt(subject, sizeof subject, "第三方评价（%s）%lld 星", source, (long long)stars);
		json_t *fields = json_pack("{s:s, s:s?, s:s?, s:s?}", "subject", subject, "text", fg_jstr(l, "text"), "contact_name",
		    fg_jstr(l, "author"), "contact_phone", fg_jstr(l, "phone"));
		char id[37];
		fg_uuid7(id);
		bool inserted = false;
		/* the clock of a poor rating starts when it reaches the company (now), not when it was written */
		int rc = insert_item(db, actor_id, id, fields, "rating", "rating_import", stars, json_is_integer(at) ? json_integer_value(at) : now,
		    now, source, ref, &inserted, err);
		json_decref(fields);
		json_t *row = NULL;
		if (rc == 0 && inserted) {
			row = feedback_get(db, id);
			if (!row || audit_write(db, actor_id, "import", "feedback_item", id, NULL, row) != 0)
				rc = -1;
		} else if (rc == 0) {
			int qrc;
			row = db_one(db_q(db, "SELECT id, number FROM feedback_items WHERE source = $1 AND source_ref = $2", "tt", source, ref), &qrc);
			if (!row)
				rc = -1;
		}
		if (rc != 0) {
			json_decref(row);
			json_decref(res);
			return db_fail(db, err);
		}
		json_array_append_new(res, json_pack("{s:s, s:s, s:s, s:b}", "source_ref", ref, "id", fg_jstr(row, "id"), "number",
						   fg_jstr(row, "number"), "created", inserted));
		json_decref(row);
		inserted ? created++ : skipped++;
	}
	if (db_commit(db) != 0) {
		json_decref(res);
		return db_fail(db, err);
	}
	*out = json_pack("{s:i, s:i, s:o}", "created", created, "skipped", skipped, "items", res);
	return 0;
}

/* ---- improvements ---- */

json_t *
feedback_improvement_get(db_t *db, const char *id)
{
	int rc;
	json_t *m = db_one(db_q(db, "SELECT m.id, m.title, m.description, m.owner_id, u.display_name AS owner_name, m.due_date, "
				     "m.status, m.outcome, m.done_at, m.created_by, m.created_at, m.updated_at, m.version FROM "
				     "feedback_improvements m JOIN users u ON u.id = m.owner_id WHERE m.id = $1", "t", id), &rc);
	if (!m)
		return NULL;
	json_t *items = db_all(db_q(db, "SELECT i.id, i.number, i.kind, i.subject, i.status FROM feedback_improvement_items l "
					 "JOIN feedback_items i ON i.id = l.item_id WHERE l.improvement_id = $1 ORDER BY i.id", "t", id), &rc);
	json_object_set_new(m, "items", items ? items : json_array());
	return m;
}

static bool
date_ok(const char *d)
{
	if (!d || strlen(d) != 10 || d[4] != '-' || d[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)d[i]))
			return false;
	int m = (d[5] - '0') * 10 + (d[6] - '0'), day = (d[8] - '0') * 10 + (d[9] - '0');
	return m >= 1 && m <= 12 && day >= 1 && day <= 31;
}

/* Checks what a create or an update sets (only the fields present). */
static int
improvement_check(db_t *db, json_t *in, fg_err_t *err)
{
	int rc;
	const char *owner = fg_jstr(in, "owner_id");
	json_t *ids = json_object_get(in, "item_ids"), *v;
	size_t i;
	if (json_object_get(in, "title") && fg_blank(fg_jstr(in, "title")))
		return fg_err_field(err, "invalid_field", "title", "not empty");
	if (json_object_get(in, "description") && fg_blank(fg_jstr(in, "description")))
		return fg_err_field(err, "invalid_field", "description", "not empty");
	if (json_object_get(in, "due_date") && !date_ok(fg_jstr(in, "due_date")))
		return fg_err_field(err, "invalid_field", "due_date", "YYYY-MM-DD");
	if (json_object_get(in, "status") && !fg_one_of(fg_jstr(in, "status"), imp_statuses))
		return fg_err_field(err, "invalid_field", "status", "open, in_progress, done or cancelled");
	if (owner) {
		json_t *u = db_one(db_q(db, "SELECT id FROM users WHERE id = $1 AND disabled = 0", "t", owner), &rc);
		if (!u)
			return fg_err_field(err, "invalid_field", "owner_id", "an active user");
		json_decref(u);
	}
	if (ids && (!json_is_array(ids) || json_array_size(ids) > 200))
		return fg_err_field(err, "invalid_field", "item_ids", "up to 200 feedback item ids");
	json_array_foreach(ids, i, v) {
		json_t *it = json_is_string(v) ? db_one(db_q(db, "SELECT id FROM feedback_items WHERE id = $1", "t", json_string_value(v)), &rc) : NULL;
		if (!it) {
			fg_err_field(err, "invalid_field", "item_ids", "no such feedback item");
			fg_err_detail_int(err, "index", (long long)i);
			return -1;
		}
		json_decref(it);
	}
	return 0;
}

static int
link_items(db_t *db, const char *id, json_t *ids)
{
	size_t i;
	json_t *v;
	if (db_run(db_q(db, "DELETE FROM feedback_improvement_items WHERE improvement_id = $1", "t", id)) != DB_DONE)
		return -1;
	json_array_foreach(ids, i, v) if (db_run(db_q(db, "INSERT INTO feedback_improvement_items (improvement_id, item_id) VALUES "
							  "($1, $2) ON CONFLICT DO NOTHING", "tt", id, json_string_value(v))) != DB_DONE) return -1;
	return 0;
}

int
feedback_improvement_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (improvement_check(db, in, err) != 0)
		return db_fail(db, err);
	char id[37];
	fg_uuid7(id);
	int64_t now = fg_now_ms();
	if (db_run(db_q(db, "INSERT INTO feedback_improvements (id, title, description, owner_id, due_date, status, created_by, "
			    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $7)", "tttttti", id, fg_jstr(in, "title"),
		    fg_jstr(in, "description"), fg_jstr(in, "owner_id"), fg_jstr(in, "due_date"), actor_id, now)) != DB_DONE ||
	    link_items(db, id, json_object_get(in, "item_ids")) != 0)
		return db_fail(db, err);
	return audit_commit(db, actor_id, "create", "feedback_improvement", id, NULL, feedback_improvement_get(db, id), out, err);
}

int
feedback_improvement_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "feedback_improvements", id) != 0)
		return db_fail(db, err);
	json_t *before = feedback_improvement_get(db, id);
	if (!before) {
		fg_err(err, "not_found");
		fg_err_detail_str(err, "entity", "feedback_improvement");
		fg_err_detail_str(err, "id", id);
		return db_fail(db, err);
	}
	if (db_check_version(before, in, err) != 0 || improvement_check(db, in, err) != 0) {
		json_decref(before);
		return db_fail(db, err);
	}
	const char *status = fg_jstr(in, "status") ? fg_jstr(in, "status") : fg_jstr(before, "status");
	int64_t now = fg_now_ms();
	/* done_at: when it was last marked done (kept when it is edited afterwards, cleared when it is reopened) */
	bool to_done = strcmp(status, "done") == 0 && strcmp(fg_jstr(before, "status"), "done") != 0;
	bool from_done = strcmp(status, "done") != 0;
	json_t *outcome = json_object_get(in, "outcome");
	if (db_run(db_q(db, "UPDATE feedback_improvements SET title = COALESCE($1, title), description = COALESCE($2, description), "
			    "owner_id = COALESCE($3, owner_id), due_date = COALESCE($4, due_date), status = $5, "
			    "outcome = CASE WHEN $6 = 1 THEN $7 ELSE outcome END, done_at = CASE WHEN $8 = 1 THEN $9 WHEN $10 = 1 "
			    "THEN NULL ELSE done_at END, updated_at = $9, version = version + 1 WHERE id = $11",
		    "tttttbtbibt", fg_jstr(in, "title"), fg_jstr(in, "description"), fg_jstr(in, "owner_id"), fg_jstr(in, "due_date"), status,
		    outcome != NULL, json_string_value(outcome), to_done, now, from_done, id)) != DB_DONE ||
	    (json_object_get(in, "item_ids") && link_items(db, id, json_object_get(in, "item_ids")) != 0)) {
		json_decref(before);
		return db_fail(db, err);
	}
	return audit_commit(db, actor_id, "update", "feedback_improvement", id, before, feedback_improvement_get(db, id), out, err);
}

int
feedback_improvements(db_t *db, const char *status, const char *item_id, int limit, const char *cursor, json_t **out,
    fg_err_t *err)
{
	int rc;
#define M_WHERE "WHERE (CAST($1 AS TEXT) IS NULL OR m.status = $1) AND (CAST($2 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM " \
		"feedback_improvement_items l WHERE l.improvement_id = m.id AND l.item_id = $2)) "
	json_t *rows = db_all(db_q(db, "SELECT m.id FROM feedback_improvements m " M_WHERE
					"AND (CAST($3 AS TEXT) IS NULL OR m.id < $3) ORDER BY m.id DESC LIMIT $4",
				   "ttti", status, item_id, cursor, (int64_t)(limit + 1)), &rc);
	if (!rows)
		return db_fail(db, err);
	json_t *count = db_one(db_q(db, "SELECT COUNT(*) AS n FROM feedback_improvements m " M_WHERE, "tt", status, item_id), &rc);
	if (!count) {
		json_decref(rows);
		return db_fail(db, err);
	}
	json_t *next = json_null(), *items = json_array(), *r;
	if ((int)json_array_size(rows) > limit) {
		json_array_remove(rows, (size_t)limit);
		next = json_string(fg_jstr(json_array_get(rows, (size_t)limit - 1), "id"));
	}
	size_t i;
	json_array_foreach(rows, i, r) {
		json_t *m = feedback_improvement_get(db, fg_jstr(r, "id"));
		if (m)
			json_array_append_new(items, m);
	}
	json_decref(rows);
	*out = json_pack("{s:o, s:o, s:O}", "items", items, "next_cursor", next, "total", json_object_get(count, "n"));
	json_decref(count);
	return 0;
}

/* ---- the flow's guards and effects (data/flows/feedback.json) ---- */

/* Closing needs the answer the customer was given: recorded by "answer", or given with the close. */
static int
g_answer_given(flow_ctx_t *c, fg_err_t *gate)
{
	if (!fg_blank(fg_jstr(c->row, "answer")) || !fg_blank(fg_jstr(c->body, "answer")))
		return 0;
	return fg_err_field(gate, "feedback_answer_required", "answer", NULL);
}

/* … and the customer's satisfaction with it (the return visit, 回访). */
static int
g_satisfaction_given(flow_ctx_t *c, fg_err_t *gate)
{
	const char *s = fg_jstr(c->body, "satisfaction");
	if (!s)
		return fg_err_field(gate, "feedback_satisfaction_required", "satisfaction", NULL);
	if (!fg_one_of(s, satisfactions))
		return fg_err_field(gate, "invalid_field", "satisfaction", "satisfied, basically_satisfied or dissatisfied");
	return 0;
}

static int
e_answered(flow_ctx_t *c, fg_err_t *err)
{
	/* answering straight away contacts the customer too */
	return db_run(db_q(c->db, "UPDATE feedback_items SET contacted_at = COALESCE(contacted_at, $1), contacted_by = "
				  "COALESCE(contacted_by, $2) WHERE id = $3", "itt", c->now, c->actor->id, c->id)) == DB_DONE ? 0 : -1;
}

static int
e_closed(flow_ctx_t *c, fg_err_t *err)
{
	const char *answer = fg_jstr(c->body, "answer");
	if (fg_blank(answer))
		return 0;
	return db_run(db_q(c->db, "UPDATE feedback_items SET answer = $1, answered_at = COALESCE(answered_at, $2), answered_by = "
				  "COALESCE(answered_by, $3), contacted_at = COALESCE(contacted_at, $2), contacted_by = "
				  "COALESCE(contacted_by, $3) WHERE id = $4", "titt", answer, c->now, c->actor->id, c->id)) == DB_DONE ? 0 : -1;
}

/* The customer disputes the answer: a new reply is due within the reply limit from now; the old answer stays in
 * the item's history (flow events and audit), the new one is still to be given. */
static int
e_reopened(flow_ctx_t *c, fg_err_t *err)
{
	int64_t due = 0;
	if (due_of(c->db, "reply", c->now, &due) != 0)
		return -1;
	return db_run(db_q(c->db, "UPDATE feedback_items SET reply_due_at = NULLIF(CAST($1 AS BIGINT), 0), answer = NULL, answered_at = NULL, "
				  "answered_by = NULL, reopen_count = reopen_count + 1 WHERE id = $2", "it", due, c->id)) == DB_DONE ? 0 : -1;
}

const flow_guard_t feedback_guards[] = {
	{"feedback_answer_given", g_answer_given},
	{"feedback_satisfaction_given", g_satisfaction_given},
	{NULL, NULL},
};

const flow_effect_t feedback_effects[] = {
	{"feedback_answered", e_answered},
	{"feedback_closed", e_closed},
	{"feedback_reopened", e_reopened},
	{NULL, NULL},
};
