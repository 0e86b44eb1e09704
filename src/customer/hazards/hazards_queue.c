/* The hazards' part of the person's queue (GET /api/v1/me/queue), as the hazard flow's roles and persons act
 * (data/flows/customer_hazard.json):
 *   hazards.rectify  — grid-side hazards being rectified under a plan the person owns: theirs to close with evidence;
 *   hazards.report   — customer-side hazards signed for by the customer, to be reported to the authority
 *                      (hazards.report: customer managers, managers);
 *   hazards.follow_up — reported customer-side hazards past their rectification deadline: a follow-up check is due
 *                      (hazards.write holders who work on site or run the desk: customer managers, managers). */
#include "core/auth/perm.h"
#include "core/base/util.h"
#include "core/module/module.h"
#include "customer/hazards/hazards.h"

#define HZ_COLS "SELECT h.id, h.number AS title, c.name AS subtitle, h.due_at AS at, COUNT(*) OVER () AS n " \
		"FROM customer_hazards h JOIN customers c ON c.id = h.customer_id WHERE "

void
hazards_queue(db_t *db, const auth_user_t *u, fg_queue_t *q)
{
	if (!perm_allows(u->roles, "hazards.read"))
		return;
	qb_t b;
	qb_init(&b, HZ_COLS "h.side = 'grid' AND h.status = 'rectifying' AND h.owner_id = ");
	qb_text(&b, u->id);
	qb_sql(&b, " ORDER BY h.due_at, h.number");
	module_queue_qb(q, db, "hazards.rectify", "/hazards", "/hazards/{id}", &b);
	if (perm_allows(u->roles, "hazards.report")) {
		qb_init(&b, HZ_COLS "h.side = 'customer' AND h.status = 'signed' ORDER BY h.signed_at, h.number");
		module_queue_qb(q, db, "hazards.report", "/hazards", "/hazards/{id}", &b);
	}
	if (u->roles & (ROLE_ADMIN | ROLE_MANAGER | ROLE_CUSTOMER_MANAGER)) {
		qb_init(&b, HZ_COLS "h.side = 'customer' AND h.status = 'reported' AND h.due_at < ");
		qb_int(&b, fg_now_ms());
		qb_sql(&b, " ORDER BY h.due_at, h.number");
		module_queue_qb(q, db, "hazards.follow_up", "/hazards", "/hazards/{id}", &b);
	}
}
