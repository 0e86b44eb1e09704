/* The printable work ticket (R3.4, R3.5): what the crew carries and the archive keeps. Laid out as the paper
 * form is read — header, people, place and content, times, outage scope and live parts, risk points with their
 * measures (ticked by whom, when), signatures — and closed by the content hash, so a printed ticket can be
 * checked against GET /tickets/{id}/verify. Text is UTF-8 in WenQuanYi Micro Hei through core/base/pdf.h (referenced,
 * not embedded: it says why).
 * Once signed, the ticket ends with a QR code of tickets_qr_payload: the content hash and every signature with
 * its signer, time, public key and signature, so the paper alone can be checked (docs/api.md). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <hpdf.h>
#include <qrencode.h>
#include "core/base/log.h"
#include "core/base/pdf.h"
#include "core/base/util.h"
#include "core/auth/signing.h"
#include "core/flow/flow.h"
#include "safety/interface/kb.h"
#include "fieldwork/tickets/tickets.h"

#define PAGE_W 595.0f /* A4 in points */
#define PAGE_H 842.0f
#define MARGIN 48.0f

typedef struct {
	HPDF_Doc pdf;
	HPDF_Page page;
	HPDF_Font font;
	float y;
	int pages;
	bool en; /* printed in English */
} layout_t;

