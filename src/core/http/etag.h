#ifndef FG_HTTP_ETAG_H
#define FG_HTTP_ETAG_H
#include <stdbool.h>
#include <stddef.h>
#include "core/http/http.h"

/* Validators of the API's JSON reads (docs/api.md "Reads: ETag and 304"). Every 200 answer to a GET carries an ETag
 * made from its bytes (before compression), and a request naming it in If-None-Match gets a bodiless 304: a phone
 * opening a job again revalidates its reads for a few hundred bytes instead of fetching 30 KB (issue 14 item 2).
 * The response cache (rcache.c) uses the same tags for the answers it keeps. */
#define HTTP_ETAG_SIZE 40 /* "\"" + 32 hex + "\"" + NUL, rounded */

/* The ETag of a body: '"' + 32 hex digits of its BLAKE2b-128 + '"'. */
void http_etag_of(const void *data, size_t len, char out[HTTP_ETAG_SIZE]);
/* Whether the request's If-None-Match names etag (or is "*"). */
bool http_etag_matches(req_t *r, const char *etag);
/* The answer as 304 Not Modified: no body, the ETag and the caching rule of a read. */
void http_not_modified(req_t *r, const char *etag);
/* The caching rule of a JSON read the browser may keep but must revalidate each time: private (never a shared
 * cache), no-cache (no use without asking; the ETag makes the asking cheap). */
#define HTTP_READ_CACHE_CONTROL "private, no-cache"

#endif
