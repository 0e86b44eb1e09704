/* HTTP glue for stations, chargers, id tags and operator commands (docs/api.md "Charging"). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "core/http/routes.h"
#include "core/ocpp/ocpp.h"
#include "charging/chargers/chargers.h"

static const jfield_t station_create_spec[] = {
	{"code", JF_STRING, JF_REQUIRED, 40},
	{"name", JF_STRING, JF_REQUIRED, 100},
	{"address", JF_STRING, JF_NULLABLE, 200},
	{"org_unit_id", JF_STRING, JF_NULLABLE, 64},
	{"note", JF_STRING, JF_NULLABLE, 1000},
	{NULL, 0, 0, 0},
};

static const jfield_t station_update_spec[] = {
	{"version", JF_INT, JF_REQUIRED, 0},
	{"code", JF_STRING, 0, 40},
	{"name", JF_STRING, 0, 100},
	{"address", JF_STRING, JF_NULLABLE, 200},
	{"org_unit_id", JF_STRING, JF_NULLABLE, 64},
	{"note", JF_STRING, JF_NULLABLE, 1000},
	{NULL, 0, 0, 0},
};

#define CHARGER_FIELDS(REQ)                                                                                            \
	{"station_id", JF_STRING, JF_NULLABLE, 64}, {"name", JF_STRING, JF_NULLABLE, 100}, {"kind", JF_STRING, REQ, 2}, \
	    {"payment", JF_STRING, REQ, 6}, {"vendor", JF_STRING, JF_NULLABLE, 100}, {"model", JF_STRING, JF_NULLABLE, 100}, \
	    {"serial", JF_STRING, JF_NULLABLE, 100}, {"firmware", JF_STRING, JF_NULLABLE, 100},                            \
	    {"warranty", JF_STRING, 0, 8}, {"connector_count", JF_INT, 0, 0}, {"heartbeat_interval", JF_INT, 0, 0}, \
	    {"rated_power_kw", JF_INT, JF_NULLABLE, 0}

static const jfield_t charger_create_spec[] = {
	{"charge_point_id", JF_STRING, JF_REQUIRED, 48},
	{"security_profile", JF_INT, 0, 0},
	CHARGER_FIELDS(JF_REQUIRED),
	{NULL, 0, 0, 0},
};

static const jfield_t charger_update_spec[] = {
	{"version", JF_INT, JF_REQUIRED, 0},
	CHARGER_FIELDS(0),
	{NULL, 0, 0, 0},
};

static const jfield_t idtag_create_spec[] = {
	{"id_tag", JF_STRING, JF_REQUIRED, 20},
	{"status", JF_STRING, 0, 10},
	{"expiry_at", JF_INT, JF_NULLABLE, 0},
	{"parent_id_tag", JF_STRING, JF_NULLABLE, 20},
	{"holder", JF_STRING, JF_NULLABLE, 100},
	{"note", JF_STRING, JF_NULLABLE, 1000},
	{NULL, 0, 0, 0},
};

static const jfield_t idtag_update_spec[] = {
	{"version", JF_INT, JF_REQUIRED, 0},
	{"status", JF_STRING, 0, 10},
	{"expiry_at", JF_INT, JF_NULLABLE, 0},
	{"parent_id_tag", JF_STRING, JF_NULLABLE, 20},
	{"holder", JF_STRING, JF_NULLABLE, 100},
	{"note", JF_STRING, JF_NULLABLE, 1000},
	{NULL, 0, 0, 0},
};

static const jfield_t command_spec[] = {
	{"payload", JF_OBJECT, 0, 0},
	{"timeout_s", JF_INT, 0, 0},
	{NULL, 0, 0, 0},
};

/* ---- stations ---- */

