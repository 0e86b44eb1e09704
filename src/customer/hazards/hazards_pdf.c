/* The hazard notice (《用电检查结果通知书》, REFERENCE.md §6) as a printable PDF: the customer, what was found and
 * where, what the customer must do and by when, and — once signed on the crew's phone — the receipt: the
 * handwritten signature itself (the PNG drawn on the phone), the signer's name, time and place. Text in WenQuanYi
 * Micro Hei through core/base/pdf.h (referenced, not embedded: it says why). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <hpdf.h>
#include "core/base/log.h"
#include "core/base/pdf.h"
#include "core/base/util.h"
#include "shared/attach/attach.h"
#include "customer/hazards/hazards.h"

#define PAGE_W 595.0f
#define PAGE_H 842.0f
#define MARGIN 56.0f

typedef struct {
	HPDF_Doc pdf;
	HPDF_Page page;
	HPDF_Font font;
	float y;
} layout_t;

static void
new_page(layout_t *l)
{
	l->page = HPDF_AddPage(l->pdf);
	HPDF_Page_SetSize(l->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
	l->y = PAGE_H - MARGIN;
}

/* Text at x, wrapped by character within the page's width (Chinese has no spaces to wrap at). */
static void
text(layout_t *l, float x, float size, const char *s)
{
	char line[1024];
	float lead = size * 1.5f, width = PAGE_W - MARGIN - x;
	while (s && *s) {
		s += pdf_line_fit(l->page, l->font, size, width, s, line, sizeof line);
		if (l->y - lead < MARGIN)
			new_page(l);
		HPDF_Page_BeginText(l->page);
		HPDF_Page_SetFontAndSize(l->page, l->font, size);
		HPDF_Page_TextOut(l->page, x, l->y - size, line);
		HPDF_Page_EndText(l->page);
		l->y -= lead;
	}
}

static void
field(layout_t *l, const char *label, const char *value)
{
	char buf[4096];
	fg_fmt(buf, sizeof buf, "%s：%s", label, value && *value ? value : "—");
	text(l, MARGIN, 11, buf);
}

static void
when(json_t *v, char *out, size_t n)
{
	if (!json_is_integer(v)) {
		fg_fmt(out, n, "—");
		return;
	}
	time_t t = (time_t)(json_integer_value(v) / 1000) + 8 * 3600;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%d %H:%M", &tm);
}

static const char *
name_of(json_t *list, const char *code, const char *key)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v) if (code && strcmp(fg_jstr(v, "code"), code) == 0) return fg_jstr(v, key);
	return code;
}

/* The signature as drawn, scaled into a box `w` wide under the text. */
static void
signature(layout_t *l, db_t *db, const char *att_id)
{
	json_t *a = att_id ? attach_get(db, att_id) : NULL;
	if (!a)
		return;
	/* from memory, wherever the engine keeps the bytes (a file, or the database on PostgreSQL) */
	size_t n = 0;
	unsigned char *png = attach_read(db, fg_jstr(a, "sha256"), &n);
	json_decref(a);
	HPDF_Image img = png ? HPDF_LoadPngImageFromMem(l->pdf, png, (HPDF_UINT)n) : NULL;
	free(png);
	if (!img) {
		HPDF_ResetError(l->pdf);
		return;
	}
	float iw = (float)HPDF_Image_GetWidth(img), ih = (float)HPDF_Image_GetHeight(img);
	float w = 200, h = iw > 0 ? w * ih / iw : 60;
	if (h > 120) {
		w = w * 120 / h;
		h = 120;
	}
	if (l->y - h < MARGIN)
		new_page(l);
	HPDF_Page_DrawImage(l->page, img, MARGIN + 90, l->y - h, w, h);
	l->y -= h + 6;
}

static const char *const sev_zh[][2] = {{"general", "一般"}, {"major", "重大"}, {"critical", "紧急"}};

