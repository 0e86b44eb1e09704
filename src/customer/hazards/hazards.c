/* Customer hazards (hazards.h): recording one, reading and searching them, the flow's guards and effects (the
 * plan, the notice, the signed receipt, the report, the follow-ups), the yearly analysis and the escalation of
 * overdue ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/counter.h"
#include "core/base/day.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/auth/perm.h"
#include "core/calendar/calendar.h"
#include "shared/notify/notify.h"
#include "customer/customers/customers.h"
#include "shared/attach/attach.h"
#include "customer/hazards/hazards.h"

#define COLS                                                                                                             \
	"h.id, h.number, h.customer_id, c.number AS customer_number, c.name AS customer_name, c.id_type AS customer_id_type, " \
	"(SELECT MIN(a.number) FROM customer_accounts a WHERE a.customer_id = c.id) AS customer_account, "                    \
	"h.check_id, h.kind, h.side, h.severity, h.description, h.location, h.photos, h.found_by, fu.display_name AS "       \
	"found_by_name, h.found_at, h.status, h.due_at, h.escalation, h.escalated_at, h.owner_id, ou.display_name AS "        \
	"owner_name, h.plan, h.deadline, h.notice_number, h.notice_at, h.rectify_by, h.requirement, h.signer_name, "         \
	"h.signed_at, h.sign_place, h.sign_lat, h.sign_lng, h.signature_id, h.holding_photo_id, h.received_by, "            \
	"h.reported_at, h.reported_by, h.report_ref, h.closed_at, h.closed_by, h.closing_note, h.evidence, h.created_at, "  \
	"h.updated_at, h.version"
#define FROM                                                                                                             \
	" FROM customer_hazards h JOIN customers c ON c.id = h.customer_id LEFT JOIN users fu ON fu.id = h.found_by "       \
	"LEFT JOIN users ou ON ou.id = h.owner_id"

static const char *const sides[] = {"grid", "customer", NULL};
static const char *const severities[] = {"general", "major", "critical", NULL};
static const char *const results[] = {"rectified", "not_rectified", "partly", NULL};
static const char *const states[] = {"open", "rectifying", "notified", "signed", "reported", "closed", "cancelled", NULL};

static json_t *
def(void)
{
	return flow_def("customer_hazard");
}

json_t *
hazards_kinds(void)
{
	return json_object_get(def(), "kinds");
}

static bool
kind_known(const char *k)
{
	size_t i;
	json_t *v;
	json_array_foreach(hazards_kinds(), i, v) if (k && strcmp(fg_jstr(v, "code"), k) == 0) return true;
	return false;
}

int
hazards_check(void)
{
	json_t *l = json_object_get(def(), "limits");
	if (!json_array_size(hazards_kinds()) || !json_object_get(l, "sign") || !json_object_get(l, "report") ||
	    !json_object_get(l, "rectify") || !json_object_get(def(), "escalation")) {
		log_error("data/flows/customer_hazard.json: needs kinds, limits.sign, limits.report, limits.rectify and escalation");
		return -1;
	}
	return 0;
}

/* The last millisecond of a Shanghai day: a deadline day means "by the end of it". */
static int64_t
end_of_day(const char *day)
{
	long d = day_diff("1970-01-01", day);
	return (int64_t)(d + 1) * 86400000LL - 8 * 3600000LL - 1;
}

/* from + n working days (the engine's count), as the end of that day. A day past the calendar's last known year
 * (a notice in December with a 30-day limit, before next year's holidays are entered) is counted on weekdays alone
 * rather than refused: the customer's day must be printed on the notice now; an admin entering the year later
 * does not move a day already printed. */
static int
working_days(db_t *db, int64_t from, long long n, int64_t *due, fg_err_t *err)
{
	json_t *after = json_pack("{s:I}", "working_days", n);
	int rc = flow_deadline_due(db, from, after, due, err);
	json_decref(after);
	if (rc != 0 && err->code && strcmp(err->code, "calendar_year_unknown") == 0) {
		fg_err_clear(err);
		char day[11];
		cal_local_day(from, day);
		long d = day_diff("1970-01-01", day); /* 1970-01-01 was a Thursday: (d + 3) % 7 is 0 on Mondays */
		for (long long k = 0; k < n;)
			if ((++d + 3) % 7 < 5)
				k++;
		*due = (int64_t)(d + 1) * 86400000LL - 8 * 3600000LL - 1;
		log_warn("hazards: %lld working days from %s counted on weekdays (the calendar does not hold the year yet)", n, day);
		return 0;
	}
	if (rc == 0) {
		char day[11];
		cal_local_day(*due, day);
		*due = end_of_day(day);
	}
	return rc;
}

