#ifndef FG_HTTP_STATIC_NEG_H
#define FG_HTTP_STATIC_NEG_H
/* The parts of serving a static file that read what a client sent (static_neg.c): which content coding to send
 * (Accept-Encoding), whether the client's copy is still current (If-None-Match), and whether a path names a file
 * by its content hash. Plain C over strings, no server types: tests/fuzz/fuzz_static_neg.c feeds them anything. */
#include <stdbool.h>
#include <stddef.h>

enum static_coding { STATIC_IDENTITY = 0, STATIC_GZIP = 1, STATIC_BR = 2 };

/* The coding to send given the Accept-Encoding header (NULL when absent) and which precompressed copies exist:
 * the acceptable one (q > 0) with the highest weight, brotli before gzip on a tie; identity when neither is. */
enum static_coding static_pick_coding(const char *accept_encoding, bool have_br, bool have_gz);

/* Whether If-None-Match (a list of entity tags, or "*") names the entity tag etag (given with its quotes), by the
 * weak comparison RFC 9110 §13.1.2 prescribes for it. A malformed list matches nothing (the file is sent). */
bool static_etag_match(const char *if_none_match, const char *etag);

/* HASH_LEN lowercase hex digits of the file's SHA-256 name a file in its URL: js/app.<hash>.js. */
#define STATIC_HASH_LEN 12
/* When rel's last segment is NAME.<hash>.EXT: writes NAME.EXT (with rel's folders) to plain and the hash to
 * hash (STATIC_HASH_LEN + 1 bytes) and returns true; otherwise false. */
bool static_unhash(const char *rel, char *plain, size_t n, char *hash);

#endif
