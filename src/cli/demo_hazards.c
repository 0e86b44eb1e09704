/* The demo's customer hazards and seals (issue 13 items 3–4, item 9's part): hazards in every state of their process
 * on the demo customers, through the modules' own functions as the routes call them (hazards_create, the flow
 * engine's transitions, seals_create) — nothing is written into their tables here. Transitions are fired "as of"
 * the day they happened (flow_fire_tx's now), so the clocks, the history and the yearly chart read as a year's
 * work: one notice is twenty days past its signature's deadline and escalated, one grid-side plan is past its
 * deadline; one installation is sealed (an unregistered self-provided generator). Once per database: skipped when
 * any customer hazard exists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/auth/session.h"
#include "core/base/util.h"
#include "core/calendar/calendar.h"
#include "core/db/db.h"
#include "core/flow/flow.h"
#include "shared/attach/attach.h"
#include "customer/hazards/hazards.h"
#include "customer/seals/seals.h"
#include "cli/cli.h"

#define DAY 86400000LL

/* A handwritten stroke, 120×40 grey PNG: what the phone's signature pad sends. */
static const unsigned char signature_png[] = {
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
	0x00, 0x78, 0x00, 0x00, 0x00, 0x28, 0x08, 0x00, 0x00, 0x00, 0x00, 0x10, 0x81, 0x61, 0xf9, 0x00, 0x00, 0x00,
	0xee, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0xed, 0x97, 0x59, 0x0e, 0xc4, 0x20, 0x0c, 0x43, 0x7d, 0x08, 0xdf,
	0xff, 0xaa, 0x1d, 0xa9, 0xb3, 0x34, 0x65, 0x09, 0xce, 0x10, 0xa9, 0x3f, 0xe1, 0xb3, 0x41, 0x7e, 0x08, 0x11,
	0xc7, 0xc5, 0xf1, 0xd0, 0x42, 0x81, 0x0b, 0x5c, 0x60, 0x6f, 0x91, 0x8f, 0x80, 0x79, 0xae, 0x2c, 0xb0, 0xae,
	0x46, 0x86, 0xc8, 0xc8, 0x52, 0x7b, 0xef, 0xd2, 0xc9, 0x90, 0xb8, 0x6b, 0xb5, 0xdf, 0x16, 0x95, 0x8c, 0x1c,
	0x35, 0xb3, 0x41, 0x24, 0x23, 0x47, 0xcd, 0x96, 0x35, 0x32, 0x24, 0xee, 0x4a, 0xed, 0x5e, 0x94, 0xc8, 0xd0,
	0xb8, 0xbe, 0x5a, 0x5b, 0xda, 0x02, 0x33, 0xa0, 0xd6, 0x95, 0x3c, 0xf2, 0xa7, 0x06, 0x95, 0xeb, 0xa8, 0x0d,
	0x0a, 0x73, 0x32, 0x7d, 0xf0, 0xf0, 0x62, 0xa9, 0x1b, 0x25, 0xe9, 0xf4, 0xa7, 0x0f, 0xd6, 0xad, 0x38, 0xb0,
	0xd7, 0x38, 0x02, 0x22, 0x6e, 0xbf, 0x7b, 0x1c, 0xeb, 0x44, 0x88, 0x4c, 0x99, 0x31, 0x38, 0xf0, 0x48, 0xd8,
	0xbe, 0x6a, 0xce, 0xce, 0xb5, 0xf1, 0x8c, 0x06, 0x6d, 0xc1, 0xae, 0x9d, 0xec, 0x37, 0x32, 0xa9, 0x71, 0x7c,
	0x23, 0x40, 0x33, 0xfc, 0x16, 0x13, 0x21, 0xd8, 0xb1, 0x8e, 0xf5, 0xa1, 0x1d, 0x43, 0x01, 0x53, 0x5e, 0x7a,
	0xd4, 0x25, 0xd6, 0xeb, 0xa2, 0x9b, 0x80, 0x91, 0x78, 0x23, 0x0c, 0xad, 0x99, 0x2e, 0xb4, 0x57, 0x35, 0xbd,
	0xbf, 0x43, 0x25, 0xef, 0x67, 0xae, 0xdb, 0xb0, 0x54, 0x03, 0x51, 0x4a, 0xd8, 0xfb, 0xea, 0x30, 0x12, 0x2a,
	0x53, 0x52, 0xa6, 0x1e, 0x88, 0xb2, 0xe3, 0x6d, 0x02, 0xf7, 0xcf, 0x5c, 0xbd, 0x8d, 0xad, 0x7f, 0xa7, 0x02,
	0x17, 0x38, 0x71, 0xbd, 0x00, 0x66, 0x77, 0x7f, 0x52, 0x34, 0x21, 0x93, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x49,
	0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82
};
static const unsigned char photo_jpeg[] = {0xff, 0xd8, 0xff, 0xe0, 'd', 'e', 'm', 'o', ' ', 'p', 'h', 'o', 't', 'o'};

