/* The demo's customers' applications (data/demo/applications.json; issue 11 item 12): 40 applications of every kind
 * at every stage, some on hold, some waiting on the customer, some late. Each is taken by applications_create and
 * moved by the flow's own transitions (flow_fire_tx), as the API does, so its clocks, history, notifications and
 * audit records are real ones. A step is fired at the instant the file gives (days after receipt): the clocks count
 * from there, as they would have, which is how an application received weeks ago is now late. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/embed.h"
#include "core/base/util.h"
#include "core/auth/session.h"
#include "core/auth/users.h"
#include "core/flow/flow.h"
#include "shared/attach/attach.h"
#include "customer/applications/applications.h"
#include "cli/cli.h"
#include "cli/demo_applications_work.h"

#define DAY_MS (24LL * 3600 * 1000)

static const char pdf[] = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

/* Who fires an action: the role that owns the step it ends (data/flows/application.json "roles"). */
static const struct {
	const char *action, *role;
} doers[] = {
	{"request_documents", "customer_service"}, {"documents_complete", "customer_service"}, {"accept", "customer_service"},
	{"complete_survey", "customer_manager"}, {"reply_scheme", "customer_manager"}, {"submit_design", "customer_service"},
	{"approve_design", "customer_manager"}, {"reject_design", "customer_manager"}, {"request_inspection", "customer_service"},
	{"pass_mid_inspection", "customer_manager"}, {"fail_mid_inspection", "customer_manager"},
	{"request_completion", "customer_service"}, {"pass_completion", "customer_manager"},
	{"fail_completion", "customer_manager"}, {"complete_installation", "dispatcher"}, {"power_on", "customer_manager"},
	{"archive", "customer_service"}, {"hold", "customer_manager"}, {"resume", "customer_manager"},
	{"cancel", "customer_service"},
};

typedef struct {
	db_t *db;
	json_t *org;                  /* demo org key → id */
	auth_user_t people[4];        /* customer_service, customer_manager, dispatcher, manager */
	fg_err_t err;
} demo_t;

static const char *const roles[] = {"customer_service", "customer_manager", "dispatcher", "manager"};

static const auth_user_t *
doer(demo_t *d, const char *action)
{
	for (size_t i = 0; i < sizeof doers / sizeof doers[0]; i++)
		if (strcmp(doers[i].action, action) == 0)
			for (int r = 0; r < 4; r++)
				if (strcmp(roles[r], doers[i].role) == 0)
					return &d->people[r];
	return &d->people[3];
}

static int
person(demo_t *d, const char *username, auth_user_t *a)
{
	json_t *u = users_get_by_name(d->db, username);
	if (!u) {
		fprintf(stderr, "fieldgrid: demo applications: no demo person %s\n", username);
		return -1;
	}
	memset(a, 0, sizeof *a);
	fg_fmt(a->id, sizeof a->id, "%s", fg_jstr(u, "id"));
	fg_fmt(a->username, sizeof a->username, "%s", username);
	fg_fmt(a->display_name, sizeof a->display_name, "%s", fg_jstr(u, "display_name"));
	fg_fmt(a->org_unit_id, sizeof a->org_unit_id, "%s", fg_jstr(u, "org_unit_id") ? fg_jstr(u, "org_unit_id") : "");
	a->roles = session_user_roles(d->db, a->id);
	json_decref(u);
	return 0;
}

static int
fail(demo_t *d, const char *what, const char *number)
{
	const char *field = d->err.details ? json_string_value(json_object_get(d->err.details, "field")) : NULL;
	fprintf(stderr, "fieldgrid: demo application %s: %s: %s%s%s\n", number ? number : "", what,
	    d->err.code ? d->err.code : "error", field ? " " : "", field ? field : "");
	fg_err_clear(&d->err);
	return -1;
}

/* A scanned document: the same small PDF each time, a row of its own. */
static char *
scan(demo_t *d, const auth_user_t *who, const char *type)
{
	char name[64];
	fg_fmt(name, sizeof name, "%s.pdf", type);
	json_t *a = NULL;
	if (attach_store_bytes(d->db, who->id, "application/pdf", pdf, sizeof pdf - 1, name, NULL, NULL, &a, &d->err) != 0)
		return NULL;
	char *id = fg_strdup(fg_jstr(a, "id"));
	json_decref(a);
	return id;
}

