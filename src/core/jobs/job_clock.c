/* The scheduled jobs' turns (job_clock.h). The turn is a conditional UPDATE of the job's row: on PostgreSQL two
 * nodes racing for it serialise on the row, and the second one's condition is checked again against the first
 * one's write (READ COMMITTED), so it loses; on SQLite there is one writer at a time. */
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/cluster/cluster.h"
#include "core/jobs/job_clock.h"

bool
job_clock_claim(db_t *db, const char *name, int64_t period_ms, int64_t now, int64_t *next_at)
{
	int rc;
	*next_at = 0;
	if (db_run(db_q(db, "INSERT INTO job_clock (name, next_at) VALUES ($1, 0) ON CONFLICT DO NOTHING", "t", name)) != DB_DONE)
		return false;
	/* the turn is free when it is due, or when the node that took the last one is gone (stopped or lost): a
	 * restarted single server runs its jobs at start as before, and a dead node's jobs move at once */
	char live[256], sql[640];
	cluster_live_sql(live, sizeof live, "job_clock.node_id", 5);
	fg_fmt(sql, sizeof sql,
	    "UPDATE job_clock SET next_at = $1, node_id = $2, started_at = $3, finished_at = NULL, runs = runs + 1 "
	    "WHERE name = $4 AND (next_at <= $3 OR node_id IS NULL OR NOT %s) RETURNING name", live);
	json_t *won = db_one(db_q(db, sql, "ititi", now + period_ms, cluster_node_id(), now, name,
				 now - cluster_lease_ms()), &rc);
	if (won) {
		json_decref(won);
		return true;
	}
	if (rc != DB_DONE)
		return false;
	json_t *row = db_one(db_q(db, "SELECT next_at FROM job_clock WHERE name = $1", "t", name), &rc);
	json_t *v = json_object_get(row, "next_at");
	*next_at = json_is_integer(v) ? json_integer_value(v) : 0;
	json_decref(row);
	return false;
}

void
job_clock_done(db_t *db, const char *name, int64_t now)
{
	if (db_run(db_q(db, "UPDATE job_clock SET finished_at = $1 WHERE name = $2 AND node_id = $3", "itt", now, name,
		cluster_node_id())) != DB_DONE)
		log_warn("%s: cannot record its end: %s", name, db_errmsg(db));
}
