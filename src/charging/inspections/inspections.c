/* Inspection plans and the inspections they generate (R4.3, R4.6): a plan per station and kind copies its
 * kind's checklist (data/kb/inspection_kinds.json), editable on the plan; once per period the scheduler makes an
 * inspection — a charger_inspection work order and the checklist expanded over the station's chargers and
 * equipment — which an engineer records item by item (a failed item opens a defect) and finishes. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/base/day.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "safety/interface/kb.h"
#include "fieldwork/interface/work_orders.h"
#include "charging/faults/faults.h"
#include "charging/inspections/inspections.h"
#include "shared/attach/attach.h"

#define PL_COLS "p.id, p.station_id, s.name AS station_name, p.kind, p.period, p.checklist, p.team_id, p.due_days, " \
		"p.active, p.note, p.created_by, p.created_at, p.updated_at, p.version"
#define I_COLS "i.id, i.plan_id, i.station_id, s.name AS station_name, s.code AS station_code, i.kind, i.period, " \
	       "i.work_order_id, w.number AS work_order_number, w.status AS work_order_status, i.status, i.period_start, " \
	       "i.due_at, i.started_at, i.finished_at, i.finished_by, u.display_name AS finished_by_name, i.staff, i.summary, " \
	       "i.created_at, i.updated_at, i.version"
#define I_FROM " FROM inspections i JOIN stations s ON s.id = i.station_id JOIN work_order_summaries w ON w.id = i.work_order_id " \
	       "LEFT JOIN users u ON u.id = i.finished_by "

#define MAX_ITEMS 200

static const char *const applies_to[] = {"station", "charger", "ac", "dc", "box_transformer", "distribution_cabinet",
    "monitoring", "secondary_control_cabinet", "fire_facility", "grounding", "canopy_lighting", "other", NULL};

static bool
one_of(const char *const *list, const char *s)
{
	for (; s && *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

static const char *
kind_name(const char *kind)
{
	json_t *k = kb_find("inspection_kinds", "code", kind);
	return k && fg_jstr(k, "name_zh") ? fg_jstr(k, "name_zh") : kind;
}

/* ---- periods (Asia/Shanghai) ---- */

static int64_t
local_ms(int year, int mon0)
{
	struct tm t = {0};
	t.tm_year = year - 1900 + mon0 / 12;
	t.tm_mon = mon0 % 12;
	t.tm_mday = 1;
	return ((int64_t)timegm(&t) - 8 * 3600) * 1000;
}

/* The period holding `at`: its key ("2026-12", "2026-Q4", "2026"), start and end (exclusive). */
static void
period_of(const char *period, int64_t at, char key[16], int64_t *start, int64_t *end)
{
	time_t t = (time_t)(at / 1000) + 8 * 3600;
	struct tm tm;
	gmtime_r(&t, &tm);
	int y = tm.tm_year + 1900, m = tm.tm_mon;
	if (strcmp(period, "month") == 0) {
		fg_fmt(key, 16, "%04d-%02d", y, m + 1);
		*start = local_ms(y, m);
		*end = local_ms(y, m + 1);
	} else if (strcmp(period, "quarter") == 0) {
		fg_fmt(key, 16, "%04d-Q%d", y, m / 3 + 1);
		*start = local_ms(y, m / 3 * 3);
		*end = local_ms(y, m / 3 * 3 + 3);
	} else {
		fg_fmt(key, 16, "%04d", y);
		*start = local_ms(y, 0);
		*end = local_ms(y, 12);
	}
}

/* ---- plans ---- */

static json_t *
shape_plan(json_t *p)
{
	const char *c = fg_jstr(p, "checklist");
	json_t *cl = c ? json_loads(c, 0, NULL) : NULL;
	json_object_set_new(p, "checklist", cl ? cl : json_array());
	json_object_set_new(p, "active", json_boolean(json_integer_value(json_object_get(p, "active"))));
	json_object_set_new(p, "kind_name", json_string(kind_name(fg_jstr(p, "kind"))));
	return p;
}

json_t *
inspections_plan_get(db_t *db, const char *id)
{
	int rc;
	json_t *p = db_one(db_q(db, "SELECT " PL_COLS " FROM inspection_plans p JOIN stations s ON s.id = p.station_id "
				    "WHERE p.id = $1", "t", id), &rc);
	return p ? shape_plan(p) : NULL;
}

