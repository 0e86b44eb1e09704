/* Alarm detection (see faults.h for the debounce rule). The hooks run in the OCPP writer's transaction: they read
 * the connector's stored state (so a replayed old report cannot raise or clear anything), look the code up in the
 * dictionary, and raise, count, reopen or clear alarms; a raised alarm opens or joins its fault case. */
#include <string.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "charging/faults/faults.h"

#define A_COLS "a.id, a.charger_id, c.charge_point_id, c.station_id, s.name AS station_name, a.connector_id, a.fault_key, " \
	       "a.kind, a.state, a.severity, a.status, a.error_code, a.vendor_id, a.vendor_error_code, a.info, a.meaning, " \
	       "a.occurrences, a.raised_at, a.last_at, a.acknowledged_by, a.acknowledged_at, a.cleared_at, a.fault_id, " \
	       "f.number AS fault_number, f.status AS fault_status, a.created_at, a.updated_at, a.version"
#define A_FROM " FROM alarms a JOIN chargers c ON c.id = a.charger_id LEFT JOIN stations s ON s.id = c.station_id " \
	       "LEFT JOIN faults f ON f.id = a.fault_id "

json_t *
alarms_get(db_t *db, const char *id)
{
	int rc;
	return db_one(db_q(db, "SELECT " A_COLS A_FROM "WHERE a.id = $1", "t", id), &rc);
}

int
alarms_list(db_t *db, const alarms_filter_t *f, json_t **out, fg_err_t *err)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT " A_COLS A_FROM
	    "WHERE (CAST($1 AS TEXT) IS NULL OR a.state = $1 OR ($1 = 'active' AND a.state <> 'cleared')) "
	    "AND (CAST($2 AS TEXT) IS NULL OR a.charger_id = $2) AND (CAST($3 AS TEXT) IS NULL OR a.kind = $3) "
	    "AND (CAST($4 AS TEXT) IS NULL OR a.id < $4) ORDER BY a.id DESC LIMIT $5",
	    "tttti", f->state, f->charger_id, f->kind, f->cursor, (int64_t)(f->limit + 1)), &rc);
	if (!rows)
		return db_fail(db, err);
	json_t *next = json_null();
	if ((int)json_array_size(rows) > f->limit) {
		json_array_remove(rows, (size_t)f->limit);
		next = json_string(fg_jstr(json_array_get(rows, (size_t)f->limit - 1), "id"));
	}
	*out = json_pack("{s:o, s:o}", "items", rows, "next_cursor", next);
	return 0;
}

int
alarms_acknowledge(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "alarms", id) != 0)
		return db_fail(db, err);
	json_t *before = alarms_get(db, id), *after = NULL;
	if (!before) {
		fg_err_not_found(err, "alarm", id);
		goto fail;
	}
	if (json_object_get(in, "version") && db_check_version(before, in, err))
		goto fail;
	if (strcmp(fg_jstr(before, "state"), "open") != 0) {
		fg_err(err, "invalid_transition");
		fg_err_detail_str(err, "state", fg_jstr(before, "state"));
		fg_err_detail_str(err, "action", "acknowledge");
		goto fail;
	}
	int64_t now = fg_now_ms();
	if (db_run(db_q(db, "UPDATE alarms SET state = 'acknowledged', acknowledged_by = $1, acknowledged_at = $2, "
			     "updated_at = $2, version = version + 1 WHERE id = $3", "tit", actor_id, now, id)) != DB_DONE ||
	    !(after = alarms_get(db, id)) || audit_write(db, actor_id, "acknowledge", "alarm", id, before, after) != 0 ||
	    db_commit(db) != 0)
		goto fail;
	json_decref(before);
	*out = after;
	return 0;
fail:
	json_decref(before);
	json_decref(after);
	return db_fail(db, err);
}

/* What a report means: the fault key, the alarm kind, the dictionary entry (or NULL = no alarm). */
typedef struct {
	char key[160];
	const char *kind;
	json_t *entry; /* owned */
} finding_t;

static const char *const healthy[] = {"Available", "Preparing", "Charging", "SuspendedEV", "SuspendedEVSE", "Finishing",
    "Reserved", NULL};

static bool
is_healthy(const char *status)
{
	for (int i = 0; status && healthy[i]; i++)
		if (strcmp(status, healthy[i]) == 0)
			return true;
	return false;
}

