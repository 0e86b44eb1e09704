/* The crew picker's early warning (issue 14 item 5): before a plan is saved, published or started, who of the
 * people chosen is already on another plan that day, and who is not fit for work (what gate_person_unqualified
 * will say at start). Read-only: the server's own refusals stay where they are. */
#include <string.h>
#include "core/base/day.h"
#include "core/base/util.h"
#include "safety/interface/readiness.h"
#include "fieldwork/plans/plans.h"

int
plans_crew_check(db_t *db, const char *date, const char *user_ids, const char *exclude_plan, json_t **out, fg_err_t *err)
{
	if (!date || !day_valid(date))
		return fg_err_field(err, "invalid_query", "date", "YYYY-MM-DD");
	if (!user_ids || !*user_ids)
		return fg_err_field(err, "invalid_query", "user_ids", "comma-separated user ids");
	json_t *items = json_array();
	char buf[4096];
	fg_fmt(buf, sizeof buf, "%s", user_ids);
	if (strlen(user_ids) >= sizeof buf) {
		json_decref(items);
		return fg_err_field(err, "invalid_query", "user_ids", "at most 50 ids");
	}
	int n = 0;
	for (char *save = NULL, *id = strtok_r(buf, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
		if (!*id)
			continue;
		if (++n > 50) {
			json_decref(items);
			return fg_err_field(err, "invalid_query", "user_ids", "at most 50 ids");
		}
		json_t *r = people_readiness(db, id);
		if (!r) /* no such person: nothing to warn about that the form's own check will not say */
			continue;
		int rc;
		/* the plans of that day still to be worked that the person is on, in any part */
		json_t *plans = db_all(db_q(db,
		    "SELECT p.id, p.number, p.status, p.title, CASE WHEN p.leader_id = $1 THEN 'leader' "
		    "WHEN p.onsite_supervisor_id = $1 THEN 'onsite_supervisor' ELSE 'crew' END AS role "
		    "FROM plans p WHERE p.date = $2 AND p.status IN ('draft', 'published', 'working', 'paused') "
		    "AND p.id <> $3 AND (p.leader_id = $1 OR p.onsite_supervisor_id = $1 OR "
		    "EXISTS (SELECT 1 FROM plan_crew c WHERE c.plan_id = p.id AND c.user_id = $1)) ORDER BY p.number",
		    "ttt", id, date, exclude_plan ? exclude_plan : ""), &rc);
		if (!plans) {
			json_decref(r);
			json_decref(items);
			return fg_err(err, "internal");
		}
		json_object_set_new(r, "plans", plans);
		json_object_set_new(r, "booked", json_boolean(json_array_size(plans) > 0));
		json_array_append_new(items, r);
	}
	*out = json_pack("{s:s, s:o}", "date", date, "items", items);
	return 0;
}
