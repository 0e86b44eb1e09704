/* The error-code dictionary (data/faults/error_codes.json, admins' edits in fault_code_edits) and the SLA settings
 * (data/faults/sla.json, an admin's edit in settings 'faults.sla'). Every edit is audited in its transaction. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/embed.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "charging/faults/faults.h"

static json_t *builtin_codes, *builtin_sla;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static json_t *
load_file(const char *path)
{
	const embed_file_t *f = embed_find(path);
	json_error_t je;
	json_t *j = f ? json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, &je) : NULL;
	if (!j) {
		log_error("%s: missing or invalid", path);
		abort();
	}
	return j;
}

static void
load(void)
{
	builtin_codes = load_file("data/faults/error_codes.json");
	builtin_sla = load_file("data/faults/sla.json");
}

static json_t *
builtin_find(const char *vendor, const char *code)
{
	pthread_once(&once, load);
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(builtin_codes, "items"), i, it) if (strcmp(fg_jstr(it, "vendor"), vendor) == 0 && strcmp(fg_jstr(it, "code"), code) == 0) return it;
	return NULL;
}

static json_t *
edit_row(db_t *db, const char *vendor, const char *code)
{
	int rc;
	return db_one(db_q(db, "SELECT body, version, updated_by, updated_at FROM fault_code_edits WHERE vendor = $1 AND code = $2",
			  "tt", vendor, code), &rc);
}

static json_t *
entry_of_edit(json_t *row)
{
	json_t *e = json_loads(fg_jstr(row, "body"), 0, NULL);
	if (!e)
		return NULL;
	json_object_set_new(e, "edited", json_true());
	json_object_set(e, "version", json_object_get(row, "version"));
	json_object_set(e, "updated_at", json_object_get(row, "updated_at"));
	return e;
}

json_t *
faults_code_find(db_t *db, const char *vendor, const char *code)
{
	if (!vendor || !code)
		return NULL;
	json_t *row = edit_row(db, vendor, code);
	if (row) {
		json_t *e = entry_of_edit(row);
		json_decref(row);
		return e;
	}
	json_t *b = builtin_find(vendor, code);
	if (!b)
		return NULL;
	json_t *e = json_deep_copy(b);
	json_object_set_new(e, "edited", json_false());
	json_object_set_new(e, "builtin", json_true());
	return e;
}

json_t *
faults_codes(db_t *db, const char *vendor)
{
	pthread_once(&once, load);
	int rc;
	json_t *edits = db_all(db_q(db, "SELECT vendor, code, body, version, updated_by, updated_at FROM fault_code_edits "
					"ORDER BY vendor, code", ""), &rc);
	if (!edits)
		return NULL;
	json_t *out = json_array(), *it, *ed;
	size_t i, j;
	json_array_foreach(json_object_get(builtin_codes, "items"), i, it) {
		if (vendor && strcmp(vendor, fg_jstr(it, "vendor")) != 0)
			continue;
		json_t *hit = NULL;
		json_array_foreach(edits, j, ed) if (strcmp(fg_jstr(ed, "vendor"), fg_jstr(it, "vendor")) == 0 && strcmp(fg_jstr(ed, "code"), fg_jstr(it, "code")) == 0) hit = ed;
		json_t *e = hit ? entry_of_edit(hit) : json_deep_copy(it);
		if (!hit)
			json_object_set_new(e, "edited", json_false());
		json_object_set_new(e, "builtin", json_true());
		json_array_append_new(out, e);
	}
	json_array_foreach(edits, j, ed) {
		if ((vendor && strcmp(vendor, fg_jstr(ed, "vendor")) != 0) || builtin_find(fg_jstr(ed, "vendor"), fg_jstr(ed, "code")))
			continue;
		json_t *e = entry_of_edit(ed);
		if (e) {
			json_object_set_new(e, "builtin", json_false());
			json_array_append_new(out, e);
		}
	}
	json_decref(edits);
	return json_pack("{s:o}", "items", out);
}

static const char *const severities[] = {"common", "serious", NULL};
static const char *const urgencies[] = {"urgent", "normal", NULL};
static const char *const remote_actions[] = {"Reset", "ChangeAvailability", "UnlockConnector", "TriggerMessage", "none", NULL};

static int
check_key(const char *vendor, const char *code, fg_err_t *err)
{
	if (!vendor || !*vendor || strlen(vendor) > 50 || strchr(vendor, ':'))
		return fg_err_field(err, "invalid_field", "vendor", "1 to 50 characters, no ':'");
	if (!code || !*code || strlen(code) > 50)
		return fg_err_field(err, "invalid_field", "code", "1 to 50 characters (OCPP vendorErrorCode)");
	return 0;
}

int
faults_code_put(db_t *db, const char *actor_id, const char *vendor, const char *code, json_t *in, json_t **out,
    fg_err_t *err)
{
	if (check_key(vendor, code, err))
		return -1;
	if (!fg_jstr(in, "meaning_zh") || !*fg_jstr(in, "meaning_zh"))
		return fg_err_field(err, "missing_field", "meaning_zh", "what the code means, in Chinese");
	if (!fg_one_of(fg_jstr(in, "severity"), severities))
		return fg_err_field(err, "invalid_field", "severity", "common or serious");
	if (json_object_get(in, "urgency") && !fg_one_of(fg_jstr(in, "urgency"), urgencies))
		return fg_err_field(err, "invalid_field", "urgency", "urgent or normal");
	if (json_object_get(in, "remote_action") && !fg_one_of(fg_jstr(in, "remote_action"), remote_actions))
		return fg_err_field(err, "invalid_field", "remote_action", "Reset, ChangeAvailability, UnlockConnector, TriggerMessage or none");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_where(db, "fault_code_edits", "vendor", vendor, "code", code, NULL) != 0)
		return db_fail(db, err);
	json_t *row = edit_row(db, vendor, code), *before = faults_code_find(db, vendor, code), *after = NULL;
	if (row && db_check_version(row, in, err))
		goto fail;
	json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s?}", "vendor", vendor, "code", code, "meaning_zh",
	    fg_jstr(in, "meaning_zh"), "meaning_en", fg_jstr(in, "meaning_en") ? fg_jstr(in, "meaning_en") : fg_jstr(in, "meaning_zh"),
	    "severity", fg_jstr(in, "severity"), "urgency",
	    fg_jstr(in, "urgency") ? fg_jstr(in, "urgency") : (strcmp(fg_jstr(in, "severity"), "serious") == 0 ? "urgent" : "normal"),
	    "alarm", json_is_true(json_object_get(in, "alarm")), "remote_action",
	    fg_jstr(in, "remote_action") ? fg_jstr(in, "remote_action") : "none", "advice_zh", fg_jstr(in, "advice_zh"));
	char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(body);
	int64_t now = fg_now_ms();
	int rc = row ? db_run(db_q(db, "UPDATE fault_code_edits SET body = $1, updated_by = $2, updated_at = $3, version = version + 1 "
				       "WHERE vendor = $4 AND code = $5", "ttitt", text, actor_id, now, vendor, code))
		     : db_run(db_q(db, "INSERT INTO fault_code_edits (vendor, code, body, updated_by, updated_at) "
				       "VALUES ($1, $2, $3, $4, $5)", "tttti", vendor, code, text, actor_id, now));
	free(text);
	if (rc == DB_CONFLICT) { /* another admin's first edit of this code committed while we read none */
		fg_err(err, "version_conflict");
		fg_err_detail(err, "current_version", json_integer(1));
	}
	char eid[110];
	fg_fmt(eid, sizeof eid, "%s/%s", vendor, code);
	if (rc != DB_DONE || !(after = faults_code_find(db, vendor, code)) ||
	    audit_write(db, actor_id, row ? "update" : "create", "alarm_code", eid, before, after) != 0 || db_commit(db) != 0)
		goto fail;
	json_decref(row);
	json_decref(before);
	*out = after;
	return 0;
