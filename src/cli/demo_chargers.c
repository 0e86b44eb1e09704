/* Demo data of issue 14 item 6 (`fieldgrid demo`, once per database): three charging stations with ten chargers
 * and a month of their life, so the live board, the faults desk and the KPI charts show real figures.
 *
 * The month is written the way the server would have recorded it, through the modules' own functions:
 *   - the ledger (stations, chargers, id tags) by chargers_station_create, chargers_create, chargers_idtag_create;
 *   - everything a charger said by chargers_ocpp_call and chargers_ocpp_link — the functions the OCPP gateway's
 *     writer calls — with the charger's own timestamps in the messages (BootNotification, StatusNotification,
 *     StartTransaction, MeterValues, StopTransaction), so the status log, sessions and meter values carry the
 *     past times, and the faults module's subscribers raise and clear alarms and open fault cases as they would;
 *   - the repairs by the fault flow's own transitions (flow_fire_tx at the instant the step was taken: dispatch,
 *     start, resolve, report, close), the fault's work order following;
 *   - last month's inspections by inspections_generate, inspections_record_at and inspections_finish_at.
 * Everything is drawn from a fixed seed, counted back from today (Asia/Shanghai): two runs on the same day make
 * the same month. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli/cli.h"
#include "core/base/util.h"
#include "core/db/db.h"
#include "core/flow/flow.h"
#include "core/ocpp/ocpp_frame.h"
#include "charging/chargers/chargers.h"
#include "charging/faults/faults.h"
#include "charging/inspections/inspections.h"

#define MIN_MS (60LL * 1000)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)
#define DAYS 30
#define NTAGS 24

static const struct {
	const char *code, *name, *address;
} stations[] = {
	{"CS-LL01", "临澜大道公交充电站", "临澜市临澜大道 88 号公交停保场"},
	{"CS-BJ02", "滨江公园公共充电站", "临澜市滨江路 16 号滨江公园东停车场"},
	{"CS-KJ03", "科技园区员工充电站", "临澜市科创大道 200 号园区地下车库"},
};

/* The ten chargers: station index, charge point id, name, kind, payment, vendor, model, connectors, rated kW. */
static const struct {
	int station;
	const char *cpid, *name, *kind, *payment, *vendor, *model;
	int connectors, kw;
} chargers[] = {
	{0, "LL01-DC01", "1号直流桩", "dc", "card", "XJ", "XJ-DC120", 2, 120},
	{0, "LL01-DC02", "2号直流桩", "dc", "card", "XJ", "XJ-DC120", 2, 120},
	{0, "LL01-DC03", "3号直流桩", "dc", "card", "XJ", "XJ-DC120", 2, 120},
	{0, "LL01-DC04", "4号直流桩", "dc", "card", "XJ", "XJ-DC120", 2, 120},
	{1, "BJ02-DC01", "1号快充桩", "dc", "qr", "ZD", "ZD-DC60", 1, 60},
	{1, "BJ02-DC02", "2号快充桩", "dc", "qr", "ZD", "ZD-DC60", 1, 60},
	{1, "BJ02-AC01", "1号交流桩", "ac", "app", "ZD", "ZD-AC7", 1, 7},
	{1, "BJ02-AC02", "2号交流桩", "ac", "app", "ZD", "ZD-AC7", 1, 7},
	{2, "KJ03-AC01", "A区交流桩", "ac", "card", "ZD", "ZD-AC7", 1, 7},
	{2, "KJ03-AC02", "B区交流桩", "ac", "card", "ZD", "ZD-AC7", 1, 7},
};
#define NCHARGERS ((int)(sizeof chargers / sizeof chargers[0]))

/* The month's faults: charger, connector, day (0 = the first day of the month shown), hour, what the charger
 * reported (errorCode, vendor error code), and how far the repair got by today. */
