/* Checking the rows of a tool-ledger import (the tool import, tools_import_internal.h): every data row, as the
 * fields POST /api/v1/tools takes, against that route's rules (tools_check_new), and its asset number against the
 * rows above it and the ledger. Nothing is written here: every bad cell goes into the report, so the keeper gets
 * all of them from one upload, and the write (tools_import_write.c) runs only on a file without any. */
#include <string.h>
#include "core/base/util.h"
#include "core/base/xlsx.h"
#include "safety/tools/tools.h"
#include "safety/tools/tools_import.h"
#include "safety/tools/tools_import_internal.h"

void
timp_report(json_t *rep, int *count, const timp_job_t *j, int r, int field, const char *code, json_t *extra)
{
	(*count)++;
	if (json_array_size(rep) >= TOOLS_IMPORT_MAX_REPORT) {
		json_decref(extra);
		return;
	}
	int col = field >= 0 ? j->col_of[field] : -1, rownum = j->sheet.rownum[r];
	const sheet_cell_t *c = col >= 0 ? sheet_cell(&j->sheet, r, col) : NULL;
	char ref[16];
	sheet_ref(col, rownum, ref, sizeof ref);
	json_t *e = json_pack("{s:i, s:s?, s:s?, s:s?, s:s?, s:s}", "row", rownum, "column", col >= 0 ? j->head[col] : NULL,
	    "field", field >= 0 ? timp_fields[field] : NULL, "cell", col >= 0 ? ref : NULL, "value", c && c->text ? c->text : NULL,
	    "code", code);
	if (extra)
		json_object_update_new(e, extra);
	json_array_append_new(rep, e);
}

/* The row as the fields POST /api/v1/tools takes; keepers' spellings (合格, 绝缘手套, 2024/3/5, a date serial)
 * become the API's values, anything else stays as written so the rule check names it. */
static json_t *
row_fields(const timp_job_t *j, int r)
{
	json_t *in = json_object();
	for (int f = 0; f < NFIELDS; f++) {
		const sheet_cell_t *c = j->col_of[f] >= 0 ? sheet_cell(&j->sheet, r, j->col_of[f]) : NULL;
		if (!c || !c->text)
			continue;
		char *v = timp_trim(c->text), day[11];
		const char *val = v;
		if (!*v) {
			free(v);
			continue;
		}
		if (f == F_DATE && c->kind == SHEET_NUMBER && xlsx_serial_date(v, j->sheet.date1904, day))
			val = day;
		else if (f == F_DATE && tools_import_date(v, day))
			val = day;
		else if (f == F_RESULT && timp_result_code(v))
			val = timp_result_code(v);
		else if (f == F_KIND && timp_kind_code(v))
			val = timp_kind_code(v);
		json_object_set_new(in, timp_fields[f], json_string(val));
		free(v);
	}
	return in;
}

int
timp_check_rows(db_t *db, const timp_job_t *j, json_t *rep, int *nerr, json_t *rows, int *checked)
{
	int total = timp_data_rows(j), rc = TIMP_DONE;
	json_t *seen = json_object();
	for (int r = j->header_row + 1; r < j->sheet.nrows; r++) {
		if (timp_should_stop()) {
			rc = TIMP_STOPPED;
			break;
		}
		json_t *in = row_fields(j, r);
		tools_issue_t is[8];
		int n = tools_check_new(in, is, 8);
		for (int k = 0; k < n && k < 8; k++)
			timp_report(rep, nerr, j, r, timp_field_index(is[k].field), is[k].code, NULL);
		const char *asset = json_string_value(json_object_get(in, "asset_no"));
		bool asset_bad = false;
		for (int k = 0; k < n && k < 8; k++)
			asset_bad |= strcmp(is[k].field, "asset_no") == 0;
		if (asset && !asset_bad) {
			json_t *first = json_object_get(seen, asset);
			int qrc;
			if (first) {
				timp_report(rep, nerr, j, r, F_ASSET, "asset_no_duplicate", json_pack("{s:O}", "first_row", first));
			} else {
				json_object_set_new(seen, asset, json_integer(j->sheet.rownum[r]));
				json_t *hit = db_one(db_q(db, "SELECT id FROM tools WHERE asset_no = $1", "t", asset), &qrc);
				if (hit)
					timp_report(rep, nerr, j, r, F_ASSET, "asset_no_taken", NULL);
				json_decref(hit);
				if (qrc < 0) {
					json_decref(in);
					rc = TIMP_INTERNAL;
					break;
				}
			}
		}
		json_array_append_new(rows, json_pack("{s:o, s:i}", "in", in, "r", r));
		(*checked)++;
		if (*checked % 50 == 0 || *checked == total)
			timp_progress(NULL, *checked, -1);
	}
	json_decref(seen);
	return rc;
}
