#include <stdio.h>
#include <string.h>
#include "core/base/embed.h"
#include "cli/cli.h"
#include "customer/customers/customers.h"
#include "core/base/util.h"

/* Each customer goes through the same rules as the API (check digits, duplicates, audit): created with its
 * contacts, then its accounts, premises and metering points one by one. */
static int
load_one(db_t *db, json_t *org_keys, json_t *c, fg_err_t *err)
{
	const char *org = fg_jstr(c, "org");
	json_t *in = json_pack("{s:O, s:O, s:O, s:O, s:O?}", "kind", json_object_get(c, "kind"), "name",
	    json_object_get(c, "name"), "id_number", json_object_get(c, "id_number"), "contacts",
	    json_object_get(c, "contacts"), "org_unit_id", org ? json_object_get(org_keys, org) : NULL);
	if (fg_jstr(c, "id_type"))
		json_object_set(in, "id_type", json_object_get(c, "id_type"));
	json_t *cust = NULL, *acct = NULL, *prem = NULL, *pt = NULL;
	int rc = customers_create(db, NULL, in, &cust, err);
	json_decref(in);
	size_t i, j, k;
	json_t *a, *p, *m;
	json_array_foreach(json_object_get(c, "accounts"), i, a) {
		in = json_pack("{s:O}", "number", json_object_get(a, "number"));
		rc = rc ? rc : customers_account_create(db, NULL, fg_jstr(cust, "id"), in, &acct, err);
		json_decref(in);
		json_array_foreach(json_object_get(a, "premises"), j, p) {
			in = json_deep_copy(p);
			json_object_del(in, "metering_points");
			rc = rc ? rc : customers_premises_create(db, NULL, fg_jstr(acct, "id"), in, &prem, err);
			json_decref(in);
			json_array_foreach(json_object_get(p, "metering_points"), k, m) {
				rc = rc ? rc : customers_point_create(db, NULL, fg_jstr(prem, "id"), m, &pt, err);
				json_decref(pt);
				pt = NULL;
			}
			json_decref(prem);
			prem = NULL;
		}
		json_decref(acct);
		acct = NULL;
	}
	json_decref(cust);
	return rc;
}

int
demo_customers(db_t *db, json_t *org_keys, int *made)
{
	*made = 0;
	const embed_file_t *f = embed_find("data/demo/customers.json");
	json_t *doc = f ? json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, NULL) : NULL, *have = NULL, *c;
	fg_err_t e = FG_ERR_INIT;
	customers_filter_t all = {.limit = 1};
	if (!doc || customers_list(db, &all, &have, &e) != 0) {
		fprintf(stderr, "fieldgrid: demo customers: %s\n", doc ? e.code : "data/demo/customers.json missing or invalid");
		fg_err_clear(&e);
		json_decref(doc);
		return -1;
	}
	/* once per database: customers are there already when anyone has entered one */
	bool empty = json_integer_value(json_object_get(have, "total")) == 0;
	json_decref(have);
	size_t i;
	json_array_foreach(empty ? json_object_get(doc, "customers") : NULL, i, c) {
		if (load_one(db, org_keys, c, &e) != 0) {
			fprintf(stderr, "fieldgrid: demo customer %s: %s\n", fg_jstr(c, "name"), e.code);
			fg_err_clear(&e);
			json_decref(doc);
			return -1;
		}
		(*made)++;
	}
	json_decref(doc);
	return 0;
}
