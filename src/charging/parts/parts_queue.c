/* The parts' part of the person's queue (GET /api/v1/me/queue), as data/flows/part_request.json gives the actions:
 * requests waiting to be issued (tool keepers, managers: `issue`, `reject`) and, for the engineer who asked, the
 * parts issued to them and not yet settled (`settle`: the requester). */
#include "core/auth/perm.h"
#include "core/module/module.h"
#include "core/db/qb.h"
#include "charging/parts/parts.h"

void
parts_queue(db_t *db, const auth_user_t *u, fg_queue_t *q)
{
	qb_t b;
	if (u->roles & (ROLE_ADMIN | ROLE_MANAGER | ROLE_TOOL_KEEPER)) {
		qb_init(&b, "SELECT id, number AS title, note AS subtitle, created_at AS at, COUNT(*) OVER () AS n FROM part_requests "
			    "WHERE status = 'requested' ORDER BY created_at, number");
		module_queue_qb(q, db, "parts.issue", "/parts", "/parts/requests/{id}", &b);
	}
	if (u->roles & (ROLE_ADMIN | ROLE_MANAGER | ROLE_OM_ENGINEER)) {
		qb_init(&b, "SELECT id, number AS title, note AS subtitle, issued_at AS at, COUNT(*) OVER () AS n FROM part_requests "
			    "WHERE status = 'issued' AND requested_by = ");
		qb_text(&b, u->id);
		qb_sql(&b, " ORDER BY issued_at, number");
		module_queue_qb(q, db, "parts.settle", "/parts", "/parts/requests/{id}", &b);
	}
}
