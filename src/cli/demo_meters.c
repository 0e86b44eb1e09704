/* The demo's meter ledger and rotation campaign (issue 12 item 9): 200,000 meters across two transformer areas,
 * generated deterministically into a temporary CSV and loaded through the bulk import (src/metering/imports, the
 * same path as `fieldgrid import meters`), then a rotation campaign of the meters older than eight years, generated
 * and running, with the work orders of its past days finished (field work's work_orders_follow → done, whose
 * work_order.finished event marks their meters replaced). Once per database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/auth/session.h"
#include "core/auth/users.h"
#include "core/base/util.h"
#include "core/calendar/calendar.h"
#include "core/events/events.h"
#include "core/module/module.h"
#include "fieldwork/interface/work_orders.h"
#include "metering/imports/imports.h"
#include "metering/rotation/rotation.h"
#include "cli/cli.h"

const char *const demo_meter_areas[2] = {"城东1号台区", "城西2号台区"};
#define areas demo_meter_areas

/* Deterministic rows: asset numbers 3340000000001…, installed 2013–2024 (about a third older than eight years),
 * 20 batches of two makers, one batch failed its sampling (状态更换). */
static int
write_csv(FILE *f)
{
	fputs("asset_no,kind,subtype,model,manufacturer,batch,accuracy_class,rated,constant,produced_on,verified_on,sampling,"
	      "status,point_no,transformer_area,installed_on\n", f);
	for (int i = 1; i <= DEMO_METERS; i++) {
		int b = (i * 7) % 20, y = 2013 + (i * 11) % 12, m = 1 + (i * 5) % 12, d = 1 + (i * 3) % 28;
		bool three = i % 10 == 0;
		fprintf(f, "334%010d,meter,%s,%s,%s,PC%04d,%s,%s,%s,%04d-%02d-%02d,%04d-%02d-%02d,%s,installed,JL%09d,%s,%04d-%02d-%02d\n", i,
		    three ? "three_phase_direct" : "single_phase", three ? "DTZY1296" : "DDZY1296", b % 2 ? "威胜" : "林洋",
		    2000 + b, three ? "1.0" : "2.0", three ? "3×220/380V 5(60)A" : "220V 5(60)A", three ? "400" : "1200", y, m,
		    d > 1 ? d - 1 : d, y, m, d > 1 ? d - 1 : d, b == 13 ? "failed" : "", i, areas[i % 2], y, m, d);
	}
	return fflush(f) == 0 ? 0 : -1;
}

int
demo_person(db_t *db, const char *username, auth_user_t *a)
{
	json_t *u = users_get_by_name(db, username);
	if (!u)
		return -1;
	memset(a, 0, sizeof *a);
	fg_fmt(a->id, sizeof a->id, "%s", json_string_value(json_object_get(u, "id")));
	fg_fmt(a->username, sizeof a->username, "%s", username);
	a->roles = session_user_roles(db, a->id);
	json_decref(u);
	return 0;
}

void
demo_subscribe(void)
{
	static const fg_subscription_t *subs[64];
	int ns = 0;
	FG_EACH_MODULE(m) if (m->subscriptions && ns < 63) subs[ns++] = m->subscriptions;
	subs[ns] = NULL;
	events_set_subscribers(subs);
}

int
demo_meters(db_t *db, int *meters, int *finished)
{
	*meters = *finished = 0;
	int rc;
	json_t *have = db_one(db_q(db, "SELECT COUNT(*) AS n FROM metering_assets WHERE asset_no LIKE '334%'", ""), &rc);
	json_int_t n = json_integer_value(json_object_get(have, "n"));
	json_decref(have);
	if (!have)
		return -1;
	if (n > 0)
		return 0; /* loaded before */
	FILE *f = tmpfile();
	fg_err_t e = FG_ERR_INIT;
	char id[37];
	if (!f || write_csv(f) != 0 || mimp_open(db, NULL, "demo-meters.csv", 0, id, &e) != 0 ||
	    mimp_run(db, NULL, id, fileno(f), NULL, &e) != 0) {
		fprintf(stderr, "fieldgrid: demo meters: %s\n", e.code ? e.code : "cannot write the file");
		if (f)
			fclose(f);
		fg_err_clear(&e);
		return -1;
	}
	fclose(f);
	*meters = DEMO_METERS;

	/* the campaign: smart meters older than eight years (about 100,000), from three weeks ago, 80 crews × 60 meters a
	 * day: about 21 working days, half of them past */
	auth_user_t boss;
	if (demo_person(db, "hejianping", &boss) != 0) {
		fprintf(stderr, "fieldgrid: demo rotation: no demo manager (load data/demo/foundation.json first)\n");
		*finished = -1;
		return 0;
	}
	int64_t now = fg_now_ms();
	char start[11], today[11];
	cal_local_day(now - 21LL * 86400000, start);
	cal_local_day(now, today);
	json_t *in = json_pack("{s:s, s:i, s:i, s:s, s:i, s:{s:i}}", "name", "2026年智能电能表到期轮换（城东、城西）", "crews", 80,
	    "per_crew_day", 60, "start_on", start, "due_days", 2, "criteria", "older_than_years", 8), *c = NULL, *g = NULL;
	rc = rotation_create(db, boss.id, in, &c, &e);
	json_decref(in);
	if (rc == 0)
		rc = flow_fire(db, &rotation_flow, json_string_value(json_object_get(c, "id")), "generate", &boss, NULL, &g, &e);
	json_decref(g);
	if (rc != 0) { /* e.g. the calendar does not know the campaign's year yet: the ledger stays, no campaign */
		fprintf(stderr, "fieldgrid: demo rotation campaign not generated: %s\n", e.code);
		fg_err_clear(&e);
		json_decref(c);
		*finished = -1;
		return 0;
	}
	/* its past days' work orders are done: the event marks their meters replaced (the bus delivers it here as in
	 * the server: the modules' subscriptions, without starting the modules) */
	demo_subscribe();
	json_t *orders = db_all(db_q(db, "SELECT work_order_id FROM rotation_orders WHERE campaign_id = $1 AND day < $2 ORDER BY day, area",
				    "tt", json_string_value(json_object_get(c, "id")), today), &rc), *o;
	json_decref(c);
	size_t i;
	json_array_foreach(orders, i, o) {
		if (db_begin(db) != 0)
			break;
		if (work_orders_follow(db, boss.id, json_string_value(json_object_get(o, "work_order_id")), "done", "demo_rotation", true, &e) != 0 ||
		    db_commit(db) != 0) {
			db_rollback(db);
			fprintf(stderr, "fieldgrid: demo rotation order: %s\n", e.code ? e.code : db_errmsg(db));
			fg_err_clear(&e);
			break;
		}
		(*finished)++;
	}
	json_decref(orders);
	return 0;
}