/* A limit of the flow file for the row: {"working_days": N} or {"by": column, "values": {…}}. */
static long long
limit_of(const char *key, json_t *row)
{
	json_t *l = json_object_get(json_object_get(def(), "limits"), key);
	if (json_is_string(json_object_get(l, "by"))) {
		const char *v = fg_jstr(row, json_string_value(json_object_get(l, "by")));
		return json_integer_value(json_object_get(json_object_get(l, "values"), v ? v : ""));
	}
	return json_integer_value(json_object_get(l, "working_days"));
}

/* ---- reading ---- */

static void
parse_arr(json_t *row, const char *k)
{
	const char *t = fg_jstr(row, k);
	json_t *v = t ? json_loads(t, 0, NULL) : NULL;
	json_object_set_new(row, k, json_is_array(v) ? v : (json_decref(v), json_array()));
}

static bool
is_open(const char *st)
{
	return strcmp(st, "closed") != 0 && strcmp(st, "cancelled") != 0;
}

static json_t *
shown(json_t *row, int64_t now)
{
	parse_arr(row, "photos");
	parse_arr(row, "evidence");
	json_t *due = json_object_get(row, "due_at");
	bool open = is_open(fg_jstr(row, "status"));
	bool overdue = open && json_is_integer(due) && json_integer_value(due) < now;
	json_object_set_new(row, "open", json_boolean(open));
	json_object_set_new(row, "overdue", json_boolean(overdue));
	json_object_set_new(row, "customer", json_pack("{s:O, s:O, s:O, s:O}", "id", json_object_get(row, "customer_id"), "number",
						    json_object_get(row, "customer_number"), "name", json_object_get(row, "customer_name"),
						    "account_number", json_object_get(row, "customer_account")));
	json_object_del(row, "customer_account");
	json_object_del(row, "customer_number");
	json_object_del(row, "customer_name");
	return row;
}

/* A customer who is a person (ID card) is named in full only to those who work hazards or call customers (R2.16). */
void
hazards_mask(const auth_user_t *viewer, json_t *h)
{
	if (!viewer || perm_allows(viewer->roles, "hazards.write") || perm_allows(viewer->roles, "customers.contact"))
		goto done;
	if (json_is_array(h)) {
		size_t i;
		json_t *x;
		json_array_foreach(h, i, x) hazards_mask(viewer, x);
		return;
	}
	json_t *c = json_object_get(h, "customer");
	const char *t = fg_jstr(h, "customer_id_type");
	if (c && t && strcmp(t, "id_card") == 0 && fg_jstr(c, "name")) {
		char m[256];
		customers_mask_name(fg_jstr(c, "name"), m, sizeof m);
		json_object_set_new(c, "name", json_string(m));
		if (fg_jstr(h, "signer_name")) {
			customers_mask_name(fg_jstr(h, "signer_name"), m, sizeof m);
			json_object_set_new(h, "signer_name", json_string(m));
		}
	}
done:
	if (json_is_array(h)) {
		size_t i;
		json_t *x;
		json_array_foreach(h, i, x) json_object_del(x, "customer_id_type");
	} else
		json_object_del(h, "customer_id_type");
}

static json_t *
load_raw(db_t *db, const char *id)
{
	int rc;
	json_t *row = db_one(db_q(db, "SELECT " COLS FROM " WHERE h.id = $1", "t", id), &rc);
	return row ? shown(row, fg_now_ms()) : NULL;
}

json_t *
hazards_get(db_t *db, const auth_user_t *viewer, const char *id)
{
	json_t *h = load_raw(db, id);
	if (!h)
		return NULL;
	int rc;
	json_t *f = db_all(db_q(db, "SELECT f.id, f.checked_on, f.result, f.note, f.photos, f.checked_by, u.display_name AS "
				    "checked_by_name, f.created_at FROM customer_hazard_followups f LEFT JOIN users u ON u.id = f.checked_by "
				    "WHERE f.hazard_id = $1 ORDER BY f.created_at, f.id", "t", id), &rc);
	size_t i;
	json_t *x;
	json_array_foreach(f, i, x) parse_arr(x, "photos");
	json_object_set_new(h, "followups", f ? f : json_array());
	json_t *hist = flow_history(db, "customer_hazard", id);
	json_object_set_new(h, "history", hist ? hist : json_array());
	hazards_mask(viewer, h);
	return h;
}

/* The engine's view: the hazard as stored, in full (a transition's answer goes to whoever may fire it). */
static json_t *
load(db_t *db, const char *id)
{
	json_t *h = load_raw(db, id);
	if (h)
		json_object_del(h, "customer_id_type");
	return h;
}

const flow_binding_t hazards_flow = {"customer_hazard", "customer_hazards", "customer_hazard", load, NULL, "hazards.read", NULL};

/* ---- recording ---- */