json_t *
inspections_plans(db_t *db, const char *station_id)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT " PL_COLS " FROM inspection_plans p JOIN stations s ON s.id = p.station_id "
					"WHERE (CAST($1 AS TEXT) IS NULL OR p.station_id = $1) ORDER BY s.name, p.kind", "t", station_id), &rc);
	if (!rows)
		return NULL;
	size_t i;
	json_t *p;
	json_array_foreach(rows, i, p) shape_plan(p);
	return json_pack("{s:o}", "items", rows);
}

/* A checklist: 1 to 200 items {code, text_zh, text_en?, applies, unit?}, codes unique. */
static int
check_checklist(json_t *cl, fg_err_t *err)
{
	size_t n = json_array_size(cl), i, j;
	if (!json_is_array(cl) || n == 0 || n > MAX_ITEMS)
		return fg_err_field(err, "invalid_field", "checklist", "1 to 200 items");
	json_t *it;
	json_array_foreach(cl, i, it) {
		const char *code = fg_jstr(it, "code"), *text = fg_jstr(it, "text_zh");
		int bad = !json_is_object(it) || !code || !*code || strlen(code) > 40 || !text || !*text || strlen(text) > 500 ||
		    !one_of(applies_to, fg_jstr(it, "applies")) ||
		    (json_object_get(it, "text_en") && !json_is_string(json_object_get(it, "text_en"))) ||
		    (json_object_get(it, "unit") && !json_is_string(json_object_get(it, "unit")));
		for (j = 0; !bad && j < i; j++)
			bad = strcmp(fg_jstr(json_array_get(cl, j), "code"), code) == 0;
		if (bad) {
			fg_err_field(err, "invalid_field", "checklist",
			    "each item is {code (unique, ≤40), text_zh, text_en?, applies, unit?}; applies is station, charger, ac, "
			    "dc or an equipment kind");
			fg_err_detail_int(err, "item", (long long)i);
			return -1;
		}
	}
	return 0;
}

static int
commit_entity(db_t *db, const char *actor_id, const char *action, const char *entity, const char *id, json_t *before,
    json_t *after, json_t **out, fg_err_t *err)
{
	if (!after || audit_write(db, actor_id, action, entity, id, before, after) != 0 || db_commit(db) != 0) {
		json_decref(before);
		json_decref(after);
		return db_fail(db, err);
	}
	json_decref(before);
	*out = after;
	return 0;
}

static int
check_plan_fields(db_t *db, json_t *in, fg_err_t *err)
{
	json_t *dd = json_object_get(in, "due_days");
	if (dd && (json_integer_value(dd) < 0 || json_integer_value(dd) > 366))
		return fg_err_field(err, "invalid_field", "due_days", "0 (the period's end) to 366");
	const char *team = fg_jstr(in, "team_id");
	if (team) {
		int rc;
		json_t *o = db_one(db_q(db, "SELECT id FROM org_units WHERE id = $1", "t", team), &rc);
		if (!o)
			return fg_err_field(err, "invalid_field", "team_id", "no such org unit");
		json_decref(o);
	}
	json_t *cl = json_object_get(in, "checklist");
	return cl && !json_is_null(cl) ? check_checklist(cl, err) : 0;
}

