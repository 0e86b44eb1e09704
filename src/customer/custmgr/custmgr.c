/* The one customer manager of an application: assignment, outage and power-on requests, the queue (custmgr.h). */
#include <string.h>
#include <ctype.h>
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/auth/perm.h"
#include "shared/notify/notify.h"
#include "customer/applications/applications.h"
#include "customer/acceptance/acceptance.h"
#include "customer/custmgr/custmgr.h"

static bool
is_hv(const char *track)
{
	return track && (strcmp(track, "hv_single") == 0 || strcmp(track, "hv_dual") == 0);
}

static bool
eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* Locks and loads the application in the open transaction; sets not_found / application_closed. */
static json_t *
open_app(db_t *db, const char *app_id, fg_err_t *err)
{
	if (db_lock_row(db, "applications", app_id) != 0)
		return NULL;
	json_t *app = applications_load(db, app_id);
	if (!app) {
		fg_err_not_found(err, "application", app_id);
		return NULL;
	}
	const char *st = fg_jstr(app, "status");
	if (eq(st, "archived") || eq(st, "cancelled")) {
		fg_err(err, "application_closed");
		fg_err_detail_str(err, "status", st);
		json_decref(app);
		return NULL;
	}
	return app;
}

/* Only the application's customer manager speaks for the customer (R2.6). */
static int
refuse_not_manager(fg_err_t *err, json_t *app)
{
	fg_err(err, "not_customer_manager");
	fg_err_detail(err, "customer_manager_id", json_incref(json_object_get(app, "customer_manager_id")));
	return -1;
}

/* ---- assignment ---- */

int
custmgr_assign(db_t *db, const auth_user_t *actor, const char *app_id, json_t *in, json_t **out, fg_err_t *err)
{
	const char *uid = fg_jstr(in, "user_id"), *reason = fg_jstr(in, "reason");
	if (fg_blank(uid))
		return fg_err_field(err, "missing_field", "user_id", "the customer manager");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	json_t *app = open_app(db, app_id, err);
	if (!app)
		return db_fail(db, err);
	int rc;
	json_t *u = db_one(db_q(db, "SELECT u.id, u.display_name FROM users u JOIN user_roles ur ON ur.user_id = u.id AND ur.role = "
				    "'customer_manager' WHERE u.id = $1 AND u.disabled = 0", "t", uid), &rc);
	if (!u) {
		json_decref(app);
		if (rc == DB_DONE) {
			fg_err(err, "customer_manager_role_required");
			fg_err_detail_str(err, "user_id", uid);
		}
		return db_fail(db, err);
	}
	const char *prev = fg_jstr(app, "customer_manager_id");
	json_t *result = json_pack("{s:s, s:s, s:O, s:O, s:o}", "application_id", app_id, "customer_manager_id", uid,
	    "customer_manager_name", json_object_get(u, "display_name"), "previous_id", json_object_get(app, "customer_manager_id"),
	    "reason", reason ? json_string(reason) : json_null());
	json_decref(u);
	if (eq(prev, uid)) { /* already theirs: nothing changes, nothing to audit */
		json_decref(app);
		db_rollback(db);
		*out = result;
		return 0;
	}
	if (prev && fg_blank(reason)) {
		json_decref(app);
		json_decref(result);
		fg_err_field(err, "missing_field", "reason", "a reassignment says why");
		return db_fail(db, err);
	}
	json_t *before = json_pack("{s:O}", "customer_manager_id", json_object_get(app, "customer_manager_id"));
	int64_t now = fg_now_ms();
	char title[160], dedupe[96];
	fg_fmt(title, sizeof title, "您被指定为业扩申请 %s 的客户经理", fg_jstr(app, "number") ? fg_jstr(app, "number") : app_id);
	fg_fmt(dedupe, sizeof dedupe, "manager:%s:%lld", app_id, (long long)now);
	json_decref(app);
	/* the new manager learns it at once: their queue is where the customer's requests now go (R2.6) */
	if (db_run(db_q(db, "UPDATE applications SET customer_manager_id = $1, updated_at = $2, version = version + 1 WHERE id = $3",
			    "tit", uid, now, app_id)) != 0 ||
	    notify_add(db, uid, "application_manager_assigned", title, reason, "application", app_id, dedupe) < 0) {
		json_decref(before);
		json_decref(result);
		return db_fail(db, err);
	}
	return audit_commit(db, actor->id, "assign_manager", "application", app_id, before, result, out, err);
}

