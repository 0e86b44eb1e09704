/* The KPI table as an .xlsx workbook (libxlsxwriter): sheet 1 "充电设施指标" the rows and the total with Chinese
 * headers and number formats, sheet 2 "指标定义" the formulas. libxlsxwriter 1.1.4 writes to a file only, so the
 * workbook goes to a private temporary file that is read back and removed. */
#include <string.h>
#include <xlsxwriter.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/base/xlsx_out.h"
#include "charging/kpis/kpis.h"

enum { F_TEXT, F_INT, F_PCT, F_RATE, F_H, F_KWH };

static const struct {
	const char *key, *head;
	int fmt;
	double width;
} cols[] = {
	{"label", "分组", F_TEXT, 24},
	{"chargers", "充电桩数", F_INT, 9},
	{"connectors", "充电枪数", F_INT, 9},
	{"availability_pct", "可用率(%)", F_PCT, 10},
	{"online_pct", "在线率(%)", F_PCT, 10},
	{"faults", "故障次数", F_INT, 9},
	{"fault_rate", "故障率(次/桩·月)", F_RATE, 14},
	{"faults_per_gun", "每枪故障次数", F_RATE, 12},
	{"mttr_h", "平均修复时长 MTTR(小时)", F_H, 14},
	{"mtbf_h", "平均故障间隔 MTBF(小时)", F_H, 14},
	{"success_pct", "充电成功率(%)", F_PCT, 12},
	{"time_util_pct", "时间利用率(%)", F_PCT, 12},
	{"energy_util_pct", "电量利用率(%)", F_PCT, 12},
	{"sessions", "充电次数", F_INT, 9},
	{"energy_kwh", "充电量(kWh)", F_KWH, 12},
	{"window_s", "统计时长(秒)", F_INT, 12},
	{"status_known_s", "状态已知时长(秒)", F_INT, 14},
	{"fault_s", "故障时长(秒)", F_INT, 12},
	{"operating_s", "运行时长(秒)", F_INT, 12},
	{"charger_window_s", "桩统计时长(秒)", F_INT, 13},
	{"online_s", "在线时长(秒)", F_INT, 12},
	{"charger_months", "桩·月", F_RATE, 9},
	{"repairs", "修复次数", F_INT, 9},
	{"repair_s", "修复时长(秒)", F_INT, 12},
	{"attempts", "启动次数", F_INT, 9},
	{"successes", "成功次数", F_INT, 9},
	{"open_sessions", "进行中", F_INT, 8},
	{"charging_s", "充电时长(秒)", F_INT, 12},
	{"energy_wh", "充电量(Wh)", F_INT, 12},
	{"rated_energy_wh", "有额定功率桩的电量(Wh)", F_INT, 16},
	{"rated_capacity_wh", "额定可充电量(Wh)", F_INT, 14},
};

static const char *const defs[][3] = {
	{"可用率", "(状态已知时长 − 故障时长) / 状态已知时长", "按枪计时加权；枪或整桩(接口0)上报 Faulted 的时间为故障时长；首次上报前的时间不计入"},
	{"在线率", "在线时长 / 桩统计时长", "在线时长取自平台的连接/断开事件；桩统计时长从统计期开始或桩登记/首次上报起算，到统计期末或当前时刻"},
	{"故障率", "故障次数 / 桩·月", "桩·月 = 桩统计时长 / 30 天；故障次数 = 统计期内开始的故障段数(按枪计)"},
	{"每枪故障次数", "故障次数 / 充电枪数", "REFERENCE §7.4 的“故障次数/枪数”"},
	{"平均修复时长 MTTR", "修复时长 / 修复次数", "统计期内结束的故障段，从进入 Faulted 到离开 Faulted；统计期前开始的故障从期初计起。故障工单上线后可改用工单的报修到恢复时长"},
	{"平均故障间隔 MTBF", "运行时长 / 故障次数", "运行时长 = 状态已知时长 − 故障时长"},
	{"充电成功率", "成功次数 / (启动次数 − 进行中)", "成功：卡号 Accepted、已停止、电量 > 0、时长 ≥ 60 秒，停止原因不是 EmergencyStop/PowerLoss/Reboot/HardReset/SoftReset/UnlockCommand/DeAuthorized/Other"},
	{"时间利用率", "充电时长 / 统计时长", "按枪；充电时长为 StartTransaction 到 StopTransaction，未停止的最多计 48 小时"},
	{"电量利用率", "有额定功率桩的电量 / 额定可充电量", "额定可充电量 = 额定功率(kW) × 统计时长(小时)；未填额定功率的桩不计入"},
	{"充电次数 / 充电量", "统计期内开始且卡号 Accepted 的交易数 / 其电量之和", "电量 = meterStop − meterStart"},
};