/* Hands in every document of the application's list still missing (before documents_complete, submit_design). */
static int
hand_in_missing(demo_t *d, const char *id, const char *number, const char *only_at)
{
	json_t *app = applications_load(d->db, id), *doc;
	size_t i;
	int rc = 0;
	json_array_foreach(json_object_get(app, "documents"), i, doc) {
		if (rc || strcmp(fg_jstr(doc, "status"), "missing") != 0 || (only_at && strcmp(fg_jstr(doc, "at"), only_at) != 0))
			continue;
		char *att = scan(d, &d->people[0], fg_jstr(doc, "type"));
		json_t *out = NULL;
		if (!att || applications_document_put(d->db, &d->people[0], id, fg_jstr(doc, "type"), att, false, &out, &d->err) != 0)
			rc = fail(d, "document", number);
		json_decref(out);
		free(att);
	}
	json_decref(app);
	return rc;
}

/* The counter's check of what was handed in: every received document accepted. */
static int
check_received(demo_t *d, const char *id, const char *number)
{
	json_t *app = applications_load(d->db, id), *doc;
	size_t i;
	int rc = 0;
	json_array_foreach(json_object_get(app, "documents"), i, doc) {
		json_t *out = NULL;
		if (!rc && strcmp(fg_jstr(doc, "status"), "received") == 0 &&
		    applications_document_check(d->db, &d->people[0], id, fg_jstr(doc, "type"), "accepted", NULL, &out, &d->err) != 0)
			rc = fail(d, "document check", number);
		json_decref(out);
	}
	json_decref(app);
	return rc;
}

/* The intake form as the counter types it, from the file's entry. */
static json_t *
intake(demo_t *d, json_t *a, const char *org_key, int64_t received, bool staff)
{
	json_t *in = json_object();
	const char *copy[] = {"kind", "channel", "applicant_name", "applicant_phone", "supply_address", "area", "voltage_level",
	    "capacity_kva", "purpose", "id_type", "id_number", "ev_charger", "sources"};
	for (size_t i = 0; i < sizeof copy / sizeof copy[0]; i++)
		if (json_object_get(a, copy[i]))
			json_object_set(in, copy[i], json_object_get(a, copy[i]));
	json_object_set(in, "org_unit_id", json_object_get(d->org, org_key));
	if (staff)
		json_object_set_new(in, "received_at", json_integer(received));
	if (fg_jstr(a, "fast_reason")) {
		json_object_set_new(in, "fast_path", json_true());
		json_object_set(in, "fast_reason", json_object_get(a, "fast_reason"));
	}
	if (json_is_true(json_object_get(a, "customer_manager")))
		json_object_set_new(in, "customer_manager_id", json_string(d->people[1].id));
	if (fg_jstr(a, "customer")) {
		int rc;
		json_t *c = db_one(db_q(d->db, "SELECT id FROM customers WHERE name = $1 ORDER BY id LIMIT 1", "t", fg_jstr(a, "customer")), &rc);
		if (c)
			json_object_set(in, "customer_id", json_object_get(c, "id"));
		json_decref(c);
	}
	return in;
}

/* One application: taken, its documents, then its steps until the file's last one or a rule that says no (a module's
 * gate the demo does not satisfy: the application stays where it is, and the loader says so). */
