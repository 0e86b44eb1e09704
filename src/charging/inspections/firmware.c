/* Firmware campaigns (R4.10): UpdateFirmware sent charger by charger through chargers_command_send, never more
 * than batch_size in flight at once; each charger's FirmwareStatusNotification moves its row (the gateway writer's
 * hook, in its transaction) and the next BootNotification records the version it came back with.
 *
 * Who sends: firmware_advance, run by the API right after a campaign is made, by the scheduler every few seconds
 * and on demand. Claiming the next charger locks the campaign row first, so two servers never exceed the batch
 * nor send one charger twice. */
#include <stdlib.h>
#include <string.h>
#include "core/base/counter.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/ocpp/ocpp_frame.h"
#include "charging/chargers/chargers.h"
#include "charging/inspections/inspections.h"

#define C_COLS "id, number, name, location, retrieve_at, batch_size, filter, status, created_by, created_at, updated_at, " \
	       "finished_at, version"
#define MAX_CHARGERS 5000
/* A charger in flight that has said nothing for this long after the retrieve time fails with no_report: it would
 * hold its batch slot for ever. */
#define SILENCE_MS (6LL * 3600 * 1000)

static json_t *
row_of(db_t *db, const char *campaign_id, const char *charger_id)
{
	int rc;
	return db_one(db_q(db, "SELECT campaign_id, charger_id, seq, state, outcome, command_id, error, firmware_before, "
			       "firmware_after, sent_at, status_at, booted_at, version FROM firmware_campaign_chargers "
			       "WHERE campaign_id = $1 AND charger_id = $2", "tt", campaign_id, charger_id), &rc);
}

/* Audits a change of one charger's row (before given, after read back). */
static int
audit_row(db_t *db, const char *actor_id, const char *action, json_t *before)
{
	char eid[80];
	fg_fmt(eid, sizeof eid, "%s/%s", fg_jstr(before, "campaign_id"), fg_jstr(before, "charger_id"));
	json_t *after = row_of(db, fg_jstr(before, "campaign_id"), fg_jstr(before, "charger_id"));
	int rc = after ? audit_write(db, actor_id, action, "firmware_campaign_charger", eid, before, after) : -1;
	json_decref(after);
	return rc;
}

/* The campaign is done once every charger has an outcome. */
static int
maybe_done(db_t *db, const char *campaign_id, int64_t at)
{
	int rc;
	json_t *d = db_one(db_q(db, "UPDATE firmware_campaigns SET status = 'done', finished_at = $1, updated_at = $1, "
				    "version = version + 1 WHERE id = $2 AND status = 'running' AND NOT EXISTS (SELECT 1 FROM "
				    "firmware_campaign_chargers f WHERE f.campaign_id = $2 AND f.outcome IS NULL) RETURNING id",
			       "it", at, campaign_id), &rc);
	if (!d)
		return rc == DB_DONE ? 0 : -1;
	json_decref(d);
	json_t *after = json_pack("{s:s, s:I}", "status", "done", "finished_at", (json_int_t)at);
	rc = audit_write(db, NULL, "done", "firmware_campaign", campaign_id, NULL, after);
	json_decref(after);
	return rc;
}

json_t *
firmware_campaign_get(db_t *db, const char *id)
{
	int rc;
	json_t *c = db_one(db_q(db, "SELECT " C_COLS " FROM firmware_campaigns WHERE id = $1", "t", id), &rc);
	if (!c)
		return NULL;
	const char *f = fg_jstr(c, "filter");
	json_t *fj = f ? json_loads(f, 0, NULL) : NULL;
	json_object_set_new(c, "filter", fj ? fj : json_null());
	json_t *rows = db_all(db_q(db,
	    "SELECT f.charger_id, ch.charge_point_id, ch.vendor, ch.model, ch.firmware, ch.online, f.seq, f.state, f.outcome, "
	    "f.command_id, f.error, f.firmware_before, f.firmware_after, f.sent_at, f.status_at, f.booted_at, f.version "
	    "FROM firmware_campaign_chargers f JOIN chargers ch ON ch.id = f.charger_id WHERE f.campaign_id = $1 ORDER BY f.seq",
	    "t", id), &rc);
	json_int_t queued = 0, flight = 0, installed = 0, failed = 0, cancelled = 0, booted = 0;
	json_t *by_state = json_object(), *r;
	size_t i;
	json_array_foreach(rows, i, r) {
		const char *st = fg_jstr(r, "state"), *out = fg_jstr(r, "outcome");
		json_object_set_new(by_state, st, json_integer(json_integer_value(json_object_get(by_state, st)) + 1));
		if (!out && strcmp(st, "queued") == 0)
			queued++;
		else if (!out)
			flight++;
		else if (strcmp(out, "installed") == 0)
			installed++;
		else if (strcmp(out, "failed") == 0)
			failed++;
		else
			cancelled++;
		if (json_is_integer(json_object_get(r, "booted_at")))
			booted++;
		json_object_set_new(r, "online", json_boolean(json_integer_value(json_object_get(r, "online"))));
	}
	json_int_t total = (json_int_t)json_array_size(rows);
	json_object_set_new(c, "totals", json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:I}", "total", total, "queued",
						 queued, "in_flight", flight, "installed", installed, "failed", failed,
						 "cancelled", cancelled, "booted", booted, "by_state", by_state, "percent",
						 total ? (installed + failed + cancelled) * 100 / total : 100));
	json_object_set_new(c, "chargers", rows ? rows : json_array());
	return c;
}