int
inspections_plan_create(db_t *db, const char *actor_id, const char *station_id, json_t *in, json_t **out, fg_err_t *err)
{
	json_t *kind = kb_find("inspection_kinds", "code", fg_jstr(in, "kind"));
	if (!kind)
		return fg_err_field(err, "invalid_field", "kind", "a kind of data/kb/inspection_kinds.json (patrol_monthly, "
		    "cleaning_quarterly, verification_yearly, grounding_check, fire_check, emergency_drill)");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	int rc;
	json_t *s = db_one(db_q(db, "SELECT id FROM stations WHERE id = $1", "t", station_id), &rc);
	if (!s) {
		fg_err_not_found(err, "station", station_id);
		return db_fail(db, err);
	}
	json_decref(s);
	if (check_plan_fields(db, in, err))
		return db_fail(db, err);
	json_t *cl = json_object_get(in, "checklist");
	char *cls = json_dumps(cl && !json_is_null(cl) ? cl : json_object_get(kind, "items"), JSON_COMPACT);
	char id[37];
	fg_uuid7(id);
	int64_t now = fg_now_ms();
	json_t *act = json_object_get(in, "active");
	rc = db_run(db_q(db, "INSERT INTO inspection_plans (id, station_id, kind, period, checklist, team_id, due_days, active, note, "
			     "created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
	    "ttttttibtti", id, station_id, fg_jstr(kind, "code"), fg_jstr(kind, "period"), cls, fg_jstr(in, "team_id"),
	    (int64_t)json_integer_value(json_object_get(in, "due_days")), act ? json_is_true(act) : 1, fg_jstr(in, "note"), actor_id,
	    now));
	free(cls);
	if (rc == DB_CONFLICT)
		fg_err_field(err, "inspection_plan_exists", "kind", "this station has a plan of this kind; edit it");
	if (rc != DB_DONE)
		return db_fail(db, err);
	return commit_entity(db, actor_id, "create", "inspection_plan", id, NULL, inspections_plan_get(db, id), out, err);
}

int
inspections_plan_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "inspection_plans", id) != 0)
		return db_fail(db, err);
	json_t *before = inspections_plan_get(db, id);
	if (!before) {
		fg_err_not_found(err, "inspection_plan", id);
		return db_fail(db, err);
	}
	if (db_check_version(before, in, err) || check_plan_fields(db, in, err)) {
		json_decref(before);
		return db_fail(db, err);
	}
	json_t *cl = json_object_get(in, "checklist"), *act = json_object_get(in, "active"), *dd = json_object_get(in, "due_days");
	char *cls = cl && !json_is_null(cl) ? json_dumps(cl, JSON_COMPACT) : NULL;
	char ddbuf[24];
	if (dd)
		fg_fmt(ddbuf, sizeof ddbuf, "%lld", (long long)json_integer_value(dd));
	int rc = db_run(db_q(db,
	    "UPDATE inspection_plans SET checklist = COALESCE($1, checklist), active = CASE WHEN $2 = 1 THEN $3 ELSE active END, "
	    "due_days = COALESCE(CAST($4 AS INTEGER), due_days), team_id = CASE WHEN $5 = 1 THEN $6 ELSE team_id END, "
	    "note = CASE WHEN $7 = 1 THEN $8 ELSE note END, updated_at = $9, version = version + 1 WHERE id = $10",
	    "tbbtbtbtit", cls, act != NULL, act && json_is_true(act), dd ? ddbuf : NULL, json_object_get(in, "team_id") != NULL,
	    fg_jstr(in, "team_id"), json_object_get(in, "note") != NULL, fg_jstr(in, "note"), fg_now_ms(), id));
	free(cls);
	if (rc != DB_DONE) {
		json_decref(before);
		return db_fail(db, err);
	}
	return commit_entity(db, actor_id, "update", "inspection_plan", id, before, inspections_plan_get(db, id), out, err);
}

/* ---- generation ---- */

static int
add_item(db_t *db, const char *insp_id, int seq, json_t *it, const char *target, const char *charger_id,
    const char *equipment_id, const char *label)
{
	char id[37];
	fg_uuid7(id);
	return db_run(db_q(db, "INSERT INTO inspection_items (id, inspection_id, seq, code, text_zh, text_en, unit, target, "
			       "charger_id, equipment_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
		   "ttitttttt" "t", id, insp_id, (int64_t)seq, fg_jstr(it, "code"), fg_jstr(it, "text_zh"), fg_jstr(it, "text_en"), fg_jstr(it, "unit"), target,
		   charger_id, equipment_id)) == DB_DONE ? 0 : -1;
}