static bool
classify(db_t *db, const char *vendor, const char *status, const char *code, const char *vcode, finding_t *f)
{
	bool faulted = status && strcmp(status, "Faulted") == 0;
	f->entry = NULL;
	if (vcode && *vcode && vendor) {
		json_t *e = faults_code_find(db, vendor, vcode);
		if (e && (faulted || json_is_true(json_object_get(e, "alarm")))) {
			fg_fmt(f->key, sizeof f->key, "vendor:%s:%s", vendor, vcode);
			f->kind = "vendor_code";
			f->entry = e;
			return true;
		}
		json_decref(e);
	}
	if (code && strcmp(code, "NoError") != 0) {
		json_t *e = faults_code_find(db, "ocpp", code);
		if (faulted || json_is_true(json_object_get(e, "alarm"))) {
			fg_fmt(f->key, sizeof f->key, "ocpp:%s", code);
			f->kind = faulted ? "faulted" : "error_code";
			f->entry = e ? e : faults_code_find(db, "ocpp", "Faulted");
			if (e && f->entry != e)
				json_decref(e);
			return true;
		}
		json_decref(e);
	}
	if (faulted) {
		fg_fmt(f->key, sizeof f->key, "ocpp:Faulted");
		f->kind = "faulted";
		f->entry = faults_code_find(db, "ocpp", "Faulted");
		return true;
	}
	return false;
}

static const char *
sev_of(json_t *entry)
{
	const char *s = fg_jstr(entry, "severity");
	return s && strcmp(s, "serious") == 0 ? "serious" : "common";
}

static int
link_fault(db_t *db, json_t *charger, json_t *alarm_row, const finding_t *f, int64_t conn, int64_t at)
{
	char title[300];
	const char *cp = fg_jstr(charger, "charge_point_id");
	const char *meaning = fg_jstr(f->entry, "meaning_zh") ? fg_jstr(f->entry, "meaning_zh") : f->key;
	if (conn > 0)
		fg_fmt(title, sizeof title, "%s 枪%lld %s", cp, (long long)conn, meaning);
	else
		fg_fmt(title, sizeof title, "%s %s", cp, meaning);
	char desc[600];
	fg_fmt(desc, sizeof desc, "告警 %s；建议：%s", f->key, fg_jstr(f->entry, "advice_zh") ? fg_jstr(f->entry, "advice_zh") : "—");
	fault_open_t in = {.charger_id = fg_jstr(charger, "id"), .station_id = fg_jstr(charger, "station_id"), .fault_key = f->key,
	    .title = title, .description = desc, .source = "alarm", .severity = sev_of(f->entry),
	    .urgency = fg_jstr(f->entry, "urgency") && strcmp(fg_jstr(f->entry, "urgency"), "urgent") == 0 ? "urgent" : "normal",
	    .connector_id = conn, .at = at};
	json_t *fault = NULL;
	bool created = false;
	fg_err_t e = FG_ERR_INIT;
	if (faults_open(db, NULL, &in, &fault, &created, &e) != 0) {
		log_warn("alarms: cannot open the fault case for %s %s: %s", cp, f->key, e.code ? e.code : "?");
		fg_err_clear(&e);
		return -1;
	}
	int rc = db_run(db_q(db, "UPDATE alarms SET fault_id = $1 WHERE id = $2", "tt", fg_jstr(fault, "id"), fg_jstr(alarm_row, "id")));
	json_decref(fault);
	return rc == DB_DONE ? 0 : -1;
}

