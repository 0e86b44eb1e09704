/* The demo day (data/demo/fieldwork.json): jobs in every state, reached through the same domain functions the
 * API calls — orders, plans, tickets signed with the demo people's password, measures ticked, meetings held,
 * risks confirmed, SOP steps recorded with their readings and photos — so the demo shows what the rules allow
 * and its audit chain is a real one. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "core/base/embed.h"
#include "core/base/util.h"
#include "core/auth/perm.h"
#include "core/auth/session.h"
#include "core/auth/users.h"
#include "shared/attach/attach.h"
#include "fieldwork/briefings/briefings.h"
#include "fieldwork/orders/orders.h"
#include "safety/people/people.h"
#include "safety/interface/kb.h"
#include "safety/tools/tools.h"
#include "core/base/day.h"
#include "fieldwork/plans/plans.h"
#include "fieldwork/steps/steps.h"
#include "fieldwork/supervision/supervision.h"
#include "fieldwork/tickets/tickets.h"
#include "cli/cli.h"

/* a 1×1 JPEG: the demo's site photo */
static const unsigned char photo[] = {
	0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
	0x00, 0xFF, 0xDB, 0x00, 0x43, 0x00, 0x08, 0x06, 0x06, 0x07, 0x06, 0x05, 0x08, 0x07, 0x07, 0x07, 0x09, 0x09, 0x08,
	0x0A, 0x0C, 0x14, 0x0D, 0x0C, 0x0B, 0x0B, 0x0C, 0x19, 0x12, 0x13, 0x0F, 0x14, 0x1D, 0x1A, 0x1F, 0x1E, 0x1D, 0x1A,
	0x1C, 0x1C, 0x20, 0x24, 0x2E, 0x27, 0x20, 0x22, 0x2C, 0x23, 0x1C, 0x1C, 0x28, 0x37, 0x29, 0x2C, 0x30, 0x31, 0x34,
	0x34, 0x34, 0x1F, 0x27, 0x39, 0x3D, 0x38, 0x32, 0x3C, 0x2E, 0x33, 0x34, 0x32, 0xFF, 0xD9,
};

typedef struct {
	db_t *db;
	const char *password;
	json_t *org; /* demo org key → id */
	fg_err_t err;
	char what[160];
} demo_t;

static int
fail(demo_t *d, const char *what)
{
	const char *field = d->err.details ? json_string_value(json_object_get(d->err.details, "field")) : NULL;
	fprintf(stderr, "fieldgrid: demo day: %s: %s%s%s\n", what, d->err.code ? d->err.code : "error", field ? " " : "",
	    field ? field : "");
	fg_err_clear(&d->err);
	return -1;
}

static int
actor(demo_t *d, const char *username, auth_user_t *a)
{
	json_t *u = users_get_by_name(d->db, username);
	if (!u) {
		fprintf(stderr, "fieldgrid: demo day: no demo person %s (load data/demo/foundation.json first)\n", username);
		return -1;
	}
	memset(a, 0, sizeof *a);
	fg_fmt(a->id, sizeof a->id, "%s", fg_jstr(u, "id"));
	fg_fmt(a->username, sizeof a->username, "%s", username);
	fg_fmt(a->display_name, sizeof a->display_name, "%s", fg_jstr(u, "display_name"));
	a->roles = session_user_roles(d->db, a->id);
	json_decref(u);
	return 0;
}

static int
fire(demo_t *d, const flow_binding_t *b, const char *id, const char *action, const auth_user_t *who, json_t *body)
{
	json_t *out = NULL, *in = body ? body : json_object();
	int rc = flow_fire(d->db, b, id, action, who, in, &out, &d->err);
	json_decref(in);
	json_decref(out);
	if (rc != 0) {
		fg_fmt(d->what, sizeof d->what, "%s %s", b->flow, action);
		return fail(d, d->what);
	}
	return 0;
}

static json_t *
signed_body(demo_t *d)
{
	return json_pack("{s:s}", "password", d->password);
}

static char *
upload(demo_t *d, const auth_user_t *who, const char *entity, const char *entity_id)
{
	json_t *a = NULL;
	if (attach_store_bytes(d->db, who->id, "image/jpeg", photo, sizeof photo, "site.jpg", entity, entity_id, &a, &d->err) != 0) {
		fail(d, "photo");
		return NULL;
	}
	char *id = fg_strdup(fg_jstr(a, "id"));
	json_decref(a);
	return id;
}

