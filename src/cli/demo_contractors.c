#include <string.h>
#include "core/base/day.h"
#include "cli/cli.h"
#include "core/auth/users.h"
#include "safety/contractors/contractors.h"
#include "core/base/util.h"

/* Each company goes through the same rules as the API: created, its agreement recorded, its staff added. */
int
demo_contractors(db_t *db, json_t *list, fg_err_t *err)
{
	char today[11], qexp[11], signed_on[11], expires[11];
	day_today(today);
	size_t i, j;
	json_t *c, *who;
	json_array_foreach(list, i, c) {
		json_t *ag = json_object_get(c, "agreement"), *out = NULL;
		day_add_days(today, json_integer_value(json_object_get(c, "qualification_valid_days")), qexp);
		json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", fg_jstr(c, "name"), "credit_code",
		    fg_jstr(c, "credit_code"), "contact_name", fg_jstr(c, "contact_name"), "contact_phone", fg_jstr(c, "contact_phone"),
		    "qualification_name", fg_jstr(c, "qualification_name"), "qualification_no", fg_jstr(c, "qualification_no"),
		    "qualification_grade", fg_jstr(c, "qualification_grade"), "qualification_expires_on", qexp);
		int rc = in ? contractors_create(db, NULL, in, &out, err) : fg_err(err, "internal");
		json_decref(in);
		if (rc != 0)
			return -1;
		char id[40];
		snprintf(id, sizeof id, "%s", fg_jstr(out, "id"));
		json_decref(out);
		day_add_days(today, -json_integer_value(json_object_get(ag, "signed_days_ago")), signed_on);
		day_add_days(signed_on, json_integer_value(json_object_get(ag, "valid_days")), expires);
		in = json_pack("{s:s, s:s, s:s, s:s}", "number", fg_jstr(ag, "number"), "signed_on", signed_on, "expires_on", expires,
		    "contractor_signer", fg_jstr(ag, "contractor_signer"));
		out = NULL;
		rc = in ? contractors_add_agreement(db, NULL, id, in, &out, err) : fg_err(err, "internal");
		json_decref(in);
		json_decref(out);
		if (rc != 0)
			return -1;
		json_array_foreach(json_object_get(c, "staff"), j, who) {
			json_t *u = users_get_by_name(db, json_string_value(who));
			if (!u)
				return fg_err_not_found(err, "user", json_string_value(who));
			out = NULL;
			rc = contractors_add_staff(db, NULL, id, fg_jstr(u, "id"), &out, err);
			json_decref(u);
			json_decref(out);
			if (rc != 0)
				return -1;
		}
	}
	return 0;
}
