/* The backfills' part of the person's queue (GET /api/v1/me/queue): paper work entered after an outage, waiting for
 * its review, for those who may review it — the same rule as POST /backfills/{id}/approve (backfill.c may_review):
 * a manager, or a leader whose unit is the backfill's team or above it; never the one who entered it. */
#include "core/auth/perm.h"
#include "core/module/module.h"
#include "fieldwork/backfill/backfill.h"

void
backfill_queue(db_t *db, const auth_user_t *u, fg_queue_t *q)
{
	if (!perm_allows(u->roles, "backfills.review"))
		return;
	bool all = (u->roles & (ROLE_ADMIN | ROLE_MANAGER)) != 0;
	if (!all && !u->org_unit_id[0])
		return;
	qb_t b;
	qb_init(&b, "SELECT b.id, b.number AS title, b.title AS subtitle, b.work_started_at AS at, COUNT(*) OVER () AS n "
		    "FROM backfills b WHERE b.status = 'pending' AND b.entered_by <> ");
	qb_text(&b, u->id);
	if (!all) {
		qb_sql(&b, " AND b.team_id IN (WITH RECURSIVE down(id) AS (SELECT id FROM org_units WHERE id = ");
		qb_text(&b, u->org_unit_id);
		qb_sql(&b, " UNION SELECT o.id FROM org_units o JOIN down d ON o.parent_id = d.id) SELECT id FROM down)");
	}
	qb_sql(&b, " ORDER BY b.entered_at, b.number");
	module_queue_qb(q, db, "backfills.review", "/backfills", "/backfills", &b);
}
