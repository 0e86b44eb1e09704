#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "core/base/util.h"
#include "core/base/counter.h"
#include "core/db/qb.h"
#include "core/audit/audit.h"
#include "core/auth/perm.h"
#include "core/auth/session.h"
#include "shared/org/scope.h"
#include "safety/interface/kb.h"
#include "fieldwork/emergency/emergency.h"
#include "shared/org/org.h"
#include "fieldwork/orders/orders.h"
#include "fieldwork/plans/plans.h"

#define PLAN_COLS                                                                                                      \
	"id, number, date, team_id, leader_id, status, title, place, content, risk_level, high_risk, video_link, "      \
	"onsite_supervisor_id, published_at, started_at, finished_at, created_by, created_at, updated_at, version, backfill_id"

static json_t *
person(db_t *db, const char *id)
{
	int rc;
	return db_one(db_q(db, "SELECT id, username, display_name, phone FROM users WHERE id = $1", "t", id), &rc);
}

json_t *
plans_get(db_t *db, const char *id)
{
	int rc;
	json_t *p = db_one(db_q(db, "SELECT " PLAN_COLS " FROM plans WHERE id = $1", "t", id), &rc);
	if (!p)
		return NULL;
	json_object_set_new(p, "high_risk", json_boolean(json_integer_value(json_object_get(p, "high_risk"))));
	json_object_set_new(p, "backfilled", json_boolean(json_is_string(json_object_get(p, "backfill_id")))); /* from paper (R1.4) */
	json_object_set_new(p, "leader", person(db, json_string_value(json_object_get(p, "leader_id"))));
	const char *sup = json_string_value(json_object_get(p, "onsite_supervisor_id"));
	json_object_set_new(p, "onsite_supervisor", sup ? person(db, sup) : json_null());
	json_t *team = db_one(db_q(db, "SELECT name FROM org_units WHERE id = $1", "t", json_string_value(json_object_get(p, "team_id"))), &rc);
	json_object_set(p, "team_name", team ? json_object_get(team, "name") : json_null());
	json_decref(team);
	json_t *crew = db_all(db_q(db,
	    "SELECT u.id, u.username, u.display_name, u.phone FROM plan_crew c JOIN users u ON u.id = c.user_id "
	    "WHERE c.plan_id = $1 ORDER BY u.username", "t", id), &rc);
	json_object_set_new(p, "crew", crew ? crew : json_array());
	json_t *ids = json_array(), *c;
	size_t i;
	json_array_foreach(json_object_get(p, "crew"), i, c) json_array_append(ids, json_object_get(c, "id"));
	json_object_set_new(p, "crew_ids", ids);
	json_t *orders = db_all(db_q(db,
	    "SELECT w.id, w.number, w.kind, w.status, w.title, w.customer_name, w.customer_no, w.site_address, "
	    "w.meter_asset_no, w.priority FROM plan_orders po JOIN work_orders w ON w.id = po.work_order_id "
	    "WHERE po.plan_id = $1 ORDER BY w.number", "t", id), &rc);
	json_object_set_new(p, "work_orders", orders ? orders : json_array());
	ids = json_array();
	json_array_foreach(json_object_get(p, "work_orders"), i, c) json_array_append(ids, json_object_get(c, "id"));
	json_object_set_new(p, "work_order_ids", ids);
	json_object_set_new(p, "emergency_relaxations", emergency_relaxations_of(db, "plan_id", id)); /* R1.4 */
	return p;
}

static json_t *
load(db_t *db, const char *id)
{
	return plans_get(db, id);
}

const flow_binding_t plans_flow = {"plan", "plans", "plan", load, orders_lock_for_plan, "plans.read", scope_plan_visible};

static const char *
str(json_t *in, const char *k)
{
	return json_string_value(json_object_get(in, k));
}

static bool
valid_date(const char *s)
{
	int y, m, d;
	char tail;
	if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return false;
	static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return y >= 2000 && y <= 2100 && m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1] && !(m == 2 && d == 29 && !leap);
}

