/* Station equipment and defects (R4.12): the ledger of a station's own plant, and defects of that plant or of a
 * charger, with their life (data/flows/defect.json) and the yearly analysis. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/base/counter.h"
#include "core/base/day.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/auth/perm.h"
#include "charging/inspections/inspections.h"
#include "shared/attach/attach.h"

#define E_COLS "id, station_id, kind, name, model, serial, installed_on, last_check, status, note, created_at, " \
	       "updated_at, version"
#define D_COLS "d.id, d.number, d.status, d.station_id, s.name AS station_name, d.equipment_id, e.name AS equipment_name, " \
	       "d.charger_id, c.charge_point_id, d.target_kind, d.severity, d.description, d.photos, d.found_by, " \
	       "u.display_name AS found_by_name, d.found_at, d.due_at, d.inspection_id, d.inspection_item_id, " \
	       "d.needs_fault_order, d.work_order_id, d.fixing_by, d.fixing_at, d.closed_by, " \
	       "cu.display_name AS closed_by_name, d.closed_at, d.resolution, d.created_at, d.updated_at, d.version"
#define D_FROM " FROM defects d JOIN stations s ON s.id = d.station_id LEFT JOIN station_equipment e ON e.id = d.equipment_id " \
	       "LEFT JOIN chargers c ON c.id = d.charger_id LEFT JOIN users u ON u.id = d.found_by " \
	       "LEFT JOIN users cu ON cu.id = d.closed_by "

static const char *const kinds[] = {"box_transformer", "distribution_cabinet", "monitoring", "secondary_control_cabinet",
    "fire_facility", "grounding", "canopy_lighting", "other", NULL};
static const char *const statuses[] = {"in_service", "defective", "out_of_service", "retired", NULL};
static const char *const severities[] = {"general", "serious", "critical", NULL};

static bool
one_of(const char *const *list, const char *s)
{
	for (; s && *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

int64_t
defects_due_ms(const char *severity)
{
	if (!severity)
		return 0;
	if (strcmp(severity, "critical") == 0)
		return 24LL * 3600 * 1000;
	if (strcmp(severity, "serious") == 0)
		return 7LL * 24 * 3600 * 1000;
	if (strcmp(severity, "general") == 0)
		return 30LL * 24 * 3600 * 1000;
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

/* ---- equipment ---- */

json_t *
equipment_get(db_t *db, const char *id)
{
	int rc;
	return db_one(db_q(db, "SELECT " E_COLS " FROM station_equipment WHERE id = $1", "t", id), &rc);
}

json_t *
equipment_list(db_t *db, const char *station_id)
{
	int rc;
	json_t *rows = db_all(db_q(db,
	    "SELECT e.id, e.station_id, e.kind, e.name, e.model, e.serial, e.installed_on, e.last_check, e.status, e.note, "
	    "e.created_at, e.updated_at, e.version, (SELECT COUNT(*) FROM defects d WHERE d.equipment_id = e.id AND "
	    "d.status <> 'closed') AS open_defects FROM station_equipment e WHERE e.station_id = $1 ORDER BY e.kind, e.name",
	    "t", station_id), &rc);
	return rows ? json_pack("{s:o}", "items", rows) : NULL;
}

static int
check_equipment(json_t *in, fg_err_t *err)
{
	if (json_object_get(in, "kind") && !one_of(kinds, fg_jstr(in, "kind")))
		return fg_err_field(err, "invalid_field", "kind", "box_transformer, distribution_cabinet, monitoring, "
		    "secondary_control_cabinet, fire_facility, grounding, canopy_lighting or other");
	if (json_object_get(in, "status") && !one_of(statuses, fg_jstr(in, "status")))
		return fg_err_field(err, "invalid_field", "status", "in_service, defective, out_of_service or retired");
	if (json_object_get(in, "name") && !*fg_jstr(in, "name"))
		return fg_err_field(err, "invalid_field", "name", "must not be empty");
	static const char *const dates[] = {"installed_on", "last_check", NULL};
	for (int i = 0; dates[i]; i++)
		if (fg_jstr(in, dates[i]) && !day_valid(fg_jstr(in, dates[i])))
			return fg_err_field(err, "invalid_field", dates[i], "a date YYYY-MM-DD");
	return 0;
}