int
hazards_notice_pdf(db_t *db, const char *id, unsigned char **out, size_t *outlen, fg_err_t *err)
{
	json_t *h = hazards_get(db, NULL, id);
	if (!h)
		return fg_err_not_found(err, "customer_hazard", id);
	if (strcmp(fg_jstr(h, "side"), "customer") != 0 || !fg_jstr(h, "notice_number")) {
		fg_err(err, "customer_hazard_no_notice");
		fg_err_detail_str(err, "side", fg_jstr(h, "side"));
		fg_err_detail_str(err, "state", fg_jstr(h, "status"));
		json_decref(h);
		return -1;
	}
	layout_t l = {0};
	pdf_doc_t doc;
	if (pdf_doc_new(&doc, err) != 0) {
		json_decref(h);
		return -1;
	}
	l.pdf = doc.doc;
	l.font = doc.font;
	new_page(&l);
	char buf[4096], a[32];
	text(&l, MARGIN + 130, 20, "用电检查结果通知书");
	fg_fmt(buf, sizeof buf, "编号：%s    隐患编号：%s", fg_jstr(h, "notice_number"), fg_jstr(h, "number"));
	text(&l, MARGIN, 10, buf);
	l.y -= 6;
	json_t *c = json_object_get(h, "customer");
	if (fg_jstr(c, "account_number"))
		fg_fmt(buf, sizeof buf, "%s（户号 %s）：", fg_jstr(c, "name"), fg_jstr(c, "account_number"));
	else
		fg_fmt(buf, sizeof buf, "%s（客户编号 %s）：", fg_jstr(c, "name"), fg_jstr(c, "number"));
	text(&l, MARGIN, 12, buf);
	when(json_object_get(h, "found_at"), a, sizeof a);
	fg_fmt(buf, sizeof buf, "    根据国家有关电力供应与使用的规定，我单位于 %s 对贵户用电安全情况进行了检查，发现下列用电安全隐患，"
				"请贵户按要求整改，并将整改情况及时告知我单位。逾期未整改造成的后果由贵户承担；危及电网安全的，"
				"我单位将依法采取措施。", a);
	text(&l, MARGIN, 11, buf);
	l.y -= 4;
	field(&l, "隐患类别", name_of(hazards_kinds(), fg_jstr(h, "kind"), "name_zh"));
	const char *sev = fg_jstr(h, "severity");
	for (size_t i = 0; i < sizeof sev_zh / sizeof sev_zh[0]; i++)
		if (strcmp(sev_zh[i][0], sev) == 0)
			sev = sev_zh[i][1];
	field(&l, "隐患等级", sev);
	field(&l, "隐患部位或设备", fg_jstr(h, "location"));
	field(&l, "隐患描述", fg_jstr(h, "description"));
	field(&l, "整改要求", fg_jstr(h, "requirement"));
	field(&l, "整改期限", fg_jstr(h, "rectify_by"));
	field(&l, "检查人员", fg_jstr(h, "found_by_name"));
	when(json_object_get(h, "notice_at"), a, sizeof a);
	field(&l, "通知日期", a);
	l.y -= 10;
	HPDF_Page_SetLineWidth(l.page, 0.5f);
	HPDF_Page_MoveTo(l.page, MARGIN, l.y);
	HPDF_Page_LineTo(l.page, PAGE_W - MARGIN, l.y);
	HPDF_Page_Stroke(l.page);
	l.y -= 10;
	text(&l, MARGIN, 13, "客户签收");
	if (json_is_integer(json_object_get(h, "signed_at"))) {
		text(&l, MARGIN, 11, "本通知书已收到，知悉上述隐患及整改要求。");
		text(&l, MARGIN, 11, "签收人签名：");
		l.y += 16;
		signature(&l, db, fg_jstr(h, "signature_id"));
		field(&l, "签收人", fg_jstr(h, "signer_name"));
		when(json_object_get(h, "signed_at"), a, sizeof a);
		field(&l, "签收时间", a);
		char place[512] = "";
		if (fg_jstr(h, "sign_place"))
			fg_fmt(place, sizeof place, "%s", fg_jstr(h, "sign_place"));
		if (fg_jstr(h, "sign_lat")) {
			size_t n = strlen(place);
			fg_fmt(place + n, sizeof place - n, "%s坐标 %s, %s", n ? "；" : "", fg_jstr(h, "sign_lat"), fg_jstr(h, "sign_lng"));
		}
		field(&l, "签收地点", place);
		text(&l, MARGIN, 9, "（签收人手持本通知书的照片已随记录存档。）");
	} else
		text(&l, MARGIN, 11, "签收人（签字）：________________    日期：____年__月__日");
	l.y -= 16;
	text(&l, MARGIN + 280, 11, "供电单位（盖章）");
	json_decref(h);

	return pdf_doc_finish(&doc, out, outlen, err);
}
