/* The customer's side of applications (docs/api.md "Customer portal"): their own list, one application as they see
 * it (stages along its track, owners as roles and teams, deadlines, what is needed from them and why the clock
 * stopped), applying online with their uploads, and feedback. The applications module keeps the rules; this file
 * chooses what a customer is shown. */
#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/flow/flow.h"
#include "customer/applications/applications.h"
#include "customer/feedback/feedback.h"
#include "customer/portal/portal.h"

int
portal_applications(db_t *db, const portal_session_t *s, json_t **out, fg_err_t *err)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT number, kind, track, status, created_at, powered_on_at, rating FROM applications "
				       "WHERE applicant_phone = $1 ORDER BY created_at DESC, id DESC LIMIT 200", "t", s->phone), &rc);
	if (!rows)
		return db_fail(db, err);
	json_t *def = flow_def("application"), *r, *st;
	size_t i, j;
	json_array_foreach(rows, i, r) {
		json_array_foreach(json_object_get(def, "states"), j, st) {
			if (strcmp(fg_jstr(st, "code"), fg_jstr(r, "status")) != 0)
				continue;
			json_object_set(r, "stage_name_zh", json_object_get(st, "name_zh"));
			json_object_set(r, "stage_name_en", json_object_get(st, "name_en"));
			json_object_set_new(r, "customer_turn", json_boolean(fg_jstr(st, "owner") && strcmp(fg_jstr(st, "owner"), "customer") == 0));
		}
	}
	*out = json_pack("{s:o}", "items", rows);
	return 0;
}

char *
portal_application_id(db_t *db, const portal_session_t *s, const char *number)
{
	char num[33];
	if (!portal_number_norm(number, num))
		return NULL;
	int rc;
	json_t *r = db_one(db_q(db, "SELECT id FROM applications WHERE number = $1 AND applicant_phone = $2", "tt", num, s->phone), &rc);
	char *id = r ? fg_strdup(fg_jstr(r, "id")) : NULL;
	json_decref(r);
	return id;
}

/* Does the entity's row satisfy a transition's "when" ({"track": [...]}: its column holds one of the values)? */
static bool
when_ok(json_t *t, json_t *row)
{
	json_t *when = json_object_get(t, "when"), *vals, *v;
	const char *col;
	size_t i;
	json_object_foreach(when, col, vals) {
		bool hit = false;
		json_array_foreach(vals, i, v) if (json_equal(v, json_object_get(row, col))) hit = true;
		if (!hit)
			return false;
	}
	return true;
}

static bool
in_list(json_t *list, const char *s)
{
	json_t *v;
	size_t i;
	json_array_foreach(list, i, v) if (json_is_string(v) && strcmp(json_string_value(v), s) == 0) return true;
	return false;
}

static bool
state_known(json_t *def, const char *code)
{
	json_t *s;
	size_t i;
	json_array_foreach(json_object_get(def, "states"), i, s) if (strcmp(fg_jstr(s, "code"), code) == 0) return true;
	return false;
}

/* The way forward along the row's track, from the first state: at each state the first transition of the flow
 * that moves on (not a stay, not one that needs a reason: those send the application back or stop it) and leads
 * somewhere not yet on the way. The states it went through off that way (waiting for documents) go in after the
 * state they were reached from, and so does the state it is in now. */
static size_t
index_in(json_t *path, const char *s)
{
	json_t *q;
	size_t p;
	json_array_foreach(path, p, q) if (strcmp(json_string_value(q), s) == 0) return p;
	return (size_t)-1;
}

