#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <expat.h>
#include <zip.h>
#include "core/base/util.h"
#include "core/base/xlsx.h"

#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships|id"

/* ---- date serials ---- */

/* days since 1970-01-01 → civil date (Howard Hinnant's civil_from_days) */
static void
civil(long z, int *y, int *m, int *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

bool
xlsx_serial_date(const char *v, bool date1904, char out[11])
{
	char *end;
	if (!v || !*v)
		return false;
	double x = strtod(v, &end);
	if (*end || !isfinite(x) || x < 0 || x >= 2958466) /* 2958465 is 9999-12-31 */
		return false;
	long serial = (long)floor(x), unix_days;
	if (date1904) {
		unix_days = serial - 24107; /* 1904-01-01 */
	} else {
		if (serial < 1 || serial == 60)
			return false;
		unix_days = serial < 60 ? serial - 25568 : serial - 25569;
	}
	int y, m, d;
	civil(unix_days, &y, &m, &d);
	return fg_fmt(out, 11, "%04d-%02d-%02d", y, m, d);
}

bool
xlsx_parse_ref(const char *ref, int *col, int *row)
{
	long c = 0, r = 0;
	const char *p = ref;
	for (; *p >= 'A' && *p <= 'Z'; p++) {
		c = c * 26 + (*p - 'A' + 1);
		if (c > 16384) /* XFD, Excel's last column */
			return false;
	}
	if (p == ref || !(*p >= '1' && *p <= '9'))
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		r = r * 10 + (*p - '0');
		if (r > 1048576)
			return false;
	}
	if (*p)
		return false;
	*col = (int)c - 1;
	*row = (int)r;
	return true;
}

/* ---- reading parts ---- */

typedef struct {
	XML_Parser p;
	fg_err_t *err;
	bool failed;
	size_t *inflated; /* over every part read so far */
	/* the part being read: its handlers, how deep in it we are, and how far into it the last event was, so a
	 * part that nests without end or hides megabytes in one token (which expat would buffer whole) is refused */
	XML_StartElementHandler st;
	XML_EndElementHandler en;
	int depth;
	long long fed, mark;
	/* shared strings: the text lives in the sheet (sheet_keep), so a cell that uses one points at it */
	const char **strings;
	size_t nstrings, capstrings, string_chars;
	/* text being collected (<t>, <v>) */
	fg_buf_t text;
	int want_text; /* > 0 inside an element whose text counts */
	int in_si, in_rph, in_is, in_c, in_row;
	/* the cell being read */
	int col, next_col, row, next_row;
	char type[12];
	/* workbook and rels */
	char sheet_rid[64], sheet_target[256], strings_target[256];
	int date1904;
	sheet_t *sheet;
} ctx_t;

static const char *
local(const char *name)
{
	const char *bar = strrchr(name, '|');
	return bar ? bar + 1 : name;
}

static const char *
attr(const char **a, const char *name)
{
	for (; a && a[0]; a += 2)
		if (strcmp(a[0], name) == 0 || strcmp(local(a[0]), name) == 0)
			return a[1];
	return NULL;
}

static void
stop(ctx_t *c, const char *code, const char *reason)
{
	if (c->failed)
		return;
	c->failed = true;
	if (code) /* NULL: the caller sets the error */
		fg_err(c->err, code);
	if (reason)
		fg_err_detail_str(c->err, "reason", reason);
	XML_StopParser(c->p, XML_FALSE);
}

static void XMLCALL
on_text(void *ud, const XML_Char *s, int len)
{
	ctx_t *c = ud;
	c->mark = XML_GetCurrentByteIndex(c->p);
	if (c->want_text <= 0 || c->in_rph || c->failed)
		return;
	if (fg_buf_append(&c->text, s, (size_t)len) != 0) {
		char ref[16];
		sheet_ref(c->col, c->row, ref, sizeof ref);
		stop(c, "import_cell_too_long", NULL);
		if (c->in_c)
			fg_err_detail_str(c->err, "cell", ref);
	}
}

static void XMLCALL
any_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	ctx_t *c = ud;
	c->mark = XML_GetCurrentByteIndex(c->p);
	if (++c->depth > XLSX_MAX_DEPTH) {
		stop(c, "import_unreadable", "an XML part of the workbook nests too deeply");
		return;
	}
	c->st(ud, name, a);
}

static void XMLCALL
any_end(void *ud, const XML_Char *name)
{
	ctx_t *c = ud;
	c->mark = XML_GetCurrentByteIndex(c->p);
	c->depth--;
	c->en(ud, name);
}