typedef enum { F_CLOSED, F_RESOLVED, F_REPAIRING, F_DISPATCHED, F_TRIAGE } fstage_t;
static const struct {
	int charger, connector, day, hour;
	const char *error_code, *vendor_code, *cause, *actions, *prevention;
	fstage_t stage;
} faults[] = {
	{0, 1, 3, 10, "OtherError", "E07", "直流模块过温保护动作，风道滤网积尘堵塞", "清理风道和滤网，更换1只散热风扇，复测模块温升正常",
	    "滤网清洁纳入季度维护，夏季前加查一次", F_CLOSED},
	{4, 1, 8, 15, "GroundFailure", NULL, "充电枪线缆护套破损，雨后绝缘下降", "更换充电枪及线缆，绝缘电阻复测合格",
	    "巡视时检查枪线护套，加装枪线挂钩", F_CLOSED},
	{1, 2, 14, 9, "OverCurrentFailure", NULL, "输出接触器触点粘连", "更换直流输出接触器，带载试充正常",
	    "接触器按动作次数定期更换", F_CLOSED},
	{6, 1, 20, 19, "InternalError", NULL, "控制板程序异常死机", "远程复位无效，现场断电重启并升级控制板固件",
	    "同型号交流桩安排固件升级", F_RESOLVED},
	{2, 1, 27, 11, "OtherError", "E12", NULL, NULL, NULL, F_REPAIRING},
	{5, 1, 29, 16, "PowerSwitchFailure", NULL, NULL, NULL, NULL, F_DISPATCHED},
	{9, 1, 30, -2, "InternalError", NULL, NULL, NULL, NULL, F_TRIAGE}, /* hour < 0: that many hours before now */
};
#define NFAULTS ((int)(sizeof faults / sizeof faults[0]))

typedef struct {
	db_t *db;
	uint64_t seed;
	int64_t day0, now; /* the month's first day 00:00 Beijing, and the end of the history */
	auth_user_t manager, dispatcher, engineer;
	char cid[NCHARGERS][37];
	int64_t reg[NCHARGERS][3]; /* each connector's energy register, Wh */
	int sessions;
	fg_err_t err;
} demo_t;

static uint64_t
rnd(demo_t *d)
{
	d->seed ^= d->seed << 13;
	d->seed ^= d->seed >> 7;
	d->seed ^= d->seed << 17;
	return d->seed;
}

/* uniform in [lo, hi] */
static int64_t
between(demo_t *d, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rnd(d) % (uint64_t)(hi - lo + 1));
}

static int
failed(demo_t *d, const char *what)
{
	const char *field = d->err.details ? json_string_value(json_object_get(d->err.details, "field")) : NULL;
	fprintf(stderr, "fieldgrid: demo chargers (%s): %s%s%s\n", what, d->err.code ? d->err.code : "internal",
	    field ? " " : "", field ? field : "");
	fg_err_clear(&d->err);
	return -1;
}

/* One message from charger i, as the gateway's writer records it: inside the open transaction (the writer's batch;
 * here the charger's month). */
static int
say(demo_t *d, int i, const char *action, json_t *payload, int64_t at, json_t **reply)
{
	json_t *r = NULL;
	int rc = chargers_ocpp_call(d->db, d->cid[i], action, payload, at, &r);
	json_decref(payload);
	if (rc) {
		json_decref(r);
		fprintf(stderr, "fieldgrid: demo chargers: %s of %s failed\n", action, chargers[i].cpid);
		return -1;
	}
	if (reply)
		*reply = r;
	else
		json_decref(r);
	return 0;
}

static int
link_ev(demo_t *d, int i, const char *what, int64_t at)
{
	int rc = chargers_ocpp_link(d->db, d->cid[i], what, at);
	if (rc) {
		fprintf(stderr, "fieldgrid: demo chargers: %s of %s failed\n", what, chargers[i].cpid);
	}
	return rc ? -1 : 0;
}

static json_t *
ts(int64_t ms)
{
	char t[32];
	ocpp_format_time(ms, t);
	return json_string(t);
}

