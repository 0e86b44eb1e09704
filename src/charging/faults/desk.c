/* The service desk (R4.9): users' reports through any channel, classified by the desk as a remote fix, guidance,
 * or a dispatch, which opens a fault case through the same path as an alarm (source service_desk), so triage,
 * SLA, escalation and the callback to the reporter are the same process. */
#include <string.h>
#include "core/base/counter.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "charging/chargers/chargers.h"
#include "charging/faults/faults.h"

#define D_COLS "d.id, d.number, d.status, d.channel, d.reporter_name, d.contact, d.charger_id, c.charge_point_id, " \
	       "d.station_id, s.name AS station_name, d.connector_id, d.category, d.description, d.classification, " \
	       "d.resolution, d.fault_id, f.number AS fault_number, f.status AS fault_status, d.created_by, d.classified_by, " \
	       "d.classified_at, d.created_at, d.updated_at, d.version"
#define D_FROM " FROM service_reports d LEFT JOIN chargers c ON c.id = d.charger_id LEFT JOIN stations s ON " \
	       "s.id = d.station_id LEFT JOIN faults f ON f.id = d.fault_id "

static const char *const channels[] = {"phone", "wechat", "app", "sales", "onsite", NULL};
static const char *const categories[] = {"cannot_charge", "interrupted", "payment", "damage", "screen", "offline", "other",
    NULL};
static const char *const category_zh[] = {"无法充电", "充电中断", "支付/计费问题", "设备损坏", "屏幕/显示异常", "桩离线",
    "其他", NULL};
static const char *const classes[] = {"remote_fix", "guide", "dispatch", NULL};

static int
index_of(const char *v, const char *const *set)
{
	for (int i = 0; v && set[i]; i++)
		if (strcmp(v, set[i]) == 0)
			return i;
	return -1;
}

json_t *
desk_get(db_t *db, const char *id)
{
	int rc;
	return db_one(db_q(db, "SELECT " D_COLS D_FROM "WHERE d.id = $1", "t", id), &rc);
}

int
desk_list(db_t *db, const char *status, const char *cursor, int limit, json_t **out, fg_err_t *err)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT " D_COLS D_FROM "WHERE (CAST($1 AS TEXT) IS NULL OR d.status = $1) AND "
					"(CAST($2 AS TEXT) IS NULL OR d.id < $2) ORDER BY d.id DESC LIMIT $3",
			      "tti", status, cursor, (int64_t)(limit + 1)), &rc);
	if (!rows)
		return db_fail(db, err);
	json_t *next = json_null();
	if ((int)json_array_size(rows) > limit) {
		json_array_remove(rows, (size_t)limit);
		next = json_string(fg_jstr(json_array_get(rows, (size_t)limit - 1), "id"));
	}
	*out = json_pack("{s:o, s:o}", "items", rows, "next_cursor", next);
	return 0;
}

int
desk_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	if (index_of(fg_jstr(in, "channel"), channels) < 0)
		return fg_err_field(err, "invalid_field", "channel", "phone, wechat, app, sales or onsite");
	if (index_of(fg_jstr(in, "category"), categories) < 0)
		return fg_err_field(err, "invalid_field", "category",
		    "cannot_charge, interrupted, payment, damage, screen, offline or other");
	static const char *const needed[] = {"reporter_name", "contact", "description", NULL};
	for (int i = 0; needed[i]; i++)
		if (!fg_jstr(in, needed[i]) || !*fg_jstr(in, needed[i]))
			return fg_err_field(err, "missing_field", needed[i], "must not be empty");
	json_t *conn = json_object_get(in, "connector_id");
	if (conn && !json_is_null(conn) && (json_integer_value(conn) < 0 || json_integer_value(conn) > 99))
		return fg_err_field(err, "invalid_field", "connector_id", "0 to 99");
	const char *station = fg_jstr(in, "station_id");
	char sbuf[40] = "";
	if (fg_jstr(in, "charger_id")) {
		json_t *c = chargers_get(db, fg_jstr(in, "charger_id"));
		if (!c)
			return fg_err_field(err, "invalid_field", "charger_id", "no such charger");
		if (!station && fg_jstr(c, "station_id")) {
			fg_fmt(sbuf, sizeof sbuf, "%s", fg_jstr(c, "station_id"));
			station = sbuf;
		}
		json_decref(c);
	} else if (!station) {
		return fg_err_field(err, "missing_field", "charger_id", "the charger or at least the station");
	}
	if (station && fg_jstr(in, "station_id")) {
		json_t *s = chargers_station_get(db, station);
		if (!s)
			return fg_err_field(err, "invalid_field", "station_id", "no such station");
		json_decref(s);
	}
	if (db_begin(db) != 0)
		return db_fail(db, err);
	char id[37], number[32], cbuf[24];
	const char *cs = NULL;
	if (json_is_integer(conn)) {
		fg_fmt(cbuf, sizeof cbuf, "%lld", (long long)json_integer_value(conn));
		cs = cbuf;
	}
	fg_uuid7(id);
	int64_t now = fg_now_ms();
	json_t *after = NULL;
	if (counter_number(db, "BX", number) != 0 ||
	    db_run(db_q(db, "INSERT INTO service_reports (id, number, status, channel, reporter_name, contact, charger_id, "
			    "station_id, connector_id, category, description, created_by, created_at, updated_at) VALUES ($1, $2, "
			    "'new', $3, $4, $5, $6, $7, CAST($8 AS INTEGER), $9, $10, $11, $12, $12)",
		"ttttttttttti", id, number, fg_jstr(in, "channel"), fg_jstr(in, "reporter_name"), fg_jstr(in, "contact"),
		fg_jstr(in, "charger_id"), station, cs, fg_jstr(in, "category"), fg_jstr(in, "description"), actor_id, now)) != DB_DONE ||
	    !(after = desk_get(db, id)) || audit_write(db, actor_id, "create", "service_report", id, NULL, after) != 0 ||
	    db_commit(db) != 0) {
		json_decref(after);
		return db_fail(db, err);
	}
	*out = after;
	return 0;
}

