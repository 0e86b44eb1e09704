#ifndef FG_HTTP_GZIP_H
#define FG_HTTP_GZIP_H
#include <stddef.h>

/* The API's JSON answers compressed (issue 14 item 2): a phone on a weak network reads a job's 90 KB of JSON as
 * about 25 KB. gzip (zlib, RFC 1952) at level 6; answers under HTTP_GZIP_MIN bytes go as they are (the header
 * costs more than it saves). Returns a malloc'd buffer with *out_len bytes, or NULL (send the plain bytes). */
#define HTTP_GZIP_MIN 1024
char *http_gzip(const char *s, size_t n, size_t *out_len);

#endif