static int
assigned(flow_ctx_t *c, fg_err_t *gate)
{
	if (!is_hv(fg_jstr(c->row, "track")) || fg_jstr(c->row, "customer_manager_id"))
		return 0;
	fg_err(gate, "application_manager_required");
	fg_err_detail(gate, "track", json_incref(json_object_get(c->row, "track")));
	return -1;
}

/* ---- requests ---- */

#define R_COLS "r.id, r.application_id, r.kind, r.planned_at, r.reason, r.status, r.requested_by, u.display_name AS " \
	       "requested_by_name, r.requested_at, r.confirmed_by_name, r.confirm_method, r.confirmed_at, r.confirm_attachment_id, " \
	       "r.recorded_by, r.recorded_at, r.cancelled_at, r.cancel_reason, r.created_at, r.updated_at, r.version"

static json_t *
request_get(db_t *db, const char *app_id, const char *id)
{
	int rc;
	return db_one(db_q(db, "SELECT " R_COLS " FROM application_manager_requests r JOIN users u ON u.id = r.requested_by "
			       "WHERE r.id = $1 AND r.application_id = $2", "tt", id, app_id), &rc);
}

int
custmgr_requests(db_t *db, const char *app_id, json_t **out, fg_err_t *err)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT " R_COLS " FROM application_manager_requests r JOIN users u ON u.id = r.requested_by "
				       "WHERE r.application_id = $1 ORDER BY r.created_at DESC, r.id DESC", "t", app_id), &rc);
	if (!rows)
		return db_fail(db, err);
	*out = json_pack("{s:o}", "items", rows);
	return 0;
}

int
custmgr_request_create(db_t *db, const auth_user_t *actor, const char *app_id, json_t *in, json_t **out, fg_err_t *err)
{
	const char *kind = fg_jstr(in, "kind"), *reason = fg_jstr(in, "reason");
	json_t *pa = json_object_get(in, "planned_at");
	if (!eq(kind, "outage") && !eq(kind, "power_on"))
		return fg_err_field(err, "invalid_field", "kind", "outage or power_on");
	if (!json_is_integer(pa) || json_integer_value(pa) <= 0)
		return fg_err_field(err, "invalid_field", "planned_at", "the planned instant, ms since the epoch");
	if (fg_blank(reason))
		return fg_err_field(err, "invalid_field", "reason", "why the outage or the power-on, not empty");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	json_t *app = open_app(db, app_id, err);
	if (!app)
		return db_fail(db, err);
	if (!eq(fg_jstr(app, "customer_manager_id"), actor->id)) {
		refuse_not_manager(err, app);
		json_decref(app);
		return db_fail(db, err);
	}
	json_decref(app);
	char id[37];
	fg_uuid7(id);
	int64_t now = fg_now_ms();
	if (db_run(db_q(db, "INSERT INTO application_manager_requests (id, application_id, kind, planned_at, reason, status, "
			    "requested_by, requested_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'requested', $6, $7, $7, $7)",
			    "tttitti", id, app_id, kind, json_integer_value(pa), reason, actor->id, now)) != 0)
		return db_fail(db, err);
	return audit_commit(db, actor->id, "create", "application_manager_request", id, NULL, request_get(db, app_id, id), out, err);
}

/* Locks the request and checks it may still change: the application open, the actor its manager (NULL: the
 * customer through the portal), the request still waiting for the customer. */
static json_t *
open_request(db_t *db, const auth_user_t *actor, const char *app_id, const char *id, fg_err_t *err)
{
	json_t *app = open_app(db, app_id, err);
	if (!app)
		return NULL;
	if (actor && !eq(fg_jstr(app, "customer_manager_id"), actor->id)) {
		refuse_not_manager(err, app);
		json_decref(app);
		return NULL;
	}
	json_decref(app);
	if (db_lock_row(db, "application_manager_requests", id) != 0)
		return NULL;
	json_t *r = request_get(db, app_id, id);
	if (!r) {
		fg_err_not_found(err, "application_manager_request", id);
		return NULL;
	}
	if (!eq(fg_jstr(r, "status"), "requested")) {
		fg_err(err, "manager_request_closed");
		fg_err_detail(err, "status", json_incref(json_object_get(r, "status")));
		json_decref(r);
		return NULL;
	}
	return r;
}

