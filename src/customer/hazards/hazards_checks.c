/* A finished safety check's findings become hazards (issue 13 items 2 and 3). The checks module (src/customer/hrcust)
 * states what a finished check found as the event CHECK_FINDINGS and calls nobody; this subscriber records each
 * finding as a customer-side hazard — the same record a crew makes on the phone (POST /api/v1/hazards) — in the
 * check's own transaction, found by the checker at the check's end, its photos kept, linked by check_id. The hazard
 * then runs its customer-side loop (notice, signed receipt, report, follow-ups) from the hazard board.
 *
 * Customer-side: a periodic check (用电检查) inspects the customer's own installation, so what it finds is for the
 * customer to put right; its severity starts as general. The kind comes from the checklist item through the map
 * "check_items" of data/flows/customer_hazard.json (an item not in it is kind "other").
 *
 * Also the ledger's view of hazards: the open ones per customer (hazards_open_by_customer). */
#include <string.h>
#include "core/base/util.h"
#include "core/flow/flow.h"
#include "customer/hazards/hazards.h"
#include "customer/interface/hazards.h"

int
hazards_on_check_findings(db_t *db, const fg_event_t *ev, fg_err_t *err)
{
	json_t *map = json_object_get(flow_def("customer_hazard"), "check_items"), *f;
	auth_user_t actor = {0};
	fg_fmt(actor.id, sizeof actor.id, "%s", ev->actor_id ? ev->actor_id : "");
	size_t i;
	json_array_foreach(json_object_get(ev->data, "findings"), i, f) {
		const char *check = fg_jstr(f, "check_id"), *desc = fg_jstr(f, "description");
		/* a delivery tried again after its writes landed (the bus retries a failed one) records nothing twice */
		int rc;
		json_t *seen = db_one(db_q(db, "SELECT id FROM customer_hazards WHERE check_id = $1 AND description = $2", "tt",
					  check, desc), &rc);
		if (seen) {
			json_decref(seen);
			continue;
		}
		if (rc != DB_DONE)
			return fg_err(err, "internal");
		const char *kind = json_string_value(json_object_get(map, fg_jstr(f, "item_code")));
		json_t *in = json_pack("{s:s?, s:s, s:s, s:s, s:s?, s:O?, s:s?}", "customer_id", fg_jstr(f, "customer_id"), "kind",
		    kind ? kind : "other", "side", "customer", "severity", "general", "description", desc, "photo_ids",
		    json_object_get(f, "photo_ids"), "check_id", check), *out = NULL;
		json_t *at = json_object_get(ev->data, "finished_at");
		if (json_is_integer(at))
			json_object_set(in, "found_at", at);
		int r = hazards_create(db, &actor, in, &out, err);
		json_decref(in);
		json_decref(out);
		if (r != 0)
			return -1;
	}
	return 0;
}

json_t *
hazards_open_by_customer(db_t *db)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT customer_id, COUNT(*) AS n, SUM(CASE WHEN due_at IS NOT NULL AND due_at < $1 THEN 1 ELSE 0 END) "
				       "AS late FROM customer_hazards WHERE status NOT IN ('closed', 'cancelled') GROUP BY customer_id",
				   "i", fg_now_ms()), &rc), *r;
	if (!rows)
		return NULL;
	json_t *out = json_object();
	size_t i;
	json_array_foreach(rows, i, r) json_object_set_new(out, fg_jstr(r, "customer_id"), json_pack("{s:I, s:I}", "open",
		json_integer_value(json_object_get(r, "n")), "overdue", json_integer_value(json_object_get(r, "late"))));
	json_decref(rows);
	return out;
}
