#include "core/base/util.h"
#include "fieldwork/crosscheck/crosscheck.h"

static const struct {
	const char *kind;
	const char *sql; /* $1 from, $2 to (epoch ms) */
} checks[] = {
	{"no_dispatch",
	    "SELECT w.id AS work_order_id, w.number, w.updated_at AS at FROM work_orders w "
	    "WHERE w.status IN ('in_progress', 'done') AND w.updated_at >= $1 AND w.updated_at < $2 "
	    "AND NOT EXISTS (SELECT 1 FROM plan_orders po WHERE po.work_order_id = w.id) ORDER BY w.number"},
	{"no_ticket",
	    "SELECT w.id AS work_order_id, w.number, p.id AS plan_id, w.updated_at AS at FROM work_orders w "
	    "JOIN plan_orders po ON po.work_order_id = w.id JOIN plans p ON p.id = po.plan_id "
	    "WHERE w.status IN ('in_progress', 'done') AND p.status IN ('working', 'paused', 'finished') "
	    "AND w.updated_at >= $1 AND w.updated_at < $2 "
	    "AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.plan_id = p.id AND t.permitted_at IS NOT NULL) ORDER BY w.number"},
	{"single_person",
	    "SELECT p.id AS plan_id, p.number, p.started_at AS at FROM plans p WHERE p.started_at >= $1 AND p.started_at < $2 "
	    "AND (SELECT COUNT(*) FROM plan_crew c WHERE c.plan_id = p.id) < 1 ORDER BY p.number"},
	{"outside_ticket",
	    "SELECT s.work_order_id, s.plan_id, t.id AS ticket_id, t.number, s.done_at AS at FROM job_steps s "
	    "JOIN tickets t ON t.plan_id = s.plan_id AND t.permitted_at IS NOT NULL "
	    "WHERE s.done_at >= $1 AND s.done_at < $2 "
	    "AND (s.done_at < t.permitted_at OR (t.ended_at IS NOT NULL AND s.done_at > t.ended_at)) ORDER BY s.done_at"},
};

json_t *
crosscheck_run(db_t *db, int64_t from, int64_t to)
{
	json_t *findings = json_array(), *counts = json_object();
	for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
		int rc;
		json_t *rows = db_all(db_q(db, checks[i].sql, "ii", from, to), &rc);
		if (!rows) {
			json_decref(findings);
			json_decref(counts);
			return NULL;
		}
		size_t j;
		json_t *r;
		json_array_foreach(rows, j, r) {
			json_object_set_new(r, "kind", json_string(checks[i].kind));
			json_array_append(findings, r);
		}
		json_object_set_new(counts, checks[i].kind, json_integer((json_int_t)json_array_size(rows)));
		json_decref(rows);
	}
	return json_pack("{s:I, s:I, s:o, s:o}", "from", (json_int_t)from, "to", (json_int_t)to, "findings", findings, "counts",
	    counts);
}