static const char *
upload(db_t *db, const auth_user_t *who, bool png, const char *name, char id[40])
{
	json_t *a = NULL;
	fg_err_t e = FG_ERR_INIT;
	int rc = png ? attach_store_bytes(db, who->id, "image/png", signature_png, sizeof signature_png, name, NULL, NULL, &a, &e)
		     : attach_store_bytes(db, who->id, "image/jpeg", photo_jpeg, sizeof photo_jpeg, name, NULL, NULL, &a, &e);
	if (rc != 0 || !a) {
		fprintf(stderr, "fieldgrid: demo hazard photo: %s\n", e.code ? e.code : "?");
		fg_err_clear(&e);
		return NULL;
	}
	fg_fmt(id, 40, "%s", fg_jstr(a, "id"));
	json_decref(a);
	return id;
}

static int
fire(db_t *db, const char *id, const char *action, const auth_user_t *who, json_t *body, int64_t at)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = flow_fire_tx(db, &hazards_flow, id, action, who, body, at, false, &out, &e);
	json_decref(body);
	json_decref(out);
	if (rc != 0) {
		fprintf(stderr, "fieldgrid: demo hazard %s: %s\n", action, e.code ? e.code : "?");
		fg_err_clear(&e);
	}
	return rc;
}

/* A customer of the demo by name, or NULL. */
static char *
customer(db_t *db, const char *name)
{
	int rc;
	json_t *c = db_one(db_q(db, "SELECT id FROM customers WHERE name = $1", "t", name), &rc);
	char *id = c ? fg_strdup(fg_jstr(c, "id")) : NULL;
	json_decref(c);
	return id;
}

typedef struct {
	const char *customer, *kind, *side, *severity, *description, *location;
	int days_ago;     /* found */
	const char *until; /* the state it is left in */
} demo_hazard_t;

static const demo_hazard_t hazards[] = {
	{"临澜宏达机械制造有限公司", "interlock", "customer", "major", "自备发电机与市电进线之间未装设防倒送电闭锁装置", "1号配电室 自备柴油发电机", 300, "closed"},
	{"临澜宏达机械制造有限公司", "self_source", "customer", "critical", "私自接入未登记的移动式柴油发电机，经双投开关接入低压母线", "2号车间 低压配电柜", 40, "reported"},
	{"临澜市新绿新能源科技有限公司", "test_overdue", "customer", "general", "10kV开关柜、变压器预防性试验超期未做（上次试验2023年）", "10kV配电室", 12, "signed"},
	{"临澜市天和置业有限公司", "electrician", "customer", "major", "值班电工2人中1人无有效电工进网作业许可证", "物业配电值班室", 35, "notified"},
	{"临澜市城东社区卫生服务中心", "emergency_plan", "customer", "general", "停电应急预案未更新，近一年未组织停电应急演练", "院办", 2, "open"},
	{"赵德明", "equipment", "grid", "general", "接户线与树木距离不足，风偏时有碰线可能", "进户线 杆号 城东12#", 5, "open"},
	{"临澜市天和置业有限公司", "protection", "grid", "major", "供电侧开闭所出线保护定值与用户侧配合不当", "城东开闭所 913间隔", 60, "rectifying"},
	{"临澜市新绿新能源科技有限公司", "metering", "grid", "general", "计量柜电压互感器二次回路压降超差", "高压计量柜", 150, "rectifying_late"},
	{"临澜市新绿新能源科技有限公司", "supply_mismatch", "grid", "general", "供电线路实际接线与供用电合同约定电源点不一致", "10kV城东线", 210, "closed"},
	{"王秀英", "other", "customer", "general", "表箱门损坏（重复登记）", "表箱", 90, "cancelled"},
};

