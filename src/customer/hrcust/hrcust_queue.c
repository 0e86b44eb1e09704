/* The safety checks' part of the person's queue (GET /api/v1/me/queue): checks not yet finished that are due within
 * a week or overdue, for those who run them on site (hrcust.check: crews, leaders, customer managers), within the
 * registry's scope — the customers of their unit and below, or every customer for company-wide roles. A customer
 * no unit serves is readable by everyone (GET /safety-checks), but its checks wait in no crew's queue: they would
 * wait in every crew's; the company-wide roles see them. */
#include "core/auth/perm.h"
#include "core/base/day.h"
#include "core/base/util.h"
#include "core/calendar/calendar.h"
#include "core/module/module.h"
#include "shared/org/scope.h"
#include "customer/hrcust/hrcust.h"

#define HRCUST_QUEUE_DAYS 7 /* a check shows a week before its day */

void
hrcust_queue(db_t *db, const auth_user_t *u, fg_queue_t *q)
{
	if (!perm_allows(u->roles, "hrcust.check"))
		return;
	char today[11], until[11];
	cal_local_day(fg_now_ms(), today);
	if (!day_add_days(today, HRCUST_QUEUE_DAYS, until))
		return;
	qb_t b;
	qb_init(&b, "SELECT k.id, k.number AS title, c.name AS subtitle, k.due_on AS at, COUNT(*) OVER () AS n "
		    "FROM hr_checks k JOIN customers c ON c.id = k.customer_id WHERE k.status <> 'done' AND k.due_on <= ");
	qb_text(&b, until);
	if (!scope_company_wide(u)) {
		qb_sql(&b, " AND c.org_unit_id IN (WITH RECURSIVE down(id) AS (SELECT id FROM org_units WHERE id = ");
		qb_text(&b, u->org_unit_id);
		qb_sql(&b, " UNION SELECT o.id FROM org_units o JOIN down d ON o.parent_id = d.id) SELECT id FROM down)");
	}
	qb_sql(&b, " ORDER BY k.due_on, k.number");
	module_queue_qb(q, db, "safety_checks.due", "/safety-checks", "/safety-checks/{id}", &b);
}