/* Plausible readings for a step, from its definition: what a crew would type on site. */
static json_t *
readings(json_t *def, int n)
{
	json_t *rec = json_object(), *r;
	size_t i;
	json_array_foreach(json_object_get(def, "records"), i, r) {
		const char *type = fg_jstr(r, "type"), *key = fg_jstr(r, "key");
		char buf[64];
		if (strcmp(type, "asset_no") == 0) {
			fg_fmt(buf, sizeof buf, "1100%09d", 100000 + n * 37 + (int)i);
			json_object_set_new(rec, key, json_string(buf));
		} else if (strcmp(type, "reading") == 0 || strcmp(type, "number") == 0) {
			json_object_set_new(rec, key, json_real(strstr(key, "new") ? 0.0 : 3215.6 + n));
		} else if (strcmp(type, "ratio") == 0) {
			json_object_set_new(rec, key, json_string("200/5"));
		} else if (strcmp(type, "choice") == 0) {
			json_object_set(rec, key, json_object_get(json_array_get(json_object_get(r, "choices"), 0), "value"));
		} else if (strstr(key, "seal")) {
			fg_fmt(buf, sizeof buf, "LL%06d", 200000 + n * 11 + (int)i);
			json_object_set_new(rec, key, json_string(buf));
		} else {
			json_object_set_new(rec, key, json_string("正常"));
		}
	}
	return rec;
}

static int
record_steps(demo_t *d, const auth_user_t *who, json_t *plan, int max_steps)
{
	json_t *list = steps_for_plan(d->db, fg_jstr(plan, "id")), *item, *st;
	size_t i, j;
	int n = 0;
	json_array_foreach(json_object_get(list, "items"), i, item) {
		json_array_foreach(json_object_get(item, "steps"), j, st) {
			if (max_steps >= 0 && n >= max_steps)
				break;
			json_t *in = json_pack("{s:O, s:O, s:s, s:o}", "work_order_id", json_object_get(json_object_get(item, "work_order"), "id"),
			    "step_no", json_object_get(st, "no"), "result", "ok", "records", readings(st, n));
			if (json_is_true(json_object_get(st, "photo_required"))) {
				char *ph = upload(d, who, "step", fg_jstr(plan, "id"));
				if (!ph) {
					json_decref(in);
					json_decref(list);
					return -1;
				}
				json_object_set_new(in, "photo_ids", json_pack("[s]", ph));
				free(ph);
			}
			json_t *out = NULL;
			int rc = steps_record(d->db, who, fg_jstr(plan, "id"), in, &out, &d->err);
			json_decref(in);
			json_decref(out);
			if (rc != 0) {
				json_decref(list);
				return fail(d, "step");
			}
			n++;
		}
	}
	json_decref(list);
	return 0;
}

/* The tool store: two in-date tools of every kind, plus a few that show the keeper's work (due soon, overdue,
 * failed). Test dates are relative to today so the demo stays true whenever it is loaded. */
static int
demo_ledger(demo_t *d)
{
	char today[11], fresh[11], soon[11];
	day_today(today);
	day_add_days(today, -20, fresh);
	json_t *k;
	size_t i;
	json_array_foreach(kb_items("tool_kinds"), i, k) {
		const char *code = json_string_value(json_object_get(k, "code"));
		for (int n = 1; n <= 4; n++) {
			char asset[48];
			fg_fmt(asset, sizeof asset, "GJ-%02zu-%03d", i + 1, n);
			const char *date = fresh, *result = "pass";
			json_t *cyc = json_object_get(k, "test_cycle_months");
			if (n == 4 && json_is_integer(cyc)) { /* the fourth of each kind: one due soon, or overdue, or failed */
				int cycle = (int)json_integer_value(cyc);
				char base[11];
				day_add_days(today, i % 3 == 0 ? 10 : -10, base);
				/* a test `cycle` months before base: due in 10 days, or 10 days overdue */
				int y, m, dd;
				sscanf(base, "%d-%d-%d", &y, &m, &dd);
				int total = y * 12 + (m - 1) - cycle;
				fg_fmt(soon, sizeof soon, "%04d-%02d-%02d", total / 12, total % 12 + 1, dd > 28 ? 28 : dd);
				date = soon;
				if (i % 3 == 2) {
					date = fresh;
					result = "fail";
				}
			}
			json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "asset_no", asset, "kind", code, "name",
			    json_string_value(json_object_get(k, "name_zh")), "store", "工器具库房", "last_test_date", date,
			    "last_test_result", result), *out = NULL;
			int rc = tools_create(d->db, NULL, in, &out, &d->err);
			json_decref(in);
			json_decref(out);
			if (rc != 0)
				return fail(d, "tool");
		}
	}
	return 0;
}