/* A person who may be on a plan: exists, enabled, and holds one of the given roles. */
static int
check_person(db_t *db, const char *id, uint32_t need, const char *field, fg_err_t *err)
{
	int rc;
	json_t *u = db_one(db_q(db, "SELECT disabled FROM users WHERE id = $1", "t", id), &rc);
	if (!u || json_integer_value(json_object_get(u, "disabled"))) {
		json_decref(u);
		fg_err_field(err, "invalid_field", field, "no such enabled user");
		fg_err_detail_str(err, "value", id);
		return -1;
	}
	json_decref(u);
	if (!(session_user_roles(db, id) & need)) {
		fg_err_field(err, "invalid_field", field, need == ROLE_LEADER ? "must hold the leader role" :
										   "must hold the crew, leader or guardian role");
		fg_err_detail_str(err, "value", id);
		return -1;
	}
	return 0;
}

/* Validates and writes crew and orders (replacing the old sets), then derives the risk from the work kinds. */
static int
apply_sets(db_t *db, const char *plan_id, json_t *in, fg_err_t *err)
{
	json_t *crew = json_object_get(in, "crew_ids"), *orders = json_object_get(in, "work_order_ids"), *v;
	size_t i;
	int rc;
	const char *leader = str(in, "leader_id");
	if (crew) {
		if (db_run(db_q(db, "DELETE FROM plan_crew WHERE plan_id = $1", "t", plan_id)) != DB_DONE)
			return -1;
		json_array_foreach(crew, i, v) {
			const char *uid = json_string_value(v);
			if (leader && strcmp(uid, leader) == 0)
				continue; /* the leader is on the plan as leader */
			if (check_person(db, uid, ROLE_CREW | ROLE_LEADER | ROLE_GUARDIAN, "crew_ids", err))
				return -1;
			if (db_run(db_q(db, "INSERT INTO plan_crew (plan_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", "tt",
				plan_id, uid)) != DB_DONE)
				return -1;
		}
	}
	if (orders) {
		if (json_array_size(orders) == 0)
			return fg_err_field(err, "invalid_field", "work_order_ids", "at least one work order");
		if (db_run(db_q(db, "DELETE FROM plan_orders WHERE plan_id = $1", "t", plan_id)) != DB_DONE)
			return -1;
		json_array_foreach(orders, i, v) {
			const char *oid = json_string_value(v);
			json_t *o = orders_get(db, oid);
			const char *st = o ? str(o, "status") : NULL;
			json_t *on = o ? json_object_get(o, "plan_id") : NULL;
			bool free_order = o && (strcmp(st, "new") == 0 || (strcmp(st, "planned") == 0 && (json_is_null(on) ||
												    strcmp(json_string_value(on), plan_id) == 0)));
			if (!free_order) {
				fg_err_field(err, "invalid_field", "work_order_ids",
				    o ? "the order is already planned, running, done or cancelled" : "no such work order");
				fg_err_detail_str(err, "value", oid);
				json_decref(o);
				return -1;
			}
			json_decref(o);
			if (db_run(db_q(db, "INSERT INTO plan_orders (plan_id, work_order_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
				"tt", plan_id, oid)) != DB_DONE)
				return -1;
		}
	}
	/* risk level and high-risk follow the riskiest work kind on the plan (REFERENCE.md §2) */
	json_t *kinds = db_all(db_q(db,
	    "SELECT DISTINCT w.kind FROM plan_orders po JOIN work_orders w ON w.id = po.work_order_id WHERE po.plan_id = $1",
	    "t", plan_id), &rc);
	if (!kinds)
		return -1;
	int level = 5, high = 0;
	json_array_foreach(kinds, i, v) {
		json_t *wk = kb_find("work_kinds", "code", str(v, "kind"));
		int l = wk ? (int)json_integer_value(json_object_get(wk, "risk_level")) : 3;
		if (l >= 1 && l < level)
			level = l;
		if (wk && json_is_true(json_object_get(wk, "high_risk")))
			high = 1;
	}
	json_decref(kinds);
	return db_run(db_q(db, "UPDATE plans SET risk_level = $1, high_risk = $2 WHERE id = $3", "iit", (int64_t)level,
		       (int64_t)high, plan_id)) == DB_DONE ? 0 : -1;
}

