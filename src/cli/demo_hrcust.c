/* Demo data of issue 13 items 1–2: 60 high-risk and important customers of every grade entered into the customer
 * registry and the ledger through the modules' own functions (check digits, audit), their checks generated as of
 * today — some overdue, some due soon — a few suspected of unregistered power, and two checks run to the end by the
 * 用电检查班's crew (one with a hazard found). Once per database: nothing is done when the ledger has entries. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "core/base/day.h"
#include "core/base/util.h"
#include "core/calendar/calendar.h"
#include "customer/customers/customers.h"
#include "customer/hrcust/hrcust.h"

/* The unified social credit code's check character (GB 32100-2015) for 17 characters. */
static char
uscc_check(const char *s17)
{
	static const char set[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	static const int w[] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (int)(strchr(set, s17[i]) - set) * w[i];
	int c = 31 - sum % 31;
	return set[c == 31 ? 0 : c];
}

static const struct {
	const char *grade, *voltage, *name, *industry;
} people[] = {
    {"special", "220kV", "临澜国际机场", NULL}, {"special", "110kV", "临澜地铁运营公司", NULL},
    {"special", "110kV", "临澜市第一人民医院", "hospital"}, {"special", "220kV", "临澜石化", NULL},
    {"special", "110kV", "临澜广播电视台", NULL}, {"special", "110kV", "临澜数据中心", "data_centre"},
    {"first", "35kV", "临澜市中心医院", "hospital"}, {"first", "10kV", "临澜自来水厂", NULL},
    {"first", "35kV", "临澜钢铁", NULL}, {"first", "10kV", "临澜银行数据灾备中心", "bank"},
    {"first", "110kV", "临澜高铁站", NULL}, {"first", "10kV", "临澜市急救中心", "hospital"},
    {"first", "35kV", "临澜化工园区污水处理厂", NULL}, {"first", "10kV", "临澜燃气调压站", NULL},
    {"first", "10kV", "临澜市政府办公中心", NULL}, {"first", "35kV", "临澜半导体", NULL},
    {"second", "10kV", "临澜第二中学", NULL}, {"second", "10kV", "临澜万达广场", NULL},
    {"second", "10kV", "临澜大酒店", "hotel"}, {"second", "10kV", "临澜市图书馆", NULL},
    {"second", "10kV", "临澜体育中心", NULL}, {"second", "10kV", "临澜妇幼保健院", "hospital"},
    {"second", "10kV", "临澜农商银行营业部", "bank"}, {"second", "10kV", "临澜冷链物流园", NULL},
    {"second", "10kV", "临澜电视塔", NULL}, {"second", "10kV", "临澜看守所", NULL},
    {"second", "10kV", "临澜会展中心", NULL}, {"second", "10kV", "临澜长途汽车站", NULL},
    {"temporary", "10kV", "临澜国际马拉松组委会", NULL}, {"temporary", "10kV", "临澜高考考点（第一中学）", NULL},
    {"temporary", "10kV", "临澜音乐节（滨江公园）", NULL}, {"temporary", "10kV", "临澜新春灯会", NULL},
    {"hv35", "35kV", "临澜水泥", NULL}, {"hv35", "35kV", "临澜造纸", NULL}, {"hv35", "110kV", "临澜铝业", NULL},
    {"hv35", "35kV", "临澜玻璃", NULL}, {"hv35", "35kV", "临澜纺织", NULL}, {"hv35", "35kV", "临澜汽车零部件", NULL},
    {"hv35", "35kV", "临澜电子城", NULL}, {"hv35", "110kV", "临澜港务", NULL}, {"hv35", "35kV", "临澜制药", NULL},
    {"hv35", "35kV", "临澜食品", NULL}, {"hv35", "35kV", "临澜光伏组件", NULL}, {"hv35", "35kV", "临澜锂电", NULL},
    {"hv35", "35kV", "临澜重工", NULL}, {"hv35", "35kV", "临澜建材", NULL},
    {"hv10", "10kV", "临澜移动滨江基站", "mobile_base_station"}, {"hv10", "10kV", "临澜联通城北基站", "mobile_base_station"},
    {"hv10", "10kV", "临澜生猪养殖场", "farm"}, {"hv10", "10kV", "临澜蔬菜种植基地", "farm"},
    {"hv10", "10kV", "临澜工商银行城东支行", "bank"}, {"hv10", "10kV", "临澜宾馆", "hotel"},
    {"hv10", "10kV", "临澜家具厂", NULL}, {"hv10", "10kV", "临澜印刷厂", NULL}, {"hv10", "10kV", "临澜服装厂", NULL},
    {"hv10", "10kV", "临澜地铁三号线工地", "construction_site"}, {"hv10", "10kV", "临澜超市配送中心", NULL},
    {"hv10", "10kV", "临澜奶牛场", "farm"}, {"hv10", "10kV", "临澜商业银行城南支行", "bank"}, {"hv10", "10kV", "临澜酒厂", NULL},
};

static const char *const subs[] = {"滨江变", "城北变", "城南变", "开发区变", "临澜变"};

/* The entry's body: sources by grade (one entry in four short of its rule: the ledger flags it), emergency power for
 * the important grades (one in five under 120 % of the 保安 load), electricians, and a last check spread over the
 * year so some checks fall due, some are overdue. */
static json_t *
entry_for(size_t i, const char *cid, const char *today)
{
	const char *g = people[i].grade;
	bool important = strcmp(g, "special") == 0 || strcmp(g, "first") == 0 || strcmp(g, "second") == 0;
	int need = strcmp(g, "special") == 0 ? 3 : (strcmp(g, "first") == 0 || strcmp(g, "second") == 0) ? 2 : 1;
	if (i % 4 == 3 && need > 1)
		need--; /* short of its rule */
	json_t *src = json_array();
	for (int k = 0; k < need; k++) {
		char name[64];
		fg_fmt(name, sizeof name, "%s%d线", subs[(i + (size_t)k) % 5], (int)(i % 7) + 1);
		json_array_append_new(src, json_pack("{s:s, s:s, s:s}", "name", name, "substation",
		    subs[(i + (size_t)(strcmp(g, "first") == 0 || strcmp(g, "special") == 0 ? k : 0)) % 5], "kind", k ? "backup" : "main"));
	}
	char last[11], test[11];
	day_add_days(today, -(long)((i * 37) % 380) - 20, last);
	day_add_days(today, -(long)((i * 13) % 200), test);
	json_t *in = json_pack("{s:s, s:s, s:s, s:o, s:s}", "customer_id", cid, "grade", g, "voltage_level", people[i].voltage, "sources", src,
	    "last_checked_on", last);
	if (people[i].industry)
		json_object_set_new(in, "industry", json_string(people[i].industry));
	if (important) {
		int load = 200 + (int)(i % 5) * 100;
		int cap = i % 5 == 2 ? load : load * 3 / 2; /* one in five: 100 %, under 120 % */
		json_object_set_new(in, "security_load_kw", json_integer(load));
		json_object_set_new(in, "emergency_power", json_pack("[{s:s, s:i, s:s}]", "kind", i % 3 ? "diesel_generator" : "ups", "capacity_kw", cap,
							       "last_start_test", test));
		json_object_set_new(in, "dual_power", json_pack("[{s:s, s:s}]", "registered_on", "2024-03-01", "second_source", json_string_value(
		    json_object_get(json_array_get(src, json_array_size(src) - 1), "name"))));
	}
	if (strcmp(g, "temporary") == 0) {
		char s[11], e[11];
		day_add_days(today, (long)(i % 4) * 6 + 5, s);
		day_add_days(s, 2, e);
		json_object_set_new(in, "event_start", json_string(s));
		json_object_set_new(in, "event_end", json_string(e));
		json_object_set_new(in, "emergency_power", json_pack("[{s:s, s:i}]", "kind", "mobile_generator", "capacity_kw", 500));
	}
	static const char *const names[] = {"钱进", "孙立", "周强", "吴敏", "郑涛", "王磊"};
	char valid[11];
	day_add_days(today, i % 6 == 0 ? -40 : 400, valid); /* one in six: a certificate expired */
	json_object_set_new(in, "electricians", json_pack("[{s:s, s:s, s:s, s:s, s:s}]", "name", names[i % 6], "phone", "13700002222",
						     "qualification", strcmp(people[i].voltage, "10kV") ? "高压电工作业" : "低压电工作业", "certificate_no",
						     "T3301020001", "valid_until", valid));
	if (i % 11 == 5 && !people[i].industry) {
		json_object_set_new(in, "suspected", json_true());
		json_object_set_new(in, "suspected_reason", json_string("巡视发现厂区有柴油发电机，未办理自备电源登记"));
	}
	return in;
}

/* One check run to the end by the crew: every item ok but, with `hazard`, the anti-backfeed interlock. */
static int
run_check(db_t *db, const auth_user_t *crew, const char *id, bool hazard, fg_err_t *e)
{
	json_t *k = hrcheck_get(db, NULL, id), *it, *out = NULL;
	size_t i;
	int rc = k ? 0 : -1;
	json_array_foreach(json_object_get(k, "items"), i, it) {
		bool h = hazard && strcmp(fg_jstr(it, "code"), "anti_backfeed") == 0;
		json_t *in = h ? json_pack("{s:s, s:s}", "result", "hazard", "note", "发电机与市电切换无机械闭锁，存在倒送电风险")
			       : json_pack("{s:s}", "result", "ok");
		rc = rc ? rc : hrcheck_record(db, crew, id, fg_jstr(it, "code"), in, &out, e);
		json_decref(in);
		json_decref(out);
		out = NULL;
	}
	json_t *fin = json_object();
	rc = rc ? rc : hrcheck_finish(db, crew, id, fin, &out, e);
	json_decref(fin);
	json_decref(out);
	json_decref(k);
	return rc;
}

int
demo_hrcust(db_t *db, json_t *org_keys, int *made, int *checks)
{
	*made = *checks = 0;
	int rc;
	json_t *have = db_one(db_q(db, "SELECT COUNT(*) AS n FROM hr_customers", ""), &rc);
	long long n = have ? json_integer_value(json_object_get(have, "n")) : -1;
	json_decref(have);
	if (n != 0)
		return n < 0 ? -1 : 0;
	if (hrcust_start() != 0)
		return -1;
	char today[11];
	cal_local_day(fg_now_ms(), today);
	fg_err_t e = FG_ERR_INIT;
	const char *unit = json_string_value(json_object_get(org_keys, "yjjc"));
	for (size_t i = 0; i < sizeof people / sizeof people[0]; i++) {
		char s17[18], id[19];
		fg_fmt(s17, sizeof s17, "91330100MA%07zu", 2600000 + i);
		fg_fmt(id, sizeof id, "%s%c", s17, uscc_check(s17));
		json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:[{s:s, s:s, s:s}]}", "kind", "enterprise", "name", people[i].name, "id_type", "uscc",
		    "id_number", id, "org_unit_id", unit, "contacts", "name", "赵主任", "phone", "13900001111", "role", "电气负责人");
		json_t *c = NULL, *entry = NULL;
		rc = customers_create(db, NULL, in, &c, &e);
		json_decref(in);
		if (rc == 0) {
			json_t *ein = entry_for(i, fg_jstr(c, "id"), today);
			rc = hrcust_create(db, NULL, ein, &entry, &e);
			json_decref(ein);
		}
		json_decref(c);
		json_decref(entry);
		if (rc != 0) {
			fprintf(stderr, "fieldgrid: demo safety customer %s: %s\n", people[i].name, e.code ? e.code : "?");
			fg_err_clear(&e);
			return -1;
		}
		(*made)++;
	}
	json_t *out = NULL;
	if (hrcust_generate(db, "system", today, &out, &e) != 0) {
		fprintf(stderr, "fieldgrid: demo safety checks: %s\n", e.code ? e.code : "?");
		fg_err_clear(&e);
		return -1;
	}
	*checks = (int)json_integer_value(json_object_get(out, "created"));
	/* two checks run to the end by the 用电检查班's leader: one clean, one with a hazard found */
	auth_user_t crew;
	json_t *items = json_object_get(out, "items");
	if (demo_person(db, "tangjianxin", &crew) == 0 && json_array_size(items) >= 2) {
		fg_fmt(crew.org_unit_id, sizeof crew.org_unit_id, "%s", unit ? unit : ""); /* the team's customers are in his scope */
		for (size_t i = 0; i < 2; i++)
			if (run_check(db, &crew, fg_jstr(json_array_get(items, i * (json_array_size(items) - 1)), "check_id"), i == 1, &e) != 0) {
				fprintf(stderr, "fieldgrid: demo safety check run: %s\n", e.code ? e.code : "?");
				fg_err_clear(&e);
				json_decref(out);
				return -1;
			}
	}
	json_decref(out);
	return 0;
}
