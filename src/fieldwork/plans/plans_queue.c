/* The plans' part of the person's queue (GET /api/v1/me/queue): drafts waiting to be published (managers and
 * dispatchers, data/flows/plan.json `publish`) and, for a leader, their own published plans of today or earlier
 * waiting to be started. Scope as GET /plans. */
#include "core/auth/perm.h"
#include "core/base/day.h"
#include "core/module/module.h"
#include "shared/org/scope.h"
#include "fieldwork/plans/plans.h"

void
plans_queue(db_t *db, const auth_user_t *u, fg_queue_t *q)
{
	qb_t b;
	if (u->roles & (ROLE_ADMIN | ROLE_MANAGER | ROLE_DISPATCHER)) {
		qb_init(&b, "SELECT p.id, p.number || ' ' || p.title AS title, p.place AS subtitle, p.date AS at, COUNT(*) OVER () AS n "
			    "FROM plans p WHERE p.status = 'draft'");
		scope_plan_filter(&b, u, "p.id");
		qb_sql(&b, " ORDER BY p.date, p.number");
		module_queue_qb(q, db, "plans.publish", "/plans", "/plans/{id}", &b);
	}
	if (u->roles & (ROLE_ADMIN | ROLE_LEADER)) {
		char today[11];
		day_today(today);
		qb_init(&b, "SELECT p.id, p.number || ' ' || p.title AS title, p.place AS subtitle, p.date AS at, COUNT(*) OVER () AS n "
			    "FROM plans p WHERE p.status = 'published' AND p.leader_id = ");
		qb_text(&b, u->id);
		qb_sql(&b, " AND p.date <= ");
		qb_text(&b, today);
		qb_sql(&b, " ORDER BY p.date, p.number");
		module_queue_qb(q, db, "plans.start", "/jobs", "/jobs/{id}", &b);
	}
}
