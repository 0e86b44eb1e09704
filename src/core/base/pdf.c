/* PDFs with Chinese text (pdf.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/base/log.h"
#include "core/base/pdf.h"
#include "core/base/util.h"

static void
on_error(HPDF_STATUS code, HPDF_STATUS detail, void *data)
{
	(void)data;
	log_error("pdf: libharu error %04X detail %u", (unsigned)code, (unsigned)detail);
}

static const char *
font_path(void)
{
	static const char *const candidates[] = {
		"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
		"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
		NULL,
	};
	const char *env = getenv("FIELDGRID_PDF_FONT");
	if (env && access(env, R_OK) == 0)
		return env;
	for (int i = 0; candidates[i]; i++)
		if (access(candidates[i], R_OK) == 0)
			return candidates[i];
	return NULL;
}

int
pdf_doc_new(pdf_doc_t *d, fg_err_t *err)
{
	d->doc = NULL;
	d->font = NULL;
	const char *fp = font_path();
	if (!fp) {
		log_error("pdf: no CJK font (install fonts-wqy-microhei or set FIELDGRID_PDF_FONT)");
		return fg_err(err, "unavailable");
	}
	if (!(d->doc = HPDF_New(on_error, NULL)))
		return fg_err(err, "internal");
	HPDF_UseUTFEncodings(d->doc);
	HPDF_SetCurrentEncoder(d->doc, "UTF-8");
	HPDF_SetCompressionMode(d->doc, HPDF_COMP_ALL);
	const char *name = HPDF_LoadTTFontFromFile2(d->doc, fp, 0, HPDF_FALSE);
	d->font = name ? HPDF_GetFont(d->doc, name, "UTF-8") : NULL;
	if (!d->font) {
		pdf_doc_free(d);
		return fg_err(err, "internal");
	}
	return 0;
}

void
pdf_doc_free(pdf_doc_t *d)
{
	if (d->doc)
		HPDF_Free(d->doc);
	d->doc = NULL;
	d->font = NULL;
}

int
pdf_doc_finish(pdf_doc_t *d, unsigned char **out, size_t *len, fg_err_t *err)
{
	HPDF_SaveToStream(d->doc);
	HPDF_UINT32 size = HPDF_GetStreamSize(d->doc), got = size;
	unsigned char *mem = fg_malloc(size ? size : 1);
	HPDF_ResetStream(d->doc);
	int bad = HPDF_ReadFromStream(d->doc, mem, &got) > HPDF_STREAM_EOF || got != size;
	pdf_doc_free(d);
	if (bad) {
		free(mem);
		return fg_err(err, "internal");
	}
	*out = mem;
	*len = size;
	return 0;
}

/* Bytes of the UTF-8 character at s. */
static size_t
u8len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

size_t
pdf_line_fit(HPDF_Page page, HPDF_Font font, float size, float width, const char *s, char *line, size_t cap)
{
	size_t n = 0;
	line[0] = 0;
	HPDF_Page_SetFontAndSize(page, font, size);
	while (s[n] && s[n] != '\n') {
		size_t k = u8len(s + n);
		for (size_t j = 1; j < k; j++) /* a character cut short by the string's end is taken as far as it goes */
			if (!s[n + j]) {
				k = j;
				break;
			}
		if (n + k >= cap - 1)
			break;
		memcpy(line, s, n + k);
		line[n + k] = 0;
		if (HPDF_Page_TextWidth(page, line) > width && n > 0)
			break;
		n += k;
	}
	line[n] = 0;
	return n + (s[n] == '\n');
}