fail:
	json_decref(row);
	json_decref(before);
	json_decref(after);
	return db_fail(db, err);
}

int
faults_code_delete(db_t *db, const char *actor_id, const char *vendor, const char *code, fg_err_t *err)
{
	if (check_key(vendor, code, err))
		return -1;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_where(db, "fault_code_edits", "vendor", vendor, "code", code, NULL) != 0)
		return db_fail(db, err);
	json_t *row = edit_row(db, vendor, code), *before = faults_code_find(db, vendor, code);
	if (!before) {
		fg_err_not_found(err, "alarm_code", code);
		goto fail;
	}
	if (!row) { /* a built-in entry is edited, never deleted: the dictionary keeps every OCPP code */
		fg_err(err, "alarm_code_not_edited");
		goto fail;
	}
	char eid[110];
	fg_fmt(eid, sizeof eid, "%s/%s", vendor, code);
	json_t *after = builtin_find(vendor, code);
	if (db_run(db_q(db, "DELETE FROM fault_code_edits WHERE vendor = $1 AND code = $2", "tt", vendor, code)) != DB_DONE ||
	    audit_write(db, actor_id, "delete", "alarm_code", eid, before, after) != 0 || db_commit(db) != 0)
		goto fail;
	json_decref(row);
	json_decref(before);
	return 0;
