#include <errno.h>
#include "core/http/routes.h"
#include "shared/org/scope.h"
#include "shared/attach/attach.h"

/* Only someone who may write what the file is attached to may attach it (docs/api.md "Scope"): the entity's
 * scope (out of it: 404) and the right to write it (403). Kept apart from the upload plumbing. */
static bool
may_attach(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	if (scope_attach_check(r->db, &r->user, http_query(r, "entity"), http_query(r, "entity_id"), &e) == 0)
		return true;
	http_error(r, &e);
	return false;
}

/* An attachment takes the scope of what it belongs to; out of scope it does not exist. */
static json_t *
visible(req_t *r)
{
	json_t *a = attach_get(r->db, r->params[0]);
	if (a && !scope_attachment_visible(r->db, &r->user, a)) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/* POST /api/v1/attachments?entity=ticket&entity_id=…&filename=… with the file as the raw body. */
static void
upload(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (!may_attach(r))
		return;
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
	http_entity(r, visible(r), "attachment", r->params[0]);
}

static void
content(req_t *r)
{
	json_t *a = visible(r);
	if (!a) {
		http_entity(r, NULL, "attachment", r->params[0]);
		return;
	}
	attach_respond(r, r->db, a);
	json_decref(a);
}

void
attach_respond(struct req *r, db_t *db, json_t *a)
{
	size_t size = 0;
	int fd = attach_open(db, json_string_value(json_object_get(a, "sha256")), &size);
	if (fd < 0) { /* a row whose bytes are nowhere: not there; a store that failed (logged): internal */
		http_error_code(r, errno == ENOENT ? "not_found" : "internal");
		return;
	}
	http_fd(r, fd, size, json_string_value(json_object_get(a, "content_type")));
}

const route_t attach_routes[] = {
	{"POST", "/api/v1/attachments", upload, "", ATTACH_MAX, .ok = "201"},
	{"GET", "/api/v1/attachments/{id}", meta, "plans.read", 0, .ok = "200"},
	{"GET", "/api/v1/attachments/{id}/content", content, "plans.read", 0, .resp = "*/*"},
	{0},
};