/* Raises (or counts, or reopens) the alarm for a finding. */
static int
raise_alarm(db_t *db, json_t *charger, int64_t conn, const finding_t *f, const char *status, const char *code,
    const char *vendor_id, const char *vcode, const char *info, int64_t at)
{
	int rc;
	const char *cid = fg_jstr(charger, "id");
	int64_t now = fg_now_ms();
	json_t *open = db_one(db_q(db, "SELECT id, occurrences FROM alarms WHERE charger_id = $1 AND connector_id = $2 AND "
					   "fault_key = $3 AND state <> 'cleared' ORDER BY raised_at DESC LIMIT 1",
				  "tit", cid, conn, f->key), &rc);
	if (open) { /* debounce: the same fault again while its alarm is open only counts */
		rc = db_run(db_q(db, "UPDATE alarms SET occurrences = occurrences + 1, last_at = $1, updated_at = $2 WHERE id = $3",
		    "iit", at, now, fg_jstr(open, "id")));
		json_t *after = json_pack("{s:I, s:I}", "occurrences", (json_int_t)(json_integer_value(json_object_get(open, "occurrences")) + 1),
		    "last_at", (json_int_t)at);
		json_t *was = json_pack("{s:O}", "occurrences", json_object_get(open, "occurrences"));
		int ok = rc == DB_DONE && audit_write(db, NULL, "repeat", "alarm", fg_jstr(open, "id"), was, after) == 0;
		json_decref(after);
		json_decref(was);
		json_decref(open);
		return ok ? 0 : -1;
	}
	if (rc != DB_DONE)
		return -1;
	json_t *s = faults_settings(db);
	int64_t flap_ms = json_integer_value(json_object_get(s, "flap_window_s")) * 1000;
	json_decref(s);
	json_t *recent = db_one(db_q(db, "SELECT * FROM alarms WHERE charger_id = $1 AND connector_id = $2 AND fault_key = $3 "
					 "AND state = 'cleared' AND cleared_at >= $4 ORDER BY cleared_at DESC LIMIT 1",
				    "titi", cid, conn, f->key, at - flap_ms), &rc);
	const char *action;
	char id[37];
	json_t *before = NULL;
	if (recent) { /* flapping: the cleared alarm reopens instead of a new one */
		fg_fmt(id, sizeof id, "%s", fg_jstr(recent, "id"));
		json_decref(recent);
		before = alarms_get(db, id);
		rc = db_run(db_q(db, "UPDATE alarms SET state = 'open', cleared_at = NULL, occurrences = occurrences + 1, last_at = $1, "
				     "updated_at = $2, version = version + 1 WHERE id = $3", "iit", at, now, id));
		action = "reopen";
	} else {
		if (rc != DB_DONE)
			return -1;
		fg_uuid7(id);
		rc = db_run(db_q(db, "INSERT INTO alarms (id, charger_id, connector_id, fault_key, kind, state, severity, status, "
				     "error_code, vendor_id, vendor_error_code, info, meaning, raised_at, last_at, created_at, updated_at) "
				     "VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $14)",
		    "tti" "ttttttttt" "ii", id, cid, conn, f->key, f->kind, sev_of(f->entry), status, code, vendor_id, vcode, info,
		    fg_jstr(f->entry, "meaning_zh"), at, now));
		action = "raise";
	}
	json_t *row = rc == DB_DONE ? alarms_get(db, id) : NULL;
	/* the alarm opens or joins its fault case, then the audit records it with the case it belongs to */
	int ok = row && link_fault(db, charger, row, f, conn, at) == 0;
	json_decref(row);
	row = ok ? alarms_get(db, id) : NULL;
	ok = row && audit_write(db, NULL, action, "alarm", id, before, row) == 0;
	json_decref(before);
	json_decref(row);
	return ok ? 0 : -1;
}

/* The charger (or connector) is healthy again: its alarms clear and their fault cases are noted. */
static int
clear(db_t *db, const char *charger_id, int64_t conn, bool offline, const char *what, int64_t at)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT id, fault_key FROM alarms WHERE charger_id = $1 AND state <> 'cleared' AND "
					"((CAST($2 AS INTEGER) = 1 AND fault_key = 'ocpp:Offline') OR "
					"(CAST($2 AS INTEGER) = 0 AND connector_id = $3 AND fault_key <> 'ocpp:Offline'))",
			      "tbi", charger_id, offline ? 1 : 0, conn), &rc);
	if (!rows)
		return -1;
	size_t i;
	json_t *a;
	int64_t now = fg_now_ms();
	json_array_foreach(rows, i, a) {
		json_t *before = alarms_get(db, fg_jstr(a, "id")), *after = NULL;
		rc = db_run(db_q(db, "UPDATE alarms SET state = 'cleared', cleared_at = $1, updated_at = $2, version = version + 1 "
				     "WHERE id = $3", "iit", at, now, fg_jstr(a, "id")));
		after = rc == DB_DONE ? alarms_get(db, fg_jstr(a, "id")) : NULL;
		int ok = before && after && audit_write(db, NULL, "clear", "alarm", fg_jstr(a, "id"), before, after) == 0 &&
			 faults_recovered(db, charger_id, fg_jstr(a, "fault_key"), what, at) == 0;
		json_decref(before);
		json_decref(after);
		if (!ok) {
			json_decref(rows);
			return -1;
		}
	}
	json_decref(rows);
	return 0;
}

static json_t *
charger_of(db_t *db, const char *id)
{
	int rc;
	return db_one(db_q(db, "SELECT id, charge_point_id, station_id, vendor, last_seen_at FROM chargers WHERE id = $1", "t", id),
		      &rc);
}

