/* Supervision's part of the person's queue (GET /api/v1/me/queue): ended tickets not yet evaluated (R2.1: every
 * one is), for those who evaluate them (POST /tickets/{id}/evaluation: supervisors and managers), in their scope. */
#include "core/auth/perm.h"
#include "core/module/module.h"
#include "shared/org/scope.h"
#include "fieldwork/supervision/supervision.h"

void
supervision_queue(db_t *db, const auth_user_t *u, fg_queue_t *q)
{
	if (!(u->roles & (ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_MANAGER)))
		return;
	qb_t b;
	qb_init(&b, "SELECT t.id, t.number AS title, t.place AS subtitle, t.ended_at AS at, COUNT(*) OVER () AS n FROM tickets t "
		    "WHERE t.status IN ('ended', 'archived') AND NOT EXISTS (SELECT 1 FROM ticket_evaluations e WHERE e.ticket_id = t.id)");
	scope_plan_filter(&b, u, "t.plan_id");
	qb_sql(&b, " ORDER BY t.ended_at, t.number");
	module_queue_qb(q, db, "evaluations.due", "/supervision", "/tickets/{id}", &b);
}