/* No part of a workbook has a DTD; one could only be there to declare entities. */
static void XMLCALL
on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid, int has_internal)
{
	stop(ud, "import_unreadable", "an XML part of the workbook has a DTD");
}

/* Feeds a zip entry to a fresh expat parser in pieces; false (and c->err set) when it cannot be read. */
static bool
parse_part(zip_t *z, const char *name, ctx_t *c, XML_StartElementHandler st, XML_EndElementHandler en, bool required)
{
	zip_file_t *f = zip_fopen(z, name, 0);
	if (!f) {
		if (required)
			stop(c, "import_unreadable", "not an XLSX workbook: a part is missing");
		return !required;
	}
	XML_Parser p = XML_ParserCreateNS("UTF-8", '|');
	c->p = p;
	c->st = st;
	c->en = en;
	c->depth = 0;
	c->fed = c->mark = 0;
	XML_SetUserData(p, c);
	XML_SetElementHandler(p, any_start, any_end);
	XML_SetCharacterDataHandler(p, on_text);
	XML_SetStartDoctypeDeclHandler(p, on_doctype);
	char buf[65536];
	bool ok = true;
	for (;;) {
		zip_int64_t k = zip_fread(f, buf, sizeof buf);
		if (k < 0) {
			stop(c, "import_unreadable", "the zip is damaged");
			ok = false;
			break;
		}
		*c->inflated += (size_t)k;
		if (*c->inflated > XLSX_MAX_INFLATED) {
			c->failed = true;
			sheet_too_large(c->err, "inflated_bytes", XLSX_MAX_INFLATED);
			ok = false;
			break;
		}
		c->fed += k;
		if (XML_Parse(p, buf, (int)k, k == 0) != XML_STATUS_OK) {
			if (!c->failed)
				stop(c, "import_unreadable", "an XML part of the workbook is malformed");
			ok = false;
			break;
		}
		if (c->fed - c->mark > XLSX_MAX_TOKEN) { /* expat holds the unfinished token: stop it growing */
			c->failed = true;
			sheet_too_large(c->err, "xml_token", XLSX_MAX_TOKEN);
			ok = false;
			break;
		}
		if (k == 0)
			break;
	}
	XML_ParserFree(p);
	c->p = NULL;
	zip_fclose(f);
	return ok && !c->failed;
}

/* xl/workbook.xml: the first sheet's relationship id, and the date system */
static void XMLCALL
wb_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	ctx_t *c = ud;
	const char *n = local(name);
	if (strcmp(n, "workbookPr") == 0) {
		const char *v = attr(a, "date1904");
		c->date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
	} else if (strcmp(n, "sheet") == 0 && !c->sheet_rid[0]) {
		for (const char **p = a; p[0]; p += 2)
			if (strcmp(p[0], NS_REL) == 0)
				fg_fmt(c->sheet_rid, sizeof c->sheet_rid, "%s", p[1]);
	}
}

static void XMLCALL
no_end(void *ud, const XML_Char *name)
{
}

/* parts named in a relationship are relative to xl/, unless absolute */
static void
resolve(const char *target, char *out, size_t n)
{
	if (target[0] == '/')
		fg_fmt(out, n, "%s", target + 1);
	else
		fg_fmt(out, n, "xl/%s", target);
}

static void XMLCALL
rels_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	ctx_t *c = ud;
	if (strcmp(local(name), "Relationship") != 0)
		return;
	const char *id = attr(a, "Id"), *target = attr(a, "Target"), *type = attr(a, "Type");
	if (!id || !target)
		return;
	if (c->sheet_rid[0] && strcmp(id, c->sheet_rid) == 0)
		resolve(target, c->sheet_target, sizeof c->sheet_target);
	size_t tl = type ? strlen(type) : 0;
	if (tl >= 14 && strcmp(type + tl - 14, "/sharedStrings") == 0)
		resolve(target, c->strings_target, sizeof c->strings_target);
}

/* xl/sharedStrings.xml: <si><t>…</t></si> or rich text <si><r><t>…</t></r>…</si>; <rPh> (phonetic guides)
 * is not part of the value */
static void XMLCALL
ss_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	ctx_t *c = ud;
	const char *n = local(name);
	if (strcmp(n, "si") == 0) {
		c->in_si = 1;
		c->text.len = 0;
	} else if (strcmp(n, "rPh") == 0) {
		c->in_rph++;
	} else if (strcmp(n, "t") == 0 && c->in_si) {
		c->want_text++;
	}
}