/* The checklist over the station: each item once for the station, per matching charger or per equipment. */
static int
expand(db_t *db, const char *insp_id, const char *station_id, json_t *checklist, int *count)
{
	int rc;
	json_t *chargers = db_all(db_q(db, "SELECT id, charge_point_id, kind FROM chargers WHERE station_id = $1 "
					   "ORDER BY charge_point_id", "t", station_id), &rc);
	json_t *equipment = db_all(db_q(db, "SELECT id, kind, name FROM station_equipment WHERE station_id = $1 AND "
					    "status <> 'retired' ORDER BY kind, name", "t", station_id), &rc);
	if (!chargers || !equipment) {
		json_decref(chargers);
		json_decref(equipment);
		return -1;
	}
	int seq = 0, bad = 0;
	size_t i, j;
	json_t *it, *x;
	json_array_foreach(checklist, i, it) {
		const char *ap = fg_jstr(it, "applies");
		if (!ap)
			continue;
		if (strcmp(ap, "station") == 0) {
			bad |= add_item(db, insp_id, ++seq, it, "station", NULL, NULL, NULL);
		} else if (strcmp(ap, "charger") == 0 || strcmp(ap, "ac") == 0 || strcmp(ap, "dc") == 0) {
			json_array_foreach(chargers, j, x) if (strcmp(ap, "charger") == 0 || strcmp(ap, fg_jstr(x, "kind")) == 0)
			    bad |= add_item(db, insp_id, ++seq, it, fg_jstr(x, "id"), fg_jstr(x, "id"), NULL, fg_jstr(x, "charge_point_id"));
		} else {
			json_array_foreach(equipment, j, x) if (strcmp(ap, fg_jstr(x, "kind")) == 0)
			    bad |= add_item(db, insp_id, ++seq, it, fg_jstr(x, "id"), NULL, fg_jstr(x, "id"), fg_jstr(x, "name"));
		}
	}
	json_decref(chargers);
	json_decref(equipment);
	*count = seq;
	return bad ? -1 : 0;
}

/* One plan's inspection for the period holding `at`: 1 made, 0 there already, -1 error. */
static int
generate_one(db_t *db, const char *actor_id, json_t *plan, int64_t at)
{
	char key[16];
	int64_t start, end;
	period_of(fg_jstr(plan, "period"), at, key, &start, &end);
	int rc;
	json_t *have = db_one(db_q(db, "SELECT id FROM inspections WHERE plan_id = $1 AND period = $2", "tt", fg_jstr(plan, "id"), key), &rc);
	if (have || rc != DB_DONE) {
		json_decref(have);
		return have ? 0 : -1;
	}
	int64_t dd = json_integer_value(json_object_get(plan, "due_days"));
	int64_t due = dd > 0 && start + dd * 86400000LL < end ? start + dd * 86400000LL : end - 1;
	if (db_begin(db) != 0)
		return -1;
	json_t *st = db_one(db_q(db, "SELECT name, code, address FROM stations WHERE id = $1", "t", fg_jstr(plan, "station_id")), &rc);
	if (!st) {
		db_rollback(db);
		return -1;
	}
	char title[300], desc[300];
	fg_fmt(title, sizeof title, "%s · %s · %s", fg_jstr(st, "name"), kind_name(fg_jstr(plan, "kind")), key);
	fg_fmt(desc, sizeof desc, "巡检计划 %s（%s）自动生成", kind_name(fg_jstr(plan, "kind")), key);
	json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:I}", "kind", "charger_inspection", "source", "schedule",
	    "title", title, "description", desc, "site_address", fg_jstr(st, "address"), "team_id", fg_jstr(plan, "team_id"), "due_at",
	    (json_int_t)due);
	json_decref(st);
	json_t *wo = NULL;
	fg_err_t e = FG_ERR_INIT;
	rc = work_orders_create(db, actor_id, in, &wo, &e);
	json_decref(in);
	fg_err_clear(&e);
	if (rc != 0) {
		db_rollback(db);
		return -1;
	}
	char id[37];
	fg_uuid7(id);
	int64_t now = fg_now_ms();
	json_t *made = db_one(db_q(db, "INSERT INTO inspections (id, plan_id, station_id, kind, period, work_order_id, status, "
					 "period_start, due_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $9) "
					 "ON CONFLICT (plan_id, period) DO NOTHING RETURNING id",
			       "ttttttiii", id, fg_jstr(plan, "id"), fg_jstr(plan, "station_id"), fg_jstr(plan, "kind"), key,
			       fg_jstr(wo, "id"), start, due, now), &rc);
	json_decref(wo);
	if (!made) { /* another server made it first: its order stands, ours goes */
		db_rollback(db);
		return rc == DB_DONE ? 0 : -1;
	}
	json_decref(made);
	int count = 0;
	json_t *after = NULL;
	if (expand(db, id, fg_jstr(plan, "station_id"), json_object_get(plan, "checklist"), &count) != 0 ||
	    !(after = inspections_get(db, id)) || audit_write(db, actor_id, "generate", "inspection", id, NULL, after) != 0 ||
	    db_commit(db) != 0) {
		json_decref(after);
		db_rollback(db);
		return -1;
	}
	json_decref(after);
	return 1;
}

