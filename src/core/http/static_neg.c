#include <string.h>
#include <strings.h>
#include "core/http/static_neg.h"

/* RFC 9110 §5.6.3 optional whitespace */
static const char *
ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), as thousandths; -1 when malformed. */
static int
qvalue(const char *p, size_t n)
{
	if (n == 0 || (p[0] != '0' && p[0] != '1'))
		return -1;
	int v = (p[0] - '0') * 1000;
	if (n == 1)
		return v;
	if (p[1] != '.' || n > 5)
		return -1;
	int scale = 100;
	for (size_t i = 2; i < n; i++, scale /= 10) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v += (p[i] - '0') * scale;
	}
	return v > 1000 ? -1 : v;
}

static bool
token_is(const char *p, size_t n, const char *name)
{
	size_t k = strlen(name);
	return n == k && strncasecmp(p, name, k) == 0;
}

enum static_coding
static_pick_coding(const char *ae, bool have_br, bool have_gz)
{
	/* weights in thousandths; -1 = not named */
	int br = -1, gz = -1, star = -1;
	for (const char *p = ae; p && *p;) {
		p = ows(p);
		const char *tok = p;
		while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
			p++;
		size_t tn = (size_t)(p - tok);
		int q = 1000;
		/* parameters: only q counts; anything else is skipped */
		for (p = ows(p); *p == ';';) {
			p = ows(p + 1);
			const char *name = p;
			while (*p && *p != '=' && *p != ',' && *p != ';')
				p++;
			const char *val = NULL;
			size_t vn = 0;
			bool isq = (p - name) == 1 && (*name == 'q' || *name == 'Q');
			if (*p == '=') {
				val = ++p;
				while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
					p++;
				vn = (size_t)(p - val);
			}
			if (isq)
				q = val ? qvalue(val, vn) : -1;
			p = ows(p);
		}
		if (q >= 0 && tn) { /* a malformed weight drops the element */
			if (token_is(tok, tn, "br"))
				br = q;
			else if (token_is(tok, tn, "gzip") || token_is(tok, tn, "x-gzip"))
				gz = q;
			else if (token_is(tok, tn, "*"))
				star = q;
		}
		while (*p && *p != ',') /* whatever is left of a malformed element */
			p++;
		if (*p == ',')
			p++;
	}
	if (br < 0)
		br = star;
	if (gz < 0)
		gz = star;
	if (!have_br)
		br = 0;
	if (!have_gz)
		gz = 0;
	if (br > 0 && br >= gz)
		return STATIC_BR;
	if (gz > 0)
		return STATIC_GZIP;
	return STATIC_IDENTITY;
}

bool
static_etag_match(const char *inm, const char *etag)
{
	if (!inm || !etag)
		return false;
	size_t en = strlen(etag);
	if (en < 2 || etag[0] != '"' || etag[en - 1] != '"')
		return false;
	const char *p = ows(inm);
	if (*p == '*')
		return *ows(p + 1) == 0;
	while (*p) {
		p = ows(p);
		if (*p == ',') {
			p++;
			continue;
		}
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (*p != '"')
			return false;
		const char *end = strchr(p + 1, '"');
		if (!end)
			return false;
		size_t n = (size_t)(end - p) + 1; /* with both quotes */
		if (n == en && memcmp(p, etag, n) == 0)
			return true;
		p = ows(end + 1);
		if (*p && *p != ',')
			return false;
	}
	return false;
}

bool
static_unhash(const char *rel, char *plain, size_t n, char *hash)
{
	const char *base = strrchr(rel, '/');
	base = base ? base + 1 : rel;
	const char *ext = strrchr(base, '.');
	if (!ext || ext - base < STATIC_HASH_LEN + 2) /* at least one character of name, a dot, the hash */
		return false;
	const char *h = ext - STATIC_HASH_LEN;
	if (h[-1] != '.')
		return false;
	for (int i = 0; i < STATIC_HASH_LEN; i++)
		if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
			return false;
	size_t head = (size_t)(h - 1 - rel), tail = strlen(ext);
	if (head + tail + 1 > n)
		return false;
	memcpy(plain, rel, head);
	memcpy(plain + head, ext, tail + 1);
	memcpy(hash, h, STATIC_HASH_LEN);
	hash[STATIC_HASH_LEN] = 0;
	return true;
}
