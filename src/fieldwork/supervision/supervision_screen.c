/* fieldwork/interface/work_screen.h: the day's jobs and the work orders' on-time rate for the large screen.
 * Aggregates in SQL (a screen polls; a company has hundreds of jobs a day, not a page of them). */
#include <string.h>
#include "core/base/util.h"
#include "fieldwork/interface/work_screen.h"

static json_int_t
num(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

json_t *
fieldwork_screen_jobs(db_t *db, const char *date)
{
	int rc;
	int64_t now = fg_now_ms();
	/* per status: how many, how many high-risk, and of the published ones how many have their ticket gate open */
	json_t *rows = db_all(db_q(db,
	    "SELECT p.status, COUNT(*) AS n, SUM(p.high_risk) AS high, "
	    "SUM(CASE WHEN EXISTS (SELECT 1 FROM tickets t WHERE t.plan_id = p.id AND t.status = 'permitted' "
	    "AND t.planned_end > $2) THEN 1 ELSE 0 END) AS permitted, "
	    "SUM(CASE WHEN p.backfill_id IS NOT NULL THEN 1 ELSE 0 END) AS backfilled "
	    "FROM plans p WHERE p.date = $1 AND p.status <> 'cancelled' GROUP BY p.status",
	    "ti", date, now), &rc);
	if (!rows)
		return NULL;
	json_t *viol = db_one(db_q(db, "SELECT COUNT(*) AS n FROM findings f JOIN plans p ON p.id = f.plan_id "
				       "WHERE p.date = $1 AND p.status <> 'cancelled' AND f.kind = 'violation'", "t", date), &rc);
	json_t *high = viol ? db_all(db_q(db,
	    "SELECT p.number, p.title, p.place, o.name AS team, p.status, p.risk_level FROM plans p "
	    "JOIN org_units o ON o.id = p.team_id WHERE p.date = $1 AND p.status <> 'cancelled' AND p.high_risk <> 0 "
	    "ORDER BY p.risk_level, p.number LIMIT 8", "t", date), &rc) : NULL;
	if (!viol || !high) {
		json_decref(rows);
		json_decref(viol);
		return NULL;
	}
	json_t *by = json_pack("{s:i, s:i, s:i, s:i, s:i}", "draft", 0, "published", 0, "working", 0, "paused", 0, "finished", 0);
	json_int_t total = 0, hr = 0, passed = 0, ready = 0, blocked = 0, bf = 0;
	json_t *r;
	size_t i;
	json_array_foreach(rows, i, r) {
		const char *st = json_string_value(json_object_get(r, "status"));
		json_int_t n = num(r, "n");
		json_object_set_new(by, st, json_integer(num(by, st) + n));
		total += n;
		hr += num(r, "high");
		bf += num(r, "backfilled");
		if (strcmp(st, "published") == 0) {
			ready += num(r, "permitted");
			blocked += n - num(r, "permitted");
		} else if (strcmp(st, "draft") != 0) {
			passed += n;
		}
	}
	json_decref(rows);
	json_t *out = json_pack("{s:s, s:I, s:o, s:{s:I, s:I, s:I}, s:I, s:I, s:o, s:I}", "date", date, "total", total, "by_status",
	    by, "gates", "passed", passed, "ready", ready, "blocked", blocked, "high_risk", hr, "violations", num(viol, "n"),
	    "high_risk_jobs", high, "backfilled", bf);
	json_decref(viol);
	return out;
}

json_t *
fieldwork_screen_on_time(db_t *db, int64_t from_ms, int64_t to_ms)
{
	int rc;
	/* an order's finish: its (last) move to done in the range */
	json_t *r = db_one(db_q(db,
	    "SELECT COUNT(*) AS done, SUM(CASE WHEN w.due_at IS NOT NULL THEN 1 ELSE 0 END) AS with_due, "
	    "SUM(CASE WHEN w.backfill_id IS NOT NULL THEN 1 ELSE 0 END) AS backfilled, "
	    "SUM(CASE WHEN w.due_at IS NOT NULL AND f.at <= w.due_at THEN 1 ELSE 0 END) AS on_time "
	    "FROM (SELECT entity_id, MAX(at) AS at FROM flow_events WHERE flow = 'work_order' AND to_state = 'done' "
	    "AND at >= $1 AND at < $2 GROUP BY entity_id) f JOIN work_orders w ON w.id = f.entity_id AND w.status = 'done'",
	    "ii", from_ms, to_ms), &rc);
	if (!r)
		return NULL;
	json_int_t wd = num(r, "with_due"), ot = num(r, "on_time");
	json_t *out = json_pack("{s:I, s:I, s:I, s:o, s:I}", "done", num(r, "done"), "with_due", wd, "on_time", ot, "rate",
	    wd ? json_real((double)ot / (double)wd) : json_null(), "backfilled", num(r, "backfilled"));
	json_decref(r);
	return out;
}