int
inspections_generate(db_t *db, const char *actor_id, int64_t at)
{
	int rc;
	json_t *plans = db_all(db_prepare(db, "SELECT p.id, p.station_id, p.kind, p.period, p.checklist, p.team_id, p.due_days, "
					      "p.active, p.note, p.created_by, p.created_at, p.updated_at, p.version, s.name AS station_name "
					      "FROM inspection_plans p JOIN stations s ON s.id = p.station_id WHERE p.active = 1 ORDER BY p.id"), &rc);
	if (!plans)
		return -1;
	int made = 0, failed = 0;
	size_t i;
	json_t *p;
	json_array_foreach(plans, i, p) {
		shape_plan(p);
		int r = generate_one(db, actor_id, p, at);
		if (r < 0)
			failed++;
		else
			made += r;
	}
	json_decref(plans);
	return failed && !made ? -1 : made;
}

/* ---- reading ---- */

static json_t *
items_of(db_t *db, const char *id)
{
	int rc;
	json_t *rows = db_all(db_q(db,
	    "SELECT it.id, it.seq, it.code, it.text_zh, it.text_en, it.unit, it.target, it.charger_id, c.charge_point_id, "
	    "c.kind AS charger_kind, it.equipment_id, e.name AS equipment_name, e.kind AS equipment_kind, it.result, it.reading, "
	    "it.note, it.photos, it.defect_id, d.number AS defect_number, d.status AS defect_status, it.recorded_by, "
	    "u.display_name AS recorded_by_name, it.recorded_at, it.version FROM inspection_items it "
	    "LEFT JOIN chargers c ON c.id = it.charger_id LEFT JOIN station_equipment e ON e.id = it.equipment_id "
	    "LEFT JOIN defects d ON d.id = it.defect_id LEFT JOIN users u ON u.id = it.recorded_by "
	    "WHERE it.inspection_id = $1 ORDER BY it.seq", "t", id), &rc);
	size_t i;
	json_t *it;
	json_array_foreach(rows, i, it) {
		const char *p = fg_jstr(it, "photos");
		json_t *ph = p ? json_loads(p, 0, NULL) : NULL;
		json_object_set_new(it, "photos", ph ? ph : json_array());
	}
	return rows;
}

static json_t *
shape_inspection(db_t *db, json_t *i, int64_t now)
{
	json_object_set_new(i, "kind_name", json_string(kind_name(fg_jstr(i, "kind"))));
	json_object_set_new(i, "overdue", json_boolean(strcmp(fg_jstr(i, "status"), "done") != 0 &&
						 json_integer_value(json_object_get(i, "due_at")) < now));
	int rc;
	json_t *c = db_one(db_q(db, "SELECT COUNT(*) AS total, COUNT(result) AS recorded, "
				    "COALESCE(SUM(CASE WHEN result = 'fail' THEN 1 ELSE 0 END), 0) AS failed FROM inspection_items "
				    "WHERE inspection_id = $1", "t", fg_jstr(i, "id")), &rc);
	if (c)
		json_object_set_new(i, "counts", c);
	return i;
}

json_t *
inspections_get(db_t *db, const char *id)
{
	int rc;
	json_t *i = db_one(db_q(db, "SELECT " I_COLS I_FROM "WHERE i.id = $1", "t", id), &rc);
	if (!i)
		return NULL;
	shape_inspection(db, i, fg_now_ms());
	json_t *items = items_of(db, id);
	json_object_set_new(i, "items", items ? items : json_array());
	return i;
}