json_t *
firmware_campaigns(db_t *db)
{
	int rc;
	json_t *rows = db_all(db_prepare(db,
	    "SELECT c.id, c.number, c.name, c.location, c.retrieve_at, c.batch_size, c.status, c.created_by, c.created_at, "
	    "c.finished_at, c.version, (SELECT COUNT(*) FROM firmware_campaign_chargers f WHERE f.campaign_id = c.id) AS total, "
	    "(SELECT COUNT(*) FROM firmware_campaign_chargers f WHERE f.campaign_id = c.id AND f.outcome = 'installed') AS installed, "
	    "(SELECT COUNT(*) FROM firmware_campaign_chargers f WHERE f.campaign_id = c.id AND f.outcome = 'failed') AS failed, "
	    "(SELECT COUNT(*) FROM firmware_campaign_chargers f WHERE f.campaign_id = c.id AND f.outcome IS NULL) AS pending "
	    "FROM firmware_campaigns c ORDER BY c.id DESC LIMIT 200"), &rc);
	return rows ? json_pack("{s:o}", "items", rows) : NULL;
}

int
firmware_campaign_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	const char *loc = fg_jstr(in, "location");
	if (!loc || (strncmp(loc, "http://", 7) != 0 && strncmp(loc, "https://", 8) != 0 && strncmp(loc, "ftp://", 6) != 0 &&
		strncmp(loc, "ftps://", 7) != 0) || strlen(loc) < 10)
		return fg_err_field(err, "invalid_field", "location", "the firmware's URL (http, https, ftp or ftps)");
	json_t *ra = json_object_get(in, "retrieve_at");
	if (!json_is_integer(ra) || json_integer_value(ra) <= 0)
		return fg_err_field(err, "invalid_field", "retrieve_at", "epoch ms: when the chargers fetch the firmware");
	json_t *bs = json_object_get(in, "batch_size");
	json_int_t batch = bs ? json_integer_value(bs) : 5;
	if (batch < 1 || batch > 100)
		return fg_err_field(err, "invalid_field", "batch_size", "1 to 100 chargers at a time");
	json_t *ids = json_object_get(in, "charger_ids");
	const char *vendor = fg_jstr(in, "vendor"), *model = fg_jstr(in, "model"), *station = fg_jstr(in, "station_id");
	if (ids && (!json_is_array(ids) || json_array_size(ids) == 0 || json_array_size(ids) > MAX_CHARGERS))
		return fg_err_field(err, "invalid_field", "charger_ids", "1 to 5000 charger ids");
	if (!ids && !vendor && !model && !station)
		return fg_err_field(err, "missing_field", "charger_ids", "the chargers, or a vendor / model / station_id filter");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	int rc;
	json_t *chargers;
	if (ids) {
		chargers = json_array();
		size_t i, j;
		json_t *v;
		json_array_foreach(ids, i, v) {
			json_t *c = json_is_string(v) ? db_one(db_q(db, "SELECT id, firmware FROM chargers WHERE id = $1", "t",
								json_string_value(v)), &rc) : NULL;
			if (!c) {
				json_decref(chargers);
				fg_err_field(err, "invalid_field", "charger_ids", "no such charger");
				fg_err_detail_int(err, "index", (long long)i);
				return db_fail(db, err);
			}
			for (j = 0; j < i; j++)
				if (strcmp(json_string_value(json_array_get(ids, j)), json_string_value(v)) == 0)
					break;
			if (j < i)
				json_decref(c); /* named twice: once is enough */
			else
				json_array_append_new(chargers, c);
		}
	} else {
		chargers = db_all(db_q(db, "SELECT id, firmware FROM chargers WHERE (CAST($1 AS TEXT) IS NULL OR vendor = $1) AND "
					   "(CAST($2 AS TEXT) IS NULL OR model = $2) AND (CAST($3 AS TEXT) IS NULL OR station_id = $3) "
					   "ORDER BY charge_point_id LIMIT 5001", "ttt", vendor, model, station), &rc);
		if (!chargers)
			return db_fail(db, err);
	}
	if (json_array_size(chargers) == 0 || json_array_size(chargers) > MAX_CHARGERS) {
		fg_err(err, json_array_size(chargers) ? "invalid_field" : "firmware_no_chargers");
		json_decref(chargers);
		return db_fail(db, err);
	}
	/* a charger is in one running campaign at a time: two would fight over its firmware */
	json_t *busy = json_array(), *c;
	size_t i;
	json_array_foreach(chargers, i, c) {
		json_t *b = db_one(db_q(db, "SELECT f.campaign_id FROM firmware_campaign_chargers f JOIN firmware_campaigns fc ON "
					    "fc.id = f.campaign_id WHERE f.charger_id = $1 AND fc.status = 'running' AND f.outcome IS NULL "
					    "LIMIT 1", "t", fg_jstr(c, "id")), &rc);
		if (b)
			json_array_append_new(busy, json_string(fg_jstr(c, "id")));
		json_decref(b);
	}
	if (json_array_size(busy)) {
		fg_err(err, "firmware_campaign_overlap");
		fg_err_detail(err, "charger_ids", busy);
		json_decref(chargers);
		return db_fail(db, err);
	}
	json_decref(busy);
	char id[37], number[32];
	fg_uuid7(id);
	int64_t now = fg_now_ms();
	json_t *filter = ids ? json_pack("{s:O}", "charger_ids", ids)
			     : json_pack("{s:s?, s:s?, s:s?}", "vendor", vendor, "model", model, "station_id", station);
	char *fs = json_dumps(filter, JSON_COMPACT);
	json_decref(filter);
	rc = counter_number(db, "GJ", number) == 0 ? db_run(db_q(db,
	    "INSERT INTO firmware_campaigns (id, number, name, location, retrieve_at, batch_size, filter, status, created_by, "
	    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'running', $8, $9, $9)", "ttttiitti", id, number,
	    fg_jstr(in, "name"), loc, (int64_t)json_integer_value(ra), (int64_t)batch, fs, actor_id, now)) : DB_ERR;
	free(fs);
	json_array_foreach(chargers, i, c) if (rc == DB_DONE) rc = db_run(db_q(db,
	    "INSERT INTO firmware_campaign_chargers (campaign_id, charger_id, seq, state, firmware_before, updated_at) "
	    "VALUES ($1, $2, $3, 'queued', $4, $5)", "ttiti", id, fg_jstr(c, "id"), (int64_t)i + 1, fg_jstr(c, "firmware"), now));
	json_decref(chargers);
	if (rc != DB_DONE)
		return db_fail(db, err);
	json_t *after = firmware_campaign_get(db, id);
	if (!after || audit_write(db, actor_id, "create", "firmware_campaign", id, NULL, after) != 0 || db_commit(db) != 0) {
		json_decref(after);
		return db_fail(db, err);
	}
	*out = after;
	return 0;
}