static int
one_attachment(db_t *db, json_t *body, const char *field, const char *want, fg_err_t *err)
{
	json_t *v = json_object_get(body, field);
	if (!json_is_string(v) || !*json_string_value(v))
		return fg_err_field(err, "missing_field", field, "the id of an uploaded attachment");
	json_t *a = json_pack("[O]", v);
	int rc = attach_ids_check(db, a, field, 1, want, err);
	json_decref(a);
	return rc;
}

int
hazards_create(db_t *db, const auth_user_t *actor, json_t *in, json_t **out, fg_err_t *err)
{
	static const char *const req[] = {"customer_id", "kind", "side", "severity", "description", NULL};
	for (int i = 0; req[i]; i++)
		if (fg_blank(fg_jstr(in, req[i])))
			return fg_err_field(err, "missing_field", req[i], "required");
	if (!kind_known(fg_jstr(in, "kind")))
		return fg_err_field(err, "invalid_field", "kind", "one of the kinds (GET /api/v1/hazards/kinds)");
	if (!fg_one_of(fg_jstr(in, "side"), sides))
		return fg_err_field(err, "invalid_field", "side", "grid or customer");
	if (!fg_one_of(fg_jstr(in, "severity"), severities))
		return fg_err_field(err, "invalid_field", "severity", "general, major or critical");
	int64_t now = fg_now_ms();
	json_t *fa = json_object_get(in, "found_at");
	int64_t found = json_is_integer(fa) ? json_integer_value(fa) : now;
	if (fa && !json_is_null(fa) && !json_is_integer(fa))
		return fg_err_field(err, "invalid_field", "found_at", "epoch milliseconds");
	if (found > now + 60000 || found < 946684800000LL)
		return fg_err_field(err, "invalid_field", "found_at", "when it was found: not in the future");
	json_t *photos = json_object_get(in, "photo_ids");
	if (photos && !json_is_null(photos) && !json_is_array(photos))
		return fg_err_field(err, "invalid_field", "photo_ids", "an array of attachment ids");
	if (json_is_array(photos) && attach_ids_check(db, photos, "photo_ids", 100, NULL, err) != 0)
		return -1;
	int rc;
	json_t *c = db_one(db_q(db, "SELECT id FROM customers WHERE id = $1", "t", fg_jstr(in, "customer_id")), &rc);
	if (!c)
		return rc == DB_DONE ? fg_err_not_found(err, "customer", fg_jstr(in, "customer_id")) : fg_err(err, "internal");
	json_decref(c);
	char id[37], number[32];
	fg_uuid7(id);
	if (counter_number(db, "YH", number) != 0)
		return fg_err(err, "internal");
	char *ptext = json_is_array(photos) ? json_dumps(photos, JSON_COMPACT) : fg_strdup("[]");
	int q = db_run(db_q(db, "INSERT INTO customer_hazards (id, number, customer_id, check_id, kind, side, severity, description, "
				"location, photos, found_by, found_at, status, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, "
				"$6, $7, $8, $9, $10, $11, $12, 'open', $11, $13, $13)", "ttttttttttt" "ii", id, number, fg_jstr(in, "customer_id"),
			      fg_jstr(in, "check_id"), fg_jstr(in, "kind"), fg_jstr(in, "side"), fg_jstr(in, "severity"),
			      fg_jstr(in, "description"), fg_jstr(in, "location"), ptext, actor->id, found, now));
	free(ptext);
	if (q != DB_DONE)
		return fg_err(err, "internal");
	json_t *after = hazards_get(db, NULL, id);
	if (!after || audit_write(db, actor->id, "create", "customer_hazard", id, NULL, after) != 0) {
		json_decref(after);
		return fg_err(err, "internal");
	}
	*out = after;
	return 0;
}

/* ---- the flow's effects and guards ---- */

static int
set_due(db_t *db, const char *id, int64_t due)
{
	return db_run(db_q(db, "UPDATE customer_hazards SET due_at = NULLIF(CAST($1 AS BIGINT), 0) WHERE id = $2", "it", due, id)) ==
		       DB_DONE
		   ? 0
		   : -1;
}

/* plan: the owner (an enabled user), the deadline day (not past), what will be done; due_at is that day's end. */
static int
e_plan(flow_ctx_t *c, fg_err_t *err)
{
	const char *owner = fg_jstr(c->body, "owner_id"), *deadline = fg_jstr(c->body, "deadline");
	int rc;
	json_t *u = db_one(db_q(c->db, "SELECT id FROM users WHERE id = $1 AND disabled = 0", "t", owner), &rc);
	if (!u)
		return rc == DB_DONE ? fg_err_field(err, "invalid_field", "owner_id", "an enabled user") : fg_err(err, "internal");
	json_decref(u);
	char today[11];
	cal_local_day(c->now, today);
	if (!day_valid(deadline) || strcmp(deadline, today) < 0)
		return fg_err_field(err, "invalid_field", "deadline", "YYYY-MM-DD, today or later");
	if (db_run(db_q(c->db, "UPDATE customer_hazards SET owner_id = $1, deadline = $2, plan = $3, due_at = $4 WHERE id = $5", "tttit",
		       owner, deadline, fg_jstr(c->body, "plan"), end_of_day(deadline), c->id)) != DB_DONE)
		return fg_err(err, "internal");
	return 0;
}

