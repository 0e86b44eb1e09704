#ifndef FG_PDF_H
#define FG_PDF_H
#include <stddef.h>
#include <hpdf.h>
#include "core/base/err.h"

/* PDFs with Chinese text (libharu), as the work ticket, the hazard notice and the tool labels print them: a document
 * in UTF-8 with WenQuanYi Micro Hei (Debian's fonts-wqy-microhei; FIELDGRID_PDF_FONT names another), referenced but
 * not embedded — libharu 2.3.0 loses glyphs when it subsets a TrueType collection (checked with pdftoppm), while
 * every Chinese desktop and phone viewer has a CJK font to stand in. */
typedef struct {
	HPDF_Doc doc;
	HPDF_Font font;
} pdf_doc_t;

/* A new, compressed document with the CJK font loaded. 0, or -1 with err: unavailable (no CJK font installed: the
 * log says which package), internal (libharu failed). */
int pdf_doc_new(pdf_doc_t *d, fg_err_t *err);
/* The document's bytes in *out (the caller frees them) and *len; the document is freed either way. 0, or -1 with
 * err internal. */
int pdf_doc_finish(pdf_doc_t *d, unsigned char **out, size_t *len, fg_err_t *err);
/* Frees a document not finished (an error on the way). */
void pdf_doc_free(pdf_doc_t *d);
/* The first line of s that fits width points at size: up to a newline, else wrapped by character (Chinese has no
 * spaces to wrap at), at least one character. Copied into line (cap bytes, NUL-terminated); returns the bytes of s
 * it took, its newline included, so the caller steps on by it. */
size_t pdf_line_fit(HPDF_Page page, HPDF_Font font, float size, float width, const char *s, char *line, size_t cap);

#endif
