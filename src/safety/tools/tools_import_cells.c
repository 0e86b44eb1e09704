/* The cells of a tool-ledger import (tools_import_*.c): which field a header names, and a keeper's spelling of a
 * date, a test result or a tool kind as the value POST /api/v1/tools takes. Pure functions but for kind names,
 * which come from the knowledge base. Internal to the tools module. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/base/day.h"
#include "core/base/util.h"
#include "safety/kb/kb.h"
#include "safety/tools/tools_import.h"
#include "safety/tools/tools_import_cells.h"

const char *const timp_fields[NFIELDS] = {"asset_no", "kind", "name", "store", "location", "last_test_date",
    "last_test_result"};

/* What keepers call each column, in Chinese ledgers and in English (compared without case, spaces, _ or -). */
static const struct {
	int field;
	const char *names[9];
} headers[] = {
	{F_ASSET, {"资产编号", "编号", "工器具编号", "设备编号", "资产号", "assetno", "asset", "assetnumber", NULL}},
	{F_KIND, {"工器具类型", "类型", "工器具种类", "种类", "类别", "kind", "type", "toolkind", NULL}},
	{F_NAME, {"名称", "工器具名称", "规格型号", "型号", "name", NULL}},
	{F_STORE, {"库房", "存放库房", "仓库", "存放地点", "store", NULL}},
	{F_LOCATION, {"存放位置", "位置", "货架", "location", NULL}},
	{F_DATE, {"上次试验日期", "最近试验日期", "试验日期", "lasttestdate", "testdate", NULL}},
	{F_RESULT, {"试验结果", "上次试验结果", "最近试验结果", "lasttestresult", "testresult", "result", NULL}},
};

/* trims ASCII white space, NBSP (C2 A0), the ideographic space (E3 80 80) and a stray BOM (EF BB BF) */
char *
timp_trim(const char *s)
{
	const char *b = s, *e = s + strlen(s);
	for (;;) {
		if (b < e && isspace((unsigned char)*b))
			b++;
		else if (e - b >= 2 && memcmp(b, "\xC2\xA0", 2) == 0)
			b += 2;
		else if (e - b >= 3 && (memcmp(b, "\xE3\x80\x80", 3) == 0 || memcmp(b, "\xEF\xBB\xBF", 3) == 0))
			b += 3;
		else
			break;
	}
	for (;;) {
		if (e > b && isspace((unsigned char)e[-1]))
			e--;
		else if (e - b >= 2 && memcmp(e - 2, "\xC2\xA0", 2) == 0)
			e -= 2;
		else if (e - b >= 3 && memcmp(e - 3, "\xE3\x80\x80", 3) == 0)
			e -= 3;
		else
			break;
	}
	return fg_strndup(b, (size_t)(e - b));
}

const char *
tools_import_field(const char *header)
{
	char key[256];
	size_t k = 0;
	char *t = timp_trim(header);
	/* "资产编号(asset_no)", "资产编号（必填）", "类型 *": the name is what comes before the bracket or star */
	char *cut = t;
	for (char *p = t; *p; p++) {
		if (*p == '(' || *p == '*' || strncmp(p, "（", 3) == 0) {
			*p = 0;
			break;
		}
	}
	for (char *p = cut; *p && k + 1 < sizeof key; p++)
		if (*p != ' ' && *p != '_' && *p != '-' && *p != '\t')
			key[k++] = (char)tolower((unsigned char)*p);
	key[k] = 0;
	free(t);
	for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++)
		for (int j = 0; headers[i].names[j]; j++)
			if (k && strcmp(key, headers[i].names[j]) == 0)
				return timp_fields[headers[i].field];
	return NULL;
}

int
timp_field_index(const char *name)
{
	for (int i = 0; i < NFIELDS; i++)
		if (name && strcmp(timp_fields[i], name) == 0)
			return i;
	return -1;
}

bool
tools_import_date(const char *s, char out[11])
{
	int y, m, d, used = 0;
	char sep1[4] = "", sep2[4] = "";
	if (!s)
		return false;
	/* 2024-03-05, 2024/3/5, 2024.3.5; and 2024年3月5日 */
	if (sscanf(s, "%4d%1[-/.]%2d%1[-/.]%2d%n", &y, sep1, &m, sep2, &d, &used) == 5 && sep1[0] == sep2[0] &&
	    (s[used] == 0 || s[used] == ' ' || s[used] == 'T')) {
		/* an Excel date exported as text may carry a time: "2024/3/5 0:00" */
	} else if (sscanf(s, "%4d年%2d月%2d日%n", &y, &m, &d, &used) == 3 && s[used] == 0) {
	} else {
		return false;
	}
	if (!fg_fmt(out, 11, "%04d-%02d-%02d", y, m, d))
		return false;
	return day_valid(out);
}

/* 合格/不合格 as keepers write them; pass/fail in any case */
const char *
timp_result_code(const char *v)
{
	static const char *const pass[] = {"合格", "通过", "pass", "passed", "ok", NULL};
	static const char *const fail[] = {"不合格", "未通过", "fail", "failed", NULL};
	for (int i = 0; pass[i]; i++)
		if (strcasecmp(v, pass[i]) == 0)
			return "pass";
	for (int i = 0; fail[i]; i++)
		if (strcasecmp(v, fail[i]) == 0)
			return "fail";
	return NULL;
}

/* a kind by its code, its Chinese name or its English name */
const char *
timp_kind_code(const char *v)
{
	json_t *k = kb_find("tool_kinds", "code", v);
	if (!k)
		k = kb_find("tool_kinds", "name_zh", v);
	if (!k) {
		size_t i;
		json_t *it;
		json_array_foreach(kb_items("tool_kinds"), i, it) {
			const char *en = json_string_value(json_object_get(it, "name_en"));
			if (en && strcasecmp(en, v) == 0) {
				k = it;
				break;
			}
		}
	}
	return k ? json_string_value(json_object_get(k, "code")) : NULL;
}
