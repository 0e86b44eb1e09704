/* Emergencies' part of the person's queue (GET /api/v1/me/queue): ended emergencies waiting for their review
 * (POST /emergencies/{id}/actions/review, emergencies.review: managers, dispatchers, supervisors), the oldest
 * deadline first. */
#include "core/auth/perm.h"
#include "core/module/module.h"
#include "fieldwork/emergency/emergency.h"

void
emergency_queue(db_t *db, const auth_user_t *u, fg_queue_t *q)
{
	if (!perm_allows(u->roles, "emergencies.review"))
		return;
	qb_t b;
	qb_init(&b, "SELECT id, number AS title, title AS subtitle, review_due_at AS at, COUNT(*) OVER () AS n FROM emergencies "
		    "WHERE status = 'review_due' ORDER BY review_due_at, number");
	module_queue_qb(q, db, "emergencies.review", "/emergency", "/emergency/{id}", &b);
}
