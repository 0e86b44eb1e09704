/* What the demo does inside a stage before its step, so the other modules' rules are met the way staff meet them
 * (tests/api/lib_applications.mjs "stageWork" does the same for the API walks): an HV application gets its one
 * customer manager before acceptance; a survey's or installation's open work order is cancelled — the demo's field
 * work happened before the system, as a paper job logged at the desk — and the installation is completed with the
 * meter given there; the joint acceptance of a stage is opened, its sampled items checked and each department
 * signed by a different person; power-on waits for the customer's confirmed request. */
#include <string.h>
#include "core/base/util.h"
#include "core/flow/flow.h"
#include "customer/applications/applications.h"
#include "customer/appjobs/appjobs.h"
#include "customer/acceptance/acceptance.h"
#include "customer/custmgr/custmgr.h"
#include "cli/demo_applications_work.h"

static bool
hv(json_t *app)
{
	const char *t = fg_jstr(app, "track");
	return t && strncmp(t, "hv_", 3) == 0;
}

/* The stage's open work orders, cancelled by the dispatcher. */
static int
cancel_jobs(db_t *db, const auth_user_t *disp, const char *id, fg_err_t *err)
{
	json_t *jobs = appjobs_list(db, id), *j;
	size_t i;
	int rc = jobs ? 0 : -1;
	const flow_binding_t *wo = flow_binding("work_order");
	json_array_foreach(json_object_get(jobs, "items"), i, j) {
		json_t *w = json_object_get(j, "work_order");
		const char *st = fg_jstr(w, "status");
		if (rc || !w || !st || strcmp(st, "done") == 0 || strcmp(st, "cancelled") == 0)
			continue;
		json_t *body = json_pack("{s:s}", "reason", "演示数据：现场工作已完成，纸质工单在营业厅补录"), *out = NULL;
		rc = db_begin(db) != 0 || flow_fire_tx(db, wo, fg_jstr(w, "id"), "cancel", disp, body, 0, false, &out, err) != 0 ||
			     db_commit(db) != 0 ? -1 : 0;
		if (rc)
			db_rollback(db);
		json_decref(body);
		json_decref(out);
	}
	json_decref(jobs);
	return rc;
}

/* The stage's joint acceptance passed: opened (unless it is), sampled items checked, every department signed —
 * marketing by the customer manager, operations by the dispatcher, metering by the manager. */
static int
pass_acceptance(db_t *db, const auth_user_t p[4], const char *id, const char *stage, fg_err_t *err)
{
	json_t *list = NULL, *rec = NULL, *r;
	size_t i;
	if (acceptance_list(db, id, &list, err) != 0)
		return -1;
	json_array_foreach(json_object_get(list, "items"), i, r) if (strcmp(fg_jstr(r, "stage"), stage) == 0 && strcmp(fg_jstr(r, "status"), "failed") != 0) {
		json_decref(rec);
		rec = json_incref(r);
	}
	json_decref(list);
	if (!rec) {
		json_t *in = json_pack("{s:s}", "stage", stage);
		if (strcmp(stage, "completion") == 0)
			json_object_set_new(in, "first_inspector_id", json_string(p[2].id));
		int rc = acceptance_open(db, &p[1], id, in, &rec, err);
		json_decref(in);
		if (rc != 0)
			return -1;
	}
	const char *depts[] = {"marketing", "operations", "metering"};
	const auth_user_t *by[] = {&p[1], &p[2], &p[3]};
	char rid[64];
	fg_fmt(rid, sizeof rid, "%s", fg_jstr(rec, "id"));
	int rc = 0;
	for (int d = 0; d < 3 && !rc && strcmp(fg_jstr(rec, "status"), "passed") != 0; d++) {
		json_t *it, *out = NULL;
		json_array_foreach(json_object_get(rec, "items"), i, it) {
			if (rc || strcmp(fg_jstr(it, "department"), depts[d]) != 0 || !json_is_true(json_object_get(it, "sampled")) ||
			    json_is_true(json_object_get(it, "checked")))
				continue;
			json_t *in = json_pack("{s:s}", "result", "pass");
			rc = acceptance_check(db, by[d], id, rid, fg_jstr(it, "code"), in, &out, err);
			json_decref(in);
			json_decref(out);
			out = NULL;
		}
		json_t *dep, *signed_ = NULL;
		json_array_foreach(json_object_get(rec, "departments"), i, dep) if (strcmp(fg_jstr(dep, "code"), depts[d]) == 0) signed_ = json_object_get(dep, "signature");
		if (rc || (signed_ && !json_is_null(signed_)))
			continue;
		json_t *in = json_pack("{s:s}", "department", depts[d]);
		rc = acceptance_sign(db, by[d], id, rid, in, &out, err);
		json_decref(in);
		if (!rc) {
			json_decref(rec);
			rec = out;
		} else
			json_decref(out);
	}
	json_decref(rec);
	return rc;
}

