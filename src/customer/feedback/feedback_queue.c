/* Feedback's part of the person's queue (GET /api/v1/me/queue), the steps of data/flows/feedback.json for those who
 * handle it (feedback.write: the counter, customer managers, dispatchers — the 95598 desk —, managers): complaints
 * and opinions received and not yet contacted (their first-contact clock runs), and those contacted and not yet
 * answered, the nearest deadline first. */
#include "core/auth/perm.h"
#include "core/module/module.h"
#include "customer/feedback/feedback.h"

static void
step(db_t *db, fg_queue_t *q, const char *kind, const char *where, const char *due)
{
	qb_t b;
	qb_init(&b, "SELECT id, number AS title, subject AS subtitle, ");
	qb_sql(&b, due);
	qb_sql(&b, " AS at, COUNT(*) OVER () AS n FROM feedback_items WHERE ");
	qb_sql(&b, where);
	qb_sql(&b, " ORDER BY CASE WHEN ");
	qb_sql(&b, due);
	qb_sql(&b, " IS NULL THEN 1 ELSE 0 END, ");
	qb_sql(&b, due);
	qb_sql(&b, ", number");
	module_queue_qb(q, db, kind, "/feedback", "/feedback/{id}", &b);
}

void
feedback_queue(db_t *db, const auth_user_t *u, fg_queue_t *q)
{
	if (!perm_allows(u->roles, "feedback.write"))
		return;
	step(db, q, "feedback.contact", "status = 'received' AND contact_due_at IS NOT NULL", "contact_due_at");
	step(db, q, "feedback.answer", "status = 'contacted'", "reply_due_at");
}
