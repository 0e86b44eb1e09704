#include <string.h>
#include <sodium.h>
#include "core/http/etag.h"
#include "core/base/util.h"

void
http_etag_of(const void *data, size_t len, char out[HTTP_ETAG_SIZE])
{
	unsigned char h[16];
	char hex[33];
	crypto_generichash(h, sizeof h, (const unsigned char *)data, len, NULL, 0);
	fg_hex(h, sizeof h, hex);
	fg_fmt(out, HTTP_ETAG_SIZE, "\"%s\"", hex);
}

bool
http_etag_matches(req_t *r, const char *etag)
{
	/* a list of tags, possibly weak (W/"…"): the tag's quoted form found in it is a match (RFC 9110 13.1.2 compares
	 * weakly for If-None-Match) */
	const char *inm = http_header_in(r, "If-None-Match");
	return inm && (strcmp(inm, "*") == 0 || strstr(inm, etag) != NULL);
}

void
http_not_modified(req_t *r, const char *etag)
{
	http_no_content(r);
	r->status = 304;
	http_header(r, "ETag", etag);
	/* http_no_content's no-store would tell the browser to drop the copy it just revalidated */
	MHD_del_response_header(r->resp, "Cache-Control", "no-store");
	http_header(r, "Cache-Control", HTTP_READ_CACHE_CONTROL);
	http_header(r, "Vary", "Accept-Encoding");
}