static int
on_status(db_t *db, const char *charger_id, json_t *p, int64_t at)
{
	int rc;
	int64_t conn = json_integer_value(json_object_get(p, "connector_id"));
	json_t *cur = db_one(db_q(db, "SELECT status, error_code, vendor_error_code, info, status_at FROM connectors "
				      "WHERE charger_id = $1 AND connector_id = $2", "ti", charger_id, conn), &rc);
	if (!cur)
		return rc == DB_DONE ? 0 : -1;
	/* an old report replayed after a newer one changed nothing on the connector: it raises and clears nothing */
	bool current = json_integer_value(json_object_get(cur, "status_at")) == at;
	json_decref(cur);
	if (!current)
		return 0;
	json_t *charger = charger_of(db, charger_id);
	if (!charger)
		return -1;
	const char *status = fg_jstr(p, "status"), *code = fg_jstr(p, "error_code"), *vcode = fg_jstr(p, "vendor_error_code");
	const char *vendor = fg_jstr(p, "vendor_id") ? fg_jstr(p, "vendor_id") : fg_jstr(charger, "vendor");
	finding_t f;
	int out = 0;
	if (classify(db, vendor, status, code, vcode, &f)) {
		out = raise_alarm(db, charger, conn, &f, status, code, fg_jstr(p, "vendor_id"), vcode, fg_jstr(p, "info"), at);
		json_decref(f.entry);
	} else if (is_healthy(status)) {
		char what[80];
		fg_fmt(what, sizeof what, "枪%lld 恢复为 %s", (long long)conn, status);
		out = clear(db, charger_id, conn, false, what, at);
		if (out == 0 && conn == 0) { /* the whole charger is healthy: every connector's alarm clears */
			json_t *others = db_all(db_q(db, "SELECT DISTINCT connector_id FROM alarms WHERE charger_id = $1 AND "
							  "state <> 'cleared' AND fault_key <> 'ocpp:Offline'", "t", charger_id), &rc);
			size_t i;
			json_t *o;
			json_array_foreach(others, i, o) if (out == 0) out = clear(db, charger_id,
			    json_integer_value(json_object_get(o, "connector_id")), false, what, at);
			if (!others)
				out = -1;
			json_decref(others);
		}
	}
	json_decref(charger);
	return out;
}

static int
on_link(db_t *db, const char *charger_id, const char *what, int64_t at)
{
	if (strcmp(what, "disconnected") == 0)
		return 0; /* the offline scan decides when silence is too long */
	int rc;
	json_t *a = db_one(db_q(db, "SELECT id FROM alarms WHERE charger_id = $1 AND fault_key = 'ocpp:Offline' AND "
				    "state <> 'cleared' LIMIT 1", "t", charger_id), &rc);
	if (!a)
		return rc == DB_DONE ? 0 : -1;
	json_decref(a);
	return clear(db, charger_id, 0, true, "充电桩恢复在线", at);
}

int
faults_offline_scan(db_t *db, int64_t now, const char *charger_id)
{
	json_t *s = faults_settings(db);
	int64_t limit_ms = json_integer_value(json_object_get(s, "offline_alarm_s")) * 1000;
	json_decref(s);
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT c.id, c.last_seen_at FROM chargers c WHERE c.last_seen_at IS NOT NULL AND "
					"c.last_seen_at < $1 AND (CAST($2 AS TEXT) IS NULL OR c.id = $2) AND NOT EXISTS "
					"(SELECT 1 FROM alarms a WHERE a.charger_id = c.id AND a.fault_key = 'ocpp:Offline' AND "
					"a.state <> 'cleared') ORDER BY c.id LIMIT 500", "it", now - limit_ms, charger_id), &rc);
	if (!rows)
		return -1;
	int n = 0;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		if (db_begin(db) != 0)
			break;
		json_t *charger = charger_of(db, fg_jstr(r, "id"));
		finding_t f = {.kind = "offline", .entry = faults_code_find(db, "ocpp", "Offline")};
		fg_fmt(f.key, sizeof f.key, "ocpp:Offline");
		int ok = charger && raise_alarm(db, charger, 0, &f, NULL, NULL, NULL, NULL, NULL, now) == 0;
		json_decref(charger);
		json_decref(f.entry);
		if (ok && db_commit(db) == 0)
			n++;
		else
			db_rollback(db);
	}
	json_decref(rows);
	return n;
}

/* Subscribers of the chargers' events (the bus runs each in its own savepoint: a failure of the alarm rules is
 * undone and retried, and never costs the charger's message). */
int
faults_on_status(db_t *db, const fg_event_t *ev, fg_err_t *err)
{
	return on_status(db, ev->entity_id, ev->data, json_integer_value(json_object_get(ev->data, "at")));
}

int
faults_on_link(db_t *db, const fg_event_t *ev, fg_err_t *err)
{
	const char *what = fg_jstr(ev->data, "what");
	return what ? on_link(db, ev->entity_id, what, json_integer_value(json_object_get(ev->data, "at"))) : 0;
}