static void
station_list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int limit;
	const char *cursor;
	if (http_paging(r, &limit, &cursor))
		return;
	int rc = chargers_station_list(r->db, http_query(r, "q"), cursor, limit, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
station_create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, station_create_spec))
		return;
	int rc = chargers_station_create(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
station_get(req_t *r)
{
	http_entity(r, chargers_station_get(r->db, r->params[0]), "station", r->params[0]);
}

static void
station_update(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, station_update_spec))
		return;
	int rc = chargers_station_update(r->db, r->user.id, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

/* DELETE takes the version it read in If-Match (a DELETE has no body); answers 428/400 itself when missing. */
static int
if_match(req_t *r, int64_t *version)
{
	const char *h = http_header_in(r, "If-Match");
	char *end = NULL;
	long long v = h ? strtoll(h[0] == '"' ? h + 1 : h, &end, 10) : 0;
	if (!h || v < 1 || !end || (*end && strcmp(end, "\"") != 0)) {
		fg_err_t e = FG_ERR_INIT;
		fg_err_field(&e, "missing_field", "If-Match", "the version you read, e.g. If-Match: 3");
		http_error(r, &e);
		return -1;
	}
	*version = v;
	return 0;
}

static void
station_delete(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	int64_t v;
	if (if_match(r, &v))
		return;
	if (chargers_station_delete(r->db, r->user.id, r->params[0], v, &e) != 0)
		http_error(r, &e);
	else
		http_no_content(r);
}

static void
charger_delete(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	int64_t v;
	if (if_match(r, &v))
		return;
	if (chargers_delete(r->db, r->user.id, r->params[0], v, &e) != 0)
		http_error(r, &e);
	else
		http_no_content(r);
}

/* ---- chargers ---- */

static void
charger_list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	chargers_filter_t f = {.station_id = http_query(r, "station_id"), .kind = http_query(r, "kind"),
	    .payment = http_query(r, "payment"), .vendor = http_query(r, "vendor"), .model = http_query(r, "model"),
	    .q = http_query(r, "q")};
	f.online = http_query_bool(r, "online");
	if (f.online == -2 || http_paging(r, &f.limit, &f.cursor))
		return;
	int rc = chargers_list(r->db, &f, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
charger_create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, charger_create_spec))
		return;
	int rc = chargers_create(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
charger_get(req_t *r)
{
	json_t *c = chargers_get(r->db, r->params[0]);
	if (c) /* which node of the cluster holds its connection now (null when none does) */
		json_object_set_new(c, "connection", chargers_connection(r->db, r->params[0]));
	http_entity(r, c, "charger", r->params[0]);
}

static void
charger_update(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, charger_update_spec))
		return;
	int rc = chargers_update(r->db, r->user.id, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static const jfield_t rotate_spec[] = {
	{"push", JF_BOOL, 0, 0},
	{NULL, 0, 0, 0},
};

/* POST /chargers/{id}/actions/rotate-key {"push"?: bool}. With push, the new key goes to the connected charger as
 * ChangeConfiguration AuthorizationKey and replaces the old one when the charger accepts it (202 with the
 * command); without, it is in force at once (200). */
static void
charger_rotate(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, rotate_spec))
		return;
	bool push = json_is_true(json_object_get(r->json, "push"));
	json_t *c = chargers_get(r->db, r->params[0]);
	if (!c) {
		http_entity(r, NULL, "charger", r->params[0]);
		return;
	}
	char cpid[65];
	fg_fmt(cpid, sizeof cpid, "%s", json_string_value(json_object_get(c, "charge_point_id")));
	json_decref(c);
	if (push && !chargers_reachable(r->db, cpid)) {
		fg_err(&e, "charger_offline");
		fg_err_detail_str(&e, "charge_point_id", cpid);
		http_error(r, &e);
		return;
	}
	if (chargers_rotate_key(r->db, r->user.id, r->params[0], push, &out, &e) != 0) {
		http_error(r, &e);
		return;
	}
	if (push) {
		const char *cmd_id = json_string_value(json_object_get(json_object_get(out, "command"), "id"));
		json_t *p = json_pack("{s:s, s:O}", "key", "AuthorizationKey", "value", json_object_get(out, "authorization_key"));
		/* left meanwhile: the row is settled "disconnected" and the old key stays */
		(void)chargers_command_push(r->db, cpid, cmd_id, "ChangeConfiguration", p, 60);
		json_decref(p);
	}
	http_json(r, push ? 202 : 200, out);
}

static void
live(req_t *r)
{
	json_t *out = chargers_live(r->db, http_query(r, "station_id"));
	if (!out) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, out);
}