/* A valid safety-rules exam for every demo person but one (汪磊, new, not yet examined), and a certificate about
 * to expire for the reminders. */
static int
demo_people(demo_t *d)
{
	char today[11], exam[11], cert_exp[11];
	day_today(today);
	day_add_days(today, -120, exam);
	day_add_days(today, 45, cert_exp);
	int rc;
	json_t *users = db_all(db_prepare(d->db, "SELECT id, username FROM users WHERE username <> 'admin' AND disabled = 0 ORDER BY username"), &rc);
	size_t i;
	json_t *u;
	json_array_foreach(users, i, u) {
		const char *name = json_string_value(json_object_get(u, "username"));
		if (strcmp(name, "wanglei2") == 0)
			continue;
		json_t *in = json_pack("{s:s, s:s, s:i, s:s, s:s}", "kind", "safety_exam", "name", "国家电网公司电力安全工作规程（营销部分）考试",
		    "score", 82 + (int)(i % 17), "issued_on", exam, "issuer", "安全监察部"), *out = NULL;
		rc = people_add(d->db, NULL, json_string_value(json_object_get(u, "id")), in, &out, &d->err);
		json_decref(in);
		json_decref(out);
		if (rc == 0 && strcmp(name, "zhaopeng") == 0) {
			in = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", "certificate", "name", "特种作业操作证（低压电工作业）", "number",
			    "T330102199001010011", "issued_on", "2020-12-25", "expires_on", cert_exp);
			rc = people_add(d->db, NULL, json_string_value(json_object_get(u, "id")), in, &out, &d->err);
			json_decref(in);
			json_decref(out);
		}
		if (rc != 0) {
			json_decref(users);
			return fail(d, "qualification");
		}
	}
	json_decref(users);
	return 0;
}

/* Before the job starts, its leader checks out an in-date tool of every kind the work needs. */
static int
equip(demo_t *d, const auth_user_t *leader, const char *plan_id)
{
	json_t *t = tools_for_plan(d->db, plan_id), *n, *p, *done = json_object();
	size_t i, j;
	int rc = 0;
	json_array_foreach(json_object_get(t, "needed"), i, n) {
		json_array_foreach(json_object_get(t, "proposed"), j, p) {
			const char *kind = json_string_value(json_object_get(p, "kind"));
			if (strcmp(kind, json_string_value(json_object_get(n, "kind"))) != 0 || json_object_get(done, kind))
				continue;
			json_t *out = NULL;
			if (tools_checkout(d->db, leader, json_string_value(json_object_get(p, "id")), plan_id, &out, &d->err) != 0) {
				rc = fail(d, "tool check-out");
				break;
			}
			json_decref(out);
			json_object_set_new(done, kind, json_true());
		}
	}
	json_decref(done);
	json_decref(t);
	return rc;
}