static int
status(demo_t *d, int i, int conn, const char *st, const char *code, const char *vcode, int64_t at)
{
	json_t *p = json_pack("{s:i, s:s, s:s, s:o}", "connectorId", conn, "status", st, "errorCode", code ? code : "NoError",
	    "timestamp", ts(at));
	if (vcode) {
		json_object_set_new(p, "vendorId", json_string(chargers[i].vendor));
		json_object_set_new(p, "vendorErrorCode", json_string(vcode));
	}
	return say(d, i, "StatusNotification", p, at, NULL);
}

static int
boot(demo_t *d, int i, int64_t at)
{
	char serial[32], fw[16];
	fg_fmt(serial, sizeof serial, "%s%06d", chargers[i].vendor, 240100 + i * 7);
	fg_fmt(fw, sizeof fw, "%s", chargers[i].kind[0] == 'd' ? "V3.2.1" : "V1.8.4");
	if (link_ev(d, i, "connected", at) != 0 ||
	    say(d, i, "BootNotification", json_pack("{s:s, s:s, s:s, s:s}", "chargePointVendor", chargers[i].vendor,
		"chargePointModel", chargers[i].model, "chargePointSerialNumber", serial, "firmwareVersion", fw), at, NULL) != 0)
		return -1;
	for (int c = 0; c <= chargers[i].connectors; c++)
		if (status(d, i, c, "Available", NULL, NULL, at + 1000 + c * 200) != 0)
			return -1;
	return 0;
}

/* A periodic sample: the energy register and the power, as strings (OCPP's SampledValue). */
static json_t *
sample(int64_t at, int64_t wh, int64_t w)
{
	return json_pack("{s:o, s:[{s:o, s:s, s:s, s:s}, {s:o, s:s, s:s, s:s}]}", "timestamp", ts(at), "sampledValue",
	    "value", json_sprintf("%lld", (long long)wh), "measurand", "Energy.Active.Import.Register", "unit", "Wh", "context",
	    "Sample.Periodic", "value", json_sprintf("%lld", (long long)w), "measurand", "Power.Active.Import", "unit", "W",
	    "context", "Sample.Periodic");
}

/* One charging session on connector conn of charger i: Charging, the Start, a periodic sample, the Stop with its
 * register, Available (Preparing and Finishing are skipped: the card is presented as the car plugs in). stop 0:
 * still charging. The connector's Charging and Available reports are sent for the last two days' sessions only:
 * they are what the live board and the status log show first, and they count in no KPI (availability reads the
 * Faulted spells, utilisation the sessions) — on PostgreSQL the month's thousands of them would cost the demo ten
 * seconds more. */
static int
session(demo_t *d, int i, int conn, int64_t start, int64_t stop, int64_t energy, const char *reason)
{
	char tag[16];
	fg_fmt(tag, sizeof tag, "LL%06d", (int)between(d, 1, NTAGS));
	int64_t m0 = d->reg[i][conn];
	json_t *r = NULL;
	if ((start > d->now - 2 * DAY_MS && status(d, i, conn, "Charging", NULL, NULL, start - 2000) != 0) ||
	    say(d, i, "StartTransaction", json_pack("{s:i, s:s, s:I, s:o}", "connectorId", conn, "idTag", tag, "meterStart",
		(json_int_t)m0, "timestamp", ts(start)), start, &r) != 0)
		return -1;
	int64_t tid = json_integer_value(json_object_get(r, "transactionId"));
	json_decref(r);
	int64_t end = stop ? stop : d->now;
	int64_t mid = start + (end - start) / 2, sofar = stop ? energy / 2 : energy;
	int64_t watts = end > start ? energy * 3600000 / (stop ? (stop - start) : 2 * (end - start)) : 0;
	json_t *mv = json_pack("{s:i, s:I, s:[o]}", "connectorId", conn, "transactionId", (json_int_t)tid, "meterValue",
	    sample(mid, m0 + sofar, watts));
	if (say(d, i, "MeterValues", mv, mid, NULL) != 0)
		return -1;
	d->sessions++;
	if (!stop) {
		d->reg[i][conn] = m0 + sofar;
		return 0;
	}
	d->reg[i][conn] = m0 + energy;
	return say(d, i, "StopTransaction", json_pack("{s:I, s:s, s:I, s:o, s:s}", "transactionId", (json_int_t)tid, "idTag",
		   tag, "meterStop", (json_int_t)(m0 + energy), "timestamp", ts(stop), "reason", reason), stop, NULL) ||
	       (stop > d->now - 2 * DAY_MS && status(d, i, conn, "Available", NULL, NULL, stop + 3000));
}