json_t *
inspections_list(db_t *db, const char *status, const char *station_id, int overdue)
{
	int rc;
	int pending = status && strcmp(status, "pending") == 0;
	int64_t now = fg_now_ms();
	json_t *rows = db_all(db_q(db, "SELECT " I_COLS I_FROM
	    "WHERE (CAST($1 AS TEXT) IS NULL OR i.status = $1) AND ($2 = 0 OR i.status <> 'done') "
	    "AND (CAST($3 AS TEXT) IS NULL OR i.station_id = $3) AND ($4 = 0 OR (i.status <> 'done' AND i.due_at < $5)) "
	    "ORDER BY i.due_at, i.id LIMIT 1000", "tbtbi", pending ? NULL : status, pending || overdue, station_id, overdue, now), &rc);
	if (!rows)
		return NULL;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) shape_inspection(db, r, now);
	return json_pack("{s:o}", "items", rows);
}

/* ---- recording ---- */

/* The inspection's work order follows it, through the work-order module; a done or cancelled order stays so. */
static int
set_order_status(db_t *db, const char *actor_id, const char *wo_id, const char *status)
{
	fg_err_t e = FG_ERR_INIT;
	int rc = work_orders_follow(db, actor_id, wo_id, status, strcmp(status, "done") == 0 ? "inspection_done" : "inspection_start",
	    true, &e);
	fg_err_clear(&e);
	return rc;
}

static json_t *
item_get(db_t *db, const char *insp_id, const char *item_id)
{
	int rc;
	return db_one(db_q(db, "SELECT id, inspection_id, code, text_zh, target, charger_id, equipment_id, result, reading, note, "
			       "photos, defect_id, recorded_by, recorded_at, version FROM inspection_items WHERE id = $1 AND "
			       "inspection_id = $2", "tt", item_id, insp_id), &rc);
}

int
inspections_record(db_t *db, const char *actor_id, const char *insp_id, const char *item_id, json_t *in, json_t **out,
    fg_err_t *err)
{
	return inspections_record_at(db, actor_id, insp_id, item_id, in, fg_now_ms(), out, err);
}

