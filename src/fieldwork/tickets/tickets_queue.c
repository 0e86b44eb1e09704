/* The tickets' part of the person's queue (GET /api/v1/me/queue): tickets waiting for the caller's signature, the
 * flow's own rules (data/flows/ticket.json) — issuer issues a draft, the ticket's leader receives it, a permitter
 * permits it, the leader ends the work, an issuer or manager archives it — and, for the issuer and the permitter,
 * never a ticket they lead (signer_conflict: the signers check each other). Scope as GET /tickets. */
#include "core/auth/perm.h"
#include "core/module/module.h"
#include "shared/org/scope.h"
#include "fieldwork/tickets/tickets.h"

#define COLS "SELECT t.id, t.number AS title, t.place AS subtitle, t.planned_start AS at, COUNT(*) OVER () AS n FROM tickets t WHERE "

static void
kind(db_t *db, const auth_user_t *u, fg_queue_t *q, const char *name, const char *status_sql, int mine)
{
	qb_t b;
	qb_init(&b, COLS);
	qb_sql(&b, status_sql);
	/* mine 1: the caller leads it; -1: the caller does not (a signer other than the leader); 0: either */
	if (mine) {
		qb_sql(&b, mine > 0 ? " AND t.leader_id = " : " AND t.leader_id <> ");
		qb_text(&b, u->id);
	}
	scope_plan_filter(&b, u, "t.plan_id");
	qb_sql(&b, " ORDER BY t.planned_start, t.number");
	module_queue_qb(q, db, name, "/tickets", "/tickets/{id}", &b);
}

void
tickets_queue(db_t *db, const auth_user_t *u, fg_queue_t *q)
{
	uint32_t r = u->roles;
	if (r & (ROLE_ADMIN | ROLE_ISSUER))
		kind(db, u, q, "tickets.issue", "t.status = 'draft'", -1);
	if (r & (ROLE_ADMIN | ROLE_LEADER))
		kind(db, u, q, "tickets.receive", "t.status = 'issued'", 1);
	if (r & (ROLE_ADMIN | ROLE_PERMITTER))
		kind(db, u, q, "tickets.permit", "t.status = 'received'", -1);
	if (r & (ROLE_ADMIN | ROLE_LEADER))
		kind(db, u, q, "tickets.end", "t.status IN ('working', 'interrupted')", 1);
	if (r & (ROLE_ADMIN | ROLE_ISSUER | ROLE_MANAGER))
		kind(db, u, q, "tickets.archive", "t.status = 'ended'", 0);
}