int
firmware_campaign_cancel(db_t *db, const char *actor_id, const char *id, json_t **out, fg_err_t *err)
{
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "firmware_campaigns", id) != 0)
		return db_fail(db, err);
	json_t *before = firmware_campaign_get(db, id);
	if (!before) {
		fg_err_not_found(err, "firmware_campaign", id);
		return db_fail(db, err);
	}
	if (strcmp(fg_jstr(before, "status"), "running") != 0) {
		json_decref(before);
		fg_err(err, "invalid_transition");
		fg_err_detail_str(err, "state", "not running");
		return db_fail(db, err);
	}
	int64_t now = fg_now_ms();
	/* the chargers not yet sent stay as they are; those in flight keep reporting to their rows */
	if (db_run(db_q(db, "UPDATE firmware_campaign_chargers SET state = 'cancelled', outcome = 'cancelled', updated_at = $1, "
			    "version = version + 1 WHERE campaign_id = $2 AND state = 'queued'", "it", now, id)) != DB_DONE ||
	    db_run(db_q(db, "UPDATE firmware_campaigns SET status = 'cancelled', finished_at = $1, updated_at = $1, "
			    "version = version + 1 WHERE id = $2", "it", now, id)) != DB_DONE) {
		json_decref(before);
		return db_fail(db, err);
	}
	json_t *after = firmware_campaign_get(db, id);
	if (!after || audit_write(db, actor_id, "cancel", "firmware_campaign", id, before, after) != 0 || db_commit(db) != 0) {
		json_decref(before);
		json_decref(after);
		return db_fail(db, err);
	}
	json_decref(before);
	*out = after;
	return 0;
}