static int
run_job(demo_t *d, json_t *job, const auth_user_t *disp, const auth_user_t *issuer, const auth_user_t *permitter,
    const auth_user_t *sup, const char *today)
{
	const char *state = fg_jstr(job, "state");
	auth_user_t leader, crew[8];
	json_t *order_ids = json_array(), *crew_ids = json_array(), *o, *c;
	size_t i, ncrew = 0;
	if (actor(d, fg_jstr(job, "leader"), &leader))
		return -1;
	json_array_foreach(json_object_get(job, "crew"), i, c) {
		if (ncrew == 8 || actor(d, json_string_value(c), &crew[ncrew]))
			return -1;
		json_array_append_new(crew_ids, json_string(crew[ncrew++].id));
	}
	json_array_foreach(json_object_get(job, "orders"), i, o) {
		json_t *out = NULL, *in = json_deep_copy(o);
		json_object_set(in, "team_id", json_object_get(d->org, fg_jstr(job, "team")));
		int rc = orders_create(d->db, disp->id, in, &out, &d->err);
		json_decref(in);
		if (rc != 0)
			return fail(d, "work order");
		json_array_append(order_ids, json_object_get(out, "id"));
		json_decref(out);
	}
	json_t *pin = json_pack("{s:s, s:O, s:s, s:o, s:o, s:O?}", "date", today, "team_id", json_object_get(d->org, fg_jstr(job, "team")),
	    "leader_id", leader.id, "crew_ids", crew_ids, "work_order_ids", order_ids, "video_link", json_object_get(job, "video_link"));
	json_t *plan = NULL;
	int rc = plans_create(d->db, disp->id, pin, &plan, &d->err);
	json_decref(pin);
	if (rc != 0)
		return fail(d, "plan");
	const char *pid = fg_jstr(plan, "id");
	rc = -1;
	if (strcmp(state, "draft") == 0) {
		rc = 0;
		goto out;
	}
	if (fire(d, &plans_flow, pid, "publish", disp, NULL))
		goto out;
	if (strcmp(state, "cancelled") == 0) {
		rc = fire(d, &plans_flow, pid, "cancel", disp, json_pack("{s:s}", "reason", "客户改约下周"));
		goto out;
	}
	if (strcmp(state, "published") == 0) {
		rc = 0;
		goto out;
	}
	json_t *t = NULL, *tin = json_pack("{s:s}", "plan_id", pid), *m, *r, *tmp = NULL;
	rc = tickets_create(d->db, &leader, tin, &t, &d->err);
	json_decref(tin);
	if (rc != 0) {
		rc = fail(d, "ticket");
		goto out;
	}
	rc = -1;
	char tid[37];
	fg_fmt(tid, sizeof tid, "%s", fg_jstr(t, "id"));
	if (fire(d, &tickets_flow, tid, "issue", issuer, signed_body(d)) || fire(d, &tickets_flow, tid, "receive", &leader, signed_body(d)))
		goto ticket_out;
	json_array_foreach(json_object_get(t, "measures"), i, m) {
		if (tickets_confirm_measure(d->db, permitter, tid, fg_jstr(m, "id"), NULL, &tmp, &d->err) != 0) {
			fail(d, "measure");
			goto ticket_out;
		}
		json_decref(tmp);
	}
	json_t *pb = signed_body(d);
	json_object_set_new(pb, "permit_method", json_string("onsite"));
	if (fire(d, &tickets_flow, tid, "permit", permitter, pb))
		goto ticket_out;
	if (strcmp(state, "permitted") == 0) {
		rc = 0;
		goto ticket_out;
	}
	if (briefings_generate(d->db, &leader, pid, &tmp, &d->err) != 0 || (json_decref(tmp), 0) ||
	    briefings_hold(d->db, &leader, pid, &tmp, &d->err) != 0 || (json_decref(tmp), 0) ||
	    briefings_sign(d->db, &leader, pid, NULL, false, &tmp, &d->err) != 0 || (json_decref(tmp), 0)) {
		fail(d, "pre-shift meeting");
		goto ticket_out;
	}
	for (size_t k = 0; k < ncrew; k++) {
		if (briefings_sign(d->db, &crew[k], pid, NULL, false, &tmp, &d->err) != 0) {
			fail(d, "attendance");
			goto ticket_out;
		}
		json_decref(tmp);
	}
	/* each risk point once, with all its measures; a photo for the key ones (data/kb/risks.json "evidence") */
	json_array_foreach(json_object_get(t, "risks"), i, r) {
		json_t *cin = json_pack("{s:[], s:s}", "measure_ids", "place", fg_jstr(plan, "place") ? fg_jstr(plan, "place") : "现场");
		size_t k;
		json_array_foreach(json_object_get(t, "measures"), k, m) {
			if (fg_jstr(m, "risk_id") && fg_jstr(r, "risk_id") && strcmp(fg_jstr(m, "risk_id"), fg_jstr(r, "risk_id")) == 0)
				json_array_append(json_object_get(cin, "measure_ids"), json_object_get(m, "id"));
		}
		char *ph = json_is_string(json_object_get(r, "evidence")) ? upload(d, &leader, "ticket", tid) : NULL;
		if (ph)
			json_object_set_new(cin, "evidence_id", json_string(ph));
		free(ph);
		int crc = tickets_confirm_risk(d->db, &leader, tid, fg_jstr(r, "id"), cin, &tmp, &d->err);
		json_decref(cin);
		if (crc != 0) {
			fail(d, "risk");
			goto ticket_out;
		}
		json_decref(tmp);
	}
	if (equip(d, &leader, pid) || fire(d, &plans_flow, pid, "start", &leader, NULL))
		goto ticket_out;
	json_int_t steps = json_integer_value(json_object_get(job, "steps"));
	if (record_steps(d, ncrew ? &crew[0] : &leader, plan, strcmp(state, "finished") == 0 ? -1 : (int)steps))
		goto ticket_out;
	if (strcmp(state, "paused") == 0) {
		rc = fire(d, &plans_flow, pid, "pause", &leader, NULL);
		goto ticket_out;
	}
	if (strcmp(state, "working") == 0) {
		json_t *fin = json_pack("{s:s, s:s, s:s, s:s}", "kind", "observation", "severity", "general", "method", "video",
		    "description", "视频巡查：作业人员着装规范，监护到位");
		rc = supervision_add_finding(d->db, sup, pid, fin, &tmp, &d->err);
		json_decref(fin);
		if (rc != 0)
			rc = fail(d, "finding");
		else
			json_decref(tmp);
		goto ticket_out;
	}
	char *ph = upload(d, &leader, "ticket", tid);
	if (!ph)
		goto ticket_out;
	json_t *eb = signed_body(d);
	json_object_set_new(eb, "photo_ids", json_pack("[s]", ph));
	json_object_set_new(eb, "note", json_string("新表运行正常，封印完好，客户已确认起止度"));
	free(ph);
	if (fire(d, &tickets_flow, tid, "end", &leader, eb))
		goto ticket_out;
	if ((rc = fire(d, &plans_flow, pid, "finish", &leader, NULL)) == 0) { /* back to the store at the end of the day */
		tools_filter_t tf = {.plan_id = pid, .limit = 200};
		json_t *held = NULL, *tool, *cond = json_pack("{s:s}", "condition", "good");
		if (tools_list(d->db, &tf, &held, &d->err) == 0) {
			json_array_foreach(json_object_get(held, "items"), i, tool) {
				if (tools_return(d->db, &leader, json_string_value(json_object_get(tool, "id")), cond, &tmp, &d->err) != 0) {
					rc = fail(d, "tool return");
					break;
				}
				json_decref(tmp);
			}
		}
		json_decref(held);
		json_decref(cond);
	}
ticket_out:
	json_decref(t);
out:
	json_decref(plan);
	return rc;
}

