/* HTTP glue of the meter import (docs/api.md "Meter import"). */
#include "core/http/routes.h"
#include "metering/imports/imports.h"

/* the largest upload: a million meters of ~150 bytes a row */
#define MIMP_MAX_FILE ((size_t)512 * 1024 * 1024)

/* POST /api/v1/metering/imports[?filename=…] with the CSV as the raw body: 202 with the import to poll. */
static void
submit(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (r->upload_len == 0) {
		fg_err_field(&e, "missing_field", "body", "the CSV file's bytes");
		http_error(r, &e);
		return;
	}
	int rc = mimp_submit(r->db, r->user.id, r->upload_fd, r->upload_len, http_query(r, "filename"), &out, &e);
	http_result(r, 202, rc, out, &e);
}

static void
get(req_t *r)
{
	http_entity(r, mimp_get(r->db, r->params[0]), "metering_import", r->params[0]);
}

const route_t mimp_routes[] = {
	{"POST", "/api/v1/metering/imports", submit, "metering.admin", MIMP_MAX_FILE, .ok = "202", .resp = "MeterImport",
	    .errors = HTTP_ERRORS("meter_import_running", "missing_field"),
	    .doc = "Loads meters from a CSV (the raw body) in the background: all rows or none; poll the import."},
	{"GET", "/api/v1/metering/imports/{id}", get, "metering.admin", 0, .resp = "MeterImport",
	    .doc = "The import: its state, live progress, and when it failed the report of bad cells."},
	{0},
};
