/* HTTP glue for the desk's side of applications (docs/api.md "Applications: shared space", "…: responsibilities",
 * "…: board", "…: timeline"). */
#include <stdlib.h>
#include <string.h>
#include "core/http/routes.h"
#include "customer/applications/applications.h"
#include "customer/appspace/appspace.h"

static const jfield_t comment_spec[] = {
	{"text", JF_STRING, JF_REQUIRED, 4000},
	{NULL, 0, 0, 0},
};

static const jfield_t file_spec[] = {
	{"attachment_id", JF_STRING, JF_REQUIRED, 64},
	{"title", JF_STRING, JF_NULLABLE, 200},
	{NULL, 0, 0, 0},
};

/* The application must be within the viewer's scope; out of scope reads (and writes) as missing. */
static bool
in_scope(req_t *r)
{
	if (applications_visible(r->db, &r->user, r->params[0]))
		return true;
	fg_err_t e = FG_ERR_INIT;
	fg_err_not_found(&e, "application", r->params[0]);
	http_error(r, &e);
	return false;
}

static void
comments(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (!in_scope(r))
		return;
	int rc = appspace_comments(r->db, r->params[0], &out, &e); /* before out is read */
	http_result(r, 200, rc, out, &e);
}

static void
comment_add(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, comment_spec) || !in_scope(r))
		return;
	int rc = appspace_comment_add(r->db, &r->user, r->params[0], json_string_value(json_object_get(r->json, "text")), &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
files(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (!in_scope(r))
		return;
	int rc = appspace_files(r->db, r->params[0], &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
file_add(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, file_spec) || !in_scope(r))
		return;
	int rc = appspace_file_add(r->db, &r->user, r->params[0], json_string_value(json_object_get(r->json, "attachment_id")),
	    json_string_value(json_object_get(r->json, "title")), &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
timeline(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (!in_scope(r))
		return;
	json_t *app = applications_load(r->db, r->params[0]);
	if (!app) {
		http_entity(r, NULL, "application", r->params[0]);
		return;
	}
	int rc = appspace_timeline(r->db, app, &out, &e);
	json_decref(app);
	http_result(r, 200, rc, out, &e);
}

static void
responsibilities(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = appspace_responsibilities(r->db, http_query(r, "org_unit_id"), &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
board(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int late = http_query_bool(r, "late"), fast = late == -2 ? -2 : http_query_bool(r, "fast_path");
	if (late == -2 || fast == -2)
		return;
	const char *mgr = http_query(r, "customer_manager_id");
	if (mgr && strcmp(mgr, "me") == 0)
		mgr = r->user.id;
	appspace_board_filter_t f = {.kind = http_query(r, "kind"), .track = http_query(r, "track"), .customer_manager_id = mgr,
	    .late = late, .fast_path = fast, .per_stage = 50, .viewer = &r->user};
	const char *per = http_query(r, "per_stage");
	if (per) {
		char *end;
		long n = strtol(per, &end, 10);
		if (*end || n < 0 || n > 200) {
			fg_err_field(&e, "invalid_query", "per_stage", "0 to 200");
			http_error(r, &e);
			return;
		}
		f.per_stage = (int)n;
	}
	int rc = appspace_board(r->db, &f, &out, &e);
	if (rc == 0) {
		json_t *s;
		size_t i;
		json_array_foreach(json_object_get(out, "stages"), i, s) applications_mask(&r->user, json_object_get(s, "items"));
	}
	http_result(r, 200, rc, out, &e);
}

/* Listed before the applications module's GET /applications/{id} (src/modules.c): board and responsibilities
 * would otherwise be read as application ids. */
const route_t appspace_routes[] = {
	{"GET", "/api/v1/applications/board", board, "applications.read", 0, .ok = "200", .cache = true},
	{"GET", "/api/v1/applications/responsibilities", responsibilities, "applications.read", 0, .ok = "200", .cache = true},
	{"GET", "/api/v1/applications/{id}/timeline", timeline, "applications.read", 0, .resp = "Items"},
	{"GET", "/api/v1/applications/{id}/comments", comments, "applications.read", 0, .resp = "Items"},
	{"POST", "/api/v1/applications/{id}/comments", comment_add, "applications.write", 0, .body = comment_spec, .ok = "201"},
	{"GET", "/api/v1/applications/{id}/files", files, "applications.read", 0, .resp = "Items"},
	{"POST", "/api/v1/applications/{id}/files", file_add, "applications.write", 0, .body = file_spec, .ok = "201",
	    .errors = HTTP_ERRORS("application_file_exists")},
	{0},
};
