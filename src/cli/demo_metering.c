/* The demo's collection figures, anomalies and metering cases (issue 12 item 9), on the points of the demo meter
 * ledger (demo_meters.c), through the modules' own functions as the routes call them — nothing is written into
 * their tables here:
 *   - collection: a demo key of the collection system (collection_key_create) posts the last seven days' success
 *     figures of both transformer areas (collection_daily_post) and a batch of events (collection_event_check →
 *     collection_ingest): six open anomalies of six kinds, one of them a concentrator's communication failure over
 *     three points, each with its collection_fault work order, and a loss of current already restored (closed, its
 *     new order cancelled by the settling); then the key is revoked, so no live credential is left whose secret
 *     nobody holds — the key list shows who posted the demo's figures;
 *   - one case of each of the seven desk processes (meterproc_create, flow_fire as the desk's transitions, field
 *     work's work_orders_follow → done, whose work_order.finished moves the case as the server does): an install,
 *     a retrofit (past its limit: a red clock) and a collection-device install still in the field; a fault closed;
 *     a disputed meter tested within its class, awaiting the answer to the customer; a first inspection found out of
 *     tolerance, its meter being replaced; an error case with its 退补 calculated, awaiting a second person.
 * Each part once per database: the collection part when no key has the demo's name, the cases when no retrofit
 * case has the demo's subject. Meters are picked by the ledger's own formula among those installed since 2019, so
 * the rotation campaign (older than eight years) never replaces one under a case. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/auth/session.h"
#include "core/base/day.h"
#include "core/base/util.h"
#include "core/calendar/calendar.h"
#include "core/flow/flow.h"
#include "fieldwork/interface/work_orders.h"
#include "metering/collection/collection.h"
#include "metering/collection/collection_parse.h"
#include "metering/meterproc/meterproc.h"
#include "cli/cli.h"

#define KEY_NAME "演示数据 · 用电信息采集系统"
#define RETROFIT_SUBJECT "城西2号台区 老旧计量箱改造（演示）"
#define HOUR 3600000LL
#define DAY (24 * HOUR)

/* The k-th (from 1) demo meter installed since 2019 (demo_meters.c's formula: year 2013 + (i·11) mod 12), in the
 * area of parity `area` (0 城东 even, 1 城西 odd, -1 either), three-phase (i divisible by 10) or not. */
static int
young(int k, int area, bool three)
{
	for (int i = 1; i <= DEMO_METERS; i++)
		if (2013 + (i * 11) % 12 >= 2019 && (area < 0 || i % 2 == area) && (i % 10 == 0) == three && --k == 0)
			return i;
	return 1;
}

static void
point_of(int i, char point[16], char asset[16])
{
	fg_fmt(point, 16, "JL%09d", i);
	fg_fmt(asset, 16, "334%010d", i);
}

static const char *
area_of(int i)
{
	return demo_meter_areas[i % 2];
}

/* ---- collection ---- */

