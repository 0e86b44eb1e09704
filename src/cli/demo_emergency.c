/* Demo data of issue 13 items 5–6 (`fieldgrid demo`, once per database): an emergency plan of each kind, a drill
 * recorded with its attendance, findings and an improvement, one drill ahead on the calendar, a past emergency with
 * its review, and the on-call roster of today — all through the modules' own functions, as the API would. */
#include <string.h>
#include "cli/cli.h"
#include "core/base/day.h"
#include "core/base/util.h"
#include "fieldwork/emergency/emergency.h"
#include "safety/drills/drills.h"

static const struct {
	const char *kind, *title, *content;
} plans[] = {
	{"large_outage", "临澜市供电公司大面积停电事件应急预案",
	    "一、适用范围：城区10千伏及以上多条线路同时停电、影响用户超过一万户。\n二、组织机构：公司应急领导小组，供电服务指挥中心为日常办事机构。\n"
	    "三、响应程序：指挥中心接报后30分钟内启动响应，通知各供电所及营销部抢修队伍，重要用户逐户联系。\n四、后期处置：恢复供电后48小时内完成评估。"},
	{"disaster_mass_faults", "台风暴雨等自然灾害成批故障抢修预案",
	    "一、预警：气象部门发布台风、暴雨橙色及以上预警时，抢修队伍集结待命。\n二、物资：按预计故障种类备齐工器具与备品备件（表箱、电能表、集中器、熔体）。\n"
	    "三、抢修：按先重要用户、后一般用户的顺序恢复供电；现场站班会不得省略。\n四、总结：灾后一周内完成复盘。"},
	{"fire", "营业厅及计量库房火灾应急预案",
	    "一、发现火情立即报警（119），切断着火区域电源。\n二、按疏散路线组织人员撤离，清点人数。\n三、使用干粉灭火器扑救初期火灾，严禁用水扑救带电设备。"},
	{"charging_station_fire", "电动汽车充电站火灾应急预案",
	    "一、充电桩或车辆起火：立即按下急停按钮，断开站内总电源。\n二、疏散站内车辆与人员，设置警戒区。\n"
	    "三、使用站内灭火器扑救初期火灾，动力电池起火以大量水冷却并等待消防。\n四、火灾后对同批次设备开展排查。"},
};

static int
person(db_t *db, const char *username, char id[37])
{
	auth_user_t a;
	if (demo_person(db, username, &a) != 0)
		return -1;
	fg_fmt(id, 37, "%s", a.id);
	return 0;
}

static int
failed(const char *what, fg_err_t *err)
{
	fprintf(stderr, "fieldgrid: demo emergency (%s): %s\n", what, err->code ? err->code : "internal");
	fg_err_clear(err);
	return -1;
}

