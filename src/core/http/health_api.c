#include "core/http/routes.h"
#include "core/http/openapi.h"
#include "core/cluster/cluster.h"

#ifndef FG_VERSION
#define FG_VERSION "0.1.0"
#endif

static void
health(req_t *r)
{
	/* a cheap query proves this thread's connection works, not just that the process is up */
	int rc;
	json_t *row = db_one(db_prepare(r->db, "SELECT 1 AS ok"), &rc);
	if (!row) {
		http_error_code(r, "unavailable");
		return;
	}
	json_decref(row);
	/* node: which server of a cluster answered (behind nginx, a probe sees which one it reached) */
	http_json(r, 200, json_pack("{s:s, s:s, s:s, s:s}", "status", "ok", "db", db_kind_name(r->db), "version", FG_VERSION,
	    "node", cluster_node_id()));
}

const route_t health_routes[] = {
	{"GET", "/api/v1/health", health, NULL, 0, .resp = "Health"},
	/* public: the route table and the error catalog, no data (docs/api.md) */
	{"GET", "/api/v1/openapi.json", openapi_serve, NULL, 0, .resp = "OpenAPI"},
	{0},
};
