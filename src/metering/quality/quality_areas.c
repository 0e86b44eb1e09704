/* Which team answers for a transformer area (台区) — metering_area_teams, migration 0043 (quality.h): what the
 * monthly evaluation reads to give each team the collection success rate of its areas. */
#include <string.h>
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "shared/org/org.h"
#include "metering/quality/quality.h"

#define AREA_COLS                                                                                                  \
	"a.transformer_area, a.team_id, o.name AS team_name, a.updated_by, a.updated_at, a.version FROM metering_area_teams a " \
	"LEFT JOIN org_units o ON o.id = a.team_id"

static json_t *
area_get(db_t *db, const char *area)
{
	int rc;
	return db_one(db_q(db, "SELECT " AREA_COLS " WHERE a.transformer_area = $1", "t", area), &rc);
}

int
quality_areas_list(db_t *db, const char *team_id, json_t **out, fg_err_t *err)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT " AREA_COLS " WHERE (a.team_id = $1 OR $2 = 0) ORDER BY a.transformer_area", "ti",
				  team_id ? team_id : "", (int64_t)(team_id != NULL)), &rc);
	if (!rows)
		return fg_err(err, "internal");
	*out = json_pack("{s:o}", "items", rows);
	return 0;
}

/* the area's name as the collection system sends it: 1 to 64 bytes, not blank (collection_parse.c's rule) */
static int
area_valid(const char *area, fg_err_t *err)
{
	if (fg_blank(area) || strlen(area) > 64)
		return fg_err_field(err, "invalid_field", "transformer_area", "the transformer area's name, 1 to 64 bytes");
	return 0;
}

int
quality_area_set(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	const char *area = fg_jstr(in, "transformer_area"), *team = fg_jstr(in, "team_id");
	if (area_valid(area, err) != 0)
		return -1;
	json_t *unit = team ? org_get(db, team) : NULL;
	bool is_team = unit && fg_jstr(unit, "kind") && strcmp(fg_jstr(unit, "kind"), "team") == 0;
	json_decref(unit);
	if (!is_team)
		return fg_err_field(err, "invalid_field", "team_id", "an org unit of kind team");
	if (db_begin(db) != 0)
		return db_fail(db, err);
	json_t *before = area_get(db, area);
	int64_t now = fg_now_ms();
	if (db_run(db_q(db, "INSERT INTO metering_area_teams (transformer_area, team_id, updated_by, updated_at) VALUES ($1, $2, $3, $4) "
			    "ON CONFLICT (transformer_area) DO UPDATE SET team_id = excluded.team_id, updated_by = excluded.updated_by, "
			    "updated_at = excluded.updated_at, version = metering_area_teams.version + 1",
		    "ttti", area, team, actor_id, now)) != 0) {
		json_decref(before);
		return db_fail(db, err);
	}
	json_t *after = area_get(db, area);
	if (!after) {
		json_decref(before);
		return db_fail(db, err);
	}
	return audit_commit(db, actor_id, "set", "metering_area_team", area, before, after, out, err);
}

int
quality_area_clear(db_t *db, const char *actor_id, json_t *in, fg_err_t *err)
{
	const char *area = fg_jstr(in, "transformer_area");
	if (area_valid(area, err) != 0)
		return -1;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	json_t *before = area_get(db, area);
	if (!before) {
		fg_err_not_found(err, "metering_area_team", area);
		return db_fail(db, err);
	}
	if (db_run(db_q(db, "DELETE FROM metering_area_teams WHERE transformer_area = $1", "t", area)) != 0) {
		json_decref(before);
		return db_fail(db, err);
	}
	/* audit_commit wants an after: a cleared area has none, so the write and the commit are done here */
	int rc = audit_write(db, actor_id, "clear", "metering_area_team", area, before, NULL);
	json_decref(before);
	if (rc != 0 || db_commit(db) != 0)
		return db_fail(db, err);
	return 0;
}