static void XMLCALL
ss_end(void *ud, const XML_Char *name)
{
	ctx_t *c = ud;
	const char *n = local(name);
	if (strcmp(n, "rPh") == 0) {
		c->in_rph--;
	} else if (strcmp(n, "t") == 0 && c->in_si) {
		c->want_text--;
	} else if (strcmp(n, "si") == 0 && c->in_si) {
		c->in_si = 0;
		if (c->nstrings >= XLSX_MAX_STRINGS) {
			stop(c, NULL, NULL);
			sheet_too_large(c->err, "shared_strings", XLSX_MAX_STRINGS);
			return;
		}
		if (c->text.len > XLSX_MAX_STRING_CHARS - c->string_chars) {
			stop(c, NULL, NULL);
			sheet_too_large(c->err, "shared_string_chars", XLSX_MAX_STRING_CHARS);
			return;
		}
		if (c->nstrings == c->capstrings) {
			c->capstrings = c->capstrings ? c->capstrings * 2 : 256;
			if (c->capstrings > XLSX_MAX_STRINGS)
				c->capstrings = XLSX_MAX_STRINGS;
			c->strings = fg_realloc(c->strings, c->capstrings * sizeof *c->strings);
		}
		c->string_chars += c->text.len;
		c->strings[c->nstrings++] = c->text.len ? sheet_keep(c->sheet, c->text.data, c->text.len) : NULL;
		c->text.len = 0;
	}
}

/* the worksheet: <sheetData><row r="7"><c r="C7" t="s"><v>3</v></c>…</row></sheetData> */
static void XMLCALL
ws_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	ctx_t *c = ud;
	const char *n = local(name);
	if (strcmp(n, "row") == 0) {
		const char *r = attr(a, "r");
		long rn = r ? strtol(r, NULL, 10) : c->next_row;
		if (rn < c->next_row || rn > 1048576) {
			stop(c, "import_unreadable", "rows out of order");
			return;
		}
		c->row = (int)rn;
		c->next_row = (int)rn + 1;
		c->next_col = 0;
		c->in_row = 1;
		if (sheet_add_row(c->sheet, c->row) != 0)
			stop(c, "import_too_many_rows", NULL);
	} else if (strcmp(n, "c") == 0 && c->in_row) {
		const char *r = attr(a, "r"), *t = attr(a, "t");
		int col = c->next_col, row;
		if (r && !xlsx_parse_ref(r, &col, &row)) {
			stop(c, "import_unreadable", "a cell reference is malformed");
			return;
		}
		c->col = col;
		c->next_col = col + 1;
		fg_fmt(c->type, sizeof c->type, "%s", t ? t : "n");
		c->in_c = 1;
		c->text.len = 0;
	} else if (c->in_c && strcmp(n, "v") == 0) {
		c->text.len = 0;
		c->want_text++;
	} else if (c->in_c && strcmp(n, "is") == 0) {
		c->in_is = 1;
		c->text.len = 0;
	} else if (c->in_is && strcmp(n, "t") == 0) {
		c->want_text++;
	} else if (c->in_is && strcmp(n, "rPh") == 0) {
		c->in_rph++;
	}
}

static void XMLCALL
ws_end(void *ud, const XML_Char *name)
{
	ctx_t *c = ud;
	const char *n = local(name);
	if (strcmp(n, "v") == 0 && c->in_c) {
		c->want_text--;
	} else if (strcmp(n, "t") == 0 && c->in_is) {
		c->want_text--;
	} else if (strcmp(n, "rPh") == 0 && c->in_is) {
		c->in_rph--;
	} else if (strcmp(n, "is") == 0 && c->in_c) {
		c->in_is = 0;
	} else if (strcmp(n, "c") == 0 && c->in_c) {
		c->in_c = 0;
		unsigned char kind = SHEET_TEXT;
		int rc;
		if (strcmp(c->type, "s") == 0) {
			/* the cell points at the shared string: 1.28 M cells naming one 4 KiB string cost no copies, only
			 * their share of the chars budget */
			char *end = NULL;
			long idx = c->text.len ? strtol(c->text.data, &end, 10) : -1;
			bool whole = c->text.len && end && !*end;
			c->text.len = 0;
			if (!whole || idx < 0 || (size_t)idx >= c->nstrings) {
				stop(c, "import_unreadable", "a cell names a shared string that does not exist");
				return;
			}
			const char *v = c->strings[idx];
			rc = sheet_set_kept(c->sheet, c->col, v, v ? strlen(v) : 0, kind);
			goto stored;
		} else if (strcmp(c->type, "n") == 0) {
			kind = SHEET_NUMBER;
		} else if (strcmp(c->type, "b") == 0) {
			kind = SHEET_BOOL;
		} else if (strcmp(c->type, "e") == 0) {
			kind = SHEET_ERROR;
		} /* str (a formula's text), inlineStr, d (an ISO date) are text */
		rc = c->text.len ? sheet_set(c->sheet, c->col, c->text.data, c->text.len, kind) : SHEET_OK;
		c->text.len = 0;
	stored:
		if (rc != SHEET_OK) {
			char ref[16];
			sheet_ref(c->col, c->row, ref, sizeof ref);
			stop(c, NULL, NULL);
			sheet_refusal(c->err, rc);
			fg_err_detail_str(c->err, "cell", ref);
		}
	} else if (strcmp(n, "row") == 0 && c->in_row) {
		c->in_row = 0;
		sheet_drop_blank_tail(c->sheet); /* formatted but empty rows are no rows */
	}
}