static int
demo_collection(db_t *db, const auth_user_t *boss, int *anomalies)
{
	json_t *keys = collection_keys_list(db), *k;
	size_t n;
	if (!keys)
		return -1;
	json_array_foreach(json_object_get(keys, "items"), n, k) if (strcmp(fg_jstr(k, "name"), KEY_NAME) == 0) {
		json_decref(keys);
		return 0; /* loaded before */
	}
	json_decref(keys);
	fg_err_t e = FG_ERR_INIT;
	json_t *in = json_pack("{s:s}", "name", KEY_NAME), *key = NULL, *out = NULL;
	int rc = collection_key_create(db, boss->id, in, &key, &e);
	json_decref(in);
	if (rc != 0)
		goto fail;
	const char *key_id = fg_jstr(key, "id");
	int64_t now = fg_now_ms();

	/* the last seven days' figures: 100,000 meters expected in each area (the ledger's split), collected 96–99.6 % */
	json_t *items = json_array();
	for (int d = 7; d >= 1; d--) {
		char day[11];
		cal_local_day(now - d * DAY, day);
		for (int a = 0; a < 2; a++) {
			int expected = DEMO_METERS / 2, missed = a == 0 ? 400 + 97 * d % 700 : 1500 + 131 * d % 2500;
			json_array_append_new(items, json_pack("{s:s, s:s, s:i, s:i}", "date", day, "transformer_area", demo_meter_areas[a],
							     "expected", expected, "collected", expected - missed));
		}
	}
	rc = collection_daily_post(db, key_id, items, &out, &e);
	json_decref(items);
	json_decref(out);
	out = NULL;
	if (rc != 0)
		goto fail;

	/* the events, as the system's batch would carry them */
	struct {
		const char *kind, *signal, *terminal;
		int meter;
		int64_t ago;
	} evs[] = {
	    {"reverse_energy", "alarm", NULL, young(1, 1, false), 26 * HOUR},
	    {"cover_opened", "alarm", NULL, young(1, 0, false), 20 * HOUR},
	    {"voltage_loss", "alarm", NULL, young(1, 0, true), 9 * HOUR},
	    {"clock_error", "alarm", NULL, young(2, 1, false), 50 * HOUR},
	    {"abnormal_consumption", "alarm", NULL, young(2, 0, false), 30 * HOUR},
	    {"communication_failure", "alarm", "ZD-CX-0107", young(3, 1, false), 6 * HOUR},
	    {"communication_failure", "alarm", "ZD-CX-0107", young(4, 1, false), 6 * HOUR - 60000},
	    {"communication_failure", "alarm", "ZD-CX-0107", young(5, 1, false), 6 * HOUR - 120000},
	    {"reverse_energy", "alarm", NULL, young(1, 1, false), 2 * HOUR}, /* again while open: counted, not a second */
	    {"current_loss", "alarm", NULL, young(3, 0, false), 5 * HOUR},
	    {"current_loss", "restored", NULL, young(3, 0, false), 3 * HOUR},
	};
	json_t *batch = json_array(), *errors = json_array();
	for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++) {
		char point[16], asset[16], eid[32], detail[120];
		point_of(evs[i].meter, point, asset);
		fg_fmt(eid, sizeof eid, "DEMO-CJ-%04zu", i + 1);
		fg_fmt(detail, sizeof detail, "电能表 %s", asset);
		json_t *raw = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "event_id", eid, "kind", evs[i].kind, "signal", evs[i].signal,
		    "point_no", point, "transformer_area", area_of(evs[i].meter), "occurred_at", (json_int_t)(now - evs[i].ago), "detail", detail);
		if (evs[i].terminal)
			json_object_set_new(raw, "terminal_no", json_string(evs[i].terminal));
		json_t *ev = NULL;
		rc = collection_event_check(raw, &ev, &e);
		json_decref(raw);
		if (rc != 0) {
			json_decref(batch);
			json_decref(errors);
			goto fail;
		}
		json_array_append_new(batch, ev);
	}
	size_t received = json_array_size(batch);
	rc = collection_ingest(db, "api", key_id, NULL, batch, errors, received, &out, &e); /* errors: taken */
	json_decref(batch);
	json_decref(out);
	out = NULL;
	if (rc != 0)
		goto fail;
	rc = collection_key_revoke(db, boss->id, key_id, &out, &e);
	json_decref(out);
	if (rc != 0)
		goto fail;
	json_decref(key);
	*anomalies = 6;
	return 0;
fail:
	fprintf(stderr, "fieldgrid: demo collection: %s\n", e.code ? e.code : "?");
	fg_err_clear(&e);
	json_decref(key);
	return -1;
}

/* ---- the cases ---- */

static json_t *
open_case(db_t *db, const auth_user_t *boss, json_t *in, fg_err_t *e)
{
	json_t *out = NULL;
	if (db_begin(db) != 0) {
		json_decref(in);
		fg_err(e, "internal");
		return NULL;
	}
	if (meterproc_create(db, boss->id, in, &out, e) != 0 || db_commit(db) != 0) {
		db_rollback(db);
		json_decref(out);
		json_decref(in);
		if (!e->code)
			fg_err(e, "internal");
		return NULL;
	}
	json_decref(in);
	return out;
}