/* the charger must exist; answers 404 itself */
static json_t *
charger_or_404(req_t *r)
{
	json_t *c = chargers_get(r->db, r->params[0]);
	if (!c)
		http_entity(r, NULL, "charger", r->params[0]);
	return c;
}

static void
connectors(req_t *r)
{
	json_t *c = charger_or_404(r);
	if (!c)
		return;
	json_decref(c);
	http_json(r, 200, json_pack("{s:o}", "items", chargers_connectors(r->db, r->params[0])));
}

static void
transactions(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL, *c = charger_or_404(r);
	int limit;
	const char *cursor;
	if (!c)
		return;
	json_decref(c);
	if (http_paging(r, &limit, &cursor))
		return;
	int rc = chargers_transactions(r->db, r->params[0], cursor, limit, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
transaction_get(req_t *r)
{
	json_t *t = chargers_transaction_get(r->db, r->params[1]);
	if (t && strcmp(json_string_value(json_object_get(t, "charger_id")), r->params[0]) != 0) {
		json_decref(t);
		t = NULL;
	}
	if (t) {
		json_t *tid = json_object_get(t, "transaction_id");
		if (!json_is_integer(tid))
			tid = json_object_get(t, "reported_transaction_id");
		json_object_set_new(t, "orphan", json_boolean(json_integer_value(json_object_get(t, "orphan"))));
		json_object_set_new(t, "meter_values", chargers_meter_values(r->db, r->params[0], json_integer_value(tid), 1000));
	}
	http_entity(r, t, "charge_transaction", r->params[1]);
}

static void
history(req_t *r, const char *log)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL, *c = charger_or_404(r);
	int limit;
	const char *cursor;
	if (!c)
		return;
	json_decref(c);
	if (http_paging(r, &limit, &cursor))
		return;
	int rc = chargers_history(r->db, r->params[0], log, cursor, limit, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
status_log(req_t *r)
{
	history(r, "status");
}

static void
events(req_t *r)
{
	history(r, "events");
}

/* ---- id tags ---- */

static void
idtag_list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int limit;
	const char *cursor;
	if (http_paging(r, &limit, &cursor))
		return;
	int rc = chargers_idtag_list(r->db, cursor, limit, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
idtag_create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, idtag_create_spec))
		return;
	int rc = chargers_idtag_create(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
idtag_update(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, idtag_update_spec))
		return;
	int rc = chargers_idtag_update(r->db, r->user.id, r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

/* ---- operator commands ---- */

/* POST /chargers/{id}/commands/{Action} {"payload":{…OCPP request…}, "timeout_s":30} → 202 with the command; its
 * result arrives on the command's row (GET …/commands/{cmdId}?wait=ms). */
static void
command_create(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	const char *action = r->params[1];
	if (!chargers_command_known(action)) { /* before the body: an unknown action is the first thing wrong */
		fg_err(&e, "command_not_supported");
		fg_err_detail_str(&e, "action", action);
		http_error(r, &e);
		return;
	}
	if (http_body(r, command_spec))
		return;
	json_t *payload = json_object_get(r->json, "payload"), *to = json_object_get(r->json, "timeout_s"), *out = NULL;
	json_t *p = payload ? json_incref(payload) : json_object();
	json_t *c = charger_or_404(r);
	if (!c) {
		json_decref(p);
		return;
	}
	json_decref(c);
	int rc = chargers_command_send(r->db, r->user.id, r->params[0], action, p, to ? (int)json_integer_value(to) : 30, &out, &e);
	json_decref(p);
	if (rc != 0) {
		http_error(r, &e);
		return;
	}
	http_json(r, 202, out);
}

static void
command_get(req_t *r)
{
	const char *w = http_query(r, "wait");
	long wait = w ? strtol(w, NULL, 10) : 0;
	if (wait < 0 || wait > 30000) {
		fg_err_t e = FG_ERR_INIT;
		fg_err_field(&e, "invalid_query", "wait", "0 to 30000 ms");
		http_error(r, &e);
		return;
	}
	/* ?wait: poll the row (never the gateway) until the command settles or the wait is over */
	json_t *cmd = chargers_command_get(r->db, r->params[0], r->params[1]);
	for (long waited = 0; cmd && waited < wait &&
	     strcmp(json_string_value(json_object_get(cmd, "status")), "pending") == 0; waited += 100) {
		json_decref(cmd);
		usleep(100 * 1000);
		cmd = chargers_command_get(r->db, r->params[0], r->params[1]);
	}
	http_entity(r, cmd, "charger_command", r->params[1]);
}

static void
command_list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL, *c = charger_or_404(r);
	int limit;
	const char *cursor;
	if (!c)
		return;
	json_decref(c);
	if (http_paging(r, &limit, &cursor))
		return;
	int rc = chargers_command_list(r->db, r->params[0], cursor, limit, &out, &e);
	http_result(r, 200, rc, out, &e);
}

const route_t charger_routes[] = {
	{"GET", "/api/v1/stations", station_list, "chargers.read", 0, .resp = "list:"},
	{"POST", "/api/v1/stations", station_create, "chargers.write", 0, .body = station_create_spec, .ok = "201"},
	{"GET", "/api/v1/stations/{id}", station_get, "chargers.read", 0, .ok = "200"},
	{"PATCH", "/api/v1/stations/{id}", station_update, "chargers.write", 0, .body = station_update_spec},
	{"DELETE", "/api/v1/stations/{id}", station_delete, "chargers.write", 0, .ok = "204",
	    .errors = HTTP_ERRORS("missing_field", "station_has_chargers")},
	{"GET", "/api/v1/chargers", charger_list, "chargers.read", 0, .resp = "list:"},
	{"POST", "/api/v1/chargers", charger_create, "chargers.write", 0, .body = charger_create_spec, .ok = "201",
	    .errors = HTTP_ERRORS("charge_point_id_taken")},
	{"GET", "/api/v1/chargers/live", live, "chargers.read", 0, .ok = "200 304", .cache = true},
	{"GET", "/api/v1/chargers/{id}", charger_get, "chargers.read", 0, .ok = "200"},
	{"PATCH", "/api/v1/chargers/{id}", charger_update, "chargers.write", 0, .body = charger_update_spec,
	    .errors = HTTP_ERRORS("version_conflict")},
	{"DELETE", "/api/v1/chargers/{id}", charger_delete, "chargers.write", 0, .ok = "204",
	    .errors = HTTP_ERRORS("charger_has_history", "missing_field", "version_conflict")},
	{"POST", "/api/v1/chargers/{id}/actions/rotate-key", charger_rotate, "chargers.write", 0, .body = rotate_spec, .ok = "200 202",
	    .errors = HTTP_ERRORS("charger_offline")},
	{"GET", "/api/v1/chargers/{id}/connectors", connectors, "chargers.read", 0, .ok = "200"},
	{"GET", "/api/v1/chargers/{id}/status-log", status_log, "chargers.read", 0, .resp = "list:"},
	{"GET", "/api/v1/chargers/{id}/events", events, "chargers.read", 0, .resp = "list:"},
	{"GET", "/api/v1/chargers/{id}/transactions", transactions, "chargers.read", 0, .resp = "list:"},
	{"GET", "/api/v1/chargers/{id}/transactions/{tid}", transaction_get, "chargers.read", 0, .ok = "200"},
	{"GET", "/api/v1/chargers/{id}/commands", command_list, "chargers.read", 0, .resp = "list:"},
	{"POST", "/api/v1/chargers/{id}/commands/{action}", command_create, "chargers.command", 0, .body = command_spec, .ok = "202",
	    .errors = HTTP_ERRORS("charger_offline", "command_not_supported")},
	{"GET", "/api/v1/chargers/{id}/commands/{cmd}", command_get, "chargers.read", 0, .ok = "200"},
	{"GET", "/api/v1/id-tags", idtag_list, "chargers.read", 0, .resp = "list:"},
	{"POST", "/api/v1/id-tags", idtag_create, "idtags.write", 0, .body = idtag_create_spec, .ok = "201",
	    .errors = HTTP_ERRORS("id_tag_taken")},
	{"PATCH", "/api/v1/id-tags/{id}", idtag_update, "idtags.write", 0, .body = idtag_update_spec},
	{0},
};
