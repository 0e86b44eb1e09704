#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/embed.h"
#include "core/base/util.h"
#include "core/auth/password.h"
#include "core/auth/users.h"
#include "shared/org/org.h"
#include "shared/attach/attach.h"
#include "fieldwork/evaluation/evaluation.h"
#include "cli/cli.h"

/* fieldgrid demo: loads data/demo/foundation.json (compiled in) — a fictional supply company with its
 * departments, teams and people. Running it twice adds nothing twice. Every demo person gets the same password,
 * from FIELDGRID_DEMO_PASSWORD or generated and printed. */

static json_t *
find_org(db_t *db, const char *name, const char *parent)
{
	json_t *list = NULL;
	fg_err_t e = FG_ERR_INIT;
	if (org_list(db, NULL, parent, &list, &e) != 0) {
		fg_err_clear(&e);
		return NULL;
	}
	size_t i;
	json_t *o, *hit = NULL;
	json_array_foreach(json_object_get(list, "items"), i, o) {
		if (strcmp(json_string_value(json_object_get(o, "name")), name) == 0 &&
		    (parent || json_is_null(json_object_get(o, "parent_id")))) {
			hit = json_incref(o);
			break;
		}
	}
	json_decref(list);
	return hit;
}

int
cmd_demo(int argc, char **argv)
{
	cli_opts_t o;
	if (cli_parse(argc, argv, &o, NULL))
		return 2;
	const embed_file_t *f = embed_find("data/demo/foundation.json");
	if (!f) {
		fprintf(stderr, "fieldgrid: demo data is not compiled in\n");
		return 1;
	}
	json_error_t je;
	json_t *demo = json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, &je);
	if (!demo) {
		fprintf(stderr, "fieldgrid: demo data invalid at line %d: %s\n", je.line, je.text);
		return 1;
	}
	db_t *db = cli_open(&o);
	if (!db) {
		json_decref(demo);
		return 1;
	}
	int rc = 1, made_org = 0, made_users = 0;
	json_t *keys = json_object(); /* demo key → org unit id */
	char gen[17];
	const char *pw = getenv("FIELDGRID_DEMO_PASSWORD");
	if (!pw || !*pw) {
		password_generate(gen);
		pw = gen;
	}
	if (cli_ensure_admin(db) != 0)
		goto out;
	size_t i;
	json_t *u, *ou;
	json_array_foreach(json_object_get(demo, "org_units"), i, ou) {
		const char *parent_key = json_string_value(json_object_get(ou, "parent"));
		const char *parent = parent_key ? json_string_value(json_object_get(keys, parent_key)) : NULL;
		const char *name = json_string_value(json_object_get(ou, "name"));
		json_t *have = find_org(db, name, parent), *out = NULL;
		if (!have) {
			json_t *in = json_pack("{s:s, s:O, s:s?}", "name", name, "kind", json_object_get(ou, "kind"), "parent_id",
			    parent);
			fg_err_t e = FG_ERR_INIT;
			int r = org_create(db, NULL, in, &out, &e);
			json_decref(in);
			if (r != 0) {
				fprintf(stderr, "fieldgrid: demo org unit %s: %s\n", name, e.code);
				fg_err_clear(&e);
				goto out;
			}
			have = out;
			made_org++;
		}
		json_object_set(keys, json_string_value(json_object_get(ou, "key")), json_object_get(have, "id"));
		json_decref(have);
	}
	json_array_foreach(json_object_get(demo, "users"), i, u) {
		const char *username = json_string_value(json_object_get(u, "username"));
		json_t *have = users_get_by_name(db, username);
		if (have) {
			json_decref(have);
			continue;
		}
		const char *org_key = json_string_value(json_object_get(u, "org"));
		json_t *in = json_pack("{s:s, s:s, s:O, s:O, s:O, s:O?}", "username", username, "password", pw, "display_name",
		    json_object_get(u, "display_name"), "roles", json_object_get(u, "roles"), "org_unit_id",
		    org_key ? json_object_get(keys, org_key) : json_null(), "phone", json_object_get(u, "phone"));
		json_t *out = NULL;
		fg_err_t e = FG_ERR_INIT;
		int r = users_create(db, NULL, in, &out, &e);
		json_decref(in);
		json_decref(out);
		if (r != 0) {
			fprintf(stderr, "fieldgrid: demo user %s: %s\n", username, e.code);
			fg_err_clear(&e);
			goto out;
		}
		made_users++;
	}
	printf("demo data loaded: %d org units and %d people added\n", made_org, made_users);
	/* the default evaluation model (R3.12), once */
	json_t *models = NULL;
	fg_err_t me = FG_ERR_INIT;
	const embed_file_t *mf = embed_find("data/evaluation/default_model.json");
	json_t *mdoc = mf ? json_loadb(mf->data, mf->len, 0, NULL) : NULL;
	if (mdoc && evaluation_models(db, &models, &me) == 0 && json_array_size(json_object_get(models, "items")) == 0) {
		json_t *made = NULL;
		if (evaluation_model_create(db, NULL, mdoc, &made, &me) != 0) {
			fprintf(stderr, "fieldgrid: demo evaluation model: %s\n", me.code);
			fg_err_clear(&me);
		}
		json_decref(made);
	}
	json_decref(models);
	json_decref(mdoc);
	int customers = 0;
	if (demo_customers(db, keys, &customers) != 0)
		goto out;
	if (customers)
		printf("demo customers loaded: %d with their accounts, premises and metering points\n", customers);
	/* the day of field work needs the people's password to sign tickets: only when this run set it */
	attach_set_root(o.data);
	int jobs = 0;
	if (made_users && demo_fieldwork(db, keys, pw, &jobs) != 0)
		goto out;
	if (jobs)
		printf("demo day loaded: %d jobs, from draft to finished\n", jobs);
	int apps = 0;
	if (demo_applications(db, keys, &apps) != 0)
		goto out;
	if (apps)
		printf("demo applications loaded: %d, of every kind and stage\n", apps);
	int meters = 0, rotated = 0;
	if (demo_meters(db, &meters, &rotated) != 0)
		goto out;
	if (meters && rotated >= 0)
		printf("demo meters loaded: %d in two transformer areas; a rotation campaign running, %d of its work orders done\n",
		    meters, rotated);
	else if (meters)
		printf("demo meters loaded: %d in two transformer areas (no rotation campaign)\n", meters);
	int anomalies = 0, cases = 0;
	if (demo_metering(db, keys, &anomalies, &cases) != 0)
		goto out;
	if (anomalies)
		printf("demo collection loaded: seven days of success rates in both areas, %d open anomalies with their work orders\n",
		    anomalies);
	if (cases)
		printf("demo metering cases loaded: %d, one of each process, from the field stage to awaiting approval\n", cases);
	int plans = 0;
	if (demo_emergency(db, keys, &plans) != 0)
		goto out;
	if (plans)
		printf("demo emergency plans loaded: %d, a drill recorded and one ahead, a past emergency with its review, "
		       "today's on-call roster\n", plans);
	int hr = 0, hrchecks = 0;
	if (demo_hrcust(db, keys, &hr, &hrchecks) != 0)
		goto out;
	if (hr)
		printf("demo safety customers loaded: %d high-risk and important customers of every grade, %d checks generated\n", hr,
		    hrchecks);
	int hz = 0, sealed = 0;
	if (demo_hazards(db, &hz, &sealed) != 0)
		goto out;
	if (hz)
		printf("demo customer hazards loaded: %d in every state, %d sealed installation\n", hz, sealed);
	int backfills = 0;
	if (demo_backfill(db, &backfills) != 0)
		goto out;
	if (backfills)
		printf("demo backfills loaded: %d paper jobs of an outage (approved, pending, rejected) and one sensitive complaint\n",
		    backfills);
	int chargers = 0, sessions = 0;
	if (demo_chargers(db, keys, &chargers, &sessions) != 0)
		goto out;
	if (chargers)
		printf("demo charging loaded: 3 stations, %d chargers, a month of history (%d sessions, faults and their repairs, "
		       "inspections)\n", chargers, sessions);
	if (made_users)
		printf("demo people sign in with %s%s\n", pw == gen ? "the password " : "FIELDGRID_DEMO_PASSWORD",
		    pw == gen ? gen : "");
	rc = 0;
out:
	json_decref(keys);
	json_decref(demo);
	db_close(db);
	return rc;
}