/* The instant fault f is reported. */
static int64_t
fault_time(demo_t *d, int f)
{
	return faults[f].hour < 0 ? d->now + faults[f].hour * HOUR_MS : d->day0 + faults[f].day * DAY_MS + faults[f].hour * HOUR_MS;
}

/* Whether a fault spell of charger i, connector conn, overlaps [a, b): its start (its end into *spell_end), else 0.
 * A spell lasts until the repair put the connector back (Available), or past now while the repair is not done. */
static int64_t
fault_at(demo_t *d, int i, int conn, int64_t a, int64_t b, int64_t *spell_end)
{
	for (int f = 0; f < NFAULTS; f++) {
		if (faults[f].charger != i || faults[f].connector != conn)
			continue;
		int64_t s = fault_time(d, f);
		int64_t e = faults[f].stage <= F_RESOLVED ? s + 3 * HOUR_MS + 20 * MIN_MS : d->now + DAY_MS;
		if (a < e && b > s) {
			*spell_end = e;
			return s;
		}
	}
	return 0;
}

/* The fault case the alarm opened for charger i. */
static int
open_fault(demo_t *d, int i, char id[37])
{
	faults_filter_t f = {.charger_id = d->cid[i], .open_only = true, .limit = 5};
	json_t *out = NULL;
	if (faults_list(d->db, &f, &out, &d->err) != 0)
		return failed(d, "faults");
	json_t *first = json_array_get(json_object_get(out, "items"), 0);
	if (!first) {
		json_decref(out);
		fprintf(stderr, "fieldgrid: demo chargers: the fault of %s opened no case\n", chargers[i].cpid);
		return -1;
	}
	fg_fmt(id, 37, "%s", fg_jstr(first, "id"));
	json_decref(out);
	return 0;
}

static int
fire(demo_t *d, const char *fid, const char *action, const auth_user_t *who, json_t *body, int64_t at)
{
	json_t *res = NULL;
	int rc = db_begin(d->db) != 0 || flow_fire_tx(d->db, &faults_flow, fid, action, who, body, at, false, &res, &d->err) != 0 ||
		 db_commit(d->db) != 0;
	json_decref(body);
	json_decref(res);
	if (rc) {
		db_rollback(d->db);
		return failed(d, action);
	}
	return 0;
}

/* Fault f: the charger reports it, the alarm opens the case; the repair goes as far as its stage. */
static int
fault(demo_t *d, int f, int64_t at)
{
	int i = faults[f].charger, conn = faults[f].connector;
	char fid[37];
	if (status(d, i, conn, "Faulted", faults[f].error_code, faults[f].vendor_code, at) != 0 || open_fault(d, i, fid) != 0)
		return -1;
	if (faults[f].stage == F_TRIAGE)
		return 0;
	if (fire(d, fid, "dispatch", &d->dispatcher, json_pack("{s:s}", "assignee_id", d->engineer.id), at + 25 * MIN_MS) != 0)
		return -1;
	if (faults[f].stage == F_DISPATCHED)
		return 0;
	if (fire(d, fid, "start", &d->engineer, json_object(), at + 95 * MIN_MS) != 0)
		return -1;
	if (faults[f].stage == F_REPAIRING)
		return 0;
	int64_t fixed = at + 3 * HOUR_MS + 20 * MIN_MS;
	if (status(d, i, conn, "Available", NULL, NULL, fixed) != 0 ||
	    fire(d, fid, "resolve", &d->engineer, json_pack("{s:s}", "note", faults[f].actions), fixed + 5 * MIN_MS) != 0 ||
	    fire(d, fid, "report", &d->engineer, json_pack("{s:s, s:s, s:s}", "cause", faults[f].cause, "actions",
		faults[f].actions, "prevention", faults[f].prevention), fixed + 40 * MIN_MS) != 0)
		return -1;
	if (faults[f].stage == F_RESOLVED)
		return 0;
	return fire(d, fid, "close", &d->dispatcher, json_object(), fixed + 20 * HOUR_MS);
}