int
inspections_record_at(db_t *db, const char *actor_id, const char *insp_id, const char *item_id, json_t *in, int64_t at,
    json_t **out, fg_err_t *err)
{
	static const char *const results[] = {"pass", "fail", "na", NULL};
	const char *result = fg_jstr(in, "result");
	if (!one_of(results, result))
		return fg_err_field(err, "invalid_field", "result", "pass, fail or na");
	const char *note = fg_jstr(in, "note");
	if (strcmp(result, "fail") == 0 && (!note || !*note))
		return fg_err_field(err, "inspection_fail_note_required", "note", "what is wrong: it becomes the defect's description");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "inspections", insp_id) != 0)
		return db_fail(db, err);
	json_t *insp = inspections_get(db, insp_id), *before = NULL;
	if (!insp) {
		fg_err_not_found(err, "inspection", insp_id);
		return db_fail(db, err);
	}
	if (strcmp(fg_jstr(insp, "status"), "done") == 0) {
		fg_err(err, "inspection_done");
		goto fail;
	}
	before = item_get(db, insp_id, item_id);
	if (!before) {
		fg_err_not_found(err, "inspection_item", item_id);
		goto fail;
	}
	if (json_object_get(in, "version") && db_check_version(before, in, err))
		goto fail;
	json_t *photos = json_object_get(in, "photos");
	if (attach_ids_check(db, photos, "photos", 20, NULL, err) != 0)
		goto fail;
	char *ph = photos && json_is_array(photos) ? json_dumps(photos, JSON_COMPACT) : NULL;
	int64_t now = at;
	/* photos absent: the ones recorded before stay */
	int rc = db_run(db_q(db, "UPDATE inspection_items SET result = $1, reading = $2, note = $3, "
				 "photos = CASE WHEN $4 = 1 THEN $5 ELSE photos END, recorded_by = $6, recorded_at = $7, "
				 "version = version + 1 WHERE id = $8",
	    "tttbttit", result, fg_jstr(in, "reading"), note, photos != NULL, ph, actor_id, now, item_id));
	free(ph);
	if (rc != DB_DONE)
		goto fail;
	if (strcmp(result, "fail") == 0 && !fg_jstr(before, "defect_id")) {
		const char *sev = fg_jstr(in, "severity") ? fg_jstr(in, "severity") : "general";
		if (!defects_due_ms(sev)) {
			fg_err_field(err, "invalid_field", "severity", "general, serious or critical");
			goto fail;
		}
		char desc[1200], wo_id[40] = "";
		fg_fmt(desc, sizeof desc, "%s：%s", fg_jstr(before, "text_zh"), note);
		if (json_is_true(json_object_get(in, "repair_order"))) {
			if (!fg_jstr(before, "charger_id")) {
				fg_err_field(err, "invalid_field", "repair_order", "a repair order is for a charger's item");
				goto fail;
			}
			char title[300], key[160];
			int r2;
			json_t *c = db_one(db_q(db, "SELECT charge_point_id FROM chargers WHERE id = $1", "t", fg_jstr(before, "charger_id")), &r2);
			fg_fmt(title, sizeof title, "巡检缺陷维修 · %s · %s", c ? fg_jstr(c, "charge_point_id") : "", fg_jstr(before, "text_zh"));
			json_decref(c);
			/* a fault case like an alarm's (triage, SLA, escalation), joining one still open for this charger and
			 * item; its charger_repair work order is the defect's */
			fg_fmt(key, sizeof key, "inspection:%s", fg_jstr(before, "code") ? fg_jstr(before, "code") : item_id);
			fault_open_t fo = {.charger_id = fg_jstr(before, "charger_id"), .station_id = fg_jstr(insp, "station_id"), .fault_key = key,
			    .title = title, .description = desc, .source = "inspection",
			    .severity = strcmp(sev, "general") == 0 ? "common" : "serious",
			    .urgency = strcmp(sev, "critical") == 0 ? "urgent" : "normal", .connector_id = -1, .at = now};
			json_t *fault = NULL;
			bool created;
			if (faults_open(db, actor_id, &fo, &fault, &created, err) != 0)
				goto fail;
			fg_fmt(wo_id, sizeof wo_id, "%s", fault ? fg_jstr(fault, "work_order_id") : "");
			json_decref(fault);
		}
		json_t *din = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?}", "severity", sev, "description", desc, "inspection_id",
		    insp_id, "inspection_item_id", item_id, "charger_id", fg_jstr(before, "charger_id"), "equipment_id",
		    fg_jstr(before, "equipment_id"));
		if (!fg_jstr(before, "charger_id") && !fg_jstr(before, "equipment_id"))
			json_object_set_new(din, "station_id", json_string(fg_jstr(insp, "station_id")));
		if (photos && json_is_array(photos))
			json_object_set(din, "photos", photos);
		if (json_object_get(in, "needs_fault_order"))
			json_object_set(din, "needs_fault_order", json_object_get(in, "needs_fault_order"));
		if (*wo_id)
			json_object_set_new(din, "work_order_id", json_string(wo_id));
		char did[37];
		rc = defects_create_tx(db, actor_id, din, did, err);
		json_decref(din);
		if (rc != 0 || db_run(db_q(db, "UPDATE inspection_items SET defect_id = $1 WHERE id = $2", "tt", did, item_id)) != DB_DONE)
			goto fail;
	}
	if (strcmp(fg_jstr(insp, "status"), "open") == 0) {
		if (db_run(db_q(db, "UPDATE inspections SET status = 'in_progress', started_at = $1, updated_at = $1, "
				    "version = version + 1 WHERE id = $2", "it", now, insp_id)) != DB_DONE ||
		    set_order_status(db, actor_id, fg_jstr(insp, "work_order_id"), "in_progress") != 0)
			goto fail;
	}
	json_t *after = item_get(db, insp_id, item_id);
	if (!after || audit_write(db, actor_id, "record", "inspection_item", item_id, before, after) != 0) {
		json_decref(after);
		goto fail;
	}
	json_decref(after);
	json_decref(before);
	json_decref(insp);
	json_t *res = inspections_get(db, insp_id);
	if (!res || db_commit(db) != 0) {
		json_decref(res);
		return db_fail(db, err);
	}
	*out = res;
	return 0;
fail:
	json_decref(before);
	json_decref(insp);
	return db_fail(db, err);
}