int
demo_emergency(db_t *db, json_t *org_keys, int *made)
{
	int rc;
	*made = 0;
	json_t *any = db_one(db_q(db, "SELECT id FROM emergency_plans LIMIT 1", ""), &rc);
	json_decref(any);
	if (any || rc < 0)
		return rc < 0 ? -1 : 0;
	char safety[37], cmd[37], disp[37], sup[37], a[37], b[37], c[37], ldr[37];
	if (person(db, "caoyongsheng", safety) || person(db, "qiujianhua", cmd) || person(db, "yeqian", disp) ||
	    person(db, "penghaitao", sup) || person(db, "chengliwei", a) || person(db, "caimingxuan", b) ||
	    person(db, "zhangwei", c) || person(db, "lijianjun", ldr))
		return 0; /* the demo people were not made by this run's database: nothing to hang the records on */
	fg_err_t err = FG_ERR_INIT;
	char today[11], review[11], held[11], ahead[11], due[11];
	day_today(today);
	day_add_months(today, 12, review);
	day_add_days(today, -20, held);
	day_add_days(today, 25, ahead);
	day_add_days(today, 30, due);
	char station_plan[40] = "", outage_plan[40] = "";
	for (size_t i = 0; i < sizeof plans / sizeof plans[0]; i++) {
		json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "kind", plans[i].kind, "title", plans[i].title, "content",
		    plans[i].content, "review_on", review), *out = NULL;
		rc = drills_plan_create(db, safety, in, &out, &err);
		json_decref(in);
		if (rc != 0)
			return failed("plan", &err);
		if (strcmp(plans[i].kind, "charging_station_fire") == 0)
			fg_fmt(station_plan, sizeof station_plan, "%s", fg_jstr(out, "id"));
		if (strcmp(plans[i].kind, "large_outage") == 0)
			fg_fmt(outage_plan, sizeof outage_plan, "%s", fg_jstr(out, "id"));
		json_decref(out);
	}
	/* a drill held 20 days ago and recorded; one ahead on the calendar */
	json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "plan_id", station_plan, "date", held, "place", "临澜大道公交充电站",
	    "scenario", "3号直流桩充电中冒烟起火：急停断电、疏散车辆、初期灭火、报警"), *out = NULL;
	rc = drills_schedule(db, safety, in, &out, &err);
	json_decref(in);
	if (rc != 0)
		return failed("drill", &err);
	char drill[40];
	fg_fmt(drill, sizeof drill, "%s", fg_jstr(out, "id"));
	json_decref(out);
	in = json_pack("{s:[{s:s, s:b}, {s:s, s:b}, {s:s, s:b}], s:s, s:[{s:s, s:s, s:s}]}", "attendance", "user_id", a,
	    "present", 1, "user_id", b, "present", 1, "user_id", c, "present", 0, "findings",
	    "急停按钮响应正常；灭火器距3号桩约40米，取用用时3分钟，偏长；疏散路线标识不清。", "improvements", "text",
	    "在3号、4号桩旁增设干粉灭火器并补设疏散标识", "owner_id", a, "due_on", due);
	out = NULL;
	rc = drills_record(db, safety, drill, in, &out, &err);
	json_decref(in);
	json_decref(out);
	if (rc != 0)
		return failed("drill record", &err);
	in = json_pack("{s:s, s:s, s:s, s:s}", "plan_id", outage_plan, "date", ahead, "place", "供电服务指挥中心",
	    "scenario", "城东变电站全停，城区三条10千伏线路失电：启动响应、重要用户联系、抢修队伍调度");
	out = NULL;
	rc = drills_schedule(db, safety, in, &out, &err);
	json_decref(in);
	json_decref(out);
	if (rc != 0)
		return failed("drill ahead", &err);
	/* a past emergency, ended and reviewed */
	const char *mkt = json_string_value(json_object_get(org_keys, "mkt"));
	in = json_pack("{s:s, s:s, s:s, s:[s], s:[s, s], s:[s, s]}", "kind", "disaster_mass_faults", "title",
	    "台风“海葵”过境成批故障抢修", "note", "城东、城南片区表箱进水、集中器失电", "area_ids", mkt, "work_kinds",
	    "collection_fault", "lv_meter_install", "fault_kinds", "meter_box_damage", "collection_outage");
	out = NULL;
	rc = mkt && in ? emergency_declare(db, cmd, in, &out, &err) : fg_err(&err, "internal");
	json_decref(in);
	if (rc != 0)
		return failed("emergency", &err);
	char em[40];
	fg_fmt(em, sizeof em, "%s", fg_jstr(out, "id"));
	json_decref(out);
	in = json_pack("{s:s}", "note", "受影响用户全部恢复供电");
	out = NULL;
	rc = emergency_end(db, cmd, em, in, &out, &err);
	json_decref(in);
	json_decref(out);
	if (rc != 0)
		return failed("emergency end", &err);
	in = json_pack("{s:s, s:s}", "findings", "集中器备品不足，城南片区抢修等待约2小时；表箱进水集中在地势低洼的老旧小区。",
	    "lessons", "各供电所常备集中器3台；汛期前对低洼小区表箱加装防水罩并抬高安装位置。");
	out = NULL;
	rc = emergency_review(db, sup, em, in, &out, &err);
	json_decref(in);
	json_decref(out);
	if (rc != 0)
		return failed("emergency review", &err);
	/* today's on-call roster */
	int64_t now = fg_now_ms(), h = 3600LL * 1000;
	const struct {
		const char *id, *duty;
	} roster[] = {{disp, "指挥中心值班"}, {ldr, "抢修值班（装表接电）"}, {a, "充电设施抢修值班"}};
	for (size_t i = 0; i < 3; i++) {
		in = json_pack("{s:s, s:s, s:I, s:I}", "user_id", roster[i].id, "duty", roster[i].duty, "from_at",
		    (json_int_t)(now - 2 * h), "to_at", (json_int_t)(now + 22 * h));
		out = NULL;
		rc = oncall_add(db, cmd, in, &out, &err);
		json_decref(in);
		json_decref(out);
		if (rc != 0)
			return failed("on-call", &err);
	}
	*made = 4;
	return 0;
}