/* A day of charger i: its sessions on every connector and the faults reported that day, in time order. */
static int
day_of(demo_t *d, int i, int day)
{
	int64_t base = d->day0 + day * DAY_MS;
	bool dc = chargers[i].kind[0] == 'd';
	/* each charger-day draws from its own seed: how far today has got changes today's sessions only */
	d->seed = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)(i + 1) * 0x100000001B3ULL) ^ ((uint64_t)(day + 2) * 0xC2B2AE3D27D4EB4FULL);
	for (int k = 0; k < 4; k++)
		rnd(d);
	for (int conn = 1; conn <= chargers[i].connectors; conn++) {
		int pending = -1; /* the fault reported on this connector today */
		for (int f = 0; f < NFAULTS; f++)
			if (faults[f].charger == i && faults[f].connector == conn && fault_time(d, f) >= base &&
			    fault_time(d, f) < base + DAY_MS && fault_time(d, f) < d->now)
				pending = f;
		int64_t t = base + 6 * HOUR_MS + between(d, 0, dc ? 90 : 180) * MIN_MS;
		while (t < base + 22 * HOUR_MS && t < d->now - 10 * MIN_MS) {
			int64_t dur = dc ? between(d, 20, 70) * MIN_MS : between(d, 90, 360) * MIN_MS;
			int64_t stop = t + dur, until = 0;
			if (pending >= 0 && stop >= fault_time(d, pending)) { /* the fault comes first */
				int64_t fat = fault_time(d, pending);
				if (fault(d, pending, fat) != 0)
					return -1;
				pending = -1;
				t = fat;
			}
			if (fault_at(d, i, conn, t, stop, &until)) { /* out of order: no sessions until it is fixed */
				t = until + between(d, 10, 60) * MIN_MS;
				continue;
			}
			/* a DC connector gets half its charger's power; an AC charger gives 6.6 kW */
			int64_t watts = dc ? (int64_t)chargers[i].kw * 1000 / chargers[i].connectors : 6600;
			if (stop > d->now) { /* still charging as the demo is made */
				if (session(d, i, conn, t, 0, watts * 7 / 10 * (d->now - t) / HOUR_MS, NULL) != 0)
					return -1;
				break;
			}
			int64_t energy = watts * between(d, 55, 90) / 100 * dur / HOUR_MS;
			const char *reason = "EVDisconnected";
			uint64_t r = rnd(d) % 100;
			if (r < 4) { /* the car would not take charge: stopped at once, nothing delivered */
				stop = t + between(d, 20, 50) * 1000;
				energy = 0;
			} else if (r < 6)
				reason = "PowerLoss";
			else if (r < 30)
				reason = "Local";
			else if (r < 40)
				reason = "Remote";
			if (session(d, i, conn, t, stop, energy, reason) != 0)
				return -1;
			t = stop + (dc ? between(d, 120, 360) : between(d, 120, 420)) * MIN_MS;
		}
		if (pending >= 0 && fault(d, pending, fault_time(d, pending)) != 0)
			return -1;
	}
	/* the charger is heard from through the day (its heartbeats): the online rate counts to here */
	int64_t seen = base + DAY_MS - MIN_MS;
	return link_ev(d, i, "seen", seen < d->now ? seen : d->now);
}