static int
e_evidence(flow_ctx_t *c, fg_err_t *err)
{
	json_t *ev = json_object_get(c->body, "evidence_ids");
	if (attach_ids_check(c->db, ev, "evidence_ids", 100, NULL, err) != 0)
		return -1;
	char *t = json_dumps(ev, JSON_COMPACT);
	int rc = db_run(db_q(c->db, "UPDATE customer_hazards SET evidence = $1 WHERE id = $2", "tt", t, c->id));
	free(t);
	return rc == DB_DONE ? 0 : fg_err(err, "internal");
}

/* issue_notice: the notice's number, the customer's rectification day by severity (printed on the notice) and the
 * clock for the signature. */
static int
e_notice(flow_ctx_t *c, fg_err_t *err)
{
	char number[32], day[11];
	int64_t rect, due;
	if (counter_number(c->db, "TZ", number) != 0)
		return fg_err(err, "internal");
	if (working_days(c->db, c->now, limit_of("rectify", c->row), &rect, err) != 0 ||
	    working_days(c->db, c->now, limit_of("sign", c->row), &due, err) != 0)
		return -1;
	cal_local_day(rect, day);
	if (db_run(db_q(c->db, "UPDATE customer_hazards SET notice_number = $1, rectify_by = $2, due_at = $3 WHERE id = $4", "ttit", number,
		       day, due, c->id)) != DB_DONE)
		return fg_err(err, "internal");
	return 0;
}

/* sign: the customer's handwritten signature (a PNG drawn on the phone), the photo of the signer holding the
 * notice, and the place: an address, or the phone's position, or both. */
static int
e_sign(flow_ctx_t *c, fg_err_t *err)
{
	if (one_attachment(c->db, c->body, "signature_id", "image/png", err) != 0 ||
	    one_attachment(c->db, c->body, "holding_photo_id", "image/", err) != 0)
		return -1;
	json_t *lat = json_object_get(c->body, "lat"), *lng = json_object_get(c->body, "lng");
	const char *place = fg_jstr(c->body, "place");
	bool has_pos = json_is_number(lat) && json_is_number(lng);
	if ((lat || lng) && (!has_pos || json_number_value(lat) < -90 || json_number_value(lat) > 90 || json_number_value(lng) < -180 ||
			     json_number_value(lng) > 180))
		return fg_err_field(err, "invalid_field", lat && json_is_number(lat) && json_number_value(lat) >= -90 && json_number_value(lat) <= 90 ? "lng" : "lat",
		    "degrees (lat −90…90, lng −180…180), both given");
	if (fg_blank(place) && !has_pos)
		return fg_err_field(err, "missing_field", "place", "where it was signed: an address, or lat and lng");
	char la[32] = "", lo[32] = "";
	if (has_pos) {
		fg_fmt(la, sizeof la, "%.6f", json_number_value(lat));
		fg_fmt(lo, sizeof lo, "%.6f", json_number_value(lng));
	}
	int64_t due;
	if (working_days(c->db, c->now, limit_of("report", c->row), &due, err) != 0)
		return -1;
	if (db_run(db_q(c->db, "UPDATE customer_hazards SET signature_id = $1, holding_photo_id = $2, sign_place = $3, "
			       "sign_lat = NULLIF($4, ''), sign_lng = NULLIF($5, ''), due_at = $6 WHERE id = $7", "tttttit",
		       fg_jstr(c->body, "signature_id"), fg_jstr(c->body, "holding_photo_id"), fg_blank(place) ? NULL : place, la, lo, due,
		       c->id)) != DB_DONE)
		return fg_err(err, "internal");
	return 0;
}

/* report: from now on the clock is the customer's rectification day of the notice. */
static int
e_report(flow_ctx_t *c, fg_err_t *err)
{
	const char *by = fg_jstr(c->row, "rectify_by");
	return set_due(c->db, c->id, by && day_valid(by) ? end_of_day(by) : 0) == 0 ? 0 : fg_err(err, "internal");
}

