/* Periodic work generated from the assets, not remembered (issue 12 item 3; meterproc.h). The assets module owns
 * metering_assets; this module only reads it (the metering context's shared rule), the few kinds it needs — HV
 * meters, CTs, PTs — through the (kind, status) index, so a million LV meters are never walked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/day.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/calendar/calendar.h"
#include "metering/meterproc/meterproc.h"

static json_t *
conf(const char *k)
{
	return json_object_get(json_object_get(flow_def("metering_case"), "periodic"), k);
}

/* A number of months from the "periodic" section: N, or {by, values, default} by an asset's column. */
static int
months_of(const char *k, json_t *asset)
{
	json_t *v = conf(k);
	if (json_is_integer(v))
		return (int)json_integer_value(v);
	json_t *by = json_object_get(v, "by");
	const char *have = json_is_string(by) ? fg_jstr(asset, json_string_value(by)) : NULL;
	json_t *got = have ? json_object_get(json_object_get(v, "values"), have) : NULL;
	return (int)json_integer_value(got ? got : json_object_get(v, "default"));
}

/* The first due day base + k·months (k ≥ 1) on or after `day`, when it falls within lead days: out, true. */
static bool
next_due(const char *base, int months, const char *day, long lead, char out[11])
{
	if (!base || !day_valid(base) || months <= 0)
		return false;
	for (int k = 1; k < 2400 / months + 2; k++) {
		if (!day_add_months(base, k * months, out))
			return false;
		if (strcmp(out, day) >= 0)
			return day_diff(day, out) <= lead;
	}
	return false;
}

/* Opens the task's case unless the asset already has one for this due day: its own transaction. 1 opened, 0 had
 * one already, -1 on a database error (logged; the next run tries again). */
static int
open_task(db_t *db, json_t *asset, const char *task, const char *due_on, json_t *items)
{
	static const struct {
		const char *task, *zh;
	} names[] = {{"first_inspection", "首次检验"}, {"field_test", "周期现场检验"}, {"ct_pt_test", "互感器现场检验（10年）"},
		     {"pt_voltage_drop", "PT二次压降测试（2年）"}};
	const char *zh = task;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i].task, task) == 0)
			zh = names[i].zh;
	int64_t now = fg_now_ms();
	fg_err_t e = FG_ERR_INIT;
	if (db_begin(db) != 0)
		return db_fail(db, &e), fg_err_clear(&e), -1;
	int rc;
	json_t *ins = db_one(db_q(db, "INSERT INTO metering_periodic_runs (asset_id, task, due_on, created_at) VALUES ($1, $2, $3, $4) "
				      "ON CONFLICT DO NOTHING RETURNING asset_id", "ttti", fg_jstr(asset, "id"), task, due_on, now), &rc);
	if (rc != DB_ROW && rc != DB_DONE) {
		db_fail(db, &e);
		fg_err_clear(&e);
		return -1;
	}
	if (!ins) { /* one for this asset, task and due day already */
		if (db_commit(db) != 0)
			return db_fail(db, &e), fg_err_clear(&e), -1;
		return 0;
	}
	json_decref(ins);
	char subject[200];
	fg_fmt(subject, sizeof subject, "%s · %s · 到期 %s", zh, fg_jstr(asset, "asset_no"), due_on);
	bool first = strcmp(task, "first_inspection") == 0;
	json_t *data = first ? json_pack("{s:s, s:s}", "energised_on", due_on, "task", task)
			     : json_pack("{s:s, s:s}", "task", task, "due_on", due_on);
	if (fg_jstr(asset, "accuracy_class"))
		json_object_set_new(data, "accuracy_class", json_string(fg_jstr(asset, "accuracy_class")));
	json_t *in = json_pack("{s:s, s:s, s:s, s:o}", "kind", first ? "first_inspection" : "periodic", "subject", subject, "asset_no",
	    fg_jstr(asset, "asset_no"), "data", data);
	if (fg_jstr(asset, "point_no"))
		json_object_set_new(in, "point_no", json_string(fg_jstr(asset, "point_no")));
	json_t *c = NULL;
	int orc = meterproc_open(db, FLOW_SYSTEM_ID, in, &c, &e);
	json_decref(in);
	if (orc != 0 || db_run(db_q(db, "UPDATE metering_periodic_runs SET case_id = $1 WHERE asset_id = $2 AND task = $3 AND due_on = $4",
				    "tttt", fg_jstr(c, "id"), fg_jstr(asset, "id"), task, due_on)) != DB_DONE ||
	    db_commit(db) != 0) {
		log_warn("meterproc: periodic %s for %s due %s not opened: %s", task, fg_jstr(asset, "asset_no"), due_on, e.code ? e.code : "db");
		json_decref(c);
		db_fail(db, &e);
		fg_err_clear(&e);
		return -1;
	}
	json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:O, s:O}", "task", task, "asset_no", fg_jstr(asset, "asset_no"), "due_on", due_on,
					   "case_id", json_object_get(c, "id"), "number", json_object_get(c, "number")));
	json_decref(c);
	return 1;
}

