/* The evaluation as an .xlsx workbook (libxlsxwriter, as the charger KPIs): sheet 1 "按月汇总" the months and the
 * period's total, sheet 2 "按供电单位" by serving unit and kind, sheet 3 "按班组与环节" by team, stage and kind,
 * sheet 4 "指标定义" how each figure is counted. Headers in Chinese (the desk's first language); the numbers are
 * the JSON answer's, to the same two decimals. libxlsxwriter writes to a file only: a private temporary file, read
 * back and removed. */
#include <string.h>
#include <xlsxwriter.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/base/xlsx_out.h"
#include "customer/evaluation/appeval.h"

enum { F_TEXT, F_INT, F_DEC, F_KIND };

typedef struct {
	const char *key, *head;
	int fmt;
	double width;
	const char *none; /* text: what a null shows */
} col_t;

#define APP_COLS                                                                                         \
	{"applications", "受理申请数", F_INT, 10, NULL}, {"complaints", "投诉件数", F_INT, 9, NULL},         \
	    {"complaints_per_1000", "每千件投诉", F_DEC, 10, NULL}, {"stage_visits", "完成环节数", F_INT, 10, NULL}, \
	    {"stage_on_time", "按时环节数", F_INT, 10, NULL}, {"stage_late", "超时环节数", F_INT, 10, NULL},    \
	    {"stage_on_time_pct", "环节按时率(%)", F_DEC, 12, NULL},                                             \
	    {"avg_stage_working_days", "环节平均工作日", F_DEC, 12, NULL}, {"completed", "送电户数", F_INT, 9, NULL}, \
	    {"process_on_time", "全流程按时户数", F_INT, 12, NULL},                                              \
	    {"process_on_time_pct", "全流程按时率(%)", F_DEC, 13, NULL},                                         \
	    {"all_stages_on_time", "各环节均按时户数", F_INT, 13, NULL},                                         \
	    {"all_stages_on_time_pct", "各环节均按时率(%)", F_DEC, 14, NULL},                                    \
	    {"avg_process_working_days", "全流程平均工作日", F_DEC, 13, NULL}, {"ratings", "评价数", F_INT, 8, NULL}, \
	    {"rating_avg", "平均星级", F_DEC, 9, NULL}, {"feedback_satisfied", "回访满意", F_INT, 9, NULL},       \
	    {"feedback_basically_satisfied", "回访基本满意", F_INT, 11, NULL},                                   \
	    {"feedback_dissatisfied", "回访不满意", F_INT, 10, NULL}, {"satisfied_pct", "满意率(%)", F_DEC, 10, NULL}, \
	    {"uncounted", "未计入", F_INT, 8, NULL}

static const col_t month_cols[] = {{"month", "月份", F_TEXT, 10, "合计"}, APP_COLS, {NULL, NULL, 0, 0, NULL}};
static const col_t unit_cols[] = {{"month", "月份", F_TEXT, 10, ""}, {"org_unit_name", "供电单位", F_TEXT, 20, "(未定供电单位)"},
    {"kind", "类别", F_KIND, 14, ""}, APP_COLS, {NULL, NULL, 0, 0, NULL}};
static const col_t stage_cols[] = {{"month", "月份", F_TEXT, 10, ""}, {"team_name", "班组", F_TEXT, 18, "(未分派班组，按角色)"},
    {"stage_name_zh", "环节", F_TEXT, 16, ""}, {"kind", "类别", F_KIND, 14, ""}, {"visits", "完成环节数", F_INT, 10, NULL},
    {"on_time", "按时", F_INT, 8, NULL}, {"late", "超时", F_INT, 8, NULL}, {"on_time_pct", "按时率(%)", F_DEC, 10, NULL},
    {"working_days", "工作日合计", F_INT, 10, NULL}, {"avg_working_days", "平均工作日", F_DEC, 10, NULL},
    {NULL, NULL, 0, 0, NULL}};

static const char *const kind_names[][2] = {{"lv_residential", "低压居民"}, {"lv_non_residential", "低压非居民"},
    {"hv_single", "高压单电源"}, {"hv_dual", "高压双电源"}, {"capacity_increase", "增容"}, {"temporary", "临时用电"}};