/* follow_up: a check of the customer's rectification, recorded as it was found (never changed later). */
static int
e_follow_up(flow_ctx_t *c, fg_err_t *err)
{
	const char *on = fg_jstr(c->body, "checked_on"), *result = fg_jstr(c->body, "result");
	char today[11];
	cal_local_day(c->now, today);
	if (!day_valid(on) || strcmp(on, today) > 0)
		return fg_err_field(err, "invalid_field", "checked_on", "YYYY-MM-DD, not in the future");
	if (!fg_one_of(result, results))
		return fg_err_field(err, "invalid_field", "result", "rectified, not_rectified or partly");
	json_t *photos = json_object_get(c->body, "photo_ids");
	if (photos && !json_is_array(photos))
		return fg_err_field(err, "invalid_field", "photo_ids", "an array of attachment ids");
	if (photos && attach_ids_check(c->db, photos, "photo_ids", 100, NULL, err) != 0)
		return -1;
	char id[37];
	fg_uuid7(id);
	char *pt = photos ? json_dumps(photos, JSON_COMPACT) : fg_strdup("[]");
	int rc = db_run(db_q(c->db, "INSERT INTO customer_hazard_followups (id, hazard_id, checked_on, result, note, photos, checked_by, "
				    "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", "ttttttti", id, c->id, on, result,
			     fg_jstr(c->body, "note"), pt, c->actor->id, c->now));
	free(pt);
	return rc == DB_DONE ? 0 : fg_err(err, "internal");
}

/* close (customer side): the last follow-up found it rectified. */
static int
g_rectified(flow_ctx_t *c, fg_err_t *gate)
{
	int rc;
	json_t *f = db_one(db_q(c->db, "SELECT result, checked_on FROM customer_hazard_followups WHERE hazard_id = $1 ORDER BY created_at "
				       "DESC, id DESC LIMIT 1", "t", c->id), &rc);
	if (!f && rc != DB_DONE)
		return fg_err(gate, "internal");
	if (f && strcmp(fg_jstr(f, "result"), "rectified") == 0) {
		json_decref(f);
		return 0;
	}
	fg_err(gate, "customer_hazard_not_rectified");
	fg_err_detail(gate, "last_result", f ? json_incref(json_object_get(f, "result")) : json_null());
	json_decref(f);
	return -1;
}

const flow_guard_t hazards_guards[] = {
	{"customer_hazard_rectified", g_rectified},
	{NULL, NULL},
};

const flow_effect_t hazards_effects[] = {
	{"customer_hazard_plan", e_plan},
	{"customer_hazard_evidence", e_evidence},
	{"customer_hazard_notice", e_notice},
	{"customer_hazard_sign", e_sign},
	{"customer_hazard_report", e_report},
	{"customer_hazard_follow_up", e_follow_up},
	{NULL, NULL},
};

/* ---- searching ---- */

int
hazards_search(db_t *db, const auth_user_t *viewer, const hazards_filter_t *f, json_t **out, fg_err_t *err)
{
	if (f->state && !fg_one_of(f->state, states))
		return fg_err_field(err, "invalid_query", "state", "open, rectifying, notified, signed, reported, closed or cancelled");
	if (f->side && !fg_one_of(f->side, sides))
		return fg_err_field(err, "invalid_query", "side", "grid or customer");
	if (f->kind && !kind_known(f->kind))
		return fg_err_field(err, "invalid_query", "kind", "one of the kinds");
	int64_t now = fg_now_ms(), from = 0, to = 0;
	if (f->year) {
		char a[11], b[11];
		fg_fmt(a, sizeof a, "%04d-01-01", f->year);
		fg_fmt(b, sizeof b, "%04d-12-31", f->year);
		from = end_of_day(a) + 1 - 86400000LL;
		to = end_of_day(b) + 1;
	}
	char like[256] = "";
	if (f->q && *f->q)
		fg_fmt(like, sizeof like, "%%%s%%", f->q);
	const char *where =
	    " WHERE ($1 = '' OR h.customer_id = $1) AND ($2 = '' OR h.kind = $2) AND ($3 = '' OR h.side = $3) AND "
	    "($4 = '' OR h.status = $4) AND (CAST($5 AS BIGINT) = 0 OR (h.found_at >= $5 AND h.found_at < $6)) AND "
	    "($7 = '' OR h.description LIKE $7 OR h.location LIKE $7 OR h.number LIKE $7 OR c.name LIKE $7 OR c.number LIKE $7) AND "
	    "($8 < 0 OR ($8 = 1) = (h.status NOT IN ('closed', 'cancelled') AND h.due_at IS NOT NULL AND h.due_at < $9)) AND "
	    "($10 = 0 OR h.status NOT IN ('closed', 'cancelled'))";
	char sql[4096];
	fg_fmt(sql, sizeof sql, "SELECT " COLS FROM "%s ORDER BY CASE WHEN h.status IN ('closed', 'cancelled') THEN 1 ELSE 0 END, "
				"CASE WHEN h.due_at IS NULL THEN 1 ELSE 0 END, h.due_at, h.found_at DESC, h.id LIMIT %d OFFSET %lld",
	    where, f->limit, f->offset);
#define ARGS                                                                                                                   \
	"tttti" "iti" "ii", f->customer_id ? f->customer_id : "", f->kind ? f->kind : "", f->side ? f->side : "",                  \
	    f->state ? f->state : "", from, to, like, (int64_t)f->overdue, now, (int64_t)(f->open == 1)
	int rc;
	json_t *rows = db_all(db_q(db, sql, ARGS), &rc);
	fg_fmt(sql, sizeof sql, "SELECT COUNT(*) AS n" FROM "%s", where);
	json_t *n = db_one(db_q(db, sql, ARGS), &rc);
#undef ARGS
	if (!rows || !n) {
		json_decref(rows);
		json_decref(n);
		return fg_err(err, "internal");
	}
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) shown(row, now);
	hazards_mask(viewer, rows);
	int64_t total = json_integer_value(json_object_get(n, "n"));
	json_decref(n);
	char next[32];
	bool more = f->offset + (long long)json_array_size(rows) < total;
	fg_fmt(next, sizeof next, "%lld", f->offset + (long long)json_array_size(rows));
	*out = json_pack("{s:o, s:s?, s:I}", "items", rows, "next_cursor", more ? next : NULL, "total", (json_int_t)total);
	return 0;
}

