/* gzip for the API's answers (gzip.h). Static files come precompressed from the build (tools/webbuild.mjs); an
 * answer is made per request, so it is compressed here, once, as it is sent. */
#include <stdlib.h>
#include <zlib.h>
#include "core/http/gzip.h"

char *
http_gzip(const char *s, size_t n, size_t *out_len)
{
	if (n < HTTP_GZIP_MIN)
		return NULL;
	z_stream z = {0};
	/* windowBits 15 + 16: a gzip header and trailer rather than zlib's */
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	size_t cap = deflateBound(&z, (uLong)n);
	char *out = malloc(cap);
	if (!out) {
		deflateEnd(&z);
		return NULL;
	}
	z.next_in = (Bytef *)s;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, Z_FINISH);
	*out_len = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END || *out_len >= n) { /* cannot happen within deflateBound; or no gain */
		free(out);
		return NULL;
	}
	return out;
}