int
custmgr_request_confirm(db_t *db, const auth_user_t *actor, const char *app_id, const char *id, json_t *in, json_t **out,
    fg_err_t *err)
{
	const char *who = fg_jstr(in, "confirmed_by"), *method = fg_jstr(in, "method"), *att = fg_jstr(in, "attachment_id");
	json_t *ca = json_object_get(in, "confirmed_at");
	int64_t now = fg_now_ms(), at = json_is_integer(ca) ? json_integer_value(ca) : now;
	if (fg_blank(who))
		return fg_err_field(err, "invalid_field", "confirmed_by", "the customer's person who confirmed, not empty");
	if (!eq(method, "phone") && !eq(method, "onsite_signature") && !eq(method, "portal"))
		return fg_err_field(err, "invalid_field", "method", "phone, onsite_signature or portal");
	if (!actor && !eq(method, "portal"))
		return fg_err_field(err, "invalid_field", "method", "the portal confirms by portal");
	if (eq(method, "onsite_signature") && !att)
		return fg_err_field(err, "missing_field", "attachment_id", "the signed sheet, uploaded");
	if (at <= 0 || at > now + 5 * 60 * 1000)
		return fg_err_field(err, "invalid_field", "confirmed_at", "when the customer confirmed, not in the future");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	json_t *before = open_request(db, actor, app_id, id, err);
	if (!before)
		return db_fail(db, err);
	int rc;
	if (att) {
		json_t *a = db_one(db_q(db, "SELECT id FROM attachments WHERE id = $1", "t", att), &rc);
		json_decref(a);
		if (!a) {
			json_decref(before);
			if (rc == DB_DONE)
				fg_err_field(err, "invalid_field", "attachment_id", "an uploaded attachment");
			return db_fail(db, err);
		}
	}
	if (db_run(db_q(db, "UPDATE application_manager_requests SET status = 'confirmed', confirmed_by_name = $1, confirm_method = $2, "
			    "confirmed_at = $3, confirm_attachment_id = $4, recorded_by = $5, recorded_at = $6, updated_at = $6, "
			    "version = version + 1 WHERE id = $7", "ttitt" "it", who, method, at, att, actor ? actor->id : NULL, now,
			    id)) != 0) {
		json_decref(before);
		return db_fail(db, err);
	}
	return audit_commit(db, actor ? actor->id : NULL, "confirm", "application_manager_request", id, before,
	    request_get(db, app_id, id), out, err);
}

int
custmgr_request_cancel(db_t *db, const auth_user_t *actor, const char *app_id, const char *id, json_t *in, json_t **out,
    fg_err_t *err)
{
	const char *reason = fg_jstr(in, "reason");
	if (fg_blank(reason))
		return fg_err_field(err, "invalid_field", "reason", "why it is cancelled, not empty");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	json_t *before = open_request(db, actor, app_id, id, err);
	if (!before)
		return db_fail(db, err);
	int64_t now = fg_now_ms();
	if (db_run(db_q(db, "UPDATE application_manager_requests SET status = 'cancelled', cancelled_at = $1, cancel_reason = $2, "
			    "updated_at = $1, version = version + 1 WHERE id = $3", "itt", now, reason, id)) != 0) {
		json_decref(before);
		return db_fail(db, err);
	}
	return audit_commit(db, actor->id, "cancel", "application_manager_request", id, before, request_get(db, app_id, id), out, err);
}

/* power_on needs the customer's confirmed power-on request (R2.6: power-on goes through the customer manager). */
static int
power_on_confirmed(flow_ctx_t *c, fg_err_t *gate)
{
	int rc;
	json_t *rows = db_all(db_q(c->db, "SELECT id, status, planned_at FROM application_manager_requests WHERE application_id = $1 "
					  "AND kind = 'power_on' AND status IN ('requested', 'confirmed') ORDER BY created_at, id", "t", c->id),
	    &rc);
	if (!rows)
		return fg_err(gate, "internal");
	json_t *r;
	size_t i;
	json_array_foreach(rows, i, r) if (eq(fg_jstr(r, "status"), "confirmed")) {
		json_decref(rows);
		return 0;
	}
	fg_err(gate, "power_on_not_confirmed");
	fg_err_detail(gate, "pending", rows); /* requests still waiting for the customer, if any */
	return -1;
}

const flow_guard_t custmgr_guards[] = {
	{"application_manager_assigned", assigned},
	{"application_power_on_confirmed", power_on_confirmed},
	{NULL, NULL},
};

/* ---- the queue ---- */

static json_t *
state_def(const char *code)
{
	json_t *s;
	size_t i;
	json_array_foreach(json_object_get(flow_def("application"), "states"), i, s) if (eq(fg_jstr(s, "code"), code))
		return s;
	return NULL;
}