/* ---- the yearly analysis ---- */

static json_t *
counts(db_t *db, const char *col, int64_t from, int64_t to)
{
	char sql[512];
	fg_fmt(sql, sizeof sql, "SELECT %s AS key, COUNT(*) AS n FROM customer_hazards WHERE found_at >= $1 AND found_at < $2 GROUP BY %s "
				"ORDER BY %s", col, col, col);
	int rc;
	return db_all(db_q(db, sql, "ii", from, to), &rc);
}

int
hazards_analysis(db_t *db, int year, json_t **out, fg_err_t *err)
{
	if (year < 2000 || year > 2100)
		return fg_err_field(err, "invalid_query", "year", "a year, 2000–2100");
	char a[11];
	fg_fmt(a, sizeof a, "%04d-01-01", year);
	int64_t from = end_of_day(a) + 1 - 86400000LL, now = fg_now_ms();
	fg_fmt(a, sizeof a, "%04d-12-31", year);
	int64_t to = end_of_day(a) + 1;
	json_t *kind = counts(db, "kind", from, to), *side = counts(db, "side", from, to), *state = counts(db, "status", from, to),
	       *sev = counts(db, "severity", from, to);
	int rc;
	/* the whole database's year (customer hazards, acceptance hazards, charger faults), by source and by month */
	json_t *src = db_all(db_q(db, "SELECT source AS key, COUNT(*) AS n FROM hazard_entries WHERE found_at >= $1 AND found_at < $2 "
				      "GROUP BY source ORDER BY source", "ii", from, to), &rc);
	if (!src) {
		json_decref(kind);
		json_decref(side);
		json_decref(state);
		json_decref(sev);
		return fg_err(err, "internal");
	}
	/* by month of finding (Shanghai): one query of the rows' instants, folded here — portable across engines */
	json_t *rows = db_all(db_q(db, "SELECT found_at, closed_at, status, due_at, escalation FROM customer_hazards WHERE found_at >= $1 "
				       "AND found_at < $2", "ii", from, to), &rc);
	if (!kind || !side || !state || !sev || !rows) {
		json_decref(src);
		json_decref(kind);
		json_decref(side);
		json_decref(state);
		json_decref(sev);
		json_decref(rows);
		return fg_err(err, "internal");
	}
	long long month[12] = {0}, closed = 0, overdue = 0, escalated = 0, total = 0;
	double days = 0, max_days = 0;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		char d[11];
		cal_local_day(json_integer_value(json_object_get(r, "found_at")), d);
		int m = atoi(d + 5);
		if (m >= 1 && m <= 12)
			month[m - 1]++;
		total++;
		const char *st = fg_jstr(r, "status");
		if (strcmp(st, "closed") == 0 && json_is_integer(json_object_get(r, "closed_at"))) {
			double dd = (double)(json_integer_value(json_object_get(r, "closed_at")) - json_integer_value(json_object_get(r, "found_at"))) /
				    86400000.0;
			days += dd;
			if (dd > max_days)
				max_days = dd;
			closed++;
		}
		if (is_open(st) && json_is_integer(json_object_get(r, "due_at")) && json_integer_value(json_object_get(r, "due_at")) < now)
			overdue++;
		if (json_integer_value(json_object_get(r, "escalation")) > 0)
			escalated++;
	}
	json_decref(rows);
	json_t *months = json_array();
	for (int m = 0; m < 12; m++)
		json_array_append_new(months, json_pack("{s:i, s:I}", "month", m + 1, "n", (json_int_t)month[m]));
	*out = json_pack("{s:i, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:{s:I, s:o, s:o}, s:I, s:I}", "year", year, "total", (json_int_t)total,
			 "database_by_source", src,
			 "by_kind", kind, "by_side", side, "by_state", state, "by_severity", sev, "by_month", months, "closure", "closed",
			 (json_int_t)closed, "avg_days", closed ? json_real((double)((long long)(days / (double)closed * 10 + 0.5)) / 10) : json_null(),
			 "max_days", closed ? json_real((double)((long long)(max_days * 10 + 0.5)) / 10) : json_null(), "overdue", (json_int_t)overdue,
			 "escalated", (json_int_t)escalated);
	return 0;
}

