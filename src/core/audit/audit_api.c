#include <stdlib.h>
#include "core/http/routes.h"
#include "core/audit/audit.h"

static void
list(req_t *r)
{
	audit_filter_t f = {.entity = http_query(r, "entity"), .entity_id = http_query(r, "entity_id"),
	    .actor_id = http_query(r, "actor_id"), .action = http_query(r, "action")};
	const char *cursor;
	json_t *out = NULL;
	if (http_paging(r, &f.limit, &cursor))
		return;
	if (cursor) {
		char *end;
		f.before_seq = strtoll(cursor, &end, 10);
		if (*end || f.before_seq <= 0) {
			fg_err_t e = FG_ERR_INIT;
			fg_err_field(&e, "invalid_query", "cursor", "not a cursor this server made");
			http_error(r, &e);
			return;
		}
	}
	if (audit_list(r->db, &f, &out) != 0) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, out);
}

const route_t audit_routes[] = {
	{"GET", "/api/v1/audit", list, "audit.read", 0, .resp = "list:"},
	{0},
};