int
custmgr_queue(db_t *db, const auth_user_t *viewer, const char *manager_id, json_t **out, fg_err_t *err)
{
	int rc;
	if (!eq(manager_id, viewer->id) && !(viewer->roles & (ROLE_MANAGER | ROLE_ADMIN)))
		return fg_err(err, "forbidden");
	json_t *mgr = db_one(db_q(db, "SELECT id, display_name FROM users WHERE id = $1", "t", manager_id), &rc);
	if (!mgr) {
		if (rc == DB_DONE)
			return fg_err_not_found(err, "user", manager_id);
		return db_fail(db, err);
	}
	json_t *apps = db_all(db_q(db, "SELECT a.id, a.number, a.kind, a.track, a.status, a.applicant_name, a.applicant_phone, "
				       "a.supply_address, a.fast_path, a.hold_reason, a.waiting_reason, a.created_at, a.updated_at "
				       "FROM applications a WHERE a.customer_manager_id = $1 AND a.status NOT IN ('archived', 'cancelled') "
				       "ORDER BY a.fast_path DESC, a.created_at, a.id LIMIT 500", "t", manager_id), &rc);
	json_t *reqs = db_all(db_q(db, "SELECT r.id, r.application_id, a.number AS application_number, r.kind, r.planned_at, "
				       "r.reason, r.status, r.requested_at FROM application_manager_requests r JOIN applications a ON "
				       "a.id = r.application_id WHERE a.customer_manager_id = $1 AND r.status = 'requested' ORDER BY "
				       "r.planned_at, r.id", "t", manager_id), &rc);
	if (!apps || !reqs) {
		json_decref(mgr);
		json_decref(apps);
		json_decref(reqs);
		return db_fail(db, err);
	}
	json_t *a;
	size_t i;
	int needing = 0;
	json_array_foreach(apps, i, a) {
		const char *st = fg_jstr(a, "status"), *id = fg_jstr(a, "id");
		json_t *sd = state_def(st), *needs = json_array();
		json_object_set_new(a, "fast_path", json_boolean(json_integer_value(json_object_get(a, "fast_path")) != 0));
		json_object_set_new(a, "stage", json_pack("{s:s, s:O, s:O, s:O}", "code", st, "name_zh",
							  sd ? json_object_get(sd, "name_zh") : json_null(), "name_en",
							  sd ? json_object_get(sd, "name_en") : json_null(), "owner_role",
							  sd && json_object_get(sd, "owner") ? json_object_get(sd, "owner") : json_null()));
		bool held = fg_jstr(a, "hold_reason") != NULL;
		if (sd && eq(fg_jstr(sd, "owner"), "customer_manager") && !held)
			json_array_append_new(needs, json_string("stage"));
		json_t *rec = acceptance_open_record(db, id);
		if (rec)
			json_array_append_new(needs, json_string("acceptance"));
		json_object_set_new(a, "open_acceptance", rec ? rec : json_null());
		int hz = acceptance_open_hazards(db, id);
		if (hz > 0)
			json_array_append_new(needs, json_string("hazards"));
		json_object_set_new(a, "open_hazards", json_integer(hz > 0 ? hz : 0));
		/* the power-on stage: a power-on request to make, or the customer's confirmation to record */
		if (eq(st, "energize")) {
			json_t *p = db_one(db_q(db, "SELECT MAX(CASE WHEN status = 'confirmed' THEN 2 WHEN status = 'requested' THEN 1 "
						    "ELSE 0 END) AS s FROM application_manager_requests WHERE application_id = $1 AND "
						    "kind = 'power_on'", "t", id), &rc);
			int64_t s = p ? json_integer_value(json_object_get(p, "s")) : 0;
			json_decref(p);
			if (s == 0)
				json_array_append_new(needs, json_string("power_on_request"));
			else if (s == 1)
				json_array_append_new(needs, json_string("power_on_confirmation"));
		}
		needing += json_array_size(needs) > 0;
		json_object_set_new(a, "needs", needs);
	}
	applications_mask(viewer, apps);
	*out = json_pack("{s:{s:O, s:O}, s:{s:I, s:i, s:I}, s:o, s:o}", "manager", "id", json_object_get(mgr, "id"), "display_name",
	    json_object_get(mgr, "display_name"), "counts", "applications", (json_int_t)json_array_size(apps), "needing_action",
	    needing, "requests", (json_int_t)json_array_size(reqs), "applications", apps, "requests", reqs);
	json_decref(mgr);
	return 0;
}
