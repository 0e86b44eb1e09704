/* HTTP glue for collection anomalies (docs/api.md "Metering: collection anomalies"). The collection system's routes are
 * public to the router (no user session) and authenticated here by the system key; their bodies are raw uploads
 * (a route of its own body limit, spooled by the edge) parsed by collection_parse.c. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/http/routes.h"
#include "metering/collection/collection.h"
#include "metering/collection/collection_parse.h"
#include "core/base/util.h"

#define FILE_MAX (8 * 1024 * 1024)

/* the spooled body in memory (bounded by the route's max_body); NULL when it cannot be read */
static char *
slurp(req_t *r)
{
	char *buf = malloc(r->upload_len + 1);
	size_t got = 0;
	while (buf && r->upload_fd >= 0 && got < r->upload_len) {
		ssize_t n = pread(r->upload_fd, buf + got, r->upload_len - got, (off_t)got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (!buf || got != r->upload_len) {
		free(buf);
		return NULL;
	}
	buf[got] = 0;
	return buf;
}

/* the caller is the collection system (its key), or the route answers the refusal: -1 */
static int
system_key(req_t *r, char key_id[37])
{
	fg_err_t e = FG_ERR_INIT;
	if (collection_key_check(r->db, http_header_in(r, "Authorization"), key_id, &e) == 0)
		return 0;
	http_error(r, &e);
	return -1;
}

static void
events_post(req_t *r)
{
	char key[37];
	if (system_key(r, key) != 0)
		return;
	fg_err_t e = FG_ERR_INIT;
	json_t *events = NULL, *errors = NULL, *out = NULL;
	char *body = slurp(r);
	if (!body) {
		http_error_code(r, "internal");
		return;
	}
	int rc = collection_parse_batch(body, r->upload_len, &events, &errors, &e);
	free(body);
	if (rc == 0) {
		size_t received = json_array_size(events) + json_array_size(errors);
		rc = collection_ingest(r->db, "api", key, NULL, events, errors, received, &out, &e);
	}
	json_decref(events);
	http_result(r, 200, rc, out, &e);
}

static void
daily_post(req_t *r)
{
	char key[37];
	if (system_key(r, key) != 0)
		return;
	fg_err_t e = FG_ERR_INIT;
	json_t *items = NULL, *out = NULL;
	char *body = slurp(r);
	if (!body) {
		http_error_code(r, "internal");
		return;
	}
	int rc = collection_parse_daily(body, r->upload_len, &items, &e);
	free(body);
	if (rc == 0)
		rc = collection_daily_post(r->db, key, items, &out, &e);
	json_decref(items);
	http_result(r, 200, rc, out, &e);
}

static void
import_post(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	if (r->upload_len == 0) {
		fg_err_field(&e, "missing_field", "body", "the CSV file's bytes");
		http_error(r, &e);
		return;
	}
	json_t *events = NULL, *errors = NULL, *out = NULL;
	char *body = slurp(r);
	if (!body) {
		http_error_code(r, "internal");
		return;
	}
	int rc = collection_parse_csv(body, r->upload_len, &events, &errors, &e);
	free(body);
	if (rc == 0) {
		size_t received = json_array_size(events) + json_array_size(errors);
		rc = collection_ingest(r->db, "file", NULL, r->user.id, events, errors, received, &out, &e);
	}
	json_decref(events);
	http_result(r, 200, rc, out, &e);
}

static const jfield_t key_spec[] = {{"name", JF_STRING, JF_REQUIRED, 100}, {0}};

static void
keys_post(req_t *r)
{
	if (http_body(r, key_spec) != 0)
		return;
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = collection_key_create(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
keys_get(req_t *r)
{
	json_t *out = collection_keys_list(r->db);
	if (!out) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, out);
}

static void
key_revoke(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = collection_key_revoke(r->db, r->user.id, r->params[0], &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
anomalies_get(req_t *r)
{
	collection_filter_t f = {.kind = http_query(r, "kind"), .area = http_query(r, "area"), .state = http_query(r, "state"),
	    .point_no = http_query(r, "point_no")};
	fg_err_t e = FG_ERR_INIT;
	static const char *const states[] = {"open", "closed", NULL};
	if (f.state && !fg_one_of(f.state, states)) {
		fg_err_field(&e, "invalid_query", "state", "open or closed");
		http_error(r, &e);
		return;
	}
	if (f.kind && !collection_kind_known(f.kind)) {
		fg_err_field(&e, "invalid_query", "kind", "an event kind of data/metering/collection_kinds.json");
		http_error(r, &e);
		return;
	}
	if (http_paging(r, &f.limit, &f.cursor) != 0)
		return;
	json_t *out = NULL;
	int rc = collection_anomalies_list(r->db, &f, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
anomaly_get(req_t *r)
{
	http_entity(r, collection_anomaly_get(r->db, r->params[0]), "collection_anomaly", r->params[0]);
}

static bool
day_ok(const char *d)
{
	if (!d)
		return true;
	if (strlen(d) != 10 || d[4] != '-' || d[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9'))
			return false;
	return true;
}

static void
rates_get(req_t *r)
{
	const char *from = http_query(r, "from"), *to = http_query(r, "to");
	fg_err_t e = FG_ERR_INIT;
	if (!day_ok(from) || !day_ok(to)) {
		fg_err_field(&e, "invalid_query", day_ok(from) ? "to" : "from", "YYYY-MM-DD");
		http_error(r, &e);
		return;
	}
	json_t *out = NULL;
	int rc = collection_rates(r->db, from, to, http_query(r, "area"), &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
summary_get(req_t *r)
{
	json_t *out = collection_screen_summary(r->db);
	if (!out) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, out);
}

static const jfield_t settle_spec[] = {{"at", JF_INT, 0, 0}, {0}};

static void
settle_post(req_t *r)
{
	int64_t when;
	if (http_body(r, settle_spec) != 0 || http_run_when(r, &when) != 0)
		return;
	int n = collection_settle(r->db, when);
	if (n < 0) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, json_pack("{s:i}", "settled", n));
}

const route_t collection_routes[] = {
	{"POST", "/api/v1/metering/collection/events", events_post, NULL, COLLECTION_BODY_MAX,
	    .errors = HTTP_ERRORS("collection_key_required", "collection_key_invalid", "collection_key_revoked", "invalid_json",
		"collection_batch_too_large"),
	    .doc = "The collection system's events (a JSON array, at most 1000), with its own key: Authorization: Bearer fgc.…"},
	{"POST", "/api/v1/metering/collection/daily", daily_post, NULL, 1024 * 1024,
	    .errors = HTTP_ERRORS("collection_key_required", "collection_key_invalid", "collection_key_revoked", "invalid_json",
		"collection_batch_too_large", "invalid_field", "missing_field", "unknown_field"),
	    .doc = "The collection system's daily figures per transformer area, with its own key."},
	{"POST", "/api/v1/metering/collection/imports", import_post, "metering.admin", FILE_MAX,
	    .errors = HTTP_ERRORS("collection_file_columns", "collection_batch_too_large", "import_unreadable",
		"import_too_many_rows", "import_too_many_columns", "import_cell_too_long", "import_too_large"),
	    .doc = "The same events from a CSV file (the raw body), by staff."},
	{"GET", "/api/v1/metering/collection/keys", keys_get, "metering.admin", 0, .ok = "200"},
	{"POST", "/api/v1/metering/collection/keys", keys_post, "metering.admin", 0, .body = key_spec, .ok = "201"},
	{"POST", "/api/v1/metering/collection/keys/{id}/actions/revoke", key_revoke, "metering.admin", 0, .ok = "200"},
	{"GET", "/api/v1/metering/collection/anomalies", anomalies_get, "metering.read", 0, .resp = "list:"},
	{"GET", "/api/v1/metering/collection/anomalies/{id}", anomaly_get, "metering.read", 0, .ok = "200"},
	{"GET", "/api/v1/metering/collection/rates", rates_get, "metering.read", 0, .ok = "200"},
	{"GET", "/api/v1/metering/collection/summary", summary_get, "metering.read", 0, .ok = "200"},
	{"POST", "/api/v1/metering/collection/actions/settle", settle_post, "metering.admin", 0, .body = settle_spec,
	    .doc = "Runs the scheduler's settling of restored anomalies now (optional at: now or later)."},
	{0},
};