int
desk_classify(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	const char *cls = fg_jstr(in, "classification");
	if (index_of(cls, classes) < 0)
		return fg_err_field(err, "invalid_field", "classification", "remote_fix, guide or dispatch");
	bool dispatch = strcmp(cls, "dispatch") == 0;
	if (!dispatch && (!fg_jstr(in, "resolution") || !*fg_jstr(in, "resolution")))
		return fg_err_field(err, "missing_field", "resolution", "what was done remotely or how the user was guided");
	const char *sev = fg_jstr(in, "severity") ? fg_jstr(in, "severity") : "common";
	const char *urg = fg_jstr(in, "urgency") ? fg_jstr(in, "urgency") : "normal";
	if (strcmp(sev, "common") != 0 && strcmp(sev, "serious") != 0)
		return fg_err_field(err, "invalid_field", "severity", "common or serious");
	if (strcmp(urg, "urgent") != 0 && strcmp(urg, "normal") != 0)
		return fg_err_field(err, "invalid_field", "urgency", "urgent or normal");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "service_reports", id) != 0)
		return db_fail(db, err);
	json_t *before = desk_get(db, id), *after = NULL, *fault = NULL;
	if (!before) {
		fg_err_not_found(err, "service_report", id);
		goto fail;
	}
	if (json_object_get(in, "version") && db_check_version(before, in, err))
		goto fail;
	if (strcmp(fg_jstr(before, "status"), "new") != 0) {
		fg_err(err, "invalid_transition");
		fg_err_detail_str(err, "state", fg_jstr(before, "status"));
		fg_err_detail_str(err, "action", "classify");
		goto fail;
	}
	if (dispatch && !fg_jstr(before, "charger_id")) {
		fg_err(err, "desk_charger_required");
		fg_err_detail_str(err, "field", "charger_id");
		goto fail;
	}
	int64_t now = fg_now_ms();
	if (dispatch) {
		char key[80], title[300];
		int ci = index_of(fg_jstr(before, "category"), categories);
		fg_fmt(key, sizeof key, "desk:%s", fg_jstr(before, "category"));
		fg_fmt(title, sizeof title, "%s 用户报修：%s", fg_jstr(before, "charge_point_id"), category_zh[ci < 0 ? 6 : ci]);
		char desc[1200];
		fg_fmt(desc, sizeof desc, "%s（%s %s，%s）", fg_jstr(before, "description"), fg_jstr(before, "reporter_name"),
		    fg_jstr(before, "contact"), fg_jstr(before, "number"));
		json_t *cj = json_object_get(before, "connector_id");
		fault_open_t fo = {.charger_id = fg_jstr(before, "charger_id"), .station_id = fg_jstr(before, "station_id"),
		    .fault_key = key, .title = title, .description = desc, .source = "service_desk", .severity = sev,
		    .urgency = urg, .reporter_name = fg_jstr(before, "reporter_name"), .reporter_contact = fg_jstr(before, "contact"),
		    .connector_id = json_is_integer(cj) ? json_integer_value(cj) : -1, .at = now};
		bool created;
		if (faults_open(db, actor_id, &fo, &fault, &created, err) != 0 || !fault)
			goto fail;
	}
	if (db_run(db_q(db, "UPDATE service_reports SET status = 'classified', classification = $1, resolution = $2, "
			     "fault_id = $3, classified_by = $4, classified_at = $5, updated_at = $5, version = version + 1 "
			     "WHERE id = $6", "ttttit", cls, fg_jstr(in, "resolution"), fault ? fg_jstr(fault, "id") : NULL, actor_id, now,
		id)) != DB_DONE ||
	    !(after = desk_get(db, id)) || audit_write(db, actor_id, "classify", "service_report", id, before, after) != 0 ||
	    db_commit(db) != 0)
		goto fail;
	json_decref(before);
	json_decref(fault);
	*out = after;
	return 0;
fail:
	json_decref(before);
	json_decref(after);
	json_decref(fault);
	return db_fail(db, err);
}