/* Rows whose UpdateFirmware the charger refused, answered with a CALLERROR or never answered: failed. */
static int
settle_refused(db_t *db, const char *campaign_id, int64_t now)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT f.charger_id, c.status, c.error_code FROM firmware_campaign_chargers f JOIN "
					"charger_commands c ON c.id = f.command_id WHERE f.campaign_id = $1 AND f.state = 'sent' AND "
					"f.outcome IS NULL AND c.status IN ('rejected', 'failed', 'timeout', 'disconnected')", "t", campaign_id), &rc);
	if (!rows)
		return -1;
	size_t i;
	json_t *r;
	int bad = 0;
	json_array_foreach(rows, i, r) {
		json_t *before = row_of(db, campaign_id, fg_jstr(r, "charger_id"));
		char why[80];
		fg_fmt(why, sizeof why, "command_%s%s%s", fg_jstr(r, "status"), fg_jstr(r, "error_code") ? ":" : "",
		    fg_jstr(r, "error_code") ? fg_jstr(r, "error_code") : "");
		bad |= !before || db_run(db_q(db, "UPDATE firmware_campaign_chargers SET state = 'send_failed', outcome = 'failed', "
						  "error = $1, updated_at = $2, version = version + 1 WHERE campaign_id = $3 AND charger_id = $4",
					  "tit" "t", why, now, campaign_id, fg_jstr(r, "charger_id"))) != DB_DONE ||
		    audit_row(db, NULL, "command_failed", before) != 0;
		json_decref(before);
	}
	json_decref(rows);
	if (bad)
		return -1;
	/* silent ones: sent (or reporting) and quiet for SILENCE_MS since the later of the retrieve time and their last word */
	rows = db_all(db_q(db, "SELECT f.charger_id FROM firmware_campaign_chargers f JOIN firmware_campaigns c ON c.id = f.campaign_id "
				"WHERE f.campaign_id = $1 AND f.outcome IS NULL AND f.state NOT IN ('queued', 'sending') AND "
				"c.retrieve_at < $2 AND COALESCE(f.status_at, f.sent_at, f.updated_at) < $2", "ti", campaign_id,
			    now - SILENCE_MS), &rc);
	if (!rows)
		return -1;
	json_array_foreach(rows, i, r) {
		json_t *before = row_of(db, campaign_id, fg_jstr(r, "charger_id"));
		bad |= !before || db_run(db_q(db, "UPDATE firmware_campaign_chargers SET outcome = 'failed', error = 'no_report', "
						  "updated_at = $1, version = version + 1 WHERE campaign_id = $2 AND charger_id = $3",
					  "itt", now, campaign_id, fg_jstr(r, "charger_id"))) != DB_DONE ||
		    audit_row(db, NULL, "silent", before) != 0;
		json_decref(before);
	}
	json_decref(rows);
	return bad ? -1 : 0;
}