static int
load_one(demo_t *d, json_t *a, const char *org_key, int64_t now, int *stopped)
{
	bool portal = strcmp(fg_jstr(a, "channel"), "portal") == 0;
	int64_t received = now - (int64_t)(json_number_value(json_object_get(a, "days_ago")) * DAY_MS);
	const auth_user_t *taker = strcmp(fg_jstr(a, "channel"), "customer_manager") == 0 ? &d->people[1] : &d->people[0];
	json_t *in = intake(d, a, org_key, received, !portal), *list, *doc, *given = json_object_get(a, "docs");
	int rc = 0;
	size_t i, j;
	json_t *out = NULL;
	/* which documents the counter takes with the form: the whole intake list ("all") or the named ones */
	const char *all[] = {"identity", "property_proof", "parking_proof", "load_list", "temporary_term"};
	list = json_array();
	if (json_is_string(given) && strcmp(json_string_value(given), "all") == 0)
		for (i = 0; i < sizeof all / sizeof all[0]; i++)
			json_array_append_new(list, json_string(all[i]));
	else
		json_array_extend(list, given);
	/* taken first, then the documents handed in: the kind's list (the flow's "when") is the application's own */
	if (applications_create(d->db, portal ? NULL : taker, in, &out, &d->err) != 0) {
		json_decref(in);
		json_decref(list);
		return fail(d, "intake", fg_jstr(a, "applicant_name"));
	}
	json_decref(in);
	char id[64], number[40];
	fg_fmt(id, sizeof id, "%s", fg_jstr(out, "id"));
	fg_fmt(number, sizeof number, "%s", fg_jstr(out, "number"));
	json_array_foreach(json_object_get(out, "documents"), i, doc) {
		json_array_foreach(list, j, given) {
			if (strcmp(json_string_value(given), fg_jstr(doc, "type")) != 0 || strcmp(fg_jstr(doc, "at"), "accepted") != 0)
				continue;
			char *att = scan(d, portal ? &d->people[0] : taker, fg_jstr(doc, "type"));
			json_t *put = NULL;
			if (!att || applications_document_put(d->db, portal ? NULL : taker, id, fg_jstr(doc, "type"), att, portal, &put,
					&d->err) != 0)
				rc = fail(d, "document", number);
			json_decref(put);
			free(att);
			break;
		}
		if (rc)
			break;
	}
	json_decref(out);
	json_decref(list);
	if (rc)
		return -1;
	/* the steps, each at its instant: strictly after the one before, never in the future */
	json_t *steps = json_object_get(a, "steps"), *s;
	size_t n = json_array_size(steps);
	int64_t prev = received;
	json_array_foreach(steps, i, s) {
		const char *action = json_string_value(json_array_get(s, 0));
		int64_t at = received + (int64_t)(json_number_value(json_array_get(s, 1)) * DAY_MS);
		int64_t latest = now - (int64_t)(n - i) * 60000;
		at = at > latest ? latest : at;
		at = at <= prev ? prev + 1000 : at;
		prev = at;
		if (strcmp(action, "accept") == 0 && check_received(d, id, number) != 0)
			return -1;
		if (strcmp(action, "documents_complete") == 0 && hand_in_missing(d, id, number, NULL) != 0)
			return -1;
		if (strcmp(action, "submit_design") == 0 && hand_in_missing(d, id, number, "design_review") != 0)
			return -1;
		json_t *body = json_array_get(s, 2) ? json_deep_copy(json_array_get(s, 2)) : json_object();
		json_t *res = NULL;
		if (demo_app_stage_work(d->db, d->people, id, action, body, &d->err) != 0) {
			json_decref(body);
			return fail(d, "stage work before", action);
		}
		if (db_begin(d->db) != 0) {
			json_decref(body);
			return fail(d, "begin", number);
		}
		int frc = flow_fire_tx(d->db, &applications_flow, id, action, doer(d, action), body, at, false, &res, &d->err);
		json_decref(body);
		json_decref(res);
		if (frc != 0 || db_commit(d->db) != 0) {
			db_rollback(d->db);
			/* a refusal by a rule (a gate another module hangs on the step): the demo shows the application where
			 * it stands; anything else is a failure of the loader */
			if (d->err.code && strcmp(d->err.code, "internal") != 0) {
				json_t *app = applications_load(d->db, id);
				fprintf(stderr, "fieldgrid: demo application %s stays in %s: %s refused (%s)\n", number,
				    app ? fg_jstr(app, "status") : "?", action, d->err.code);
				json_decref(app);
				fg_err_clear(&d->err);
				(*stopped)++;
				return 0;
			}
			return fail(d, action, number);
		}
	}
	json_t *rating = json_object_get(a, "rating");
	if (rating) {
		json_t *res = NULL;
		if (applications_rate(d->db, id, json_integer_value(json_array_get(rating, 0)),
			json_string_value(json_array_get(rating, 1)), &res, &d->err) != 0)
			return fail(d, "rating", number);
		json_decref(res);
	}
	return 0;
}

int
demo_applications(db_t *db, json_t *org_keys, int *made)
{
	*made = 0;
	int rc;
	json_t *done = db_one(db_prepare(db, "SELECT value FROM settings WHERE key = 'demo.applications'"), &rc);
	if (done) { /* once per database */
		json_decref(done);
		return 0;
	}
	const embed_file_t *f = embed_find("data/demo/applications.json");
	json_t *doc = f ? json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, NULL) : NULL, *a;
	if (!doc) {
		fprintf(stderr, "fieldgrid: demo applications: data/demo/applications.json missing or invalid\n");
		return -1;
	}
	demo_t d = {.db = db, .org = org_keys, .err = FG_ERR_INIT};
	json_t *actors = json_object_get(doc, "actors");
	for (int r = 0; r < 4; r++)
		if (person(&d, fg_jstr(actors, roles[r]), &d.people[r]) != 0) {
			json_decref(doc);
			return -1;
		}
	int64_t now = fg_now_ms();
	int stopped = 0;
	size_t i;
	rc = 0;
	json_array_foreach(json_object_get(doc, "applications"), i, a) {
		if (load_one(&d, a, fg_jstr(doc, "org"), now, &stopped) != 0) {
			rc = -1;
			break;
		}
		(*made)++;
	}
	if (stopped)
		fprintf(stderr, "fieldgrid: demo applications: %d stopped short of the file's stage (see above)\n", stopped);
	char count[16];
	fg_fmt(count, sizeof count, "%d", *made);
	if (rc == 0 && db_run(db_q(db, "INSERT INTO settings (key, value) VALUES ('demo.applications', $1)", "t", count)) != DB_DONE)
		rc = -1;
	json_decref(doc);
	return rc;
}
