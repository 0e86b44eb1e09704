#include <string.h>
#include "http/routes.h"
#include "modules/kb/kb.h"

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
	const char *key = strcmp(r->params[0], "risks") == 0 ? "id" : "code";
	json_t *it = kb_collection_known(r->params[0]) ? kb_find(r->params[0], key, r->params[1]) : NULL;
	http_entity(r, it ? json_incref(it) : NULL, "kb_item", r->params[1]);
}

const route_t kb_routes[] = {
	{"GET", "/api/v1/kb/search", search, "", 0},
	{"GET", "/api/v1/kb/{collection}", collection, "", 0},
	{"GET", "/api/v1/kb/{collection}/{key}", item, "", 0},
	{NULL, NULL, NULL, NULL, 0},
};
