#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <time.h>
#include <sodium.h>
#include "core/base/util.h"

static void
oom(size_t n)
{
	fprintf(stderr, "fieldgrid: out of memory (%zu bytes)\n", n);
	abort();
}

void *
fg_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *
fg_calloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);
	if (!p)
		oom(n * sz);
	return p;
}

void *
fg_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *
fg_strdup(const char *s)
{
	return fg_strndup(s, strlen(s));
}

char *
fg_strndup(const char *s, size_t n)
{
	char *p = fg_malloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

int64_t
fg_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
fg_uuid7(char out[37])
{
	/* Random bytes come from a per-thread pool refilled from libsodium's CSPRNG 4 KiB at a time: one getrandom()
	 * per 409 ids instead of one per id (a million-meter import spent 8 % of its time in that system call). The
	 * bytes are the same generator's; each is used once. */
	static _Thread_local unsigned char pool[4096];
	static _Thread_local size_t left;
	/* Monotonic within a thread (RFC 9562 §6.2, method 1): ids made in the same millisecond count up in rand_a's 12
	 * bits, and a clock that steps back keeps the last millisecond, so rows ordered by (instant, id) come out in the
	 * order one thread wrote them — a process's history, fired step after step within a millisecond, reads in
	 * order. 4,096 ids in one millisecond borrow the next one. */
	static _Thread_local uint64_t last_ms;
	static _Thread_local unsigned seq;
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	uint64_t ms = (uint64_t)fg_now_ms();
	if (ms <= last_ms) {
		ms = last_ms;
		if (++seq > 0xfff) {
			ms++;
			seq = 0;
		}
	} else
		seq = 0;
	last_ms = ms;

	if (left < 10) {
		randombytes_buf(pool, sizeof pool);
		left = sizeof pool;
	}
	memcpy(b + 6, pool + sizeof pool - left, 10);
	sodium_memzero(pool + sizeof pool - left, 10);
	left -= 10;
	for (int i = 0; i < 6; i++)
		b[i] = (unsigned char)(ms >> (40 - 8 * i));
	b[6] = (unsigned char)(0x70 | (seq >> 8)); /* version 7, then the counter's 12 bits */
	b[7] = (unsigned char)(seq & 0xff);
	b[8] = (unsigned char)(0x80 | (b[8] & 0x3f)); /* variant 10 */
	char *o = out;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		*o++ = hex[b[i] >> 4];
		*o++ = hex[b[i] & 15];
	}
	*o = 0;
}

bool
fg_is_uuid(const char *s)
{
	if (!s || strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		char c = s[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return false;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
			return false;
		}
	}
	return true;
}

void
fg_hex(const unsigned char *in, size_t n, char *out)
{
	static const char h[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = h[in[i] >> 4];
		out[2 * i + 1] = h[in[i] & 15];
	}
	out[2 * n] = 0;
}

uint64_t
fg_fnv1a(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ULL;
	return h;
}

void
fg_buf_init(fg_buf_t *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

int
fg_buf_append(fg_buf_t *b, const void *p, size_t n)
{
	if (n > b->max || b->len > b->max - n)
		return -1;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = fg_realloc(b->data, cap);
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
	return 0;
}

void
fg_buf_free(fg_buf_t *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

bool
fg_fmt(char *dst, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(dst, n, fmt, ap);
	va_end(ap);
	return r >= 0 && (size_t)r < n;
}

bool
fg_blank(const char *s)
{
	if (!s)
		return true;
	while (*s && isspace((unsigned char)*s))
		s++;
	return *s == '\0';
}

bool
fg_one_of(const char *v, const char *const *set)
{
	for (; v && *set; set++)
		if (strcmp(v, *set) == 0)
			return true;
	return false;
}

json_t *
fg_json_group_by(const json_t *rows, const char *col)
{
	json_t *by = json_object(), *r;
	size_t i;
	json_array_foreach(rows, i, r) {
		const char *key = fg_jstr(r, col);
		if (!key)
			continue;
		json_t *a = json_object_get(by, key);
		if (!a) {
			a = json_array();
			json_object_set_new(by, key, a);
		}
		json_t *copy = json_copy(r);
		json_object_del(copy, col);
		json_array_append_new(a, copy);
	}
	return by;
}