int
equipment_create(db_t *db, const char *actor_id, const char *station_id, json_t *in, json_t **out, fg_err_t *err)
{
	if (check_equipment(in, err))
		return -1;
	char id[37];
	fg_uuid7(id);
	int64_t now = fg_now_ms();
	if (db_begin(db) != 0)
		return db_fail(db, err);
	int rc;
	json_t *s = db_one(db_q(db, "SELECT id FROM stations WHERE id = $1", "t", station_id), &rc);
	if (!s) {
		fg_err_not_found(err, "station", station_id);
		return db_fail(db, err);
	}
	json_decref(s);
	if (db_run(db_q(db, "INSERT INTO station_equipment (id, station_id, kind, name, model, serial, installed_on, last_check, "
			    "status, note, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
		    "tttttttttti", id, station_id, fg_jstr(in, "kind"), fg_jstr(in, "name"), fg_jstr(in, "model"), fg_jstr(in, "serial"),
		    fg_jstr(in, "installed_on"), fg_jstr(in, "last_check"), fg_jstr(in, "status") ? fg_jstr(in, "status") : "in_service",
		    fg_jstr(in, "note"), now)) != DB_DONE)
		return db_fail(db, err);
	return commit_entity(db, actor_id, "create", "station_equipment", id, NULL, equipment_get(db, id), out, err);
}

int
equipment_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	if (check_equipment(in, err))
		return -1;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "station_equipment", id) != 0)
		return db_fail(db, err);
	json_t *before = equipment_get(db, id);
	if (!before) {
		fg_err_not_found(err, "station_equipment", id);
		return db_fail(db, err);
	}
	if (db_check_version(before, in, err)) {
		json_decref(before);
		return db_fail(db, err);
	}
	/* nullable fields: present (even null) replaces, absent keeps */
	static const char *const nullable[] = {"model", "serial", "installed_on", "last_check", "note"};
	int has[5];
	for (int i = 0; i < 5; i++)
		has[i] = json_object_get(in, nullable[i]) != NULL;
	int rc = db_run(db_q(db,
	    "UPDATE station_equipment SET kind = COALESCE($1, kind), name = COALESCE($2, name), status = COALESCE($3, status), "
	    "model = CASE WHEN $4 = 1 THEN $5 ELSE model END, serial = CASE WHEN $6 = 1 THEN $7 ELSE serial END, "
	    "installed_on = CASE WHEN $8 = 1 THEN $9 ELSE installed_on END, last_check = CASE WHEN $10 = 1 THEN $11 ELSE last_check END, "
	    "note = CASE WHEN $12 = 1 THEN $13 ELSE note END, updated_at = $14, version = version + 1 WHERE id = $15",
	    "tttbtbtbtbtbtit", fg_jstr(in, "kind"), fg_jstr(in, "name"), fg_jstr(in, "status"), has[0], fg_jstr(in, "model"), has[1],
	    fg_jstr(in, "serial"), has[2], fg_jstr(in, "installed_on"), has[3], fg_jstr(in, "last_check"), has[4], fg_jstr(in, "note"),
	    fg_now_ms(), id));
	if (rc != DB_DONE) {
		json_decref(before);
		return db_fail(db, err);
	}
	return commit_entity(db, actor_id, "update", "station_equipment", id, before, equipment_get(db, id), out, err);
}

/* ---- defects ---- */

static json_t *
shape_defect(json_t *d, int64_t now)
{
	const char *p = fg_jstr(d, "photos");
	json_t *ph = p ? json_loads(p, 0, NULL) : NULL;
	json_object_set_new(d, "photos", ph ? ph : json_array());
	json_object_set_new(d, "needs_fault_order", json_boolean(json_integer_value(json_object_get(d, "needs_fault_order"))));
	json_object_set_new(d, "overdue", json_boolean(strcmp(fg_jstr(d, "status"), "closed") != 0 &&
						json_integer_value(json_object_get(d, "due_at")) < now));
	return d;
}

json_t *
defects_get(db_t *db, const char *id)
{
	int rc;
	json_t *d = db_one(db_q(db, "SELECT " D_COLS D_FROM "WHERE d.id = $1", "t", id), &rc);
	return d ? shape_defect(d, fg_now_ms()) : NULL;
}

static json_t *
load(db_t *db, const char *id)
{
	return defects_get(db, id);
}

const flow_binding_t defects_flow = {"defect", "defects", "defect", load, NULL, "chargers.read", NULL};

/* Jan 1 00:00 of the year in Asia/Shanghai, as epoch ms */
static int64_t
year_start(int year)
{
	struct tm t = {0};
	t.tm_year = year - 1900;
	t.tm_mday = 1;
	return ((int64_t)timegm(&t) - 8 * 3600) * 1000;
}