/* The Asia/Shanghai day of an instant (the visit's day, which the equipment's last check takes). */
static void
day_at(int64_t ms, char out[11])
{
	time_t t = (time_t)(ms / 1000) + 8 * 3600;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

int
inspections_finish(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	return inspections_finish_at(db, actor_id, id, in, fg_now_ms(), out, err);
}

int
inspections_finish_at(db_t *db, const char *actor_id, const char *id, json_t *in, int64_t at, json_t **out, fg_err_t *err)
{
	const char *staff = fg_jstr(in, "staff");
	if (!staff || !*staff)
		return fg_err_field(err, "missing_field", "staff", "who did the visit");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "inspections", id) != 0)
		return db_fail(db, err);
	json_t *before = inspections_get(db, id);
	if (!before) {
		fg_err_not_found(err, "inspection", id);
		return db_fail(db, err);
	}
	if (strcmp(fg_jstr(before, "status"), "done") == 0) {
		fg_err(err, "inspection_done");
		goto fail;
	}
	if (json_object_get(in, "version") && db_check_version(before, in, err))
		goto fail;
	json_t *counts = json_object_get(before, "counts");
	json_int_t total = json_integer_value(json_object_get(counts, "total")),
		   recorded = json_integer_value(json_object_get(counts, "recorded")),
		   failed = json_integer_value(json_object_get(counts, "failed"));
	if (recorded < total) {
		fg_err(err, "inspection_items_open");
		fg_err_detail_int(err, "open", (long long)(total - recorded));
		goto fail;
	}
	char summary[2100];
	if (fg_jstr(in, "summary") && *fg_jstr(in, "summary"))
		fg_fmt(summary, sizeof summary, "%s", fg_jstr(in, "summary"));
	else
		fg_fmt(summary, sizeof summary, "%s %s：检查 %lld 项，不合格 %lld 项", fg_jstr(before, "kind_name"), fg_jstr(before, "period"),
		    (long long)total, (long long)failed);
	int64_t now = at;
	char today[11];
	day_at(now, today);
	int rc;
	json_t *eqs = db_all(db_q(db, "SELECT DISTINCT equipment_id FROM inspection_items WHERE inspection_id = $1 AND "
					  "equipment_id IS NOT NULL AND result IN ('pass', 'fail')", "t", id), &rc);
	size_t i;
	json_t *e;
	json_array_foreach(eqs, i, e) { /* the equipment's last check is this visit */
		const char *eid = fg_jstr(e, "equipment_id");
		json_t *eb = equipment_get(db, eid), *ea = NULL;
		int bad = !eb || db_run(db_q(db, "UPDATE station_equipment SET last_check = $1, updated_at = $2, version = version + 1 "
						 "WHERE id = $3", "tit", today, now, eid)) != DB_DONE ||
		    !(ea = equipment_get(db, eid)) || audit_write(db, actor_id, "inspected", "station_equipment", eid, eb, ea) != 0;
		json_decref(eb);
		json_decref(ea);
		if (bad) {
			json_decref(eqs);
			goto fail;
		}
	}
	json_decref(eqs);
	if (db_run(db_q(db, "UPDATE inspections SET status = 'done', started_at = COALESCE(started_at, $1), finished_at = $1, "
			    "finished_by = $2, staff = $3, summary = $4, updated_at = $1, version = version + 1 WHERE id = $5",
		    "ittt" "t", now, actor_id, staff, summary, id)) != DB_DONE ||
	    set_order_status(db, actor_id, fg_jstr(before, "work_order_id"), "done") != 0)
		goto fail;
	json_t *after = inspections_get(db, id);
	json_t *ba = json_deep_copy(before), *aa = after ? json_deep_copy(after) : NULL;
	if (ba)
		json_object_del(ba, "items");
	if (aa)
		json_object_del(aa, "items");
	rc = aa ? audit_write(db, actor_id, "finish", "inspection", id, ba, aa) : -1;
	json_decref(ba);
	json_decref(aa);
	json_decref(before);
	if (rc != 0 || db_commit(db) != 0) {
		json_decref(after);
		return db_fail(db, err);
	}
	*out = after;
	return 0;
fail:
	json_decref(before);
	return db_fail(db, err);
}