static int
inspections(demo_t *d, const char station_ids[3][37])
{
	static const char *const kinds[] = {"patrol_monthly", "patrol_monthly", "patrol_monthly", "fire_check"};
	for (int s = 0; s < 4; s++) {
		json_t *in = json_pack("{s:s, s:i}", "kind", kinds[s], "due_days", 25), *out = NULL;
		int rc = inspections_plan_create(d->db, d->manager.id, station_ids[s == 3 ? 0 : s], in, &out, &d->err);
		json_decref(in);
		json_decref(out);
		if (rc != 0)
			return failed(d, "inspection plan");
	}
	/* last month's visits, made and finished in the month shown; this month's are left to do */
	time_t t = (time_t)(d->now / 1000) + 8 * 3600;
	struct tm tm;
	gmtime_r(&t, &tm);
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	int64_t month_start = ((int64_t)timegm(&tm) - 8 * 3600) * 1000;
	if (inspections_generate(d->db, d->manager.id, month_start - HOUR_MS) < 0)
		return failed(d, "inspections");
	json_t *list = inspections_list(d->db, "open", NULL, 0);
	size_t k;
	json_t *insp;
	json_array_foreach(json_object_get(list, "items"), k, insp) {
		const char *st = fg_jstr(insp, "station_id");
		if (!st || (strcmp(st, station_ids[0]) && strcmp(st, station_ids[1]) && strcmp(st, station_ids[2])))
			continue; /* not one of the demo's stations */
		int64_t at = d->day0 + (4 + (int64_t)k * 2) * DAY_MS + 9 * HOUR_MS + 30 * MIN_MS;
		json_t *full = inspections_get(d->db, fg_jstr(insp, "id"));
		size_t j;
		json_t *item;
		json_array_foreach(json_object_get(full, "items"), j, item) {
			/* one finding: the bus depot's charger 3 has a damaged enclosure */
			bool bad = fg_jstr(item, "code") && strcmp(fg_jstr(item, "code"), "enclosure") == 0 && fg_jstr(item, "charger_id") &&
				   strcmp(fg_jstr(item, "charger_id"), d->cid[2]) == 0;
			json_t *rec = bad ? json_pack("{s:s, s:s, s:s}", "result", "fail", "note", "3号直流桩外壳右侧门锁损坏，门缝有进水痕迹",
					      "severity", "general")
					  : json_pack("{s:s}", "result", "pass");
			json_t *out = NULL;
			int rc = inspections_record_at(d->db, d->engineer.id, fg_jstr(insp, "id"), fg_jstr(item, "id"), rec,
			    at + (int64_t)j * 2 * MIN_MS, &out, &d->err);
			json_decref(rec);
			json_decref(out);
			if (rc != 0) {
				json_decref(full);
				json_decref(list);
				return failed(d, "inspection item");
			}
		}
		json_decref(full);
		json_t *fin = json_pack("{s:s}", "staff", "程立伟、蔡明轩"), *out = NULL;
		int rc = inspections_finish_at(d->db, d->engineer.id, fg_jstr(insp, "id"), fin, at + 90 * MIN_MS, &out, &d->err);
		json_decref(fin);
		json_decref(out);
		if (rc != 0) {
			json_decref(list);
			return failed(d, "inspection finish");
		}
	}
	json_decref(list);
	return inspections_generate(d->db, d->manager.id, d->now) < 0 ? failed(d, "inspections") : 0;
}