static int
check_head(db_t *db, json_t *in, fg_err_t *err)
{
	if (json_object_get(in, "date") && !valid_date(str(in, "date")))
		return fg_err_field(err, "invalid_field", "date", "YYYY-MM-DD");
	const char *team = str(in, "team_id");
	if (team) {
		json_t *o = org_get(db, team);
		if (!o)
			return fg_err_field(err, "invalid_field", "team_id", "no such org unit");
		json_decref(o);
	}
	if (str(in, "leader_id") && check_person(db, str(in, "leader_id"), ROLE_LEADER, "leader_id", err))
		return -1;
	const char *sup = str(in, "onsite_supervisor_id");
	if (sup && check_person(db, sup, ROLE_SUPERVISOR | ROLE_GUARDIAN | ROLE_MANAGER, "onsite_supervisor_id", err))
		return -1;
	return 0;
}

int
plans_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	char id[37], number[32], title[256] = "";
	int64_t now = fg_now_ms();
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (check_head(db, in, err) || counter_number(db, "JH", number) != 0)
		return db_fail(db, err);
	fg_uuid7(id);
	if (str(in, "title"))
		fg_fmt(title, sizeof title, "%s", str(in, "title"));
	if (db_run(db_q(db,
		"INSERT INTO plans (id, number, date, team_id, leader_id, status, title, place, content, risk_level, "
		"video_link, onsite_supervisor_id, created_by, created_at, updated_at) "
		"VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, 5, $9, $10, $11, $12, $13)",
		"tttttttttttii", id, number, str(in, "date"), str(in, "team_id"), str(in, "leader_id"), title,
		str(in, "place"), str(in, "content"), str(in, "video_link"), str(in, "onsite_supervisor_id"), actor_id, now,
		now)) != DB_DONE ||
	    apply_sets(db, id, in, err) != 0)
		return db_fail(db, err);
	json_t *after = plans_get(db, id);
	/* a plan with no title is named after its first order, which is what a crew recognises */
	if (after && !title[0] && json_array_size(json_object_get(after, "work_orders"))) {
		json_t *o = json_array_get(json_object_get(after, "work_orders"), 0);
		size_t n = json_array_size(json_object_get(after, "work_orders"));
		char more[32] = "";
		if (n > 1)
			fg_fmt(more, sizeof more, " 等%zu项", n);
		fg_fmt(title, sizeof title, "%s%s", str(o, "title"), more);
		const char *place = str(after, "place") ? NULL : str(o, "site_address");
		if (db_run(db_q(db, "UPDATE plans SET title = $1, place = COALESCE(place, $2) WHERE id = $3", "ttt", title, place,
			id)) != DB_DONE) {
			json_decref(after);
			return db_fail(db, err);
		}
		json_decref(after);
		after = plans_get(db, id);
	}
	if (!after || audit_write(db, actor_id, "create", "plan", id, NULL, after) != 0 || db_commit(db) != 0) {
		json_decref(after);
		return db_fail(db, err);
	}
	*out = after;
	return 0;
}

static const char *const head_fields[] = {"date", "team_id", "leader_id", "title", "place", "content", "video_link",
    "onsite_supervisor_id", NULL};

int
plans_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	json_t *before = NULL, *after = NULL;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "plans", id) != 0)
		goto fail;
	before = plans_get(db, id);
	if (!before) {
		fg_err_not_found(err, "plan", id);
		goto fail;
	}
	if (db_check_version(before, in, err))
		goto fail;
	/* the crew's copy is what they work from: a published plan changes only through its own actions; the
	 * supervision fields may still be set until the job starts */
	const char *st = str(before, "status");
	bool draft = strcmp(st, "draft") == 0, published = strcmp(st, "published") == 0;
	if (!draft) {
		const char *key;
		json_t *v;
		json_object_foreach(in, key, v) {
			if (strcmp(key, "version") != 0 && !(published && (strcmp(key, "video_link") == 0 ||
									      strcmp(key, "onsite_supervisor_id") == 0))) {
				fg_err(err, "invalid_transition");
				fg_err_detail_str(err, "state", st);
				fg_err_detail_str(err, "action", "update");
				fg_err_detail_str(err, "field", key);
				goto fail;
			}
		}
	}
	if (!json_object_get(in, "leader_id"))
		json_object_set(in, "leader_id", json_object_get(before, "leader_id"));
	if (check_head(db, in, err))
		goto fail;
	qb_t q;
	qb_init(&q, "UPDATE plans SET version = version + 1, updated_at = ");
	qb_int(&q, fg_now_ms());
	for (int i = 0; head_fields[i]; i++) {
		json_t *v = json_object_get(in, head_fields[i]);
		if (!v)
			continue;
		qb_sql(&q, ", ");
		qb_sql(&q, head_fields[i]);
		qb_sql(&q, " = ");
		qb_text(&q, json_string_value(v));
	}
	qb_sql(&q, " WHERE id = ");
	qb_text(&q, id);
	int rc = db_run(qb_prepare(db, &q));
	qb_free(&q);
	if (rc != DB_DONE || apply_sets(db, id, in, err) != 0)
		goto fail;
	after = plans_get(db, id);
	if (!after || audit_write(db, actor_id, "update", "plan", id, before, after) != 0 || db_commit(db) != 0)
		goto fail;
	json_decref(before);
	*out = after;
	return 0;