static void
new_page(layout_t *l)
{
	l->page = HPDF_AddPage(l->pdf);
	HPDF_Page_SetSize(l->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
	l->y = PAGE_H - MARGIN;
	l->pages++;
}

/* Writes text at x, wrapping by character (Chinese has no spaces to wrap at) within width; new pages as needed. */
static void
text(layout_t *l, float x, float size, float width, const char *s)
{
	char line[1024];
	float lead = size * 1.45f;
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
rule(layout_t *l)
{
	HPDF_Page_SetLineWidth(l->page, 0.5f);
	HPDF_Page_MoveTo(l->page, MARGIN, l->y - 2);
	HPDF_Page_LineTo(l->page, PAGE_W - MARGIN, l->y - 2);
	HPDF_Page_Stroke(l->page);
	l->y -= 8;
}

/* The print's language (issue 14 item 5): labels, the status and the kind's name in the language of the request;
 * what people wrote (place, content, supplements) as written; library text (risk points, measures) in English when
 * the library's English matches what the ticket holds. */
#define L(zh, en_) (en ? (en_) : (zh)) /* `en`: the print's language, a local or a layout's field */

static void
field(layout_t *l, const char *label, const char *value)
{
	char buf[4096];
	bool en = l->en;
	fg_fmt(buf, sizeof buf, "%s%s%s", label, L("：", ": "), value && *value ? value : "—");
	text(l, MARGIN, 10.5f, PAGE_W - 2 * MARGIN, buf);
}

static void
when(int64_t ms, char *out, size_t n)
{
	if (ms <= 0) {
		fg_fmt(out, n, "—");
		return;
	}
	time_t t = (time_t)(ms / 1000) + 8 * 3600; /* printed in Asia/Shanghai */
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%d %H:%M", &tm);
}

/* The QR code as an image of one pixel per module (gray, quiet zone of 4), placed `side` points wide under the
 * text: an image rather than drawn squares so that the printed modules have no seams and a reader (or
 * pdfimages) gets the exact matrix. */
static void
qr_block(layout_t *l, const char *payload, float side)
{
	QRcode *qr = QRcode_encodeString(payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return;
	int w = qr->width + 8;
	unsigned char *px = fg_malloc((size_t)w * (size_t)w);
	memset(px, 255, (size_t)w * (size_t)w);
	for (int y = 0; y < qr->width; y++)
		for (int x = 0; x < qr->width; x++)
			if (qr->data[y * qr->width + x] & 1)
				px[(y + 4) * w + x + 4] = 0;
	QRcode_free(qr);
	HPDF_Image img = HPDF_LoadRawImageFromMem(l->pdf, px, (HPDF_UINT)w, (HPDF_UINT)w, HPDF_CS_DEVICE_GRAY, 8);
	free(px);
	if (!img)
		return;
	if (l->y - side < MARGIN)
		new_page(l);
	HPDF_Page_DrawImage(l->page, img, MARGIN, l->y - side, side, side);
	l->y -= side + 6;
}

/* The display name for a user id; people already loaded are looked up first, others are fetched and kept. */
static const char *
name_of(db_t *db, json_t *people, const char *id)
{
	size_t i;
	json_t *p;
	int rc;
	if (!id)
		return "—";
	json_array_foreach(people, i, p) if (strcmp(fg_jstr(p, "id"), id) == 0) return fg_jstr(p, "display_name");
	json_t *u = db_one(db_q(db, "SELECT id, display_name FROM users WHERE id = $1", "t", id), &rc);
	if (!u)
		return id;
	json_array_append_new(people, u);
	return fg_jstr(u, "display_name");
}

/* The state's name in the print's language, from the ticket flow (data/flows/ticket.json). */
static void
status_name(bool en, const char *code, char *out, size_t n)
{
	json_t *d = flow_describe("ticket"), *st;
	size_t i;
	fg_fmt(out, n, "%s", code);
	json_array_foreach(d ? json_object_get(d, "states") : NULL, i, st) {
		if (fg_jstr(st, "code") && strcmp(fg_jstr(st, "code"), code) == 0) {
			const char *name = fg_jstr(st, en ? "name_en" : "name_zh");
			if (name)
				fg_fmt(out, n, "%s", name);
		}
	}
	json_decref(d);
}

int
tickets_pdf(db_t *db, const char *id, const char *lang, unsigned char **out, size_t *outlen, fg_err_t *err)
{
	const bool en = lang && strcmp(lang, "en") == 0;
	json_t *t = tickets_get(db, id);
	if (!t)
		return fg_err_not_found(err, "ticket", id);
	layout_t l = {0};
	pdf_doc_t doc;
	if (pdf_doc_new(&doc, err) != 0) {
		json_decref(t);
		return -1;
	}
	l.pdf = doc.doc;
	l.font = doc.font;
	l.en = en;
	new_page(&l);
	char buf[2048], a[32], b[32], st[64];
	json_t *kind = kb_find("ticket_kinds", "code", fg_jstr(t, "kind"));
	const char *kn = kind ? fg_jstr(kind, en ? "name_en" : "name_zh") : NULL;
	fg_fmt(buf, sizeof buf, "%s", kn ? kn : fg_jstr(t, "kind"));
	text(&l, MARGIN, 18, PAGE_W - 2 * MARGIN, buf);
	status_name(en, fg_jstr(t, "status"), st, sizeof st);
	fg_fmt(buf, sizeof buf, L("编号 %s    状态 %s", "No. %s    Status: %s"), fg_jstr(t, "number"), st);
	text(&l, MARGIN, 10.5f, PAGE_W - 2 * MARGIN, buf);
	rule(&l);

	json_t *people = json_array(), *c;
	size_t i;
	json_array_append(people, json_object_get(t, "leader"));
	char crew[1024] = "";
	json_array_foreach(json_object_get(t, "crew"), i, c) {
		json_array_append(people, c);
		size_t n = strlen(crew);
		fg_fmt(crew + n, sizeof crew - n, "%s%s", n ? L("、", ", ") : "", fg_jstr(c, "display_name"));
	}
	field(&l, L("工作负责人（监护人）", "Work leader (supervisor)"), fg_jstr(json_object_get(t, "leader"), "display_name"));
	fg_fmt(buf, sizeof buf, L("%s（共 %zu 人，含负责人）", "%s (%zu people with the leader)"), crew,
	    json_array_size(json_object_get(t, "crew")) + 1);
	field(&l, L("工作班成员", "Crew"), buf);
	field(&l, L("工作地点", "Place"), fg_jstr(t, "place"));
	field(&l, L("工作内容", "Work"), fg_jstr(t, "content"));
	when(json_integer_value(json_object_get(t, "planned_start")), a, sizeof a);
	when(json_integer_value(json_object_get(t, "planned_end")), b, sizeof b);
	fg_fmt(buf, sizeof buf, L("自 %s 至 %s%s", "%s to %s%s"), a, b,
	    json_integer_value(json_object_get(t, "extensions")) ? L("（已延期）", " (extended)") : "");
	field(&l, L("计划工作时间", "Planned time (Beijing)"), buf);
	field(&l, L("停电范围", "Outage scope"), fg_jstr(t, "outage_scope"));
	field(&l, L("保留带电部位", "Parts left live"), fg_jstr(t, "live_parts"));
	fg_fmt(buf, sizeof buf, L("%lld 级（1 级最高）", "level %lld (1 is highest)"), (long long)json_integer_value(json_object_get(t, "risk_level")));
	field(&l, L("风险等级", "Risk level"), buf);
	rule(&l);

	text(&l, MARGIN, 12, PAGE_W - 2 * MARGIN, L("危险点及控制措施、安全措施", "Risk points, their control measures, safety measures"));
	json_t *r, *m;
	json_array_foreach(json_object_get(t, "risks"), i, r) {
		const char *ok = json_is_null(json_object_get(r, "confirmed_at")) ? "□" : "■";
		const char *hz = en && fg_jstr(r, "hazard_en") ? fg_jstr(r, "hazard_en") : fg_jstr(r, "hazard");
		fg_fmt(buf, sizeof buf, L("%s %lld. [%lld级] %s", "%s %lld. [level %lld] %s"), ok,
		    (long long)json_integer_value(json_object_get(r, "seq")), (long long)json_integer_value(json_object_get(r, "level")), hz);
		text(&l, MARGIN, 10, PAGE_W - 2 * MARGIN, buf);
		size_t j;
		json_array_foreach(json_object_get(t, "measures"), j, m) {
			if (!fg_jstr(m, "risk_id") || !fg_jstr(r, "risk_id") || strcmp(fg_jstr(m, "risk_id"), fg_jstr(r, "risk_id")) != 0)
				continue;
			char done[96] = "";
			if (!json_is_null(json_object_get(m, "done_at"))) {
				when(json_integer_value(json_object_get(m, "done_at")), a, sizeof a);
				fg_fmt(done, sizeof done, "  ✓ %s %s", name_of(db, people, fg_jstr(m, "done_by")), a);
			}
			fg_fmt(buf, sizeof buf, "— %s%s", en && fg_jstr(m, "text_en") ? fg_jstr(m, "text_en") : fg_jstr(m, "text"), done);
			text(&l, MARGIN + 18, 9.5f, PAGE_W - 2 * MARGIN - 18, buf);
		}
	}
	json_array_foreach(json_object_get(t, "measures"), i, m) { /* measures not tied to a risk: survey and supplements */
		if (fg_jstr(m, "risk_id"))
			continue;
		fg_fmt(buf, sizeof buf, "%s %s%s", json_is_null(json_object_get(m, "done_at")) ? "□" : "■", fg_jstr(m, "text"),
		    json_is_true(json_object_get(m, "supplement")) ? L("（补充）", " (added on site)") : "");
		text(&l, MARGIN, 10, PAGE_W - 2 * MARGIN, buf);
	}
	rule(&l);

	text(&l, MARGIN, 12, PAGE_W - 2 * MARGIN, L("签名", "Signatures"));
	static const struct {
		const char *role, *zh, *en;
	} roles[] = {{"issuer", "工作票签发人", "Issuer"}, {"leader", "工作负责人（收票）", "Work leader (received)"},
	    {"permitter", "工作许可人", "Permitter"}, {"leader_end", "工作负责人（终结）", "Work leader (ended)"}};
	json_t *s;
	json_array_foreach(json_object_get(t, "signatures"), i, s) {
		const char *label = fg_jstr(s, "role");
		for (size_t k = 0; k < sizeof roles / sizeof roles[0]; k++)
			if (strcmp(roles[k].role, fg_jstr(s, "role")) == 0)
				label = L(roles[k].zh, roles[k].en);
		when(json_integer_value(json_object_get(s, "signed_at")), a, sizeof a);
		fg_fmt(buf, sizeof buf, L("%s：%s    %s    （电子签名 Ed25519）", "%s: %s    %s    (electronic signature, Ed25519)"), label,
		    fg_jstr(s, "signer_name"), a);
		text(&l, MARGIN, 10.5f, PAGE_W - 2 * MARGIN, buf);
	}
	if (json_array_size(json_object_get(t, "signatures")) == 0)
		text(&l, MARGIN, 10.5f, PAGE_W - 2 * MARGIN, L("（尚未签发）", "(not issued yet)"));
	if (!json_is_null(json_object_get(t, "ended_at"))) {
		when(json_integer_value(json_object_get(t, "ended_at")), a, sizeof a);
		fg_fmt(buf, sizeof buf, L("工作终结时间：%s    现场照片 %zu 张    %s", "Ended: %s    %zu site photos    %s"), a,
		    json_array_size(json_object_get(t, "photos")), fg_jstr(t, "end_note") ? fg_jstr(t, "end_note") : "");
		text(&l, MARGIN, 10.5f, PAGE_W - 2 * MARGIN, buf);
	}
	rule(&l);
	json_t *v = tickets_verification(db, id);
	const char *hash = v ? fg_jstr(v, "content_hash") : "";
	fg_fmt(buf, sizeof buf, L("内容摘要 SHA-256：%s\n核验：GET /api/v1/tickets/%s/verify", "Content hash SHA-256: %s\nVerify: GET /api/v1/tickets/%s/verify"), hash, id);
	text(&l, MARGIN, 8, PAGE_W - 2 * MARGIN, buf);
	if (v && json_array_size(json_object_get(v, "signatures")) > 0) {
		qr_block(&l, fg_jstr(v, "qr_payload"), 200);
		text(&l, MARGIN, 8, PAGE_W - 2 * MARGIN,
		    L("扫码离线核验：二维码含内容摘要及每个签名的签名人、时间、Ed25519 公钥与签名（格式 FGT1，见 docs/api.md）",
			"Scan to verify offline: the QR code holds the content hash and each signature's signer, time, Ed25519 public key and signature (format FGT1, see docs/api.md)"));
	}
	json_decref(v);
	json_decref(people);
	json_decref(t);

	return pdf_doc_finish(&doc, out, outlen, err);
}