/* ---- escalation of overdue hazards ---- */

/* The level's roles are told, and a grid-side plan's owner as well (the one who has to act). */
static int
tell(db_t *db, json_t *level, const char *id, const char *number, const char *owner, int lvl)
{
	char dedupe[96], body[128];
	fg_fmt(dedupe, sizeof dedupe, "customer_hazard:%s:%d", id, lvl);
	fg_fmt(body, sizeof body, "%s", number);
	size_t i, j;
	json_t *role, *u;
	if (owner && notify_add(db, owner, fg_jstr(level, "kind"), fg_jstr(level, "title_zh"), body, "customer_hazard", id, dedupe) < 0)
		return -1;
	json_array_foreach(json_object_get(level, "roles"), i, role) {
		json_t *us = notify_role_users(db, json_string_value(role));
		if (!us)
			return -1;
		json_array_foreach(us, j, u) if (notify_add(db, fg_jstr(u, "id"), fg_jstr(level, "kind"), fg_jstr(level, "title_zh"), body,
							   "customer_hazard", id, dedupe) < 0)
		{
			json_decref(us);
			return -1;
		}
		json_decref(us);
	}
	return 0;
}

/* Each overdue hazard moves up to the level its lateness reaches, at most once per level, each in its own
 * transaction: the conditional UPDATE (escalation < level) lets only one node or run take a level. */
int
hazards_escalate(db_t *db, int64_t now)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT id, number, due_at, escalation, owner_id FROM customer_hazards WHERE status NOT IN ('closed', "
				       "'cancelled') AND due_at IS NOT NULL AND due_at < $1 AND escalation < 2 ORDER BY due_at, id", "i", now), &rc);
	if (!rows)
		return -1;
	json_t *esc = json_object_get(def(), "escalation"), *r;
	long long second = json_integer_value(json_object_get(esc, "second_after_working_days"));
	int done = 0;
	size_t i;
	json_array_foreach(rows, i, r) {
		const char *id = fg_jstr(r, "id");
		int64_t due = json_integer_value(json_object_get(r, "due_at")), second_at = 0;
		fg_err_t e = FG_ERR_INIT;
		int lvl = 1;
		if (second > 0 && working_days(db, due, second, &second_at, &e) == 0 && second_at < now)
			lvl = 2;
		fg_err_clear(&e);
		if (lvl <= json_integer_value(json_object_get(r, "escalation")))
			continue;
		if (db_begin(db) != 0)
			break;
		json_t *before = hazards_get(db, NULL, id);
		json_t *moved = db_one(db_q(db, "UPDATE customer_hazards SET escalation = $1, escalated_at = $2, updated_at = $2, version = version + 1 "
					       "WHERE id = $3 AND escalation < $1 AND status NOT IN ('closed', 'cancelled') RETURNING id", "iit", (int64_t)lvl,
					   now, id), &rc);
		json_t *after = moved ? hazards_get(db, NULL, id) : NULL;
		bool ok = moved ? after && tell(db, json_object_get(esc, lvl == 1 ? "level1" : "level2"), id, fg_jstr(r, "number"), fg_jstr(r, "owner_id"), lvl) == 0 &&
				      audit_write(db, FLOW_SYSTEM_ID, "escalate", "customer_hazard", id, before, after) == 0
				: rc == DB_DONE;
		json_decref(before);
		json_decref(after);
		if (!ok || db_commit(db) != 0) {
			db_rollback(db);
			json_decref(moved);
			continue;
		}
		if (moved)
			done++;
		json_decref(moved);
	}
	json_decref(rows);
	return done;
}

int
hazards_escalate_job(db_t *db, int64_t now)
{
	return hazards_escalate(db, now);
}

/* ---- the customer a crew records a hazard against ---- */