fail:
	json_decref(before);
	json_decref(after);
	return db_fail(db, err);
}

static void
where(qb_t *q, const void *filter)
{
	const plans_filter_t *f = filter;
	const char *cols[] = {"date", "status", "team_id", "leader_id"};
	const char *vals[] = {f->date, f->status, f->team_id, f->leader_id};
	for (int i = 0; i < 4; i++) {
		if (vals[i]) {
			qb_sql(q, " AND ");
			qb_sql(q, cols[i]);
			qb_sql(q, " = ");
			qb_text(q, vals[i]);
		}
	}
	scope_plan_filter(q, f->viewer, "id");
}

/* Runs head + db_in_json() + tail for the ids: one statement for a whole page instead of one per row (the plan
 * list ran 5 to 6 statements per plan, 254 for a page of 50: bench/README.md "HTTP"). Returns the rows or NULL. */
static json_t *
rows_for(db_t *db, const char *head, const char *tail, json_t *ids)
{
	char sql[1024];
	int rc;
	fg_fmt(sql, sizeof sql, "%s%s%s", head, db_in_json(db), tail);
	char *arg = json_dumps(ids, JSON_COMPACT);
	json_t *rows = db_all(db_q(db, sql, "t", arg), &rc);
	free(arg);
	return rows;
}

static json_t *
ids_of(json_t *rows, const char *key)
{
	json_t *ids = json_array(), *r;
	size_t i;
	json_array_foreach(rows, i, r) json_array_append(ids, json_object_get(r, key));
	return ids;
}

/* plans_get for each row's "id", in the rows' order, in five statements whatever the number of plans: the same
 * objects plans_get builds (tests/api compare the list's items with GET /plans/{id}). */