int
demo_fieldwork(db_t *db, json_t *org_keys, const char *password, int *jobs)
{
	const embed_file_t *f = embed_find("data/demo/fieldwork.json");
	json_error_t je;
	json_t *doc = f ? json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, &je) : NULL;
	int rc;
	*jobs = 0;
	if (!doc) {
		fprintf(stderr, "fieldgrid: demo day data missing or invalid\n");
		return -1;
	}
	json_t *done = db_one(db_prepare(db, "SELECT value FROM settings WHERE key = 'demo.fieldwork'"), &rc);
	if (done) { /* once per database: a second run must not double the day */
		json_decref(done);
		json_decref(doc);
		return 0;
	}
	demo_t d = {.db = db, .password = password, .org = org_keys, .err = FG_ERR_INIT};
	json_t *roles = json_object_get(doc, "actors");
	auth_user_t disp, issuer, permitter, sup;
	if (actor(&d, fg_jstr(roles, "dispatcher"), &disp) || actor(&d, fg_jstr(roles, "issuer"), &issuer) ||
	    actor(&d, fg_jstr(roles, "permitter"), &permitter) || actor(&d, fg_jstr(roles, "supervisor"), &sup)) {
		json_decref(doc);
		return -1;
	}
	if (demo_ledger(&d) || demo_people(&d) ||
	    (demo_contractors(db, json_object_get(doc, "contractors"), &d.err) && fail(&d, "contractor"))) {
		json_decref(doc);
		return -1;
	}
	char today[11];
	time_t now = time(NULL) + 8 * 3600;
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(today, sizeof today, "%Y-%m-%d", &tm);
	size_t i;
	json_t *job, *o;
	rc = 0;
	json_array_foreach(json_object_get(doc, "jobs"), i, job) {
		if (run_job(&d, job, &disp, &issuer, &permitter, &sup, today) != 0) {
			rc = -1;
			break;
		}
		(*jobs)++;
	}
	json_array_foreach(json_object_get(doc, "unplanned"), i, o) {
		json_t *out = NULL;
		if (rc == 0 && orders_create(db, disp.id, o, &out, &d.err) != 0)
			rc = fail(&d, "work order");
		json_decref(out);
	}
	if (rc == 0 && db_run(db_q(db, "INSERT INTO settings (key, value) VALUES ('demo.fieldwork', $1)", "t", today)) != DB_DONE)
		rc = -1;
	json_decref(doc);
	return rc;
}
