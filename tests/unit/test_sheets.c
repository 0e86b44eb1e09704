/* Unit tests of the spreadsheet readers behind the tool ledger's import (no database): CSV (quotes, BOM, line
 * ends, blank lines, encodings, bounds), XLSX (shared, rich and inline strings, numbers, the first sheet through the
 * workbook's relationships, refusals), Excel date serials (the 1900-02-29 bug, leap years, 1904), cell references,
 * and the import's header names and typed dates. XLSX fixtures are zipped at test time with libzip. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <zip.h>
#include "core/base/csv.h"
#include "core/base/xlsx.h"
#include "core/base/sheet.h"
#include "core/base/util.h"
#include "safety/tools/tools_import.h"

static const char *
cell(const sheet_t *s, int row, int col)
{
	const sheet_cell_t *c = sheet_cell(s, row, col);
	return c && c->text ? c->text : "";
}

static int
csv(const char *text, sheet_t *s, fg_err_t *e)
{
	return csv_parse(text, strlen(text), s, e);
}

static void
csv_quotes_escaped_quotes_and_line_ends(void **state)
{
	sheet_t s;
	fg_err_t e = FG_ERR_INIT;
	assert_int_equal(csv("a,\"b, \"\"c\"\"\",d\r\n\"two\r\nlines\",,x\n\"\"\rlast", &s, &e), 0);
	assert_int_equal(s.nrows, 3);
	assert_string_equal(cell(&s, 0, 0), "a");
	assert_string_equal(cell(&s, 0, 1), "b, \"c\"");
	assert_string_equal(cell(&s, 0, 2), "d");
	assert_string_equal(cell(&s, 1, 0), "two\r\nlines");
	assert_string_equal(cell(&s, 1, 1), "");
	assert_string_equal(cell(&s, 1, 2), "x");
	assert_int_equal(s.rownum[2], 4); /* "" on its own line is a blank record: numbered, not kept */
	assert_string_equal(cell(&s, 2, 0), "last");
	sheet_free(&s);
	/* a quote inside an unquoted field is kept, as Excel reads it */
	assert_int_equal(csv("5\" ruler,x\n", &s, &e), 0);
	assert_string_equal(cell(&s, 0, 0), "5\" ruler");
	sheet_free(&s);
}

static void
csv_blank_and_trailing_lines_are_no_rows(void **state)
{
	sheet_t s;
	fg_err_t e = FG_ERR_INIT;
	assert_int_equal(csv("h1,h2\n\n1,2\n,\n\r\n\n", &s, &e), 0);
	assert_int_equal(s.nrows, 2);
	assert_int_equal(s.rownum[0], 1);
	assert_int_equal(s.rownum[1], 3); /* the row number a spreadsheet shows, blank lines counted */
	sheet_free(&s);
	assert_int_equal(csv("", &s, &e), 0);
	assert_int_equal(s.nrows, 0);
	sheet_free(&s);
	assert_int_equal(csv("a,b,", &s, &e), 0);
	assert_int_equal(s.nrows, 1);
	assert_string_equal(cell(&s, 0, 1), "b");
	sheet_free(&s);
	/* a tab-separated header without commas */
	assert_int_equal(csv("a\tb\n1\t2\n", &s, &e), 0);
	assert_string_equal(cell(&s, 1, 1), "2");
	sheet_free(&s);
}

static void
csv_refuses_broken_and_oversized_input(void **state)
{
	sheet_t s;
	fg_err_t e = FG_ERR_INIT;
	assert_int_equal(csv("a\n\"open,b\n", &s, &e), -1);
	assert_string_equal(e.code, "import_unreadable");
	assert_int_equal(json_integer_value(json_object_get(e.details, "row")), 2);
	fg_err_clear(&e);
	assert_int_equal(csv("\"a\"b,c\n", &s, &e), -1);
	assert_string_equal(e.code, "import_unreadable");
	fg_err_clear(&e);
	char *wide = malloc(200);
	memset(wide, ',', 199);
	wide[199] = 0;
	assert_int_equal(csv(wide, &s, &e), -1);
	assert_string_equal(e.code, "import_too_many_columns");
	fg_err_clear(&e);
	free(wide);
	char *lng = malloc(SHEET_MAX_CELL + 10);
	memset(lng, 'x', SHEET_MAX_CELL + 9);
	lng[SHEET_MAX_CELL + 9] = 0;
	assert_int_equal(csv(lng, &s, &e), -1);
	assert_string_equal(e.code, "import_cell_too_long");
	fg_err_clear(&e);
	free(lng);
	size_t n = (SHEET_MAX_ROWS + 1) * 2;
	char *tall = malloc(n + 1);
	for (size_t i = 0; i < n; i += 2)
		memcpy(tall + i, "x\n", 2);
	tall[n] = 0;
	assert_int_equal(csv(tall, &s, &e), -1);
	assert_string_equal(e.code, "import_too_many_rows");
	fg_err_clear(&e);
	free(tall);
}

