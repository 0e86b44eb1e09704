/* The tools' part of the person's queue (GET /api/v1/me/queue): for tool keepers (tools.write records the tests),
 * tools in use whose test is overdue — forbidden on site until tested — and those due within TOOLS_DUE_SOON_DAYS,
 * the same sets as GET /tools?status=overdue and ?status=test_due_soon. */
#include "core/auth/perm.h"
#include "core/base/day.h"
#include "core/module/module.h"
#include "safety/tools/tools.h"

void
tools_queue(db_t *db, const auth_user_t *u, fg_queue_t *q)
{
	if (!perm_allows(u->roles, "tools.write"))
		return;
	char today[11], soon[11];
	day_today(today);
	if (!day_add_days(today, TOOLS_DUE_SOON_DAYS, soon))
		return;
	qb_t b;
	qb_init(&b, "SELECT id, asset_no || COALESCE(' ' || name, '') AS title, COALESCE(location, store) AS subtitle, "
		    "next_test_due AS at, COUNT(*) OVER () AS n FROM tools WHERE custody IN ('in_store', 'checked_out') "
		    "AND next_test_due < ");
	qb_text(&b, today);
	qb_sql(&b, " ORDER BY next_test_due, asset_no");
	module_queue_qb(q, db, "tools.test_overdue", "/tools?status=overdue", "/tools/{id}", &b);
	qb_init(&b, "SELECT id, asset_no || COALESCE(' ' || name, '') AS title, COALESCE(location, store) AS subtitle, "
		    "next_test_due AS at, COUNT(*) OVER () AS n FROM tools WHERE custody = 'in_store' AND next_test_due >= ");
	qb_text(&b, today);
	qb_sql(&b, " AND next_test_due <= ");
	qb_text(&b, soon);
	qb_sql(&b, " ORDER BY next_test_due, asset_no");
	module_queue_qb(q, db, "tools.test_due", "/tools?status=test_due_soon", "/tools/{id}", &b);
}