/* The crew finishes the case's open work order (field work's own move; its work_order.finished moves the case). */
static int
finish_order(db_t *db, const auth_user_t *who, json_t *c, fg_err_t *e)
{
	if (db_begin(db) != 0)
		return fg_err(e, "internal");
	if (work_orders_follow(db, who->id, fg_jstr(c, "work_order_id"), "done", "demo_metering", true, e) != 0 || db_commit(db) != 0) {
		db_rollback(db);
		return e->code ? -1 : fg_err(e, "internal");
	}
	return 0;
}

static int
fire(db_t *db, const auth_user_t *who, json_t *c, const char *action, json_t *body, fg_err_t *e)
{
	json_t *out = NULL;
	int rc = flow_fire(db, &meterproc_flow, fg_jstr(c, "id"), action, who, body, &out, e);
	json_decref(out);
	json_decref(body);
	return rc;
}

/* A case's opened_at: `days` ago at 09:30 Shanghai. */
static int64_t
days_ago(int64_t now, int days)
{
	char day[11];
	cal_local_day(now - days * DAY, day);
	int64_t at = (int64_t)day_diff("1970-01-01", day) * DAY - 8 * HOUR + 9 * HOUR + 30 * 60000;
	return at < now ? at : now;
}

static int
demo_cases(db_t *db, const auth_user_t *boss, json_t *org_keys, int *made)
{
	meterproc_filter_t f = {.kind = "retrofit", .late = -1, .open = -1, .limit = 500};
	json_t *have = NULL, *it;
	fg_err_t e = FG_ERR_INIT;
	size_t n;
	if (meterproc_list(db, &f, &have, &e) != 0)
		goto fail;
	json_array_foreach(json_object_get(have, "items"), n, it) if (strcmp(fg_jstr(it, "subject"), RETROFIT_SUBJECT) == 0) {
		json_decref(have);
		return 0; /* loaded before */
	}
	json_decref(have);
	const char *jlyw = json_string_value(json_object_get(org_keys, "jlyw")), *cjyw = json_string_value(json_object_get(org_keys, "cjyw"));
	int64_t now = fg_now_ms();
	char today[11], energised[11], from[11], to[11], p[16], a[16];
	cal_local_day(now, today);
	day_add_days(today, -10, energised);
	day_add_days(today, -400, from);
	day_add_days(today, -1, to);
	json_t *c;
	int m;

	/* install: a new LV connection, in the field today */
	c = open_case(db, boss, json_pack("{s:s, s:s, s:I, s:{s:s, s:s?, s:s}}", "kind", "install", "subject",
				       "城东1号台区 新建住宅 3 幢 单相电能表新装（演示）", "opened_at", (json_int_t)days_ago(now, 0), "data",
				       "install_type", "lv", "team_id", jlyw, "site_address", "临澜市城东区滨江路 88 号 3 幢"), &e);
	if (!c)
		goto fail;
	json_decref(c);
	(*made)++;

	/* retrofit: the field stage past its ten working days (a red clock on the board) */
	m = young(6, 1, false);
	point_of(m, p, a);
	c = open_case(db, boss, json_pack("{s:s, s:s, s:s, s:s, s:I, s:{s:s?}}", "kind", "retrofit", "subject", RETROFIT_SUBJECT, "point_no", p,
				       "asset_no", a, "opened_at", (json_int_t)days_ago(now, 20), "data", "team_id", jlyw), &e);
	if (!c)
		goto fail;
	json_decref(c);
	(*made)++;

	/* collection: a concentrator to install for the area behind the failing terminal, in the field */
	m = young(3, 1, false);
	point_of(m, p, a);
	c = open_case(db, boss, json_pack("{s:s, s:s, s:s, s:I, s:{s:s?}}", "kind", "collection", "subject",
				       "城西2号台区 集中器 ZD-CX-0107 更换（演示）", "point_no", p, "opened_at", (json_int_t)days_ago(now, 1),
				       "data", "team_id", cjyw), &e);
	if (!c)
		goto fail;
	json_decref(c);
	(*made)++;

	/* fault: a customer's meter shows nothing (95598), replaced and closed */
	m = young(4, 0, false);
	point_of(m, p, a);
	c = open_case(db, boss, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:{s:s, s:s?}}", "kind", "fault", "subject",
				       "95598 工单：电能表黑屏（演示）", "point_no", p, "asset_no", a, "customer_name", "赵国庆", "customer_phone",
				       "13857100003", "opened_at", (json_int_t)days_ago(now, 2), "data", "wiring", "direct", "team_id", jlyw), &e);
	if (!c || finish_order(db, boss, c, &e) != 0)
		goto fail_c;
	json_decref(c);
	(*made)++;

	/* disputed: tested within its class (2.0), the order done: the answer to the customer is due */
	m = young(5, 0, false);
	point_of(m, p, a);
	c = open_case(db, boss, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:{s:s, s:s?}}", "kind", "disputed", "subject",
				       "客户认为电量偏高，申请校验电能表（演示）", "point_no", p, "asset_no", a, "customer_name", "钱美玲",
				       "customer_phone", "13857100001", "opened_at", (json_int_t)days_ago(now, 3), "data", "accuracy_class", "2.0",
				       "team_id", jlyw), &e);
	if (!c || fire(db, boss, c, "record_test", json_pack("{s:s, s:s}", "error_percent", "+0.8", "result", "pass"), &e) != 0 ||
	    finish_order(db, boss, c, &e) != 0)
		goto fail_c;
	json_decref(c);
	(*made)++;

	/* first inspection: a 10 kV customer's new metering, +0.9 % on a 0.5S meter — out of tolerance, being replaced */
	c = open_case(db, boss, json_pack("{s:s, s:s, s:s, s:s, s:I, s:{s:s, s:s, s:s, s:s, s:s?}}", "kind", "first_inspection", "subject",
				       "临澜工业园 10kV 专变新装计量首次检验（演示）", "point_no", "JLGY00000001", "asset_no", "3340900000001",
				       "opened_at", (json_int_t)days_ago(now, 8), "data", "energised_on", energised, "accuracy_class", "0.5S",
				       "install_type", "hv", "wiring", "ct", "team_id", jlyw), &e);
	if (!c || fire(db, boss, c, "record_test", json_pack("{s:s, s:s}", "error_percent", "+0.9", "accuracy_class", "0.5S"), &e) != 0 ||
	    finish_order(db, boss, c, &e) != 0)
		goto fail_c;
	json_decref(c);
	(*made)++;

	/* error: a three-phase meter found running 4.2 % fast; field work done, the 退补 calculated (half the period since
	 * its installation, REFERENCE.md §4.4): awaiting the second person's approval */
	m = young(2, 0, true);
	point_of(m, p, a);
	c = open_case(db, boss, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:{s:s, s:s?}}", "kind", "error", "subject",
				       "电能表超差（+4.2%）退补处理（演示）", "point_no", p, "asset_no", a, "customer_name", "临澜市城东食品厂",
				       "customer_phone", "0571-86000002", "opened_at", (json_int_t)days_ago(now, 5), "data", "grade", "general",
				       "team_id", jlyw), &e);
	if (!c || finish_order(db, boss, c, &e) != 0 ||
	    fire(db, boss, c, "calculate", json_pack("{s:s, s:s, s:s, s:s, s:s}", "cause", "out_of_tolerance", "from", from, "to", to,
						  "energy_kwh", "86400", "error_percent", "+4.2"), &e) != 0)
		goto fail_c;
	json_decref(c);
	(*made)++;
	return 0;
fail_c:
	json_decref(c);
fail:
	fprintf(stderr, "fieldgrid: demo metering case: %s\n", e.code ? e.code : "?");
	fg_err_clear(&e);
	return -1;
}

int
demo_metering(db_t *db, json_t *org_keys, int *anomalies, int *cases)
{
	*anomalies = *cases = 0;
	auth_user_t boss;
	if (demo_person(db, "hejianping", &boss) != 0)
		return 0; /* no demo people: nothing to do it as */
	demo_subscribe(); /* the work orders' finishing moves the cases, as in the server */
	if (demo_collection(db, &boss, anomalies) != 0 || demo_cases(db, &boss, org_keys, cases) != 0)
		return -1;
	return 0;
}
