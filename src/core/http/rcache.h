#ifndef FG_RCACHE_H
#define FG_RCACHE_H
#include <stdbool.h>
#include <stddef.h>
#include "core/http/http.h"

/* The response cache (issue 10 item 10; bench/README.md "HTTP"). A GET route declared with `.cache = true`
 * promises that its 200 answer is a function of the caller (session, roles, org unit), the language, the path and
 * query, the tables its statements read (core/db/dbver.h) and the clock to within a second. Such an answer is kept
 * (encoded bytes and ETag) and sent again to the same caller for the same request while
 *   - no table it read has been written by a commit in this process since (checked on every use), and
 *   - it is younger than FG_HTTP_CACHE_MS (default 1000): what another process (a second server on PostgreSQL, the
 *     CLI) writes, and what depends on the clock, shows within that bound — or, while one request rebuilds an
 *     answer past its age, the others get the old one meanwhile (unless a table it read was written), up to three
 *     ages old: one rebuild at a time instead of every caller's at once.
 * The handler's own run is unchanged otherwise: an answer built while a commit's bump fell inside it, or by a
 * handler that wrote, is sent but not kept. Every `.cache` route gets an ETag and answers If-None-Match with 304.
 * Memory is bounded (FG_HTTP_CACHE_MB, default 64; one answer at most an eighth of it). FG_HTTP_CACHE_MS=0 keeps
 * nothing (the ETags stay). */

typedef struct rc_body rc_body_t;

void rcache_init(void);
/* Before the handler: answers from the cache and returns true, or prepares the request to capture its answer. */
bool rcache_serve(req_t *r);
/* After the handler: ETag (and 304) on the answer; keeps it when it may. */
void rcache_end(req_t *r);
/* http_json's part: a captured answer's bytes become the response (takes s, of n bytes). */
void rcache_capture(req_t *r, char *s, size_t n);
/* on_completed's part: drops what the request still holds. */
void rcache_release(req_t *r);

#endif