int
meterproc_periodic_run(db_t *db, const char *day, json_t **out, fg_err_t *err)
{
	if (!day_valid(day))
		return fg_err_field(err, "invalid_field", "on", "YYYY-MM-DD");
	long lead = (long)json_integer_value(conf("lead_days")), window = (long)json_integer_value(conf("first_inspection_window_days"));
	char since[11];
	if (!day_add_days(day, -window, since))
		return fg_err_field(err, "invalid_field", "on", "YYYY-MM-DD");
	int rc;
	/* HV meters, CTs and PTs in service: the (kind, status) index, then the few kinds' own filters */
	json_t *assets = db_all(db_q(db, "SELECT id, asset_no, kind, subtype, accuracy_class, point_no, installed_on, verified_on FROM metering_assets "
					 "WHERE status = 'installed' AND (kind IN ('ct', 'pt') OR (kind = 'meter' AND subtype = 'three_phase_hv')) "
					 "ORDER BY asset_no", ""), &rc);
	if (!assets)
		return fg_err(err, "internal");
	json_t *items = json_array(), *a;
	size_t i;
	int failed = 0;
	json_array_foreach(assets, i, a) {
		const char *kind = fg_jstr(a, "kind"), *inst = fg_jstr(a, "installed_on");
		char due[11];
		int r = 0;
		if (strcmp(kind, "meter") == 0) {
			/* installed in the window (and not in the future): its first inspection, due a month from energising */
			if (inst && day_valid(inst) && strcmp(inst, since) >= 0 && strcmp(inst, day) <= 0)
				r = open_task(db, a, "first_inspection", inst, items);
			if (r >= 0 && next_due(inst, months_of("field_test_months", a), day, lead, due))
				r = open_task(db, a, "field_test", due, items);
		} else {
			const char *base = fg_jstr(a, "verified_on") && day_valid(fg_jstr(a, "verified_on")) ? fg_jstr(a, "verified_on") : inst;
			if (next_due(base, months_of("ct_pt_test_months", a), day, lead, due))
				r = open_task(db, a, "ct_pt_test", due, items);
			if (r >= 0 && strcmp(kind, "pt") == 0 && next_due(inst, months_of("pt_voltage_drop_months", a), day, lead, due))
				r = open_task(db, a, "pt_voltage_drop", due, items);
		}
		failed += r < 0;
	}
	json_decref(assets);
	*out = json_pack("{s:s, s:I, s:i, s:o}", "day", day, "created", (json_int_t)json_array_size(items), "failed", failed, "items", items);
	return 0;
}

int
meterproc_periodic_job(db_t *db, int64_t now_ms)
{
	char day[11];
	cal_local_day(now_ms, day);
	json_t *out = NULL;
	fg_err_t e = FG_ERR_INIT;
	int rc = meterproc_periodic_run(db, day, &out, &e);
	if (rc == 0 && json_integer_value(json_object_get(out, "created")))
		log_info("meterproc: periodic work for %s: %lld case(s) opened", day, (long long)json_integer_value(json_object_get(out, "created")));
	json_decref(out);
	fg_err_clear(&e);
	return rc;
}
