/* core/base/qr.h: one QR drawing for every label (tools, display links). */
#include <stdio.h>
#include <qrencode.h>
#include "core/base/util.h"
#include "core/base/qr.h"

char *
fg_qr_svg(const char *text)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return NULL;
	int w = qr->width, quiet = 4, size = w + 2 * quiet;
	fg_buf_t b;
	fg_buf_init(&b, 1 << 20);
	char head[256];
	int n = snprintf(head, sizeof head,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"", size, size, size, size);
	(void)fg_buf_append(&b, head, (size_t)n);
	for (int y = 0; y < w; y++) {
		for (int x = 0; x < w; x++) {
			if (qr->data[y * w + x] & 1) { /* bit 0: a dark module */
				char m[48];
				int k = snprintf(m, sizeof m, "M%d %dh1v1h-1z", x + quiet, y + quiet);
				(void)fg_buf_append(&b, m, (size_t)k);
			}
		}
	}
	(void)fg_buf_append(&b, "\"/></svg>", 9);
	QRcode_free(qr);
	return b.data;
}
