#include <stdlib.h>
#include "core/http/routes.h"
#include "fieldwork/crosscheck/crosscheck.h"

/* GET /api/v1/cross-check?from=&to= (epoch ms; default: the last 30 days) */
static void
run(req_t *r)
{
	const char *f = http_query(r, "from"), *t = http_query(r, "to");
	int64_t to = t ? strtoll(t, NULL, 10) : fg_now_ms() + 1;
	int64_t from = f ? strtoll(f, NULL, 10) : to - 30LL * 86400 * 1000;
	if (to <= from) {
		fg_err_t e = FG_ERR_INIT;
		fg_err_field(&e, "invalid_query", "to", "after from");
		http_error(r, &e);
		return;
	}
	json_t *out = crosscheck_run(r->db, from, to);
	if (!out) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, out);
}

const route_t crosscheck_routes[] = {
	{"GET", "/api/v1/cross-check", run, "supervision.read", 0, .ok = "200"},
	{0},
};