static int
one(db_t *db, const demo_hazard_t *d, const auth_user_t *crew, const auth_user_t *cm, const auth_user_t *mgr, int64_t now,
    char hazard_id[40])
{
	char *cid = customer(db, d->customer), p1[40], p2[40], p3[40];
	if (!cid)
		return 0; /* the demo customers were not loaded: nothing to hang hazards on */
	int64_t found = now - d->days_ago * DAY;
	if (!upload(db, crew, false, "hazard.jpg", p1)) {
		free(cid);
		return -1;
	}
	json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:I}", "customer_id", cid, "kind", d->kind, "side", d->side,
			       "severity", d->severity, "description", d->description, "location", d->location, "photo_ids", p1, "found_at",
			       (json_int_t)found);
	free(cid);
	json_t *h = NULL;
	fg_err_t e = FG_ERR_INIT;
	int rc = hazards_create(db, crew, in, &h, &e);
	json_decref(in);
	if (rc != 0) {
		fprintf(stderr, "fieldgrid: demo hazard: %s\n", e.code ? e.code : "?");
		fg_err_clear(&e);
		return -1;
	}
	fg_fmt(hazard_id, 40, "%s", fg_jstr(h, "id"));
	json_decref(h);
	const char *id = hazard_id, *u = d->until;
	int64_t t = found + DAY / 2;
	if (strcmp(u, "open") == 0)
		return 0;
	if (strcmp(u, "cancelled") == 0)
		return fire(db, id, "cancel", mgr, json_pack("{s:s}", "reason", "与已登记隐患重复"), t);
	if (strcmp(d->side, "grid") == 0) {
		char deadline[11];
		bool late = strcmp(u, "rectifying_late") == 0;
		cal_local_day(late ? now - 10 * DAY : strcmp(u, "closed") == 0 ? found + 30 * DAY : now + 20 * DAY, deadline);
		if (fire(db, id, "plan", cm, json_pack("{s:s, s:s, s:s}", "owner_id", cm->id, "deadline", deadline, "plan", "列入月度检修计划，停电消缺"), t) != 0)
			return -1;
		if (strcmp(u, "closed") != 0)
			return 0;
		if (!upload(db, cm, false, "fixed.jpg", p2))
			return -1;
		return fire(db, id, "close", cm, json_pack("{s:[s], s:s}", "evidence_ids", p2, "closing_note", "已按计划整改，复测合格"), t + 20 * DAY);
	}
	if (fire(db, id, "issue_notice", crew, json_pack("{s:s}", "requirement", "请按《用电检查结果通知书》要求限期整改，整改完成后书面告知供电公司复查"), t) != 0)
		return -1;
	if (strcmp(u, "notified") == 0)
		return 0;
	t += DAY / 24;
	if (!upload(db, crew, true, "signature.png", p2) || !upload(db, crew, false, "holding.jpg", p3))
		return -1;
	if (fire(db, id, "sign", crew, json_pack("{s:s, s:s, s:s, s:s, s:f, s:f}", "signer_name", "林建国", "signature_id", p2,
					      "holding_photo_id", p3, "place", d->location, "lat", 26.0801, "lng", 119.2965), t) != 0)
		return -1;
	if (strcmp(u, "signed") == 0)
		return 0;
	if (fire(db, id, "report", cm, json_pack("{s:s}", "report_ref", "临澜市发改委 用电安全隐患报备"), t + 2 * DAY) != 0)
		return -1;
	char day[11];
	cal_local_day(t + 10 * DAY, day);
	if (fire(db, id, "follow_up", crew, json_pack("{s:s, s:s, s:s}", "checked_on", day, "result", "not_rectified", "note", "客户已订购设备，尚未安装"),
		 t + 10 * DAY) != 0)
		return -1;
	if (strcmp(u, "reported") == 0)
		return 0;
	cal_local_day(t + 25 * DAY, day);
	if (fire(db, id, "follow_up", crew, json_pack("{s:s, s:s, s:s}", "checked_on", day, "result", "rectified", "note", "已加装机械闭锁并验收"),
		 t + 25 * DAY) != 0)
		return -1;
	return fire(db, id, "close", cm, json_pack("{s:s}", "closing_note", "复查确认整改完成"), t + 26 * DAY);
}