static json_t *
stage_path(json_t *def, json_t *row, json_t *history)
{
	json_t *path = json_array(), *states = json_object_get(def, "states"), *trs = json_object_get(def, "transitions"), *t;
	size_t i;
	const char *cur = fg_jstr(json_array_get(states, 0), "code");
	while (cur && json_array_size(path) < 32) {
		json_array_append_new(path, json_string(cur));
		const char *next = NULL;
		json_array_foreach(trs, i, t) {
			if (!in_list(json_object_get(t, "from"), cur) || json_is_true(json_object_get(t, "stay")) ||
			    (json_object_get(t, "reason") && !json_is_false(json_object_get(t, "reason"))) || !when_ok(t, row) ||
			    !fg_jstr(t, "to") || in_list(path, fg_jstr(t, "to")))
				continue;
			next = fg_jstr(t, "to");
			break;
		}
		cur = next;
	}
	/* the detours it took (waiting for documents, a design sent back): after the state they left from */
	json_t *ev;
	json_array_foreach(history, i, ev) {
		const char *from = fg_jstr(ev, "from_state"), *to = fg_jstr(ev, "to_state");
		if (!from || !to || in_list(path, to) || !in_list(path, from) || !state_known(def, to) || strcmp(to, "cancelled") == 0)
			continue;
		json_array_insert_new(path, index_in(path, from) + 1, json_string(to));
	}
	const char *status = fg_jstr(row, "status");
	if (!in_list(path, status)) {
		size_t at = json_array_size(path);
		json_array_foreach(trs, i, t) {
			if (!fg_jstr(t, "to") || strcmp(fg_jstr(t, "to"), status) != 0 || !when_ok(t, row))
				continue;
			json_t *f;
			size_t k, p;
			json_array_foreach(json_object_get(t, "from"), k, f) {
				json_t *q;
				json_array_foreach(path, p, q) if (strcmp(json_string_value(q), json_string_value(f)) == 0 && p + 1 < at) at = p + 1;
			}
		}
		json_array_insert_new(path, at, json_string(status));
	}
	return path;
}

static json_t *
state_def(json_t *def, const char *code)
{
	json_t *s;
	size_t i;
	json_array_foreach(json_object_get(def, "states"), i, s) if (strcmp(fg_jstr(s, "code"), code) == 0) return s;
	return NULL;
}

/* The newest arming of a state's deadline among the clocks' items. */
static json_t *
state_clock(json_t *clocks, const char *code)
{
	json_t *it, *hit = NULL;
	size_t i;
	json_array_foreach(json_object_get(clocks, "items"), i, it) {
		const char *k = fg_jstr(it, "kind");
		if (k && strcmp(k, "process") == 0)
			continue;
		if (fg_jstr(it, "state") && strcmp(fg_jstr(it, "state"), code) == 0)
			hit = it;
	}
	return hit;
}