static uint64_t
le(const unsigned char *p, int bytes)
{
	uint64_t v = 0;
	for (int i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* libzip allocates the whole central directory when it opens a zip (a 20 MiB upload of empty entries made it
 * take 75 MB), so the directory's size and entry count are read from each end-of-central-directory record
 * (and its zip64 form) first. Every candidate record in the tail is checked, whichever libzip picks. */
static int
zip_precheck(const unsigned char *u, size_t n, fg_err_t *err)
{
	size_t from = n > 22 + 65535 ? n - 22 - 65535 : 0;
	for (size_t i = n >= 22 ? n - 22 + 1 : 0; i-- > from;) {
		if (memcmp(u + i, "PK\5\6", 4) != 0)
			continue;
		uint64_t entries = le(u + i + 10, 2), size = le(u + i + 12, 4);
		if ((entries == 0xFFFF || size == 0xFFFFFFFF) && i >= 20 && memcmp(u + i - 20, "PK\6\7", 4) == 0) {
			uint64_t at = le(u + i - 20 + 8, 8);
			if (at <= n - 56 && n >= 56 && memcmp(u + at, "PK\6\6", 4) == 0) {
				entries = le(u + at + 32, 8);
				size = le(u + at + 40, 8);
			}
		}
		if (entries > XLSX_MAX_ENTRIES)
			return sheet_too_large(err, "zip_entries", XLSX_MAX_ENTRIES);
		if (size > XLSX_MAX_DIRECTORY)
			return sheet_too_large(err, "zip_directory_bytes", XLSX_MAX_DIRECTORY);
	}
	return 0;
}

int
xlsx_read(const void *data, size_t n, sheet_t *s, fg_err_t *err)
{
	sheet_init(s);
	const unsigned char *u = data;
	if (n >= 4 && memcmp(u, "\xD0\xCF\x11\xE0", 4) == 0) {
		fg_err(err, "import_unreadable");
		fg_err_detail_str(err, "reason", "an old .xls (or password-protected) workbook: save it as .xlsx or CSV");
		return -1;
	}
	if (zip_precheck(u, n, err) != 0)
		return -1;
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(data, n, 0, &ze);
	zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
	zip_error_fini(&ze);
	if (!z) {
		if (src)
			zip_source_free(src);
		fg_err(err, "import_unreadable");
		fg_err_detail_str(err, "reason", "not an XLSX workbook (zip)");
		return -1;
	}
	size_t inflated = 0;
	ctx_t c = {.err = err, .inflated = &inflated, .sheet = s, .next_row = 1};
	if (zip_get_num_entries(z, 0) > XLSX_MAX_ENTRIES) { /* a workbook has a dozen parts, not thousands */
		zip_discard(z);
		return sheet_too_large(err, "zip_entries", XLSX_MAX_ENTRIES);
	}
	fg_buf_init(&c.text, SHEET_MAX_CELL);
	bool ok = parse_part(z, "xl/workbook.xml", &c, wb_start, no_end, true) &&
	    parse_part(z, "xl/_rels/workbook.xml.rels", &c, rels_start, no_end, false);
	if (ok && !c.sheet_target[0])
		fg_fmt(c.sheet_target, sizeof c.sheet_target, "xl/worksheets/sheet1.xml");
	if (ok && !c.strings_target[0])
		fg_fmt(c.strings_target, sizeof c.strings_target, "xl/sharedStrings.xml");
	ok = ok && parse_part(z, c.strings_target, &c, ss_start, ss_end, false);
	c.want_text = c.in_rph = 0;
	ok = ok && parse_part(z, c.sheet_target, &c, ws_start, ws_end, true);
	s->date1904 = c.date1904;
	free(c.strings); /* the strings themselves are the sheet's */
	fg_buf_free(&c.text);
	zip_discard(z);
	if (!ok) {
		sheet_free(s);
		if (!err->code)
			fg_err(err, "import_unreadable");
		return -1;
	}
	return 0;
}