int
demo_hazards(db_t *db, int *made, int *sealed)
{
	*made = *sealed = 0;
	int rc;
	json_t *n = db_one(db_q(db, "SELECT COUNT(*) AS n FROM customer_hazards", ""), &rc);
	long long have = n ? json_integer_value(json_object_get(n, "n")) : -1;
	json_decref(n);
	if (have != 0)
		return have < 0 ? -1 : 0;
	auth_user_t crew, cm, mgr;
	if (demo_person(db, "zhangwei", &crew) != 0 || demo_person(db, "mayuqing", &cm) != 0 || demo_person(db, "hejianping", &mgr) != 0)
		return 0; /* no demo people */
	int64_t now = fg_now_ms();
	char self_source[40] = "";
	if (db_begin(db) != 0)
		return -1;
	for (size_t i = 0; i < sizeof hazards / sizeof hazards[0]; i++) {
		char id[40] = "";
		if (one(db, &hazards[i], &crew, &cm, &mgr, now, id) != 0) {
			db_rollback(db);
			return -1;
		}
		if (*id)
			(*made)++;
		if (*id && strcmp(hazards[i].kind, "self_source") == 0)
			fg_fmt(self_source, sizeof self_source, "%s", id);
	}
	if (db_commit(db) != 0)
		return -1;
	/* the overdue notice escalates as the hourly job would */
	if (hazards_escalate(db, now) < 0)
		return -1;
	/* the unregistered generator sealed on site */
	char *cid = customer(db, "临澜宏达机械制造有限公司"), photo[40];
	if (!cid)
		return 0;
	if (!upload(db, &crew, false, "seal.jpg", photo)) {
		free(cid);
		return -1;
	}
	json_t *in = json_pack("{s:s, s:s, s:s, s:[s, s], s:[s], s:s, s:s}", "customer_id", cid, "equipment", "移动式柴油发电机（未登记）",
			       "reason", "unregistered_source", "numbers", "FY-2026-000137", "FY-2026-000138", "photo_ids", photo, "place",
			       "2号车间 低压配电柜", "note", "双投开关及发电机出线端加封");
	if (*self_source)
		json_object_set_new(in, "hazard_id", json_string(self_source));
	free(cid);
	json_t *out = NULL;
	fg_err_t e = FG_ERR_INIT;
	rc = seals_create(db, &crew, in, &out, &e);
	json_decref(in);
	json_decref(out);
	if (rc != 0) {
		fprintf(stderr, "fieldgrid: demo seal: %s\n", e.code ? e.code : "?");
		fg_err_clear(&e);
		return -1;
	}
	*sealed = 1;
	return 0;
}
