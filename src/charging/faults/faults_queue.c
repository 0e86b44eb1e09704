/* The faults' part of the person's queue (GET /api/v1/me/queue), as data/flows/fault.json gives the actions: the
 * faults dispatched to the caller and not yet resolved (`start`, `resolve`: the assignee), and for dispatchers
 * and managers the faults still in triage, waiting to be dispatched or resolved remotely. */
#include "core/auth/perm.h"
#include "core/module/module.h"
#include "core/db/qb.h"
#include "charging/faults/faults.h"

void
faults_queue(db_t *db, const auth_user_t *u, fg_queue_t *q)
{
	qb_t b;
	if (u->roles & (ROLE_ADMIN | ROLE_MANAGER | ROLE_OM_ENGINEER)) {
		qb_init(&b, "SELECT id, number AS title, title AS subtitle, repair_due_at AS at, COUNT(*) OVER () AS n FROM faults "
			    "WHERE assignee_id = ");
		qb_text(&b, u->id);
		qb_sql(&b, " AND status IN ('dispatched', 'repairing') ORDER BY repair_due_at, number");
		module_queue_qb(q, db, "faults.assigned", "/charging/faults", "/charging/faults/{id}", &b);
	}
	if (u->roles & (ROLE_ADMIN | ROLE_MANAGER | ROLE_DISPATCHER)) {
		qb_init(&b, "SELECT id, number AS title, title AS subtitle, response_due_at AS at, COUNT(*) OVER () AS n FROM faults "
			    "WHERE status = 'triage' ORDER BY response_due_at, number");
		module_queue_qb(q, db, "faults.triage", "/charging/faults", "/charging/faults/{id}", &b);
	}
}