json_t *
defects_list(db_t *db, const char *status, const char *station_id, const char *severity, const char *target_id, int year)
{
	int rc;
	int64_t from = year ? year_start(year) : 0, to = year ? year_start(year + 1) : INT64_MAX;
	json_t *rows = db_all(db_q(db, "SELECT " D_COLS D_FROM
	    "WHERE (CAST($1 AS TEXT) IS NULL OR d.status = $1) AND (CAST($2 AS TEXT) IS NULL OR d.station_id = $2) "
	    "AND (CAST($3 AS TEXT) IS NULL OR d.severity = $3) AND (CAST($4 AS TEXT) IS NULL OR d.equipment_id = $4 OR "
	    "d.charger_id = $4) AND d.found_at >= $5 AND d.found_at < $6 ORDER BY d.found_at DESC, d.id DESC LIMIT 1000",
	    "ttttii", status, station_id, severity, target_id, from, to), &rc);
	if (!rows)
		return NULL;
	int64_t now = fg_now_ms();
	size_t i;
	json_t *d;
	json_array_foreach(rows, i, d) shape_defect(d, now);
	return json_pack("{s:o}", "items", rows);
}

/* photos: an array of up to 20 attachment ids that exist */
static int
check_photos(db_t *db, json_t *photos, fg_err_t *err)
{
	return attach_ids_check(db, photos, "photos", 20, NULL, err);
}

int
defects_create_tx(db_t *db, const char *actor_id, json_t *in, char id_out[37], fg_err_t *err)
{
	const char *sev = fg_jstr(in, "severity") ? fg_jstr(in, "severity") : "general";
	if (!one_of(severities, sev))
		return fg_err_field(err, "invalid_field", "severity", "general, serious or critical");
	const char *desc = fg_jstr(in, "description");
	if (!desc || !*desc)
		return fg_err_field(err, "missing_field", "description", "what is wrong");
	const char *eq = fg_jstr(in, "equipment_id"), *ch = fg_jstr(in, "charger_id"), *st = fg_jstr(in, "station_id");
	char station[64] = "", kind[40] = "station";
	int rc;
	if (eq) {
		json_t *e = equipment_get(db, eq);
		if (!e)
			return fg_err_field(err, "invalid_field", "equipment_id", "no such equipment");
		fg_fmt(station, sizeof station, "%s", fg_jstr(e, "station_id"));
		fg_fmt(kind, sizeof kind, "%s", fg_jstr(e, "kind"));
		json_decref(e);
	}
	if (ch) {
		json_t *c = db_one(db_q(db, "SELECT station_id, kind FROM chargers WHERE id = $1", "t", ch), &rc);
		if (!c)
			return fg_err_field(err, "invalid_field", "charger_id", "no such charger");
		if (!fg_jstr(c, "station_id")) {
			json_decref(c);
			return fg_err_field(err, "invalid_field", "charger_id", "the charger is on no station");
		}
		if (eq && strcmp(station, fg_jstr(c, "station_id")) != 0) {
			json_decref(c);
			return fg_err_field(err, "invalid_field", "charger_id", "not on the equipment's station");
		}
		fg_fmt(station, sizeof station, "%s", fg_jstr(c, "station_id"));
		if (!eq)
			fg_fmt(kind, sizeof kind, "charger_%s", fg_jstr(c, "kind"));
		json_decref(c);
	}
	if (!eq && !ch) {
		json_t *s = st ? db_one(db_q(db, "SELECT id FROM stations WHERE id = $1", "t", st), &rc) : NULL;
		if (!s)
			return fg_err_field(err, st ? "invalid_field" : "defect_target_required", st ? "station_id" : "equipment_id",
			    "a defect is of a piece of equipment, a charger or a station");
		json_decref(s);
		fg_fmt(station, sizeof station, "%s", st);
	} else if (st && strcmp(st, station) != 0) {
		return fg_err_field(err, "invalid_field", "station_id", "not the station of the equipment or charger");
	}
	json_t *photos = json_object_get(in, "photos");
	if (check_photos(db, photos, err))
		return -1;
	int64_t now = fg_now_ms();
	json_t *fa = json_object_get(in, "found_at"), *du = json_object_get(in, "due_at");
	int64_t found = json_is_integer(fa) ? json_integer_value(fa) : now;
	if (found <= 0 || found > now + 60000)
		return fg_err_field(err, "invalid_field", "found_at", "epoch ms, not in the future");
	int64_t due = json_is_integer(du) ? json_integer_value(du) : found + defects_due_ms(sev);
	if (due < found)
		return fg_err_field(err, "invalid_field", "due_at", "not before found_at");
	json_t *nf = json_object_get(in, "needs_fault_order");
	int needs = json_is_boolean(nf) ? json_is_true(nf) : strcmp(sev, "general") != 0;
	char number[32], *ph = photos && json_is_array(photos) ? json_dumps(photos, JSON_COMPACT) : NULL;
	fg_uuid7(id_out);
	if (counter_number(db, "QX", number) != 0) {
		free(ph);
		return -1;
	}
	rc = db_run(db_q(db, "INSERT INTO defects (id, number, status, station_id, equipment_id, charger_id, target_kind, severity, "
			     "description, photos, found_by, found_at, due_at, inspection_id, inspection_item_id, needs_fault_order, "
			     "work_order_id, created_at, updated_at) VALUES ($1, $2, 'open', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
			     "$14, $15, $16, $17, $17)",
	    "ttttttttttiittbti", id_out, number, station, eq, ch, kind, sev, desc, ph, actor_id, found, due,
	    fg_jstr(in, "inspection_id"), fg_jstr(in, "inspection_item_id"), needs, fg_jstr(in, "work_order_id"), now));
	free(ph);
	if (rc != DB_DONE)
		return -1;
	if (flow_timers_sync(db, &defects_flow, id_out, true, now) != 0) /* due_at: the flow's deadline */
		return -1;
	json_t *after = defects_get(db, id_out);
	rc = after ? audit_write(db, actor_id, "create", "defect", id_out, NULL, after) : -1;
	json_decref(after);
	return rc == 0 ? 0 : -1;
}

