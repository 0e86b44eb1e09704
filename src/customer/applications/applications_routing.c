/* Internal routing of applications' stages to teams (applications_routing.h). */
#include <string.h>
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/flow/flow.h"
#include "customer/applications/applications_routing.h"

#define R_SQL "SELECT r.id, r.org_unit_id, u.name AS org_unit_name, r.stage, r.team_id, t.name AS team_name, r.updated_at " \
	      "FROM application_routing r JOIN org_units u ON u.id = r.org_unit_id JOIN org_units t ON t.id = r.team_id "

int
applications_routing_list(db_t *db, const char *org_unit_id, json_t **out, fg_err_t *err)
{
	int rc;
	json_t *items = org_unit_id ? db_all(db_q(db, R_SQL "WHERE r.org_unit_id = $1 ORDER BY r.stage", "t", org_unit_id), &rc)
				    : db_all(db_q(db, R_SQL "ORDER BY u.name, r.stage", ""), &rc);
	if (!items)
		return fg_err(err, "internal");
	*out = json_pack("{s:o}", "items", items);
	return 0;
}

/* A stage a team can own: a state of the flow that the supplier works in (not the customer's turn, not an end). */
static bool
routable(const char *stage)
{
	json_t *s;
	size_t i;
	json_array_foreach(json_object_get(flow_def("application"), "states"), i, s) {
		const char *owner = fg_jstr(s, "owner");
		if (strcmp(fg_jstr(s, "code"), stage) == 0)
			return owner && strcmp(owner, "customer") != 0;
	}
	return false;
}

int
applications_routing_put(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	const char *unit = fg_jstr(in, "org_unit_id"), *stage = fg_jstr(in, "stage"), *team = fg_jstr(in, "team_id");
	int64_t now = fg_now_ms();
	int rc;
	if (!routable(stage))
		return fg_err_field(err, "invalid_field", "stage", "a stage the supplier works in (GET /api/v1/flows/application)");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	json_t *u = db_one(db_q(db, "SELECT id FROM org_units WHERE id = $1", "t", unit), &rc);
	json_decref(u);
	if (!u) {
		if (rc == DB_DONE)
			fg_err_field(err, "invalid_field", "org_unit_id", "no such org unit");
		return db_fail(db, err);
	}
	if (team) {
		json_t *t = db_one(db_q(db, "SELECT id FROM org_units WHERE id = $1 AND kind = 'team'", "t", team), &rc);
		json_decref(t);
		if (!t) {
			if (rc == DB_DONE)
				fg_err_field(err, "invalid_field", "team_id", "an org unit of kind team");
			return db_fail(db, err);
		}
	}
	json_t *before = db_one(db_q(db, "SELECT id, org_unit_id, stage, team_id FROM application_routing WHERE org_unit_id = $1 "
					 "AND stage = $2", "tt", unit, stage), &rc);
	if (!before && rc != DB_DONE)
		return db_fail(db, err);
	char id[37];
	if (before)
		fg_fmt(id, sizeof id, "%s", fg_jstr(before, "id"));
	else
		fg_uuid7(id);
	if (!team)
		rc = before ? db_run(db_q(db, "DELETE FROM application_routing WHERE id = $1", "t", id)) : DB_DONE;
	else if (before)
		rc = db_run(db_q(db, "UPDATE application_routing SET team_id = $1, updated_at = $2, version = version + 1 WHERE id = $3",
		    "tit", team, now, id));
	else
		rc = db_run(db_q(db, "INSERT INTO application_routing (id, org_unit_id, stage, team_id, created_at, updated_at) "
				     "VALUES ($1, $2, $3, $4, $5, $5)", "tttti", id, unit, stage, team, now));
	if (rc != DB_DONE) {
		json_decref(before);
		return db_fail(db, err);
	}
	json_t *after = team ? db_one(db_q(db, R_SQL "WHERE r.id = $1", "t", id), &rc)
			     : json_pack("{s:s, s:s, s:n}", "org_unit_id", unit, "stage", stage, "team_id");
	if (!after) {
		json_decref(before);
		return db_fail(db, err);
	}
	return audit_commit(db, actor_id, team ? "route" : "unroute", "application_routing", id, before, after, out, err);
}
