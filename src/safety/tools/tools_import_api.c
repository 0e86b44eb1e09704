#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/base/sheet.h"
#include "core/http/routes.h"
#include "safety/tools/tools_import.h"

/* POST /api/v1/tools/imports[?dry_run=1&filename=…] with the file as the raw body (text/csv or the xlsx type), as
 * attachments are uploaded: 202 with the job to poll. */
static void
submit(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int dry = http_query_bool(r, "dry_run");
	if (dry == -2)
		return;
	if (r->upload_len == 0) {
		fg_err_field(&e, "missing_field", "body", "the CSV or XLSX file's bytes");
		http_error(r, &e);
		return;
	}
	/* the edge spooled the body to an unlinked temp file; the import dups the descriptor for its parse thread */
	int rc = tools_import_submit(r->db, r->user.id, http_header_in(r, "Content-Type"), r->upload_fd, r->upload_len,
	    http_query(r, "filename"), dry == 1, r->lang, &out, &e);
	http_result(r, 202, rc, out, &e); /* a 429's details.retry_after becomes its Retry-After header (reply.c) */
}

static void
get(req_t *r)
{
	http_entity(r, tools_import_get(r->db, r->params[0], r->lang), "tool_import", r->params[0]);
}

static void
errors_csv(req_t *r)
{
	size_t len = 0;
	char *csv = tools_import_errors_csv(r->db, r->params[0], r->lang, &len);
	if (!csv) {
		http_entity(r, NULL, "tool_import", r->params[0]);
		return;
	}
	char disp[120];
	fg_fmt(disp, sizeof disp, "attachment; filename=\"import-errors-%.36s.csv\"", r->params[0]);
	http_bytes(r, 200, "text/csv; charset=utf-8", (unsigned char *)csv, len);
	http_header(r, "Content-Disposition", disp);
}

static void
template_csv(req_t *r)
{
	const char *t = tools_import_template_csv();
	http_bytes(r, 200, "text/csv; charset=utf-8", (unsigned char *)fg_strdup(t), strlen(t));
	http_header(r, "Content-Disposition", "attachment; filename=\"tools-import-template.csv\"");
}

const route_t tool_import_routes[] = {
	{"POST", "/api/v1/tools/imports", submit, "tools.write", SHEET_MAX_FILE, .ok = "202",
	    .errors = HTTP_ERRORS("import_duplicate_column", "import_empty", "import_missing_column",
		"import_parse_busy", "import_too_large", "import_unreadable", "import_unsupported_type",
		"invalid_query", "missing_field")},
	{"GET", "/api/v1/tools/imports/template.csv", template_csv, "tools.write", 0, .resp = "text/csv"},
	{"GET", "/api/v1/tools/imports/{id}", get, "tools.write", 0, .ok = "200"},
	{"GET", "/api/v1/tools/imports/{id}/errors.csv", errors_csv, "tools.write", 0, .resp = "text/csv"},
	{0},
};
