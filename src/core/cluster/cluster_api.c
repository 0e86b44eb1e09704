/* GET /api/v1/cluster (docs/api.md "Cluster"): the nodes and the scheduled jobs' turns, for operations. */
#include "core/base/util.h"
#include "core/cluster/cluster.h"
#include "core/http/routes.h"

static void
status(req_t *r)
{
	json_t *out = cluster_status(r->db, fg_now_ms());
	if (!out) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, out);
}

const route_t cluster_routes[] = {
	{"GET", "/api/v1/cluster", status, "cluster.read", 0, .ok = "200",
	    .doc = "The nodes of the cluster (live, stopped, lost) and each scheduled job's last turn"},
	{0},
};
