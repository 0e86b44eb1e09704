/* The customer manager's part of the person's queue (GET /api/v1/me/queue): their applications that need them now —
 * the same rule as GET /customer-manager/queue (custmgr_queue: a stage of theirs and not held, an open acceptance,
 * open hazards, a power-on request to make or confirm), so the dashboard and the manager's own page never differ. */
#include "core/auth/perm.h"
#include "core/base/util.h"
#include "core/module/module.h"
#include "customer/custmgr/custmgr.h"

void
custmgr_waiting(db_t *db, const auth_user_t *u, fg_queue_t *q)
{
	if (!(u->roles & ROLE_CUSTOMER_MANAGER))
		return; /* the queue is of the applications a person manages: only customer managers are given any */
	json_t *out = NULL, *a;
	fg_err_t e = FG_ERR_INIT;
	if (custmgr_queue(db, u, u->id, &out, &e) != 0) {
		fg_err_clear(&e);
		return;
	}
	json_t *items = json_array();
	int64_t n = 0;
	size_t i;
	json_array_foreach(json_object_get(out, "applications"), i, a) {
		if (json_array_size(json_object_get(a, "needs")) == 0)
			continue;
		if (n++ < q->limit) {
			char path[160];
			fg_fmt(path, sizeof path, "/applications/%s", fg_jstr(a, "id"));
			json_array_append_new(items, json_pack("{s:O, s:O, s:O, s:O, s:s}", "id", json_object_get(a, "id"), "title",
							     json_object_get(a, "number"), "subtitle", json_object_get(a, "applicant_name"),
							     "at", json_object_get(a, "created_at"), "path", path));
		}
	}
	json_decref(out);
	module_queue_add(q, "applications.needs_me", "/applications/queue", n, items);
}
