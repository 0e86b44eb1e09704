/* The report of customer-side hazards to the government authority (R2.10: 客户侧隐患"报备"): the hazards a
 * period found, one row each, as a CSV file an office opens in a spreadsheet (UTF-8 with a BOM so that Excel reads
 * the Chinese headers). The columns are the ones such offices' 隐患报备 forms ask for: who (customer, account
 * number), what (kind, grade, place, description), the notice and its receipt, the deadline, where it stands, and
 * the last follow-up. docs/api.md "Customer hazards" lists them. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/base/day.h"
#include "core/base/util.h"
#include "core/calendar/calendar.h"
#include "customer/hazards/hazards.h"

static void
cell(fg_buf_t *b, const char *s, bool last)
{
	fg_buf_append(b, "\"", 1);
	for (const char *p = s ? s : ""; *p; p++) {
		if (*p == '"')
			fg_buf_append(b, "\"", 1);
		if (*p == '\r' || *p == '\n') {
			fg_buf_append(b, " ", 1);
			continue;
		}
		fg_buf_append(b, p, 1);
	}
	fg_buf_append(b, last ? "\"\r\n" : "\",", last ? 3 : 2);
}

static void
day_of(json_t *v, char out[11])
{
	if (json_is_integer(v))
		cal_local_day(json_integer_value(v), out);
	else
		out[0] = 0;
}

static const char *
zh(const char *code, const char *const (*table)[2], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (code && strcmp(table[i][0], code) == 0)
			return table[i][1];
	return code;
}

int
hazards_report_csv(db_t *db, const char *from, const char *to, char **out, size_t *outlen, fg_err_t *err)
{
	if (!from || !day_valid(from))
		return fg_err_field(err, from ? "invalid_query" : "missing_field", "from", "YYYY-MM-DD");
	if (!to || !day_valid(to))
		return fg_err_field(err, to ? "invalid_query" : "missing_field", "to", "YYYY-MM-DD");
	if (strcmp(from, to) > 0 || day_diff(from, to) > 366)
		return fg_err_field(err, "invalid_query", "to", "on or after from, at most a year later");
	long d0 = day_diff("1970-01-01", from), d1 = day_diff("1970-01-01", to);
	int64_t a = (int64_t)d0 * 86400000LL - 8 * 3600000LL, b = (int64_t)(d1 + 1) * 86400000LL - 8 * 3600000LL;
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT h.id, h.number, h.notice_number, c.name AS customer_name, COALESCE((SELECT MIN(a.number) FROM "
				       "customer_accounts a WHERE a.customer_id = c.id), c.number) AS customer_number, h.kind, "
				       "h.severity, h.location, h.description, h.found_at, h.notice_at, h.signer_name, h.signed_at, h.rectify_by, "
				       "h.status, h.reported_at, h.closed_at, (SELECT f.checked_on FROM customer_hazard_followups f WHERE f.hazard_id = "
				       "h.id ORDER BY f.created_at DESC, f.id DESC LIMIT 1) AS last_check_on, (SELECT f.result FROM "
				       "customer_hazard_followups f WHERE f.hazard_id = h.id ORDER BY f.created_at DESC, f.id DESC LIMIT 1) AS "
				       "last_check_result FROM customer_hazards h JOIN customers c ON c.id = h.customer_id WHERE h.side = 'customer' "
				       "AND h.status <> 'cancelled' AND h.found_at >= $1 AND h.found_at < $2 ORDER BY h.found_at, h.number", "ii", a, b),
			      &rc);
	if (!rows)
		return fg_err(err, "internal");
	static const char *const sev[][2] = {{"general", "一般"}, {"major", "重大"}, {"critical", "紧急"}};
	static const char *const st[][2] = {{"open", "待处理"}, {"notified", "已通知待签收"}, {"signed", "已签收"}, {"reported", "已报备整改中"},
					     {"closed", "已整改闭环"}};
	static const char *const res[][2] = {{"rectified", "已整改"}, {"not_rectified", "未整改"}, {"partly", "部分整改"}};
	static const char *const head[] = {"序号", "隐患编号", "通知书编号", "用户名称", "户号", "隐患类别", "隐患等级", "隐患部位或设备",
					   "隐患描述", "发现日期", "通知日期", "签收人", "签收日期", "整改期限", "当前状态", "报备日期",
					   "最近复查日期", "最近复查结果", "闭环日期", NULL};
	fg_buf_t buf;
	fg_buf_init(&buf, 64u << 20);
	fg_buf_append(&buf, "\xEF\xBB\xBF", 3);
	for (int i = 0; head[i]; i++)
		cell(&buf, head[i], !head[i + 1]);
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		char n[16], f[11], nt[11], sg[11], rp[11], cl[11];
		fg_fmt(n, sizeof n, "%zu", i + 1);
		day_of(json_object_get(r, "found_at"), f);
		day_of(json_object_get(r, "notice_at"), nt);
		day_of(json_object_get(r, "signed_at"), sg);
		day_of(json_object_get(r, "reported_at"), rp);
		day_of(json_object_get(r, "closed_at"), cl);
		const char *kind = fg_jstr(r, "kind");
		size_t k;
		json_t *v;
		json_array_foreach(hazards_kinds(), k, v) if (strcmp(fg_jstr(v, "code"), kind) == 0) kind = fg_jstr(v, "name_zh");
		const char *vals[] = {n, fg_jstr(r, "number"), fg_jstr(r, "notice_number"), fg_jstr(r, "customer_name"), fg_jstr(r, "customer_number"),
				      kind, zh(fg_jstr(r, "severity"), sev, 3), fg_jstr(r, "location"), fg_jstr(r, "description"), f, nt,
				      fg_jstr(r, "signer_name"), sg, fg_jstr(r, "rectify_by"), zh(fg_jstr(r, "status"), st, 5), rp,
				      fg_jstr(r, "last_check_on"), zh(fg_jstr(r, "last_check_result"), res, 3), cl};
		for (size_t j = 0; j < sizeof vals / sizeof vals[0]; j++)
			cell(&buf, vals[j], j + 1 == sizeof vals / sizeof vals[0]);
	}
	json_decref(rows);
	*out = (char *)buf.data;
	*outlen = buf.len;
	return 0;
}
