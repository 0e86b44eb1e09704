#include <string.h>
#include "core/http/routes.h"
#include "safety/kb/kb.h"

static void
search(req_t *r)
{
	const char *q = http_query(r, "q");
	int limit;
	const char *cursor;
	if (http_paging(r, &limit, &cursor))
		return;
	if (!q || !*q || strlen(q) > 200) {
		fg_err_t e = FG_ERR_INIT;
		fg_err_field(&e, "invalid_query", "q", "1 to 200 bytes");
		http_error(r, &e);
		return;
	}
	http_json(r, 200, json_pack("{s:s, s:o}", "q", q, "items", kb_search(q, limit)));
}

static void
collection(req_t *r)
{
	if (!kb_collection_known(r->params[0])) {
		http_entity(r, NULL, "kb_collection", r->params[0]);
		return;
	}
	http_json(r, 200, json_pack("{s:O}", "items", kb_items(r->params[0])));
}

static void
item(req_t *r)
{
	json_t *it = kb_collection_known(r->params[0]) ? kb_find(r->params[0], kb_key_field(r->params[0]), r->params[1]) : NULL;
	http_entity(r, it ? json_incref(it) : NULL, "kb_item", r->params[1]);
}

/* PUT /api/v1/kb/{collection}/{key} with the whole item as the body (admins; audited). */
static void
put(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = kb_put(r->db, r->user.id, r->params[0], r->params[1], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

/* DELETE /api/v1/kb/{collection}/{key}: drop the edit, the built-in item returns. */
static void
revert(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	if (kb_delete_edit(r->db, r->user.id, r->params[0], r->params[1], &e) != 0) {
		http_error(r, &e);
		return;
	}
	http_no_content(r);
}

/* /api/v1/tool-kinds is the knowledge base's tool_kinds collection under the name issue 4's clients use. */
static void
tool_kinds(req_t *r)
{
	http_json(r, 200, json_pack("{s:O}", "items", kb_items("tool_kinds")));
}

static void
tool_kind_put(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = kb_put(r->db, r->user.id, "tool_kinds", r->params[0], r->json, &out, &e);
	http_result(r, 200, rc, out, &e);
}

const route_t kb_routes[] = {
	{"GET", "/api/v1/tool-kinds", tool_kinds, "", 0, .ok = "200"},
	{"PUT", "/api/v1/tool-kinds/{code}", tool_kind_put, "kb.write", 0,
	    .doc = "The body is a whole tool kind, checked by the knowledge base's item schema (kb_edit.c), not a field spec."},
	{"GET", "/api/v1/kb/search", search, "", 0, .resp = "Items"},
	{"GET", "/api/v1/kb/{collection}", collection, "", 0, .ok = "200"},
	{"GET", "/api/v1/kb/{collection}/{key}", item, "", 0, .ok = "200"},
	{"PUT", "/api/v1/kb/{collection}/{key}", put, "kb.write", 0,
	    .doc = "The body is a whole item, checked by its collection's item schema (kb_edit.c), chosen by {collection} at run time."},
	{"DELETE", "/api/v1/kb/{collection}/{key}", revert, "kb.write", 0, .ok = "204"},
	{0},
};