static const char *const defs[][3] = {
    {"环节", "有时限的受理、勘查、方案答复、设计审查、中间检查、竣工检验、装表接电、送电环节的一次办理",
	"按离开该环节的月份计入；因撤销而离开的环节不计入；等待客户（补充资料、客户设计与施工）不是环节"},
    {"环节按时率", "按时环节数 / 完成环节数", "按时：该环节时钟未超时触发，且时钟停止（离开环节，或离开时处于暂停）的时刻不晚于时限"},
    {"环节平均工作日", "工作日合计 / 完成环节数",
	"工作日按时钟自身的算法：进入（或恢复）当日为第 0 日，到离开（或暂停）当日止，计其间的工作日（法定节假日不计，调休上班日计入）；暂停期间不计"},
    {"全流程按时率", "全流程按时户数 / 送电户数", "按送电的月份计入；以全流程时钟（居民 5、低压非居民 6、高压单电源 22、双电源 32 个工作日，客户办理期间停止）判定"},
    {"各环节均按时率", "各环节均按时户数 / 送电户数", "考核口径（REFERENCE §5.3）：送电前的每个环节均按时，该户才计为达标"},
    {"全流程平均工作日", "全流程工作日合计 / 送电户数", "客户办理期间与暂停期间不计"},
    {"每千件投诉", "投诉件数 / 受理申请数 × 1000", "投诉：注明申请编号的投诉类客户反馈，计入该申请受理的月份"},
    {"平均星级", "星级合计 / 评价数", "送电后客户对服务的评价（1–5 星），按评价的月份计入"},
    {"满意率", "(回访满意 + 回访基本满意) / 回访有满意度的件数", "注明申请编号、在统计期内办结并记录满意度的客户反馈"},
    {"班组", "该环节在申请所属供电单位的内部流转中分派的班组", "按出表时的分派（分派不留历史）；未分派的环节按角色办理，单列一行"},
    {"未计入", "时限或工作日无法计算的环节与申请（日历缺少该年份）", ""},
};

static const char *
kind_zh(const char *k)
{
	for (size_t i = 0; k && i < sizeof kind_names / sizeof kind_names[0]; i++)
		if (strcmp(kind_names[i][0], k) == 0)
			return kind_names[i][1];
	return k;
}

static void
write_rows(lxw_workbook *wb, lxw_worksheet *ws, const char *title, const col_t *cols, json_t *rows, json_t *total,
    lxw_format *bold, lxw_format *head, lxw_format *fi, lxw_format *fd)
{
	worksheet_write_string(ws, 0, 0, title, bold);
	size_t nc = 0;
	for (; cols[nc].key; nc++) {
		worksheet_write_string(ws, 1, (lxw_col_t)nc, cols[nc].head, head);
		worksheet_set_column(ws, (lxw_col_t)nc, (lxw_col_t)nc, cols[nc].width, NULL);
	}
	size_t n = json_array_size(rows);
	for (size_t r = 0; r < n + (total != NULL); r++) {
		json_t *row = r < n ? json_array_get(rows, r) : total;
		lxw_row_t y = (lxw_row_t)(r + 2);
		for (size_t c = 0; c < nc; c++) {
			json_t *v = json_object_get(row, cols[c].key);
			if (cols[c].fmt == F_TEXT || cols[c].fmt == F_KIND) {
				const char *s = r < n ? json_string_value(v) : c == 0 ? cols[c].none : NULL;
				if (cols[c].fmt == F_KIND)
					s = kind_zh(s);
				if (s && *s)
					worksheet_write_string(ws, y, (lxw_col_t)c, s, r < n ? NULL : bold);
				else if (r < n && cols[c].none && *cols[c].none)
					worksheet_write_string(ws, y, (lxw_col_t)c, cols[c].none, NULL);
			} else if (json_is_number(v))
				worksheet_write_number(ws, y, (lxw_col_t)c, json_number_value(v), cols[c].fmt == F_INT ? fi : fd);
		}
	}
	worksheet_freeze_panes(ws, 2, 1);
}

static void
write_book(lxw_workbook *wb, json_t *t)
{
	lxw_format *bold = workbook_add_format(wb), *head = workbook_add_format(wb), *fi = workbook_add_format(wb),
		   *fd = workbook_add_format(wb);
	format_set_bold(bold);
	format_set_bold(head);
	format_set_text_wrap(head);
	format_set_bg_color(head, 0xDDEBF7);
	format_set_num_format(fi, "0");
	format_set_num_format(fd, "0.00");
	char period[120], title[300];
	fg_fmt(period, sizeof period, "%s 至 %s", json_string_value(json_object_get(t, "from")), json_string_value(json_object_get(t, "to")));
	fg_fmt(title, sizeof title, "业扩报装服务评价  %s  按月", period);
	write_rows(wb, workbook_add_worksheet(wb, "按月汇总"), title, month_cols, json_object_get(t, "months"), json_object_get(t, "total"),
	    bold, head, fi, fd);
	fg_fmt(title, sizeof title, "业扩报装服务评价  %s  按供电单位与类别", period);
	write_rows(wb, workbook_add_worksheet(wb, "按供电单位"), title, unit_cols, json_object_get(t, "units"), NULL, bold, head, fi, fd);
	fg_fmt(title, sizeof title, "业扩报装服务评价  %s  按班组、环节与类别", period);
	write_rows(wb, workbook_add_worksheet(wb, "按班组与环节"), title, stage_cols, json_object_get(t, "stages"), NULL, bold, head, fi, fd);
	lxw_worksheet *wd = workbook_add_worksheet(wb, "指标定义");
	xlsx_out_definitions(wd, defs, sizeof defs / sizeof defs[0], (const double[3]){16, 44, 90},
	    "月份按北京时间(Asia/Shanghai)划分；工作日按系统工作日历（国务院办公厅节假日安排）", head, bold);
}

static void
fill(lxw_workbook *wb, void *table)
{
	write_book(wb, table);
}

int
appeval_xlsx_of(json_t *table, unsigned char **buf, size_t *len, fg_err_t *err)
{
	return xlsx_out_build("appeval", fill, table, buf, len, err);
}