static int
power_on_confirmed(db_t *db, const auth_user_t *cm, const char *id, fg_err_t *err)
{
	json_t *reqs = NULL, *r, *made = NULL, *done = NULL;
	size_t i;
	if (custmgr_requests(db, id, &reqs, err) != 0)
		return -1;
	bool have = false;
	json_array_foreach(json_object_get(reqs, "items"), i, r) have |= strcmp(fg_jstr(r, "kind"), "power_on") == 0 &&
									  strcmp(fg_jstr(r, "status"), "confirmed") == 0;
	json_decref(reqs);
	if (have)
		return 0;
	json_t *in = json_pack("{s:s, s:I, s:s}", "kind", "power_on", "planned_at", (json_int_t)(fg_now_ms() + 3600000),
	    "reason", "竣工检验合格，申请送电");
	int rc = custmgr_request_create(db, cm, id, in, &made, err);
	json_decref(in);
	if (rc == 0) {
		in = json_pack("{s:s, s:s}", "confirmed_by", "客户电气负责人", "method", "phone");
		rc = custmgr_request_confirm(db, cm, id, fg_jstr(made, "id"), in, &done, err);
		json_decref(in);
	}
	json_decref(made);
	json_decref(done);
	return rc;
}

int
demo_app_stage_work(db_t *db, const auth_user_t p[4], const char *id, const char *action, json_t *body, fg_err_t *err)
{
	static bool lists_loaded;
	if (!lists_loaded) { /* the module's start hook reads its checklists; the CLI starts no module */
		if (acceptance_start() != 0)
			return fg_err(err, "internal");
		lists_loaded = true;
	}
	json_t *app = applications_load(db, id);
	if (!app)
		return -1;
	int rc = 0;
	if (strcmp(action, "accept") == 0 && hv(app) && !fg_jstr(app, "customer_manager_id")) {
		json_t *in = json_pack("{s:s}", "user_id", p[1].id), *out = NULL;
		rc = custmgr_assign(db, &p[0], id, in, &out, err);
		json_decref(in);
		json_decref(out);
	} else if (strcmp(action, "complete_survey") == 0) {
		rc = cancel_jobs(db, &p[2], id, err);
	} else if (strcmp(action, "complete_installation") == 0) {
		rc = cancel_jobs(db, &p[2], id, err);
		if (!rc && strcmp(fg_jstr(app, "track"), "lv_non_residential") == 0)
			rc = pass_acceptance(db, p, id, "completion", err);
		if (!json_object_get(body, "meter_asset_no")) {
			char asset[32];
			fg_fmt(asset, sizeof asset, "DB33%.10s", fg_jstr(app, "number") + 2);
			json_object_set_new(body, "meter_asset_no", json_string(asset));
			json_object_set_new(body, "meter_model", json_string(hv(app) ? "DTZ341-Z" : "DDZY102-Z"));
			json_object_set_new(body, "install_reading", json_string("0"));
		}
	} else if (strcmp(action, "approve_design") == 0) {
		rc = pass_acceptance(db, p, id, "design_review", err);
	} else if (strcmp(action, "pass_mid_inspection") == 0) {
		rc = pass_acceptance(db, p, id, "mid_inspection", err);
	} else if (strcmp(action, "pass_completion") == 0) {
		rc = pass_acceptance(db, p, id, "completion", err);
	} else if (strcmp(action, "power_on") == 0) {
		rc = power_on_confirmed(db, &p[1], id, err);
	}
	json_decref(app);
	return rc;
}