static json_t *
expand(db_t *db, json_t *rows)
{
	json_t *full = json_array();
	json_t *ids = ids_of(rows, "id");
	json_decref(rows);
	if (json_array_size(ids) == 0) {
		json_decref(ids);
		return full;
	}
	json_t *plans = rows_for(db, "SELECT " PLAN_COLS " FROM plans WHERE id IN ", "", ids);
	json_t *people_ids = json_array(), *team_ids = json_array(), *p;
	size_t i;
	json_array_foreach(plans, i, p) {
		json_array_append(people_ids, json_object_get(p, "leader_id"));
		if (str(p, "onsite_supervisor_id"))
			json_array_append(people_ids, json_object_get(p, "onsite_supervisor_id"));
		if (str(p, "team_id"))
			json_array_append(team_ids, json_object_get(p, "team_id"));
	}
	json_t *people = rows_for(db, "SELECT id, username, display_name, phone FROM users WHERE id IN ", "", people_ids);
	json_t *teams = rows_for(db, "SELECT id, name FROM org_units WHERE id IN ", "", team_ids);
	json_t *crews = rows_for(db,
	    "SELECT c.plan_id, u.id, u.username, u.display_name, u.phone FROM plan_crew c JOIN users u ON u.id = c.user_id "
	    "WHERE c.plan_id IN ", " ORDER BY c.plan_id, u.username", ids);
	json_t *orders = rows_for(db,
	    "SELECT po.plan_id, w.id, w.number, w.kind, w.status, w.title, w.customer_name, w.customer_no, w.site_address, "
	    "w.meter_asset_no, w.priority FROM plan_orders po JOIN work_orders w ON w.id = po.work_order_id "
	    "WHERE po.plan_id IN ", " ORDER BY po.plan_id, w.number", ids);
	json_decref(people_ids);
	json_decref(team_ids);
	if (!plans || !people || !teams || !crews || !orders) {
		json_decref(plans);
		json_decref(people);
		json_decref(teams);
		json_decref(crews);
		json_decref(orders);
		json_decref(ids);
		return full; /* as before: a plan that cannot be read is left out */
	}
	json_t *by_id = json_object(), *person_by = json_object(), *team_by = json_object(), *x;
	json_array_foreach(plans, i, x) json_object_set(by_id, str(x, "id"), x);
	json_array_foreach(people, i, x) json_object_set(person_by, str(x, "id"), x);
	json_array_foreach(teams, i, x) json_object_set(team_by, str(x, "id"), json_object_get(x, "name"));
	json_t *crew_by = fg_json_group_by(crews, "plan_id"), *order_by = fg_json_group_by(orders, "plan_id"), *id;
	json_array_foreach(ids, i, id) {
		p = json_object_get(by_id, json_string_value(id));
		if (!p)
			continue;
		json_object_set_new(p, "high_risk", json_boolean(json_integer_value(json_object_get(p, "high_risk"))));
		json_object_set_new(p, "backfilled", json_boolean(str(p, "backfill_id") != NULL)); /* entered from paper (R1.4) */
		json_t *leader = json_object_get(person_by, str(p, "leader_id"));
		json_object_set_new(p, "leader", leader ? json_deep_copy(leader) : json_null());
		const char *sup = str(p, "onsite_supervisor_id");
		json_t *sp = sup ? json_object_get(person_by, sup) : NULL;
		json_object_set_new(p, "onsite_supervisor", sp ? json_deep_copy(sp) : json_null());
		json_t *tn = str(p, "team_id") ? json_object_get(team_by, str(p, "team_id")) : NULL;
		json_object_set(p, "team_name", tn ? tn : json_null());
		json_t *crew = json_object_get(crew_by, json_string_value(id));
		json_object_set_new(p, "crew", crew ? json_incref(crew) : json_array());
		json_object_set_new(p, "crew_ids", ids_of(json_object_get(p, "crew"), "id"));
		json_t *wo = json_object_get(order_by, json_string_value(id));
		json_object_set_new(p, "work_orders", wo ? json_incref(wo) : json_array());
		json_object_set_new(p, "work_order_ids", ids_of(json_object_get(p, "work_orders"), "id"));
		json_array_append(full, p);
	}
	json_decref(by_id);
	json_decref(person_by);
	json_decref(team_by);
	json_decref(crew_by);
	json_decref(order_by);
	json_decref(plans);
	json_decref(people);
	json_decref(teams);
	json_decref(crews);
	json_decref(orders);
	json_decref(ids);
	return full;
}

int
plans_list(db_t *db, const plans_filter_t *f, json_t **out, fg_err_t *err)
{
	if (qb_list(db, "SELECT id FROM plans WHERE 1 = 1", "SELECT COUNT(*) AS n FROM plans WHERE 1 = 1", where, f, "id", true,
		f->cursor, f->limit, out) != 0)
		return fg_err(err, "internal");
	json_object_set_new(*out, "items", expand(db, json_incref(json_object_get(*out, "items"))));
	return 0;
}

int
plans_my_jobs(db_t *db, const char *user_id, json_t **out, fg_err_t *err)
{
	int rc;
	json_t *rows = db_all(db_q(db,
	    /* the jobs in hand, and today's finished ones so a crew still sees what they did */
	    "SELECT id FROM plans WHERE (status IN ('published', 'working', 'paused') OR (status = 'finished' AND finished_at > $2)) AND "
	    "(leader_id = $1 OR id IN (SELECT plan_id FROM plan_crew WHERE user_id = $1)) ORDER BY date, id LIMIT 200",
	    "ti", user_id, fg_now_ms() - 18LL * 3600 * 1000), &rc);
	if (!rows)
		return fg_err(err, "internal");
	json_t *items = expand(db, rows), *p;
	size_t i;
	json_array_foreach(items, i, p) /* what this person does on the job */
		json_object_set_new(p, "my_role", json_string(strcmp(str(p, "leader_id"), user_id) == 0 ? "leader" : "crew"));
	*out = json_pack("{s:o}", "items", items);
	return 0;
}