int
hazards_customer_lookup(db_t *db, const char *q, json_t **out, fg_err_t *err)
{
	if (!q || strlen(q) < 2)
		return fg_err_field(err, q ? "invalid_query" : "missing_field", "q", "at least 2 characters of the customer's name or number");
	char like[256];
	fg_fmt(like, sizeof like, "%%%s%%", q);
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT c.id, c.number, c.name, (SELECT MIN(a.number) FROM customer_accounts a WHERE a.customer_id = "
				       "c.id) AS account_number FROM customers c WHERE c.name LIKE $1 OR c.number LIKE $1 OR EXISTS (SELECT 1 FROM "
				       "customer_accounts a WHERE a.customer_id = c.id AND a.number LIKE $1) ORDER BY c.number LIMIT 20", "t", like), &rc);
	if (!rows)
		return fg_err(err, "internal");
	*out = json_pack("{s:o}", "items", rows);
	return 0;
}

/* ---- the one database: customer hazards and, read-only, those found at joint acceptance ---- */

int
hazards_database(db_t *db, const auth_user_t *viewer, const hazards_filter_t *f, const char *source, json_t **out, fg_err_t *err)
{
	static const char *const sources[] = {"all", "customer", "application", "fault", NULL};
	if (source && !fg_one_of(source, sources))
		return fg_err_field(err, "invalid_query", "source", "all, customer, application or fault");
	if (!source || strcmp(source, "all") == 0)
		source = "";
	int64_t now = fg_now_ms(), from = 0, to = 0;
	if (f->year) {
		char a[11], b[11];
		fg_fmt(a, sizeof a, "%04d-01-01", f->year);
		fg_fmt(b, sizeof b, "%04d-12-31", f->year);
		from = end_of_day(a) + 1 - 86400000LL;
		to = end_of_day(b) + 1;
	}
	char like[256] = "", today[11];
	cal_local_day(now, today);
	if (f->q && *f->q)
		fg_fmt(like, sizeof like, "%%%s%%", f->q);
	/* open: not closed or cancelled; overdue: open and past due_at (customer) or its deadline day (application) */
	const char *where = " WHERE ($1 = '' OR source = $1) AND ($2 = '' OR customer_id = $2) AND "
			    "(CAST($3 AS BIGINT) = 0 OR (found_at >= $3 AND found_at < $4)) AND "
			    "($5 = '' OR description LIKE $5 OR location LIKE $5 OR number LIKE $5 OR customer_name LIKE $5) AND "
			    "($6 = 0 OR status NOT IN ('closed', 'cancelled'))";
	char sql[2048];
	fg_fmt(sql, sizeof sql, "SELECT source, id, number, customer_id, customer_name, name_id_type, kind, side, severity, description, location, "
				"status, found_at, due_at, deadline, closed_at, application_id FROM hazard_entries%s ORDER BY found_at DESC, id LIMIT %d "
				"OFFSET %lld", where, f->limit, f->offset);
#define ARGS "ttiiti", source, f->customer_id ? f->customer_id : "", from, to, like, (int64_t)(f->open == 1)
	int rc;
	json_t *rows = db_all(db_q(db, sql, ARGS), &rc);
	fg_fmt(sql, sizeof sql, "SELECT COUNT(*) AS n FROM hazard_entries%s", where);
	json_t *n = db_one(db_q(db, sql, ARGS), &rc);
#undef ARGS
	if (!rows || !n) {
		json_decref(rows);
		json_decref(n);
		return fg_err(err, "internal");
	}
	bool mask = viewer && !perm_allows(viewer->roles, "hazards.write") && !perm_allows(viewer->roles, "customers.contact");
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		const char *st = fg_jstr(r, "status"), *dl = fg_jstr(r, "deadline");
		json_t *due = json_object_get(r, "due_at");
		bool open = is_open(st);
		bool overdue = open && (json_is_integer(due) ? json_integer_value(due) < now : dl && strcmp(dl, today) < 0);
		json_object_set_new(r, "open", json_boolean(open));
		json_object_set_new(r, "overdue", json_boolean(overdue));
		const char *t = fg_jstr(r, "name_id_type");
		if (mask && t && strcmp(t, "id_card") == 0 && fg_jstr(r, "customer_name")) {
			char m[256];
			customers_mask_name(fg_jstr(r, "customer_name"), m, sizeof m);
			json_object_set_new(r, "customer_name", json_string(m));
		}
		json_object_del(r, "name_id_type");
	}
	int64_t total = json_integer_value(json_object_get(n, "n"));
	json_decref(n);
	char next[32];
	bool more = f->offset + (long long)json_array_size(rows) < total;
	fg_fmt(next, sizeof next, "%lld", f->offset + (long long)json_array_size(rows));
	*out = json_pack("{s:o, s:s?, s:I}", "items", rows, "next_cursor", more ? next : NULL, "total", (json_int_t)total);
	return 0;
}