fail:
	json_decref(row);
	json_decref(before);
	return db_fail(db, err);
}

static json_t *
stored_sla(db_t *db)
{
	int rc;
	json_t *row = db_one(db_q(db, "SELECT value FROM settings WHERE key = 'faults.sla'", ""), &rc);
	json_t *v = row && fg_jstr(row, "value") && *fg_jstr(row, "value") ? json_loads(fg_jstr(row, "value"), 0, NULL) : NULL;
	json_decref(row);
	return v;
}

json_t *
faults_settings(db_t *db)
{
	pthread_once(&once, load);
	json_t *s = json_deep_copy(builtin_sla), *edit = stored_sla(db);
	json_object_del(s, "about");
	if (edit)
		json_object_update(s, edit);
	if (!json_object_get(s, "version"))
		json_object_set_new(s, "version", json_integer(1));
	json_object_set_new(s, "edited", json_boolean(edit != NULL));
	json_decref(edit);
	const char *o = getenv("FG_FAULT_OFFLINE_S"), *f = getenv("FG_FAULT_FLAP_S");
	if (o && atoi(o) > 0)
		json_object_set_new(s, "offline_alarm_s", json_integer(atoi(o)));
	if (f && atoi(f) >= 0)
		json_object_set_new(s, "flap_window_s", json_integer(atoi(f)));
	return s;
}

static bool
hours_ok(json_t *o)
{
	for (int i = 0; urgencies[i]; i++) {
		json_t *v = json_object_get(o, urgencies[i]);
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 720)
			return false;
	}
	return json_object_size(o) == 2;
}

int
faults_settings_put(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	static const char *const keys[] = {"response_h", "repair_h", "offline_alarm_s", "flap_window_s", NULL};
	json_t *v;
	if ((v = json_object_get(in, "response_h")) && !hours_ok(v))
		return fg_err_field(err, "invalid_field", "response_h", "{urgent, normal}: whole hours 1 to 720");
	if ((v = json_object_get(in, "repair_h")) && !hours_ok(v))
		return fg_err_field(err, "invalid_field", "repair_h", "{urgent, normal}: whole hours 1 to 720");
	if ((v = json_object_get(in, "offline_alarm_s")) && (!json_is_integer(v) || json_integer_value(v) < 60 || json_integer_value(v) > 604800))
		return fg_err_field(err, "invalid_field", "offline_alarm_s", "60 s to 7 days");
	if ((v = json_object_get(in, "flap_window_s")) && (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 86400))
		return fg_err_field(err, "invalid_field", "flap_window_s", "0 to 86400 s");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_where(db, "settings", "key", "faults.sla", NULL) != 0)
		return db_fail(db, err);
	json_t *before = faults_settings(db), *edit = stored_sla(db), *after = NULL;
	if (db_check_version(before, in, err))
		goto fail;
	if (!edit)
		edit = json_object();
	for (int i = 0; keys[i]; i++)
		if ((v = json_object_get(in, keys[i])))
			json_object_set(edit, keys[i], v);
	json_object_set_new(edit, "version", json_integer(json_integer_value(json_object_get(before, "version")) + 1));
	char *text = json_dumps(edit, JSON_COMPACT | JSON_SORT_KEYS);
	int rc = db_run(db_q(db, "UPDATE settings SET value = $1 WHERE key = 'faults.sla'", "t", text));
	free(text);
	if (rc != DB_DONE || !(after = faults_settings(db)) ||
	    audit_write(db, actor_id, "update", "fault_settings", "faults.sla", before, after) != 0 || db_commit(db) != 0)
		goto fail;
	json_decref(before);
	json_decref(edit);
	*out = after;
	return 0;
fail:
	json_decref(before);
	json_decref(edit);
	json_decref(after);
	return db_fail(db, err);
}
