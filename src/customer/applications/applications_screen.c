/* customer/interface/application_screen.h: the applications' clocks and stage on-time rate for the large screen,
 * aggregated in SQL over flow_timers (the engine's clocks of data/flows/application.json). */
#include <string.h>
#include "customer/interface/application_screen.h"

static json_int_t
num(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

json_t *
applications_screen_clocks(db_t *db, int64_t now_ms)
{
	int rc;
	/* per application: its open clocks late / warned / standing; then per track, each application by its worst */
	json_t *rows = db_all(db_q(db,
	    "SELECT a.track, COUNT(*) AS n, "
	    "SUM(CASE WHEN t.late > 0 THEN 1 ELSE 0 END) AS red, "
	    "SUM(CASE WHEN COALESCE(t.late, 0) = 0 AND t.amber > 0 THEN 1 ELSE 0 END) AS amber, "
	    "SUM(CASE WHEN COALESCE(t.late, 0) = 0 AND COALESCE(t.amber, 0) = 0 AND t.paused > 0 THEN 1 ELSE 0 END) AS grey "
	    "FROM applications a LEFT JOIN (SELECT entity_id, "
	    "SUM(CASE WHEN paused_at IS NULL AND (fired_at IS NOT NULL OR due_at < $1) THEN 1 ELSE 0 END) AS late, "
	    "SUM(CASE WHEN paused_at IS NULL AND (warned_at IS NOT NULL OR warn_at <= $1) THEN 1 ELSE 0 END) AS amber, "
	    "SUM(CASE WHEN paused_at IS NOT NULL THEN 1 ELSE 0 END) AS paused "
	    "FROM flow_timers WHERE flow = 'application' AND ended_at IS NULL GROUP BY entity_id) t ON t.entity_id = a.id "
	    "WHERE a.status NOT IN ('powered', 'archived', 'cancelled') GROUP BY a.track",
	    "i", now_ms), &rc);
	if (!rows)
		return NULL;
	static const char *const tracks[] = {"lv_residential", "lv_non_residential", "hv_single", "hv_dual"};
	json_t *out = json_array(), *r;
	json_int_t open = 0, red = 0, amber = 0, grey = 0;
	for (size_t k = 0; k < sizeof tracks / sizeof tracks[0]; k++) {
		json_int_t n = 0, rd = 0, am = 0, gr = 0;
		size_t i;
		json_array_foreach(rows, i, r) {
			if (strcmp(json_string_value(json_object_get(r, "track")), tracks[k]) != 0)
				continue;
			n = num(r, "n"), rd = num(r, "red"), am = num(r, "amber"), gr = num(r, "grey");
		}
		open += n, red += rd, amber += am, grey += gr;
		json_array_append_new(out, json_pack("{s:s, s:I, s:I, s:I, s:I}", "track", tracks[k], "open", n, "red", rd,
					       "amber", am, "grey", gr));
	}
	json_decref(rows);
	return json_pack("{s:o, s:I, s:I, s:I, s:I}", "tracks", out, "open", open, "red", red, "amber", amber, "grey", grey);
}

json_t *
applications_screen_on_time(db_t *db, int64_t from_ms, int64_t to_ms)
{
	int rc;
	json_t *rows = db_all(db_q(db,
	    "SELECT state AS stage, COUNT(*) AS ended, "
	    "SUM(CASE WHEN fired_at IS NULL AND ended_at <= due_at THEN 1 ELSE 0 END) AS on_time "
	    "FROM flow_timers WHERE flow = 'application' AND kind = 'state' AND due_at IS NOT NULL "
	    "AND ended_at >= $1 AND ended_at < $2 GROUP BY state ORDER BY state",
	    "ii", from_ms, to_ms), &rc);
	if (!rows)
		return NULL;
	json_int_t ended = 0, ot = 0;
	json_t *r;
	size_t i;
	json_array_foreach(rows, i, r) {
		json_object_set_new(r, "on_time", json_integer(num(r, "on_time"))); /* SUM of no row is NULL */
		ended += num(r, "ended");
		ot += num(r, "on_time");
	}
	return json_pack("{s:I, s:I, s:o, s:o}", "ended", ended, "on_time", ot, "rate",
	    ended ? json_real((double)ot / (double)ended) : json_null(), "by_stage", rows);
}