static void
write_table(lxw_workbook *wb, json_t *t)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, "充电设施指标");
	lxw_worksheet *wd = workbook_add_worksheet(wb, "指标定义");
	lxw_format *bold = workbook_add_format(wb), *head = workbook_add_format(wb), *f[6];
	format_set_bold(bold);
	format_set_bold(head);
	format_set_text_wrap(head);
	format_set_bg_color(head, 0xDDEBF7);
	const char *nf[] = {NULL, "0", "0.00", "0.000", "0.00", "#,##0.000"};
	for (int i = 0; i < 6; i++) {
		f[i] = workbook_add_format(wb);
		if (nf[i])
			format_set_num_format(f[i], nf[i]);
	}
	static const char *const by_name[][2] = {{"station", "站点"}, {"vendor", "厂商"}, {"model", "型号"},
	    {"charger", "充电桩"}, {"connector", "充电枪"}};
	const char *gb = json_string_value(json_object_get(t, "group_by")), *gname = gb;
	for (int i = 0; i < 5; i++)
		if (gb && strcmp(gb, by_name[i][0]) == 0)
			gname = by_name[i][1];
	char title[200];
	fg_fmt(title, sizeof title, "充电设施运维指标  %s 至 %s  按%s", json_string_value(json_object_get(t, "from")),
	    json_string_value(json_object_get(t, "to")), gname ? gname : "");
	worksheet_write_string(ws, 0, 0, title, bold);
	size_t nc = sizeof cols / sizeof cols[0];
	for (size_t c = 0; c < nc; c++) {
		worksheet_write_string(ws, 1, (lxw_col_t)c, cols[c].head, head);
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, cols[c].width, NULL);
	}
	json_t *rows = json_object_get(t, "rows");
	size_t n = json_array_size(rows);
	for (size_t r = 0; r <= n; r++) {
		json_t *row = r < n ? json_array_get(rows, r) : json_object_get(t, "total");
		lxw_row_t y = (lxw_row_t)(r + 2);
		for (size_t c = 0; c < nc; c++) {
			json_t *v = json_object_get(row, cols[c].key);
			if (cols[c].fmt == F_TEXT) {
				const char *s = r < n ? json_string_value(v) : "合计";
				worksheet_write_string(ws, y, (lxw_col_t)c, s && *s ? s : "(未填)", r < n ? NULL : bold);
			} else if (json_is_number(v)) {
				worksheet_write_number(ws, y, (lxw_col_t)c, json_number_value(v), f[cols[c].fmt]);
			}
		}
	}
	worksheet_freeze_panes(ws, 2, 1);
	if (json_is_true(json_object_get(t, "truncated")))
		worksheet_write_string(ws, (lxw_row_t)(n + 3), 0, "只列出前 2000 组；合计含全部", NULL);
	xlsx_out_definitions(wd, defs, sizeof defs / sizeof defs[0], (const double[3]){18, 40, 90},
	    "统计日按北京时间(Asia/Shanghai)划分；时长单位为秒，原始分子分母见第 1 页右侧各列", head, bold);
}

static void
fill(lxw_workbook *wb, void *table)
{
	write_table(wb, table);
}

int
kpis_xlsx_of(json_t *table, unsigned char **buf, size_t *len, fg_err_t *err)
{
	return xlsx_out_build("kpis", fill, table, buf, len, err);
}

int
kpis_xlsx(db_t *db, const kpis_query_t *q, unsigned char **buf, size_t *len, fg_err_t *err)
{
	json_t *t = NULL;
	if (kpis_table(db, q, &t, err))
		return -1;
	int rc = kpis_xlsx_of(t, buf, len, err);
	json_decref(t);
	return rc;
}