static void
csv_decode_bom_gb18030_utf16(void **state)
{
	const char *out;
	char *owned;
	size_t n;
	const char *enc;
	fg_err_t e = FG_ERR_INIT;
	const char *bom = "\xEF\xBB\xBF资产编号";
	assert_int_equal(csv_decode(bom, 15, &out, &n, &owned, &enc, &e), 0);
	assert_string_equal(enc, "utf-8");
	assert_int_equal(n, 12);
	assert_memory_equal(out, "资产编号", 12);
	assert_ptr_equal(out, bom + 3); /* UTF-8 is read where it lies, not copied */
	assert_null(owned);
	/* 绝缘手套 in GB18030 (GBK), as Chinese Excel saves "CSV" */
	assert_int_equal(csv_decode("\xBE\xF8\xD4\xB5\xCA\xD6\xCC\xD7", 8, &out, &n, &owned, &enc, &e), 0);
	assert_string_equal(enc, "gb18030");
	assert_string_equal(out, "绝缘手套");
	assert_ptr_equal(out, owned);
	free(owned);
	/* UTF-16LE with its BOM: "a,绝" */
	assert_int_equal(csv_decode("\xFF\xFE" "a\0,\0\xDD\x7E", 8, &out, &n, &owned, &enc, &e), 0);
	assert_string_equal(enc, "utf-16le");
	assert_string_equal(out, "a,绝");
	free(owned);
	/* a NUL, or bytes that are no GB18030 either */
	assert_int_equal(csv_decode("a\0b", 3, &out, &n, &owned, &enc, &e), -1);
	assert_string_equal(e.code, "import_unreadable");
	fg_err_clear(&e);
	assert_int_equal(csv_decode("\xFF\xFF\x80", 3, &out, &n, &owned, &enc, &e), -1);
	fg_err_clear(&e);
}

static const char *
cap_of(const fg_err_t *e)
{
	return json_string_value(json_object_get(e->details, "cap"));
}

/* issue 9: the file's budget is checked as cells are stored, not after */
static void
csv_budget_of_cells_and_chars(void **state)
{
	sheet_t s;
	fg_err_t e = FG_ERR_INIT;
	/* 20,000 rows of 26 one-character cells: within the rows and columns, past the cells */
	size_t rows = 20000, cols = 26, n = rows * cols * 2;
	char *many = malloc(n + 1);
	for (size_t i = 0; i < n; i += 2)
		memcpy(many + i, (i / 2) % cols == cols - 1 ? "1\n" : "1,", 2);
	many[n] = 0;
	assert_int_equal(csv_parse(many, n, &s, &e), -1);
	assert_string_equal(e.code, "import_too_large");
	assert_string_equal(cap_of(&e), "cells");
	assert_int_equal(json_integer_value(json_object_get(e.details, "limit")), SHEET_MAX_CELLS);
	assert_int_equal(json_integer_value(json_object_get(e.details, "row")), SHEET_MAX_CELLS / cols + 1);
	assert_int_equal(s.nrows, 0); /* freed */
	fg_err_clear(&e);
	free(many);
	/* 5,000 rows of one 4,000-byte cell: 20 MB of text, past the chars */
	size_t w = 4000;
	rows = 5000;
	n = rows * (w + 1);
	char *fat = malloc(n + 1);
	memset(fat, 'x', n);
	for (size_t r = 0; r < rows; r++)
		fat[r * (w + 1) + w] = '\n';
	fat[n] = 0;
	assert_int_equal(csv_parse(fat, n, &s, &e), -1);
	assert_string_equal(e.code, "import_too_large");
	assert_string_equal(cap_of(&e), "chars");
	assert_int_equal(json_integer_value(json_object_get(e.details, "limit")), SHEET_MAX_CHARS);
	fg_err_clear(&e);
	free(fat);
	/* a full legitimate ledger passes with room: 20,000 rows of 10 columns, 30 bytes each */
	rows = 20001;
	fg_buf_t b;
	fg_buf_init(&b, 64u * 1024 * 1024);
	for (size_t r = 0; r < rows; r++)
		for (int c = 0; c < 10; c++)
			fg_buf_append(&b, c == 9 ? "绝缘手套绝缘手套-0123\r\n" : "绝缘手套绝缘手套-012,", c == 9 ? 31 : 29);
	if (csv_parse(b.data, b.len, &s, &e) != 0)
		fail_msg("%s %s", e.code, json_dumps(e.details, 0));
	assert_int_equal(s.nrows, 20001);
	assert_true(s.nchars < SHEET_MAX_CHARS / 2);
	assert_true(s.ncells < SHEET_MAX_CELLS / 2);
	sheet_free(&s);
	fg_buf_free(&b);
}