json_t *
portal_application_view(db_t *db, const char *id)
{
	json_t *a = applications_load(db, id);
	if (!a)
		return NULL;
	json_t *def = flow_def("application");
	json_t *clocks = flow_deadlines(db, "application", id, fg_now_ms());
	int rc;
	/* the teams of the serving unit's routing, for every stage at once */
	json_t *teams = fg_jstr(a, "org_unit_id")
	    ? db_all(db_q(db, "SELECT r.stage, o.name AS team_name FROM application_routing r JOIN org_units o ON o.id = r.team_id "
			      "WHERE r.org_unit_id = $1", "t", fg_jstr(a, "org_unit_id")), &rc)
	    : json_array();
	json_t *history = flow_history(db, "application", id);
	json_t *path = stage_path(def, a, history), *code, *stages = json_array();
	json_decref(history);
	const char *status = fg_jstr(a, "status");
	bool closed = strcmp(status, "cancelled") == 0;
	size_t cur_at = 0, i;
	json_array_foreach(path, i, code) if (strcmp(json_string_value(code), status) == 0) cur_at = i;
	json_array_foreach(path, i, code) {
		const char *c = json_string_value(code);
		json_t *sd = state_def(def, c), *tm, *team = json_null();
		size_t k;
		json_array_foreach(teams, k, tm) if (strcmp(fg_jstr(tm, "stage"), c) == 0) team = json_object_get(tm, "team_name");
		const char *owner = fg_jstr(sd, "owner");
		bool customer = owner && strcmp(owner, "customer") == 0;
		const char *st = i < cur_at ? "done" : i == cur_at ? (closed || strcmp(c, "archived") == 0 ? "done" : "current") : "next";
		json_t *clk = state_clock(clocks, c);
		json_t *s = json_pack("{s:s, s:O, s:O, s:s, s:s?, s:O, s:b, s:O, s:O, s:b, s:b}", "code", c, "name_zh",
		    json_object_get(sd, "name_zh"), "name_en", json_object_get(sd, "name_en"), "state", st, "owner_role",
		    owner && !customer ? owner : NULL, "team_name", customer ? json_null() : team, "customer_turn", customer,
		    "due_at", clk ? json_object_get(clk, "due_at") : json_null(), "done_at",
		    clk ? json_object_get(clk, "ended_at") : json_null(), "late", clk && json_is_true(json_object_get(clk, "late")),
		    "paused", clk && fg_jstr(clk, "status") && strcmp(fg_jstr(clk, "status"), "paused") == 0);
		if (!json_object_get(s, "owner_role"))
			json_object_set_new(s, "owner_role", json_null());
		if (!json_object_get(s, "due_at"))
			json_object_set_new(s, "due_at", json_null());
		if (!json_object_get(s, "done_at"))
			json_object_set_new(s, "done_at", json_null());
		json_array_append_new(stages, s);
	}
	json_decref(path);
	json_decref(teams);
	/* the documents without staff's ids: what each is, where it stands, what is wrong with it */
	json_t *docs = json_array(), *d;
	json_array_foreach(json_object_get(a, "documents"), i, d) {
		json_t *o = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "type", json_object_get(d, "type"), "name_zh",
		    json_object_get(d, "name_zh"), "name_en", json_object_get(d, "name_en"), "status", json_object_get(d, "status"),
		    "required", json_object_get(d, "required") ? json_object_get(d, "required") : json_true(), "note",
		    json_object_get(d, "note") ? json_object_get(d, "note") : json_null(), "received_at",
		    json_object_get(d, "received_at") ? json_object_get(d, "received_at") : json_null());
		json_array_append_new(docs, o);
	}
	/* what the customer must do now: the documents the stage needs that are missing or were rejected */
	json_t *needed = applications_documents_missing(db, id);
	json_array_foreach(json_object_get(a, "documents"), i, d) {
		if (!fg_jstr(d, "status") || strcmp(fg_jstr(d, "status"), "rejected") != 0)
			continue;
		json_t *n;
		size_t k;
		bool there = false;
		json_array_foreach(needed, k, n) if (strcmp(fg_jstr(n, "type"), fg_jstr(d, "type")) == 0) there = true;
		if (!there)
			json_array_append_new(needed, json_pack("{s:O, s:O, s:O}", "type", json_object_get(d, "type"), "name_zh",
			    json_object_get(d, "name_zh"), "name_en", json_object_get(d, "name_en")));
	}
	json_array_foreach(needed, i, d) {
		json_t *x;
		size_t k;
		json_object_set_new(d, "note", json_null());
		json_array_foreach(json_object_get(a, "documents"), k, x) if (strcmp(fg_jstr(x, "type"), fg_jstr(d, "type")) == 0)
			json_object_set(d, "note", json_object_get(x, "note") ? json_object_get(x, "note") : json_null());
	}
	auth_user_t nobody = {0};
	applications_mask(&nobody, a);
	json_t *proc = clocks ? json_object_get(clocks, "process") : NULL;
	json_t *stage = json_object_get(a, "stage");
	json_t *out = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "number",
	    json_object_get(a, "number"), "kind", json_object_get(a, "kind"), "track", json_object_get(a, "track"), "status",
	    json_object_get(a, "status"), "channel", json_object_get(a, "channel"), "applicant_name",
	    json_object_get(a, "applicant_name"), "applicant_phone", json_object_get(a, "applicant_phone"), "supply_address",
	    json_object_get(a, "supply_address"), "voltage_level", json_object_get(a, "voltage_level"), "capacity_kva",
	    json_object_get(a, "capacity_kva"), "created_at", json_object_get(a, "created_at"), "powered_on_at",
	    json_object_get(a, "powered_on_at") ? json_object_get(a, "powered_on_at") : json_null());
	json_object_set_new(out, "stage", json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}", "code", json_object_get(stage, "code"),
	    "name_zh", json_object_get(stage, "name_zh"), "name_en", json_object_get(stage, "name_en"), "owner_role",
	    json_object_get(stage, "owner_role"), "team_name", json_object_get(stage, "team_name"), "customer_turn",
	    json_object_get(stage, "customer_turn")));
	json_object_set_new(out, "stages", stages);
	json_object_set(out, "waiting", json_object_get(a, "waiting") ? json_object_get(a, "waiting") : json_null());
	json_object_set_new(out, "process", proc && !json_is_null(proc)
	    ? json_pack("{s:O, s:b, s:b, s:b}", "due_at", json_object_get(proc, "due_at") ? json_object_get(proc, "due_at") : json_null(),
		  "late", json_is_true(json_object_get(proc, "late")), "nearly_late", json_is_true(json_object_get(proc, "nearly_late")),
		  "paused", fg_jstr(proc, "status") && strcmp(fg_jstr(proc, "status"), "paused") == 0)
	    : json_null());
	json_object_set_new(out, "needed", needed);
	json_object_set_new(out, "documents", docs);
	bool powered = strcmp(status, "powered") == 0 || strcmp(status, "archived") == 0;
	json_t *rating = json_object_get(a, "rating");
	json_object_set_new(out, "can_rate", json_boolean(powered && !json_is_integer(rating)));
	json_object_set(out, "rating", json_is_integer(rating) ? rating : json_null());
	json_object_set(out, "rating_comment", fg_jstr(a, "rating_comment") ? json_object_get(a, "rating_comment") : json_null());
	json_decref(clocks);
	json_decref(a);
	return out;
}

