#ifndef FG_UTIL_H
#define FG_UTIL_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <jansson.h>

/* Out of memory is a bug here (every peer-controlled size is bounded), so allocation aborts instead of
 * making every call site check (the Redis/h2o policy). */
void *fg_malloc(size_t n);
void *fg_calloc(size_t n, size_t sz);
void *fg_realloc(void *p, size_t n);
char *fg_strdup(const char *s);
char *fg_strndup(const char *s, size_t n);

/* UTC epoch milliseconds. */
int64_t fg_now_ms(void);

/* A UUIDv7 (RFC 9562): 48-bit ms timestamp + random bits, so ids sort by creation time.  out: 37 bytes. */
void fg_uuid7(char out[37]);
bool fg_is_uuid(const char *s);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void fg_hex(const unsigned char *in, size_t n, char *out);
/* FNV-1a, 64 bits: the one hash of the in-memory tables and of "same bytes again?" checks (unkeyed: not a
 * defence against chosen collisions). */
uint64_t fg_fnv1a(const void *p, size_t n);

/* Growable byte buffer with a hard maximum (curl dynbuf idea): appends past max fail instead of growing. */
typedef struct {
	char *data;
	size_t len, cap, max;
} fg_buf_t;

void fg_buf_init(fg_buf_t *b, size_t max);
int fg_buf_append(fg_buf_t *b, const void *p, size_t n); /* 0, or -1 when max would be passed */
void fg_buf_free(fg_buf_t *b);

/* snprintf into a fixed buffer; returns false when truncated. */
bool fg_fmt(char *dst, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The readers every module wrote for itself. fg_jstr: o[k] when it is a string, else NULL (o may be NULL).
 * fg_blank: NULL, empty or only white space. fg_one_of: v (may be NULL) is one of the NULL-terminated set. */
static inline const char *
fg_jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}
bool fg_blank(const char *s);
bool fg_one_of(const char *v, const char *const *set);
/* Rows (an array of objects, from one statement for a page of parents) grouped by their string column col, which
 * is dropped from each: col's value -> array of copies, in the rows' order. rows is left as it is. */
json_t *fg_json_group_by(const json_t *rows, const char *col);

#endif