/* Claims the campaign's next queued charger if a slot is free: its id into out (37 bytes). 1 claimed, 0 none. */
static int
claim_next(db_t *db, const char *actor_id, json_t *camp, char out[37])
{
	const char *cid = fg_jstr(camp, "id");
	int64_t now = fg_now_ms();
	int rc;
	if (db_begin(db) != 0)
		return -1;
	/* the campaign row's lock serialises claims across servers */
	json_t *lock = db_one(db_q(db, "UPDATE firmware_campaigns SET updated_at = updated_at WHERE id = $1 AND status = 'running' "
				       "RETURNING batch_size", "t", cid), &rc);
	if (!lock) {
		db_rollback(db);
		return rc == DB_DONE ? 0 : -1;
	}
	int64_t batch = json_integer_value(json_object_get(lock, "batch_size"));
	json_decref(lock);
	if (settle_refused(db, cid, now) != 0)
		goto fail;
	json_t *fl = db_one(db_q(db, "SELECT COUNT(*) AS n FROM firmware_campaign_chargers WHERE campaign_id = $1 AND "
				     "state <> 'queued' AND outcome IS NULL", "t", cid), &rc);
	if (!fl)
		goto fail;
	int64_t flying = json_integer_value(json_object_get(fl, "n"));
	json_decref(fl);
	json_t *next = NULL;
	if (flying < batch) {
		next = db_one(db_q(db, "SELECT charger_id FROM firmware_campaign_chargers WHERE campaign_id = $1 AND state = 'queued' "
					"ORDER BY seq LIMIT 1", "t", cid), &rc);
		if (!next && rc != DB_DONE)
			goto fail;
	}
	if (!next) {
		if (maybe_done(db, cid, now) != 0 || db_commit(db) != 0)
			goto fail;
		return 0;
	}
	fg_fmt(out, 37, "%s", fg_jstr(next, "charger_id"));
	json_decref(next);
	json_t *before = row_of(db, cid, out);
	int bad = !before || db_run(db_q(db, "UPDATE firmware_campaign_chargers SET state = 'sending', updated_at = $1, "
					     "version = version + 1 WHERE campaign_id = $2 AND charger_id = $3", "itt", now, cid, out)) != DB_DONE ||
	    audit_row(db, actor_id, "claim", before) != 0;
	json_decref(before);
	if (bad || db_commit(db) != 0)
		goto fail;
	return 1;
fail:
	db_rollback(db);
	return -1;
}

/* After the send: sent with its command, back in the queue (connected to another server), or failed. */
static int
after_send(db_t *db, const char *actor_id, const char *cid, const char *charger_id, json_t *cmd, const char *code)
{
	int64_t now = fg_now_ms();
	int rc;
	if (db_begin(db) != 0)
		return -1;
	if (db_lock_where(db, "firmware_campaign_chargers", "campaign_id", cid, "charger_id", charger_id, NULL) != 0) {
		db_rollback(db);
		return -1;
	}
	json_t *before = row_of(db, cid, charger_id);
	if (!before) {
		db_rollback(db);
		return -1;
	}
	const char *action = "sent";
	if (cmd) { /* the charger's status reports may have come first: they keep their state */
		rc = db_run(db_q(db, "UPDATE firmware_campaign_chargers SET state = CASE WHEN state = 'sending' THEN 'sent' ELSE state END, "
				     "command_id = $1, sent_at = $2, updated_at = $2, version = version + 1 WHERE campaign_id = $3 AND "
				     "charger_id = $4", "titt", fg_jstr(cmd, "id"), now, cid, charger_id));
	} else {
		int r2;
		json_t *on = db_one(db_q(db, "SELECT online FROM chargers WHERE id = $1", "t", charger_id), &r2);
		bool elsewhere = code && strcmp(code, "charger_offline") == 0 && on && json_integer_value(json_object_get(on, "online"));
		json_decref(on);
		action = elsewhere ? "requeue" : "send_failed";
		rc = elsewhere ? db_run(db_q(db, "UPDATE firmware_campaign_chargers SET state = 'queued', updated_at = $1, "
						   "version = version + 1 WHERE campaign_id = $2 AND charger_id = $3 AND state = 'sending'",
					     "itt", now, cid, charger_id))
			       : db_run(db_q(db, "UPDATE firmware_campaign_chargers SET state = 'send_failed', outcome = 'failed', "
						   "error = $1, updated_at = $2, version = version + 1 WHERE campaign_id = $3 AND "
						   "charger_id = $4 AND outcome IS NULL", "titt", code ? code : "internal", now, cid, charger_id));
	}
	int bad = rc != DB_DONE || audit_row(db, actor_id, action, before) != 0 || maybe_done(db, cid, now) != 0;
	json_decref(before);
	if (bad || db_commit(db) != 0) {
		db_rollback(db);
		return -1;
	}
	return strcmp(action, "requeue") == 0 ? 2 : 0;
}

