/* Metering cases' part of the person's queue (GET /api/v1/me/queue), the desk steps of data/flows/metering_case.json
 * (metering centre, managers): answers owed to a customer (reply), 退补 to calculate (calculation), and 退补 to
 * approve (approval) — never one the caller calculated (metering_refund_same_person), and only for metering.approve.
 * Steps waiting on field work (field, replacement) are the crews' work orders, not a desk's. */
#include "core/auth/perm.h"
#include "core/module/module.h"
#include "metering/meterproc/meterproc.h"

static void
step(db_t *db, fg_queue_t *q, const char *kind, const char *where, const char *me)
{
	qb_t b;
	qb_init(&b, "SELECT id, number AS title, subject AS subtitle, due_at AS at, COUNT(*) OVER () AS n FROM metering_cases WHERE ");
	qb_sql(&b, where);
	if (me) {
		qb_sql(&b, " AND (calculated_by IS NULL OR calculated_by <> ");
		qb_text(&b, me);
		qb_sql(&b, ")");
	}
	/* the nearest deadline first; a case without one after those that have one */
	qb_sql(&b, " ORDER BY CASE WHEN due_at IS NULL THEN 1 ELSE 0 END, due_at, number");
	module_queue_qb(q, db, kind, "/metering-cases", "/metering-cases/{id}", &b);
}

void
meterproc_queue(db_t *db, const auth_user_t *u, fg_queue_t *q)
{
	if (!(u->roles & (ROLE_ADMIN | ROLE_METERING | ROLE_MANAGER)))
		return;
	step(db, q, "metering_cases.answer", "status = 'reply'", NULL);
	step(db, q, "metering_cases.calculate", "status = 'calculation'", NULL);
	if (perm_allows(u->roles, "metering.approve"))
		step(db, q, "metering_cases.approve", "status = 'approval'", u->id);
}
