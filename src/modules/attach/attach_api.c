#include "http/routes.h"
#include "modules/attach/attach.h"

/* POST /api/v1/attachments?entity=ticket&entity_id=…&filename=… with the file as the raw body. */
static void
upload(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (r->upload_len == 0) {
		fg_err_field(&e, "missing_field", "body", "the file's bytes");
		http_error(r, &e);
		return;
	}
	int rc = attach_store(r->db, r->user.id, http_header_in(r, "Content-Type"), r->upload_fd, r->upload_len,
	    http_query(r, "filename"), http_query(r, "entity"), http_query(r, "entity_id"), &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
meta(req_t *r)
{
	http_entity(r, attach_get(r->db, r->params[0]), "attachment", r->params[0]);
}

static void
content(req_t *r)
{
	json_t *a = attach_get(r->db, r->params[0]);
	if (!a) {
		http_entity(r, NULL, "attachment", r->params[0]);
		return;
	}
	char path[1200];
	attach_path(json_string_value(json_object_get(a, "sha256")), path, sizeof path);
	http_file(r, path, json_string_value(json_object_get(a, "content_type")));
	json_decref(a);
}

const route_t attach_routes[] = {
	{"POST", "/api/v1/attachments", upload, "", ATTACH_MAX},
	{"GET", "/api/v1/attachments/{id}", meta, "plans.read", 0},
	{"GET", "/api/v1/attachments/{id}/content", content, "plans.read", 0},
	{NULL, NULL, NULL, NULL, 0},
};
