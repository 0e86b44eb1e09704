/* A tool-ledger import as the API shows it (the tool import, tools_import_internal.h): the job from its row, with
 * the import thread's live progress while it runs, its report with messages in the caller's language, the report
 * as CSV, and the template. Reads only. */
#include <stdlib.h>
#include <string.h>
#include "core/base/err.h"
#include "core/base/util.h"
#include "safety/tools/tools_import.h"
#include "safety/tools/tools_import_internal.h"

static const char *
message(const char *code, const char *lang)
{
	const errcat_t *c = errcat_find(code);
	return strcmp(lang, "en") == 0 ? c->en : c->zh;
}

json_t *
tools_import_get(db_t *db, const char *id, const char *lang)
{
	int rc;
	json_t *j = db_one(db_q(db,
	    "SELECT id, state, phase, dry_run, format, encoding, filename, size, rows_total, rows_checked, rows_written, "
	    "error_code, error_count, errors, ignored_columns, created_by, created_at, finished_at FROM tool_imports "
	    "WHERE id = $1", "t", id), &rc);
	if (!j)
		return NULL;
	json_int_t total = json_integer_value(json_object_get(j, "rows_total"));
	json_int_t checked = json_integer_value(json_object_get(j, "rows_checked"));
	json_int_t written = json_integer_value(json_object_get(j, "rows_written"));
	const char *phase = json_string_value(json_object_get(j, "phase"));
	const char *state = json_string_value(json_object_get(j, "state"));
	bool open = strcmp(state, "queued") == 0 || strcmp(state, "running") == 0;
	timp_live_t lv;
	timp_live(id, &lv);
	if (lv.current && strcmp(state, "running") == 0) {
		phase = lv.phase;
		checked = lv.checked;
		written = lv.written;
	}
	/* A job no server has touched for TOOLS_IMPORT_STALE_MS was lost with its server (a crash, a kill): none of
	 * it was committed, so it is shown as interrupted rather than leaving a poller waiting for ever. */
	if (open && !lv.here && fg_now_ms() - json_integer_value(json_object_get(j, "created_at")) > TOOLS_IMPORT_STALE_MS) {
		state = "failed";
		phase = "failed";
		json_object_set_new(j, "state", json_string(state));
		json_object_set_new(j, "error_code", json_string("import_interrupted"));
	}
	/* checking and writing each count for half of the bar (a dry run only checks) */
	bool dry = json_integer_value(json_object_get(j, "dry_run")) != 0;
	int pct = total <= 0 ? 0 : dry ? (int)(checked * 100 / total) : (int)((checked + written) * 50 / total);
	if (strcmp(state, "done") == 0 || strcmp(state, "failed") == 0)
		pct = 100;
	json_object_set_new(j, "progress", json_pack("{s:s, s:I, s:I, s:I, s:i}", "phase", phase, "rows_total", total,
					       "rows_checked", checked, "rows_written", written, "percent", pct));
	json_object_set_new(j, "dry_run", json_boolean(dry));
	json_object_set_new(j, "created", json_integer(strcmp(state, "done") == 0 ? written : 0));
	const char *code = json_string_value(json_object_get(j, "error_code"));
	json_object_set_new(j, "error", code ? json_pack("{s:s, s:s}", "code", code, "message", message(code, lang)) : json_null());
	json_t *errs = json_loads(json_string_value(json_object_get(j, "errors")) ? json_string_value(json_object_get(j, "errors")) : "[]",
	    0, NULL);
	if (!json_is_array(errs)) {
		json_decref(errs);
		errs = json_array();
	}
	size_t i;
	json_t *e;
	json_array_foreach(errs, i, e) json_object_set_new(e, "message",
	    json_string(message(json_string_value(json_object_get(e, "code")), lang)));
	json_object_set_new(j, "errors", errs);
	const char *ig = json_string_value(json_object_get(j, "ignored_columns"));
	json_t *ign = ig ? json_loads(ig, 0, NULL) : NULL;
	json_object_set_new(j, "ignored_columns", json_is_array(ign) ? ign : json_array());
	if (ign && !json_is_array(ign))
		json_decref(ign);
	json_object_del(j, "error_code");
	json_object_del(j, "rows_checked");
	json_object_del(j, "rows_written");
	json_object_del(j, "phase");
	return j;
}

/* A CSV field: quoted when it must be; a value that a spreadsheet would run as a formula gets a leading
 * apostrophe (the report echoes what an uploader typed). */
static void
csv_field(fg_buf_t *b, const char *v, bool last)
{
	if (!v)
		v = "";
	bool formula = strchr("=+-@\t\r", v[0]) && v[0];
	bool quote = formula || strpbrk(v, ",\"\r\n") != NULL;
	if (quote)
		fg_buf_append(b, "\"", 1);
	if (formula)
		fg_buf_append(b, "'", 1);
	for (const char *p = v; *p; p++) {
		if (*p == '"')
			fg_buf_append(b, "\"", 1);
		fg_buf_append(b, p, 1);
	}
	if (quote)
		fg_buf_append(b, "\"", 1);
	fg_buf_append(b, last ? "\r\n" : ",", last ? 2 : 1);
}

char *
tools_import_errors_csv(db_t *db, const char *id, const char *lang, size_t *len)
{
	json_t *j = tools_import_get(db, id, lang);
	if (!j)
		return NULL;
	fg_buf_t b;
	fg_buf_init(&b, 16u * 1024 * 1024);
	bool en = strcmp(lang, "en") == 0;
	fg_buf_append(&b, "\xEF\xBB\xBF", 3);
	const char *hd[] = {en ? "row" : "行", en ? "cell" : "单元格", en ? "column" : "列", en ? "value" : "值",
	    en ? "code" : "代码", en ? "message" : "说明"};
	for (int k = 0; k < 6; k++)
		csv_field(&b, hd[k], k == 5);
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(j, "errors"), i, e) {
		char row[16];
		fg_fmt(row, sizeof row, "%lld", (long long)json_integer_value(json_object_get(e, "row")));
		const char *col = json_string_value(json_object_get(e, "column"));
		csv_field(&b, row, false);
		csv_field(&b, json_string_value(json_object_get(e, "cell")), false);
		csv_field(&b, col ? col : json_string_value(json_object_get(e, "field")), false);
		csv_field(&b, json_string_value(json_object_get(e, "value")), false);
		csv_field(&b, json_string_value(json_object_get(e, "code")), false);
		csv_field(&b, json_string_value(json_object_get(e, "message")), true);
	}
	json_decref(j);
	fg_buf_append(&b, "", 1); /* NUL for callers that read it as a string */
	*len = b.len - 1;
	return b.data;
}

const char *
tools_import_template_csv(void)
{
	return "\xEF\xBB\xBF"
	       "资产编号(asset_no),工器具类型(kind),名称(name),库房(store),存放位置(location),上次试验日期(last_test_date),"
	       "试验结果(last_test_result)\r\n";
}
