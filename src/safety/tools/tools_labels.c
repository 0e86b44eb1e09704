/* A printable sheet of QR labels for a selection of tools (R3.6), A4 with 3 × 8 labels of 70 × 37 mm (a common
 * Chinese self-adhesive label sheet). Each label: the QR code (libqrencode, drawn as filled squares), the asset
 * number, kind and next test date. */
#include <string.h>
#include <hpdf.h>
#include <qrencode.h>
#include "core/base/log.h"
#include "core/base/pdf.h"
#include "core/base/util.h"
#include "safety/tools/tools.h"

#define MM(x) ((float)(x) * 72.0f / 25.4f)

static void
qr_at(HPDF_Page page, const char *text, float x, float y, float size)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return;
	float cell = size / (float)qr->width;
	HPDF_Page_SetRGBFill(page, 0, 0, 0);
	for (int r = 0; r < qr->width; r++)
		for (int c = 0; c < qr->width; c++)
			if (qr->data[r * qr->width + c] & 1)
				HPDF_Page_Rectangle(page, x + (float)c * cell, y + size - (float)(r + 1) * cell, cell, cell);
	HPDF_Page_Fill(page);
	QRcode_free(qr);
}

int
tools_labels_pdf(db_t *db, json_t *ids, unsigned char **out, size_t *outlen, fg_err_t *err)
{
	if (json_array_size(ids) == 0 || json_array_size(ids) > 240)
		return fg_err_field(err, "invalid_field", "tool_ids", "1 to 240 tools");
	pdf_doc_t doc;
	if (pdf_doc_new(&doc, err) != 0)
		return -1;
	HPDF_Doc pdf = doc.doc;
	HPDF_Font font = doc.font;
	HPDF_Page page = NULL;
	size_t i;
	json_t *id;
	int slot = 24;
	json_array_foreach(ids, i, id) {
		json_t *t = tools_get(db, json_string_value(id));
		if (!t) {
			pdf_doc_free(&doc);
			fg_err_field(err, "invalid_field", "tool_ids", "no such tool");
			fg_err_detail_str(err, "value", json_string_value(id));
			return -1;
		}
		if (slot == 24) {
			page = HPDF_AddPage(pdf);
			HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
			slot = 0;
		}
		float x = MM(0) + MM(70) * (float)(slot % 3), y = MM(297) - MM(37) * (float)(slot / 3 + 1);
		char code[96], line[160];
		fg_fmt(code, sizeof code, "FGTOOL:%s", json_string_value(json_object_get(t, "asset_no")));
		qr_at(page, code, x + MM(3), y + MM(3), MM(31));
		const char *due = json_string_value(json_object_get(t, "next_test_due"));
		const char *lines[3] = {json_string_value(json_object_get(t, "asset_no")),
		    json_string_value(json_object_get(t, "kind_name")), NULL};
		fg_fmt(line, sizeof line, "下次试验 %s", due ? due : "按使用时长");
		lines[2] = line;
		for (int k = 0; k < 3; k++) {
			HPDF_Page_BeginText(page);
			HPDF_Page_SetFontAndSize(page, font, k == 0 ? 10 : 8.5f);
			HPDF_Page_TextOut(page, x + MM(36), y + MM(26) - (float)k * MM(6), lines[k] ? lines[k] : "");
			HPDF_Page_EndText(page);
		}
		json_decref(t);
		slot++;
	}
	return pdf_doc_finish(&doc, out, outlen, err);
}
