#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include "base/sheet.h"
#include "http/routes.h"
#include "modules/tools/tools_import.h"

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
	/* the edge spools the body to r->upload_fd (issue 9); tools_import_submit still takes a buffer, so the file
	 * (at most SHEET_MAX_FILE) is read back here until the import engine reads the descriptor itself */
	char *data = fg_malloc(r->upload_len);
	size_t got = 0;
	while (got < r->upload_len) {
		ssize_t k = read(r->upload_fd, data + got, r->upload_len - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	if (got != r->upload_len) {
		free(data);
		http_error_code(r, "internal");
		return;
	}
	int rc = tools_import_submit(r->db, r->user.id, http_header_in(r, "Content-Type"), data, r->upload_len,
	    http_query(r, "filename"), dry == 1, r->lang, &out, &e);
	free(data);
	http_result(r, 202, rc, out, &e);
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
	{"POST", "/api/v1/tools/imports", submit, "tools.write", SHEET_MAX_FILE},
	{"GET", "/api/v1/tools/imports/template.csv", template_csv, "tools.write", 0},
	{"GET", "/api/v1/tools/imports/{id}", get, "tools.write", 0},
	{"GET", "/api/v1/tools/imports/{id}/errors.csv", errors_csv, "tools.write", 0},
	{NULL, NULL, NULL, NULL, 0},
};
