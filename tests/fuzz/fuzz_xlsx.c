/* libFuzzer target: the XLSX reader of the tool import. An input that starts with "PK" is read as the upload
 * itself; any other input is "shared strings XML \n----\n worksheet XML", zipped here (stored, not deflated) with a
 * fixed workbook, so the mutations reach the XML handlers instead of dying in the zip's checksums. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>
#include "core/base/xlsx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char workbook[] =
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>"
    "<sheet name=\"a\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";

static void
add(zip_t *z, const char *name, const void *p, size_t n)
{
	zip_source_t *s = zip_source_buffer(z, p, n, 0);
	zip_int64_t i = s ? zip_file_add(z, name, s, 0) : -1;
	if (i < 0) {
		zip_source_free(s);
		return;
	}
	zip_set_file_compression(z, (zip_uint64_t)i, ZIP_CM_STORE, 0);
}

static unsigned char *
wrap(const uint8_t *data, size_t size, size_t *outn)
{
	const uint8_t *sep = NULL;
	for (size_t i = 0; i + 6 <= size; i++)
		if (memcmp(data + i, "\n----\n", 6) == 0) {
			sep = data + i;
			break;
		}
	size_t ssn = sep ? (size_t)(sep - data) : 0;
	const uint8_t *ws = sep ? sep + 6 : data;
	size_t wsn = sep ? size - ssn - 6 : size;
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
	zip_error_fini(&ze);
	if (!src)
		return NULL;
	zip_source_keep(src);
	zip_t *z = zip_open_from_source(src, ZIP_TRUNCATE, NULL);
	if (!z) {
		zip_source_free(src);
		zip_source_free(src);
		return NULL;
	}
	add(z, "xl/workbook.xml", workbook, sizeof workbook - 1);
	if (sep)
		add(z, "xl/sharedStrings.xml", data, ssn);
	add(z, "xl/worksheets/sheet1.xml", ws, wsn);
	unsigned char *buf = NULL;
	if (zip_close(z) == 0 && zip_source_open(src) == 0) {
		zip_source_seek(src, 0, SEEK_END);
		zip_int64_t n = zip_source_tell(src);
		zip_source_seek(src, 0, SEEK_SET);
		if (n > 0) {
			buf = malloc((size_t)n);
			if (zip_source_read(src, buf, (zip_uint64_t)n) != n) {
				free(buf);
				buf = NULL;
			}
			*outn = (size_t)n;
		}
		zip_source_close(src);
	} else {
		zip_discard(z);
	}
	zip_source_free(src);
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *own = NULL;
	const void *in = data;
	size_t n = size;
	if (!(size >= 2 && data[0] == 'P' && data[1] == 'K')) {
		own = wrap(data, size, &n);
		if (!own)
			return 0;
		in = own;
	}
	sheet_t s;
	fg_err_t e = FG_ERR_INIT;
	if (xlsx_read(in, n, &s, &e) == 0) {
		if (s.nrows > SHEET_MAX_ROWS || s.ncols > SHEET_MAX_COLS || s.ncells > SHEET_MAX_CELLS || s.nchars > SHEET_MAX_CHARS)
			abort();
		for (int r = 0; r < s.nrows; r++)
			for (int c = 0; c < s.ncols; c++) {
				const sheet_cell_t *x = sheet_cell(&s, r, c);
				char d[11];
				if (x->text && strlen(x->text) > SHEET_MAX_CELL)
					abort();
				if (x->kind == SHEET_NUMBER)
					(void)xlsx_serial_date(x->text, s.date1904, d);
			}
		sheet_free(&s);
	} else if (!e.code) {
		abort();
	}
	fg_err_clear(&e);
	free(own);
	return 0;
}