static void
serials_are_days_with_excel_1900_bug_and_leap_years(void **state)
{
	char d[11];
	struct { const char *v; const char *want; } ok[] = {
		{"1", "1900-01-01"}, {"59", "1900-02-28"}, {"61", "1900-03-01"}, {"45292", "2024-01-01"},
		{"45351", "2024-02-29"}, {"45352", "2024-03-01"}, {"44985", "2023-02-28"}, {"44986", "2023-03-01"},
		{"36585", "2000-02-29"}, {"45292.75", "2024-01-01"}, {"2958465", "9999-12-31"},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		assert_true(xlsx_serial_date(ok[i].v, false, d));
		assert_string_equal(d, ok[i].want);
	}
	/* 60 is 1900-02-29, a day that never was (Lotus 1-2-3's leap-year bug, kept by Excel) */
	const char *bad[] = {"60", "0", "-1", "2958466", "abc", "1e400", "", "12x"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(xlsx_serial_date(bad[i], false, d));
	assert_true(xlsx_serial_date("0", true, d));
	assert_string_equal(d, "1904-01-01");
	assert_true(xlsx_serial_date("43830", true, d)); /* 45292 − 1462 */
	assert_string_equal(d, "2024-01-01");
}

static void
cell_references_both_ways(void **state)
{
	char r[16];
	int cols[] = {0, 2, 25, 26, 701, 702};
	const char *want[] = {"A7", "C7", "Z7", "AA7", "ZZ7", "AAA7"};
	for (int i = 0; i < 6; i++) {
		sheet_ref(cols[i], 7, r, sizeof r);
		assert_string_equal(r, want[i]);
		int c, row;
		assert_true(xlsx_parse_ref(r, &c, &row));
		assert_int_equal(c, cols[i]);
		assert_int_equal(row, 7);
	}
	int c, row;
	assert_false(xlsx_parse_ref("7C", &c, &row));
	assert_false(xlsx_parse_ref("c7", &c, &row));
	assert_false(xlsx_parse_ref("A0", &c, &row));
	assert_false(xlsx_parse_ref("A", &c, &row));
	assert_false(xlsx_parse_ref("XFE1", &c, &row));
	assert_false(xlsx_parse_ref("A1048577", &c, &row));
}

/* ---- XLSX ---- */

typedef struct {
	const char *name, *xml;
} part_t;

static unsigned char *
zip_parts(const part_t *parts, size_t *n)
{
	char path[] = "/tmp/fg-test-xlsx-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	int ze;
	zip_t *z = zip_open(path, ZIP_TRUNCATE, &ze);
	assert_non_null(z);
	for (const part_t *p = parts; p->name; p++) {
		zip_source_t *src = zip_source_buffer(z, p->xml, strlen(p->xml), 0);
		assert_true(zip_file_add(z, p->name, src, ZIP_FL_ENC_UTF_8) >= 0);
	}
	assert_int_equal(zip_close(z), 0);
	FILE *f = fopen(path, "rb");
	fseek(f, 0, SEEK_END);
	*n = (size_t)ftell(f);
	rewind(f);
	unsigned char *buf = malloc(*n);
	assert_int_equal(fread(buf, 1, *n, f), *n);
	fclose(f);
	unlink(path);
	return buf;
}

#define NS "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" " \
	   "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
#define RELS_NS "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\""
#define REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

static void
xlsx_reads_the_first_sheet_with_every_kind_of_cell(void **state)
{
	/* the first sheet is "data.xml" (found through the relationships, not by its name); a second sheet exists */
	part_t parts[] = {
		{"xl/workbook.xml", "<?xml version=\"1.0\"?><workbook " NS "><workbookPr/><sheets><sheet name=\"台账\" sheetId=\"2\" r:id=\"rId7\"/>"
				    "<sheet name=\"other\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"},
		{"xl/_rels/workbook.xml.rels", "<Relationships " RELS_NS "><Relationship Id=\"rId1\" Type=\"" REL "worksheet\" Target=\"worksheets/sheet1.xml\"/>"
					       "<Relationship Id=\"rId7\" Type=\"" REL "worksheet\" Target=\"/xl/worksheets/data.xml\"/>"
					       "<Relationship Id=\"rId9\" Type=\"" REL "sharedStrings\" Target=\"strings.xml\"/></Relationships>"},
		{"xl/strings.xml", "<sst " NS "><si><t>资产编号</t></si><si><r><t>绝缘</t></r><r><rPr/><t>手套</t></r><rPh><t>ぜつえん</t></rPh></si>"
				   "<si><t xml:space=\"preserve\"> a &amp; b </t></si></sst>"},
		{"xl/worksheets/sheet1.xml", "<worksheet " NS "><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>wrong sheet</t></is></c></row></sheetData></worksheet>"},
		{"xl/worksheets/data.xml", "<worksheet " NS "><sheetData>"
					   "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"C1\" t=\"s\"><v>1</v></c></row>"
					   "<row r=\"2\" s=\"3\"><c r=\"B2\" s=\"1\"/></row>" /* formatted, empty: no row */
					   "<row r=\"3\"><c><v>45351</v></c><c t=\"b\"><v>1</v></c><c t=\"e\"><v>#N/A</v></c>"
					   "<c r=\"E3\" t=\"str\"><f>A3&amp;\"x\"</f><v>45351x</v></c><c r=\"F3\" t=\"inlineStr\"><is><r><t>in</t></r><r><t>line</t></r></is></c>"
					   "<c r=\"G3\" t=\"s\"><v>2</v></c></row>"
					   "<row r=\"9\"><c r=\"AA9\" t=\"inlineStr\"><is><t>far</t></is></c></row>"
					   "</sheetData></worksheet>"},
		{NULL, NULL},
	};
	size_t n;
	unsigned char *buf = zip_parts(parts, &n);
	sheet_t s;
	fg_err_t e = FG_ERR_INIT;
	assert_int_equal(xlsx_read(buf, n, &s, &e), 0);
	assert_int_equal(s.nrows, 3);
	assert_int_equal(s.rownum[0], 1);
	assert_int_equal(s.rownum[1], 3);
	assert_int_equal(s.rownum[2], 9);
	assert_string_equal(cell(&s, 0, 0), "资产编号");
	assert_string_equal(cell(&s, 0, 1), "");
	assert_string_equal(cell(&s, 0, 2), "绝缘手套"); /* rich text runs joined, the phonetic guide left out */
	assert_string_equal(cell(&s, 1, 0), "45351");
	assert_int_equal(sheet_cell(&s, 1, 0)->kind, SHEET_NUMBER);
	assert_int_equal(sheet_cell(&s, 1, 1)->kind, SHEET_BOOL);
	assert_int_equal(sheet_cell(&s, 1, 2)->kind, SHEET_ERROR);
	assert_string_equal(cell(&s, 1, 4), "45351x"); /* a formula's cached value */
	assert_int_equal(sheet_cell(&s, 1, 4)->kind, SHEET_TEXT);
	assert_string_equal(cell(&s, 1, 5), "inline");
	assert_string_equal(cell(&s, 1, 6), " a & b ");
	assert_string_equal(cell(&s, 2, 26), "far");
	assert_false(s.date1904);
	sheet_free(&s);
	free(buf);
}

static void
xlsx_refuses_what_is_no_workbook(void **state)
{
	sheet_t s;
	fg_err_t e = FG_ERR_INIT;
	assert_int_equal(xlsx_read("PK\3\4garbage", 11, &s, &e), -1);
	assert_string_equal(e.code, "import_unreadable");
	fg_err_clear(&e);
	assert_int_equal(xlsx_read("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8, &s, &e), -1);
	assert_non_null(strstr(json_string_value(json_object_get(e.details, "reason")), ".xls"));
	fg_err_clear(&e);
	part_t nobook[] = {{"a.txt", "x"}, {NULL, NULL}};
	size_t n;
	unsigned char *buf = zip_parts(nobook, &n);
	assert_int_equal(xlsx_read(buf, n, &s, &e), -1);
	assert_string_equal(e.code, "import_unreadable");
	fg_err_clear(&e);
	free(buf);
	part_t badref[] = {
		{"xl/workbook.xml", "<workbook " NS "><workbookPr date1904=\"1\"/><sheets><sheet name=\"a\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"},
		{"xl/worksheets/sheet1.xml", "<worksheet " NS "><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>3</v></c></row></sheetData></worksheet>"},
		{NULL, NULL},
	};
	buf = zip_parts(badref, &n);
	assert_int_equal(xlsx_read(buf, n, &s, &e), -1); /* no shared strings, yet a cell names one */
	assert_string_equal(e.code, "import_unreadable");
	fg_err_clear(&e);
	free(buf);
	part_t broken[] = {
		{"xl/workbook.xml", "<workbook " NS "><workbookPr date1904=\"1\"/><sheets><sheet name=\"a\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"},
		{"xl/worksheets/sheet1.xml", "<worksheet " NS "><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"},
		{NULL, NULL},
	};
	buf = zip_parts(broken, &n);
	assert_int_equal(xlsx_read(buf, n, &s, &e), -1);
	assert_string_equal(e.code, "import_unreadable");
	fg_err_clear(&e);
	free(buf);
	part_t wide[] = {
		{"xl/workbook.xml", "<workbook " NS "><workbookPr date1904=\"true\"/><sheets><sheet name=\"a\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"},
		{"xl/worksheets/sheet1.xml", "<worksheet " NS "><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c><c r=\"BZ1\"><v>1</v></c></row></sheetData></worksheet>"},
		{NULL, NULL},
	};
	buf = zip_parts(wide, &n);
	assert_int_equal(xlsx_read(buf, n, &s, &e), -1);
	assert_string_equal(e.code, "import_too_many_columns");
	fg_err_clear(&e);
	free(buf);
}

/* a workbook of one sheet: shared strings ss (NULL: none) and the sheet's rows */
static unsigned char *
book(const char *ss, const char *rows, size_t *n)
{
	char *sheet = malloc(strlen(rows) + 300);
	sprintf(sheet, "<worksheet " NS "><sheetData>%s</sheetData></worksheet>", rows);
	part_t parts[] = {
		{"xl/workbook.xml", "<workbook " NS "><sheets><sheet name=\"a\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"},
		{"xl/worksheets/sheet1.xml", sheet},
		{ss ? "xl/sharedStrings.xml" : NULL, ss},
		{NULL, NULL},
	};
	unsigned char *buf = zip_parts(parts, n);
	free(sheet);
	return buf;
}

/* rows × cols cells, each <c t="s"><v>0</v></c> (or a number when num) */
static char *
grid(size_t rows, size_t cols, bool num)
{
	fg_buf_t b;
	fg_buf_init(&b, 256u * 1024 * 1024);
	for (size_t r = 1; r <= rows; r++) {
		char t[32];
		sprintf(t, "<row r=\"%zu\">", r);
		fg_buf_append(&b, t, strlen(t));
		const char *cell = num ? "<c><v>1</v></c>" : "<c t=\"s\"><v>0</v></c>";
		for (size_t c = 0; c < cols; c++)
			fg_buf_append(&b, cell, strlen(cell));
		fg_buf_append(&b, "</row>", 6);
	}
	return b.data;
}

static int
read_book(const char *ss, const char *rows, sheet_t *s, fg_err_t *e)
{
	size_t n;
	unsigned char *buf = book(ss, rows, &n);
	int rc = xlsx_read(buf, n, s, e);
	free(buf);
	return rc;
}

static void
xlsx_budget_shared_strings_are_stored_once_and_counted_at_each_use(void **state)
{
	sheet_t s;
	fg_err_t e = FG_ERR_INIT;
	char *big = malloc(5000);
	memset(big, 'x', 4000);
	big[4000] = 0;
	char *ss = malloc(5000);
	sprintf(ss, "<sst " NS "><si><t>%s</t></si></sst>", big);
	/* 100 × 10 cells name the 4,000-byte string: one copy in memory, 4 MB counted */
	char *rows = grid(100, 10, false);
	if (read_book(ss, rows, &s, &e) != 0)
		fail_msg("%s %s", e.code, json_dumps(e.details, 0));
	assert_int_equal(s.nrows, 100);
	assert_ptr_equal(sheet_cell(&s, 0, 0)->text, sheet_cell(&s, 99, 9)->text);
	assert_int_equal(strlen(sheet_cell(&s, 50, 5)->text), 4000);
	assert_int_equal(s.nchars, 1000u * 4000);
	assert_int_equal(s.ncells, 1000);
	sheet_free(&s);
	free(rows);
	/* the bomb of issue 9 (20,000 × 64 cells name it): refused at the chars budget, at its first cell past it */
	rows = grid(20000, 64, false);
	assert_int_equal(read_book(ss, rows, &s, &e), -1);
	assert_string_equal(e.code, "import_too_large");
	assert_string_equal(cap_of(&e), "chars");
	assert_int_equal(json_integer_value(json_object_get(e.details, "limit")), SHEET_MAX_CHARS);
	size_t at = SHEET_MAX_CHARS / 4000; /* cells that fit; the next one is refused */
	char want[16];
	sheet_ref((int)(at % 64), (int)(at / 64) + 1, want, sizeof want);
	assert_string_equal(json_string_value(json_object_get(e.details, "cell")), want);
	assert_int_equal(s.nrows, 0);
	fg_err_clear(&e);
	free(rows);
	/* numbers: within the chars, past the cells */
	rows = grid(10000, 60, true);
	assert_int_equal(read_book(NULL, rows, &s, &e), -1);
	assert_string_equal(e.code, "import_too_large");
	assert_string_equal(cap_of(&e), "cells");
	fg_err_clear(&e);
	free(rows);
	free(ss);
	/* the shared-string table itself: too many entries, too much text */
	fg_buf_t b;
	fg_buf_init(&b, 64u * 1024 * 1024);
	fg_buf_append(&b, "<sst " NS ">", strlen("<sst " NS ">"));
	for (size_t i = 0; i <= XLSX_MAX_STRINGS; i++)
		fg_buf_append(&b, "<si/>", 5);
	fg_buf_append(&b, "</sst>", 6);
	assert_int_equal(read_book(b.data, "", &s, &e), -1);
	assert_string_equal(cap_of(&e), "shared_strings");
	fg_err_clear(&e);
	b.len = 0;
	fg_buf_append(&b, "<sst " NS ">", strlen("<sst " NS ">"));
	for (size_t i = 0; i <= XLSX_MAX_STRING_CHARS / 4000; i++) {
		fg_buf_append(&b, "<si><t>", 7);
		fg_buf_append(&b, big, 4000);
		fg_buf_append(&b, "</t></si>", 9);
	}
	fg_buf_append(&b, "</sst>", 6);
	assert_int_equal(read_book(b.data, "", &s, &e), -1);
	assert_string_equal(cap_of(&e), "shared_string_chars");
	assert_int_equal(json_integer_value(json_object_get(e.details, "limit")), XLSX_MAX_STRING_CHARS);
	fg_err_clear(&e);
	fg_buf_free(&b);
	free(big);
}

static void
xlsx_budget_of_the_zip_and_its_xml(void **state)
{
	sheet_t s;
	fg_err_t e = FG_ERR_INIT;
	/* a deflate bomb: a worksheet inflating past the budget (white space: no cell, no token too long) */
	size_t n = XLSX_MAX_INFLATED + 1024;
	char *pad = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		pad[i] = i % 100 == 99 ? '\n' : ' ';
	pad[n] = 0;
	assert_int_equal(read_book(NULL, pad, &s, &e), -1);
	assert_string_equal(e.code, "import_too_large");
	assert_string_equal(cap_of(&e), "inflated_bytes");
	assert_int_equal(json_integer_value(json_object_get(e.details, "limit")), XLSX_MAX_INFLATED);
	fg_err_clear(&e);
	/* one token (a comment here; a tag or an attribute alike) that expat would have to hold whole */
	size_t t = 2u * 1024 * 1024;
	memcpy(pad, "<!--", 4);
	memset(pad + 4, 'x', t);
	memcpy(pad + 4 + t, "-->", 4);
	assert_int_equal(read_book(NULL, pad, &s, &e), -1);
	assert_string_equal(e.code, "import_too_large");
	assert_string_equal(cap_of(&e), "xml_token");
	fg_err_clear(&e);
	/* elements nested without end */
	pad[0] = 0;
	for (int i = 0; i < 200; i++)
		strcat(pad, "<a>");
	for (int i = 0; i < 200; i++)
		strcat(pad, "</a>");
	assert_int_equal(read_book(NULL, pad, &s, &e), -1);
	assert_string_equal(e.code, "import_unreadable");
	fg_err_clear(&e);
	free(pad);
	/* a zip of many files: refused from its directory's record, before libzip allocates the directory */
	part_t *many = calloc(XLSX_MAX_ENTRIES + 2, sizeof *many);
	char (*names)[16] = calloc(XLSX_MAX_ENTRIES + 1, 16);
	for (int i = 0; i <= XLSX_MAX_ENTRIES; i++) {
		sprintf(names[i], "f%d", i);
		many[i] = (part_t){names[i], ""};
	}
	unsigned char *mbuf = zip_parts(many, &n);
	assert_int_equal(xlsx_read(mbuf, n, &s, &e), -1);
	assert_string_equal(e.code, "import_too_large");
	assert_string_equal(cap_of(&e), "zip_entries");
	fg_err_clear(&e);
	free(mbuf);
	free(names);
	free(many);
	/* a DTD (entities) has no place in a workbook */
	part_t dtd[] = {
		{"xl/workbook.xml", "<!DOCTYPE w [<!ENTITY a \"aaaa\">]><workbook " NS "><sheets><sheet name=\"a\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"},
		{"xl/worksheets/sheet1.xml", "<worksheet " NS "><sheetData/></worksheet>"},
		{NULL, NULL},
	};
	unsigned char *buf = zip_parts(dtd, &n);
	assert_int_equal(xlsx_read(buf, n, &s, &e), -1);
	assert_string_equal(e.code, "import_unreadable");
	fg_err_clear(&e);
	free(buf);
}

static void
import_reads_header_names_and_typed_dates(void **state)
{
	struct { const char *h, *f; } names[] = {
		{"资产编号", "asset_no"}, {" 资产编号(asset_no) ", "asset_no"}, {"Asset No", "asset_no"}, {"asset_no", "asset_no"},
		{"工器具类型（必填）", "kind"}, {"类型 *", "kind"}, {"KIND", "kind"}, {"存放地点", "store"}, {"库房", "store"},
		{"存放位置", "location"}, {"上次试验日期", "last_test_date"}, {"Last test date", "last_test_date"},
		{"试验结果", "last_test_result"}, {"\xEF\xBB\xBF名称", "name"},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *f = tools_import_field(names[i].h);
		assert_non_null(f);
		assert_string_equal(f, names[i].f);
	}
	assert_null(tools_import_field("所属单位"));
	assert_null(tools_import_field(""));
	assert_null(tools_import_field("(asset_no)"));
	char d[11];
	struct { const char *in, *want; } days[] = {
		{"2024-03-05", "2024-03-05"}, {"2024/3/5", "2024-03-05"}, {"2024.03.05", "2024-03-05"},
		{"2024年3月5日", "2024-03-05"}, {"2024/3/5 0:00", "2024-03-05"}, {"2024-02-29", "2024-02-29"},
	};
	for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
		assert_true(tools_import_date(days[i].in, d));
		assert_string_equal(d, days[i].want);
	}
	const char *bad[] = {"2023-02-29", "2024/3-5", "2024-13-01", "05/03/2024", "2024-03-05x", "", "1900-02-29"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(tools_import_date(bad[i], d));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(csv_quotes_escaped_quotes_and_line_ends),
		cmocka_unit_test(csv_blank_and_trailing_lines_are_no_rows),
		cmocka_unit_test(csv_refuses_broken_and_oversized_input),
		cmocka_unit_test(csv_decode_bom_gb18030_utf16),
		cmocka_unit_test(csv_budget_of_cells_and_chars),
		cmocka_unit_test(xlsx_budget_shared_strings_are_stored_once_and_counted_at_each_use),
		cmocka_unit_test(xlsx_budget_of_the_zip_and_its_xml),
		cmocka_unit_test(serials_are_days_with_excel_1900_bug_and_leap_years),
		cmocka_unit_test(cell_references_both_ways),
		cmocka_unit_test(xlsx_reads_the_first_sheet_with_every_kind_of_cell),
		cmocka_unit_test(xlsx_refuses_what_is_no_workbook),
		cmocka_unit_test(import_reads_header_names_and_typed_dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