int
firmware_advance(db_t *db, const char *actor_id)
{
	int rc;
	json_t *camps = db_all(db_prepare(db, "SELECT id, location, retrieve_at FROM firmware_campaigns WHERE status = 'running' "
					      "ORDER BY id"), &rc);
	if (!camps)
		return -1;
	int sent = 0, bad = 0;
	size_t i;
	json_t *camp;
	json_array_foreach(camps, i, camp) {
		char charger[37], when[32];
		ocpp_format_time(json_integer_value(json_object_get(camp, "retrieve_at")), when);
		for (int guard = 0; guard < 200; guard++) {
			int got = claim_next(db, actor_id, camp, charger);
			if (got <= 0) {
				bad |= got < 0;
				break;
			}
			json_t *payload = json_pack("{s:s, s:s}", "location", fg_jstr(camp, "location"), "retrieveDate", when), *cmd = NULL;
			fg_err_t e = FG_ERR_INIT;
			int r = chargers_command_send(db, actor_id, charger, "UpdateFirmware", payload, 60, &cmd, &e);
			json_decref(payload);
			int after = after_send(db, actor_id, fg_jstr(camp, "id"), charger, r == 0 ? cmd : NULL, r == 0 ? NULL : e.code);
			fg_err_clear(&e);
			json_decref(cmd);
			if (after < 0) {
				bad = 1;
				break;
			}
			if (after == 2) /* the charger is held by another server, which sends it */
				break;
			sent += r == 0;
		}
	}
	json_decref(camps);
	return bad && !sent ? -1 : sent;
}

/* ---- the gateway writer's hooks (inside its transaction) ---- */

int
firmware_on_status(db_t *db, const fg_event_t *ev, fg_err_t *err)
{
	const char *charger_id = ev->entity_id, *status = fg_jstr(ev->data, "status");
	int64_t at = json_integer_value(json_object_get(ev->data, "at"));
	if (!status || strcmp(status, "Idle") == 0)
		return 0;
	int rc;
	json_t *r = db_one(db_q(db, "SELECT f.campaign_id FROM firmware_campaign_chargers f JOIN firmware_campaigns c ON "
				    "c.id = f.campaign_id WHERE f.charger_id = $1 AND f.outcome IS NULL AND f.state <> 'queued' "
				    "ORDER BY c.created_at DESC LIMIT 1", "t", charger_id), &rc);
	if (!r)
		return rc == DB_DONE ? 0 : -1; /* not from a campaign: the charger event is all there is */
	char cid[40];
	fg_fmt(cid, sizeof cid, "%s", fg_jstr(r, "campaign_id"));
	json_decref(r);
	const char *outcome = strcmp(status, "Installed") == 0 ? "installed"
	    : strcmp(status, "DownloadFailed") == 0 || strcmp(status, "InstallationFailed") == 0 ? "failed" : NULL;
	json_t *before = row_of(db, cid, charger_id);
	if (!before)
		return -1;
	rc = db_run(db_q(db, "UPDATE firmware_campaign_chargers SET state = $1, outcome = $2, error = CASE WHEN $3 = 1 THEN $1 "
			     "ELSE error END, status_at = $4, updated_at = $4, version = version + 1 WHERE campaign_id = $5 AND "
			     "charger_id = $6", "ttbitt", status, outcome, outcome && outcome[0] == 'f', at, cid, charger_id));
	/* only an outcome can finish the campaign: a progress report never waits on the campaign row */
	int bad = rc != DB_DONE || audit_row(db, NULL, "ocpp_firmware_status", before) != 0 ||
	    (outcome && maybe_done(db, cid, at) != 0);
	json_decref(before);
	return bad ? -1 : 0;
}

int
firmware_on_boot(db_t *db, const fg_event_t *ev, fg_err_t *err)
{
	const char *charger_id = ev->entity_id, *firmware = fg_jstr(ev->data, "firmware");
	int64_t at = json_integer_value(json_object_get(ev->data, "at"));
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT campaign_id FROM firmware_campaign_chargers WHERE charger_id = $1 AND "
					"sent_at IS NOT NULL AND booted_at IS NULL AND (outcome IS NULL OR outcome <> 'cancelled') "
					"AND state IN ('Installing', 'Installed', 'InstallationFailed')", "t", charger_id), &rc);
	if (!rows)
		return -1;
	size_t i;
	json_t *r;
	int bad = 0;
	json_array_foreach(rows, i, r) {
		json_t *before = row_of(db, fg_jstr(r, "campaign_id"), charger_id);
		bad |= !before || db_run(db_q(db, "UPDATE firmware_campaign_chargers SET firmware_after = $1, booted_at = $2, "
						  "updated_at = $2, version = version + 1 WHERE campaign_id = $3 AND charger_id = $4",
					  "titt", firmware, at, fg_jstr(r, "campaign_id"), charger_id)) != DB_DONE ||
		    audit_row(db, NULL, "ocpp_boot", before) != 0;
		json_decref(before);
	}
	json_decref(rows);
	return bad ? -1 : 0;
}