int
defects_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	char id[37];
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (defects_create_tx(db, actor_id, in, id, err) != 0)
		return db_fail(db, err);
	json_t *after = defects_get(db, id);
	if (!after || db_commit(db) != 0) {
		json_decref(after);
		return db_fail(db, err);
	}
	*out = after;
	return 0;
}

/* ---- the defect flow: all declared in data/flows/defect.json (fields, reason, stamps, deadline); none in C ---- */

const flow_guard_t defect_guards[] = {
	{NULL, NULL},
};

const flow_effect_t defect_effects[] = {
	{NULL, NULL},
};

/* ---- the yearly analysis (R4.12) ---- */

static void
bump(json_t *counts, const char *key)
{
	if (!key)
		key = "";
	json_t *v = json_object_get(counts, key);
	json_object_set_new(counts, key, json_integer(json_integer_value(v) + 1));
}

/* {key: n} → [{key_name: key, count: n}] sorted by count desc, then key */
static int
by_count(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t d = json_integer_value(json_object_get(y, "count")) - json_integer_value(json_object_get(x, "count"));
	if (d)
		return d > 0 ? 1 : -1;
	return strcmp(fg_jstr(x, "key"), fg_jstr(y, "key"));
}

static json_t *
ranked(json_t *counts, const char *name)
{
	size_t n = json_object_size(counts), i = 0;
	json_t **v = calloc(n ? n : 1, sizeof *v), *out = json_array(), *val;
	const char *k;
	json_object_foreach(counts, k, val) v[i++] = json_pack("{s:s, s:O}", "key", k, "count", val);
	qsort(v, n, sizeof *v, by_count);
	for (i = 0; i < n; i++) {
		json_object_set(v[i], name, json_object_get(v[i], "key"));
		json_object_del(v[i], "key");
		json_array_append_new(out, v[i]);
	}
	free(v);
	return out;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

json_t *
defects_analysis(db_t *db, int year, const char *station_id)
{
	int rc;
	int64_t from = year_start(year), to = year_start(year + 1), now = fg_now_ms();
	json_t *rows = db_all(db_q(db,
	    "SELECT d.id, d.status, d.station_id, s.name AS station_name, d.target_kind, d.severity, d.found_at, d.due_at, "
	    "d.closed_at, d.equipment_id, d.charger_id, e.name AS equipment_name, c.charge_point_id FROM defects d "
	    "JOIN stations s ON s.id = d.station_id LEFT JOIN station_equipment e ON e.id = d.equipment_id "
	    "LEFT JOIN chargers c ON c.id = d.charger_id WHERE d.found_at >= $1 AND d.found_at < $2 "
	    "AND (CAST($3 AS TEXT) IS NULL OR d.station_id = $3) ORDER BY d.found_at", "iit", from, to, station_id), &rc);
	if (!rows)
		return NULL;
	json_t *kind = json_object(), *sev = json_object(), *status = json_object(), *stations = json_object(),
	       *station_names = json_object(), *targets = json_object(), *target_info = json_object();
	json_int_t months[12] = {0}, closed_on_time = 0, overdue = 0;
	size_t n = json_array_size(rows), nclosed = 0, i;
	int64_t *close_ms = calloc(n ? n : 1, sizeof *close_ms);
	json_t *d;
	json_array_foreach(rows, i, d) {
		bump(kind, fg_jstr(d, "target_kind"));
		bump(sev, fg_jstr(d, "severity"));
		bump(status, fg_jstr(d, "status"));
		bump(stations, fg_jstr(d, "station_id"));
		json_object_set(station_names, fg_jstr(d, "station_id"), json_object_get(d, "station_name"));
		time_t t = (time_t)(json_integer_value(json_object_get(d, "found_at")) / 1000) + 8 * 3600;
		struct tm tm;
		gmtime_r(&t, &tm);
		months[tm.tm_mon]++;
		const char *target = fg_jstr(d, "equipment_id") ? fg_jstr(d, "equipment_id") : fg_jstr(d, "charger_id") ? fg_jstr(d, "charger_id")
		    : fg_jstr(d, "station_id");
		bump(targets, target);
		if (!json_object_get(target_info, target))
			json_object_set_new(target_info, target, json_pack("{s:s, s:s?, s:O}", "target_kind", fg_jstr(d, "target_kind"),
								     "name", fg_jstr(d, "equipment_name") ? fg_jstr(d, "equipment_name")
									 : fg_jstr(d, "charge_point_id") ? fg_jstr(d, "charge_point_id")
									 : fg_jstr(d, "station_name"), "station_id", json_object_get(d, "station_id")));
		json_t *ca = json_object_get(d, "closed_at");
		int64_t due = json_integer_value(json_object_get(d, "due_at"));
		if (json_is_integer(ca)) {
			close_ms[nclosed++] = json_integer_value(ca) - json_integer_value(json_object_get(d, "found_at"));
			if (json_integer_value(ca) <= due)
				closed_on_time++;
		} else if (due < now) {
			overdue++;
		}
	}
	json_t *ttc = json_pack("{s:I}", "closed", (json_int_t)nclosed);
	if (nclosed) {
		qsort(close_ms, nclosed, sizeof *close_ms, cmp_i64);
		int64_t sum = 0;
		for (i = 0; i < nclosed; i++)
			sum += close_ms[i];
		int64_t med = nclosed % 2 ? close_ms[nclosed / 2] : (close_ms[nclosed / 2 - 1] + close_ms[nclosed / 2]) / 2;
		json_object_set_new(ttc, "mean_hours", json_real((double)sum / nclosed / 3600000.0));
		json_object_set_new(ttc, "median_hours", json_real((double)med / 3600000.0));
		json_object_set_new(ttc, "max_hours", json_real((double)close_ms[nclosed - 1] / 3600000.0));
		json_object_set_new(ttc, "on_time", json_integer(closed_on_time));
	} else {
		json_object_set_new(ttc, "mean_hours", json_null());
		json_object_set_new(ttc, "median_hours", json_null());
		json_object_set_new(ttc, "max_hours", json_null());
		json_object_set_new(ttc, "on_time", json_integer(0));
	}
	free(close_ms);
	json_t *by_station = ranked(stations, "station_id"), *s;
	json_array_foreach(by_station, i, s) json_object_set(s, "station_name", json_object_get(station_names, fg_jstr(s, "station_id")));
	json_t *repeats = json_array(), *all_targets = ranked(targets, "target"), *t;
	json_array_foreach(all_targets, i, t) {
		if (json_integer_value(json_object_get(t, "count")) < 2)
			continue;
		json_object_update(t, json_object_get(target_info, fg_jstr(t, "target")));
		json_array_append(repeats, t);
	}
	json_decref(all_targets);
	json_t *by_month = json_array();
	for (i = 0; i < 12; i++)
		json_array_append_new(by_month, json_pack("{s:i, s:I}", "month", (int)i + 1, "count", months[i]));
	json_t *out = json_pack("{s:i, s:I, s:O, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:o}", "year", year, "total", (json_int_t)n,
	    "by_status", status, "by_kind", ranked(kind, "kind"), "by_severity", ranked(sev, "severity"), "by_station", by_station,
	    "by_month", by_month, "time_to_close", ttc, "repeats", repeats, "overdue_open", overdue, "station_id",
	    station_id ? json_string(station_id) : json_null());
	json_decref(kind);
	json_decref(sev);
	json_decref(status);
	json_decref(stations);
	json_decref(station_names);
	json_decref(targets);
	json_decref(target_info);
	json_decref(rows);
	return out;
}