int
demo_chargers(db_t *db, json_t *org_keys, int *made, int *sessions)
{
	*made = *sessions = 0;
	json_t *have = NULL;
	demo_t d = {.db = db, .seed = 0x9E3779B97F4A7C15ULL, .err = FG_ERR_INIT};
	if (chargers_station_list(db, stations[0].code, NULL, 5, &have, &d.err) != 0)
		return failed(&d, "stations");
	bool there = json_array_size(json_object_get(have, "items")) > 0;
	json_decref(have);
	if (there)
		return 0;
	if (demo_person(db, "yuanzhigang", &d.manager) != 0 || demo_person(db, "yeqian", &d.dispatcher) != 0 ||
	    demo_person(db, "chengliwei", &d.engineer) != 0)
		return -1;
	demo_subscribe(); /* the alarms and fault cases follow what the chargers report, as in the server */
	d.now = fg_now_ms() - MIN_MS;
	/* today 00:00 in Beijing, then DAYS days back */
	d.day0 = ((d.now + 8 * HOUR_MS) / DAY_MS) * DAY_MS - 8 * HOUR_MS - DAYS * DAY_MS;
	char sid[3][37];
	for (int s = 0; s < 3; s++) {
		json_t *in = json_pack("{s:s, s:s, s:s, s:O?}", "code", stations[s].code, "name", stations[s].name, "address",
		    stations[s].address, "org_unit_id", json_object_get(org_keys, "ev")), *out = NULL;
		int rc = chargers_station_create(db, d.manager.id, in, &out, &d.err);
		json_decref(in);
		if (rc != 0)
			return failed(&d, "station");
		fg_fmt(sid[s], 37, "%s", fg_jstr(out, "id"));
		json_decref(out);
	}
	for (int t = 1; t <= NTAGS; t++) {
		char tag[16], holder[32];
		fg_fmt(tag, sizeof tag, "LL%06d", t);
		fg_fmt(holder, sizeof holder, t <= 8 ? "公交车队 %02d 号卡" : "会员卡 %02d", t);
		json_t *in = json_pack("{s:s, s:s}", "id_tag", tag, "holder", holder), *out = NULL;
		int rc = chargers_idtag_create(db, d.manager.id, in, &out, &d.err);
		json_decref(in);
		json_decref(out);
		if (rc != 0)
			return failed(&d, "id tag");
	}
	for (int i = 0; i < NCHARGERS; i++) {
		json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i}", "charge_point_id", chargers[i].cpid,
		    "station_id", sid[chargers[i].station], "name", chargers[i].name, "kind", chargers[i].kind, "payment",
		    chargers[i].payment, "vendor", chargers[i].vendor, "model", chargers[i].model, "connector_count",
		    chargers[i].connectors, "heartbeat_interval", 300, "rated_power_kw", chargers[i].kw), *out = NULL;
		int rc = chargers_create(db, d.manager.id, in, &out, &d.err);
		json_decref(in);
		if (rc != 0)
			return failed(&d, chargers[i].cpid);
		fg_fmt(d.cid[i], 37, "%s", fg_jstr(out, "id"));
		json_decref(out);
		for (int c = 0; c < 3; c++)
			d.reg[i][c] = 1000000 + i * 250000 + c * 90000;
	}
	for (int i = 0; i < NCHARGERS; i++) {
		/* a charger's day in one transaction, as the gateway's writer writes a batch of messages in one (and no
		 * more: on PostgreSQL a transaction of thousands of subscriber savepoints slows to a crawl) */
		for (int day = -1; day <= DAYS; day++) {
			if (db_begin(db) != 0)
				return failed(&d, "begin");
			int bad;
			if (day < 0)
				bad = boot(&d, i, d.day0 + 5 * MIN_MS + i * 1000);
			else if (day == 12 && i == 7) { /* a power cut at the park: the AC charger is off the network for an afternoon */
				int64_t off = d.day0 + day * DAY_MS + 13 * HOUR_MS;
				bad = link_ev(&d, i, "disconnected", off) || boot(&d, i, off + 5 * HOUR_MS) || day_of(&d, i, day);
			} else
				bad = day_of(&d, i, day);
			if (bad) {
				db_rollback(db);
				return -1;
			}
			if (db_commit(db) != 0)
				return failed(&d, "commit");
		}
	}
	if (inspections(&d, (const char (*)[37])sid) != 0)
		return -1;
	*made = NCHARGERS;
	*sessions = d.sessions;
	return 0;
}
