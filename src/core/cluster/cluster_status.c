/* What GET /api/v1/cluster shows operations: the nodes (live, stopped, lost) and each scheduled job's last turn. */
#include <string.h>
#include "core/base/util.h"
#include "core/cluster/cluster.h"

json_t *
cluster_status(db_t *db, int64_t now_ms)
{
	int rc;
	int64_t edge = now_ms - cluster_lease_ms();
	/* the live ones, and the last day's others (a long-running cluster leaves one row per restart) */
	json_t *nodes = db_all(db_q(db, "SELECT id, name, started_at, seen_at, stopped_at, lost_at FROM cluster_nodes "
				    "WHERE (stopped_at IS NULL AND lost_at IS NULL) OR seen_at >= $1 ORDER BY started_at, id LIMIT 200",
				 "i", now_ms - 86400000LL), &rc);
	json_t *jobs = nodes ? db_all(db_prepare(db, "SELECT name, node_id, next_at, started_at, finished_at, runs FROM job_clock "
						  "ORDER BY name"), &rc) : NULL;
	if (!nodes || !jobs) {
		json_decref(nodes);
		return NULL;
	}
	size_t i;
	json_t *n;
	json_array_foreach(nodes, i, n) {
		json_t *seen = json_object_get(n, "seen_at");
		bool live = json_is_null(json_object_get(n, "stopped_at")) && json_is_null(json_object_get(n, "lost_at")) &&
			json_is_integer(seen) && json_integer_value(seen) >= edge;
		json_object_set_new(n, "live", json_boolean(live));
		json_object_set_new(n, "this", json_boolean(strcmp(fg_jstr(n, "id"), cluster_node_id()) == 0));
	}
	return json_pack("{s:s, s:I, s:o, s:o}", "node_id", cluster_node_id(), "lease_ms", (json_int_t)cluster_lease_ms(),
	    "nodes", nodes, "jobs", jobs);
}