int
portal_upload_own(db_t *db, const portal_session_t *s, const char *attachment_id, fg_err_t *err)
{
	char m[16];
	portal_phone_mask(s->phone, m);
	if (db_begin(db) != 0 ||
	    db_run(db_q(db, "INSERT INTO portal_uploads (attachment_id, phone, created_at) VALUES ($1, $2, $3)", "tti", attachment_id,
		s->phone, fg_now_ms())) != DB_DONE)
		return db_fail(db, err);
	return audit_commit(db, NULL, "create", "portal_upload", attachment_id, NULL, json_pack("{s:s}", "phone", m), NULL, err);
}

int
portal_apply(db_t *db, const portal_session_t *s, json_t *in, json_t **out, fg_err_t *err)
{
	/* only files this phone uploaded may go with its application */
	json_t *docs = json_object_get(in, "documents"), *d;
	size_t i;
	if (docs && !json_is_array(docs))
		return fg_err_field(err, "invalid_field", "documents", "[{type, attachment_id}]");
	json_array_foreach(docs, i, d) {
		const char *att = fg_jstr(d, "attachment_id");
		int rc;
		json_t *own = att ? db_one(db_q(db, "SELECT attachment_id FROM portal_uploads WHERE attachment_id = $1 AND phone = $2",
					 "tt", att, s->phone), &rc)
				  : NULL;
		if (!own)
			return fg_err_field(err, "invalid_field", "documents", "each {type, attachment_id} of a file uploaded in this session's name (POST /api/v1/portal/attachments)");
		json_decref(own);
	}
	json_t *app = json_deep_copy(in);
	json_object_set_new(app, "channel", json_string("portal"));
	json_object_set_new(app, "applicant_phone", json_string(s->phone));
	json_t *made = NULL;
	int rc = applications_create(db, NULL, app, &made, err);
	json_decref(app);
	if (rc != 0)
		return -1;
	json_t *view = portal_application_view(db, fg_jstr(made, "id"));
	json_decref(made);
	*out = view;
	return view ? 0 : fg_err(err, "internal");
}

int
portal_feedback(db_t *db, const portal_session_t *s, json_t *in, json_t **out, fg_err_t *err)
{
	const char *no = fg_jstr(in, "application_no");
	char num[33];
	if (no) {
		/* an application named must be this phone's own: another's number is not a way to learn it exists */
		portal_session_t me = *s;
		char *id = portal_number_norm(no, num) ? portal_application_id(db, &me, num) : NULL;
		if (!id)
			return fg_err_field(err, "invalid_field", "application_no", "the number of one of your own applications");
		free(id);
	}
	json_t *item = json_pack("{s:O, s:s, s:O, s:s}", "kind", json_object_get(in, "kind"), "channel", "questionnaire", "subject",
	    json_object_get(in, "subject"), "contact_phone", s->phone);
	if (fg_jstr(in, "text"))
		json_object_set(item, "text", json_object_get(in, "text"));
	if (fg_jstr(in, "contact_name"))
		json_object_set(item, "contact_name", json_object_get(in, "contact_name"));
	if (no)
		json_object_set_new(item, "application_no", json_string(num));
	if (json_is_integer(json_object_get(in, "rating")))
		json_object_set(item, "rating", json_object_get(in, "rating"));
	json_t *made = NULL;
	int rc = feedback_create(db, NULL, item, &made, err);
	json_decref(item);
	if (rc != 0)
		return -1;
	*out = json_pack("{s:O, s:O, s:O, s:O, s:O}", "number", json_object_get(made, "number"), "kind", json_object_get(made, "kind"),
	    "status", json_object_get(made, "status"), "received_at", json_object_get(made, "received_at"), "subject",
	    json_object_get(made, "subject"));
	json_decref(made);
	return 0;
}
