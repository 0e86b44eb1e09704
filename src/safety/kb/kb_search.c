/* Search of the knowledge base (R3.11): every term must occur in an item's text; works for Chinese because it
 * matches substrings, needing no word segmentation (a Chinese query has no spaces to split on). The base is a
 * few hundred items held in memory, so a scan is instant and the same on SQLite and PostgreSQL. */
#include <string.h>
#include <ctype.h>
#include "core/base/util.h"
#include "safety/kb/kb.h"

static const struct {
	const char *name, *key, *title;
} collections[] = {
	{"sops", "code", "name_zh"},
	{"risks", "id", "hazard_zh"},
	{"briefings", "code", "name_zh"},
	{"work_kinds", "code", "name_zh"},
	{"ticket_kinds", "code", "name_zh"},
	{"tool_kinds", "code", "name_zh"},
	{"inspection_kinds", "code", "name_zh"},
};

bool
kb_collection_known(const char *name)
{
	for (size_t i = 0; i < sizeof collections / sizeof collections[0]; i++)
		if (strcmp(collections[i].name, name) == 0)
			return true;
	return false;
}

/* All the item's strings, lower-cased for ASCII, into buf. */
static void
flatten(json_t *v, fg_buf_t *buf)
{
	const char *k;
	json_t *x;
	size_t i;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		for (; *s; s++) {
			char c = (char)tolower((unsigned char)*s);
			(void)fg_buf_append(buf, &c, 1);
		}
		(void)fg_buf_append(buf, "\n", 1);
	} else if (json_is_object(v)) {
		json_object_foreach(v, k, x) if (strcmp(k, "source") != 0 && strcmp(k, "confidence") != 0) flatten(x, buf);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x) flatten(x, buf);
	}
}

/* Up to 160 bytes around the first hit, cut on UTF-8 boundaries. */
static json_t *
snippet(const char *text, const char *hit)
{
	const char *a = hit, *b = hit;
	for (int n = 0; a > text && n < 60; n++)
		a--;
	while (a > text && ((unsigned char)*a & 0xC0) == 0x80)
		a--;
	for (int n = 0; *b && *b != '\n' && n < 100; n++)
		b++;
	while (*b && ((unsigned char)*b & 0xC0) == 0x80)
		b++;
	const char *nl = memchr(a, '\n', (size_t)(hit - a));
	if (nl)
		a = nl + 1;
	return json_stringn(a, (size_t)(b - a));
}

json_t *
kb_search(const char *q, int limit)
{
	char terms[8][128];
	int nterms = 0;
	const char *p = q;
	while (*p && nterms < 8) { /* terms split on spaces; ASCII folded to lower case */
		while (*p == ' ' || *p == '\t')
			p++;
		size_t n = strcspn(p, " \t");
		if (!n)
			break;
		if (n >= sizeof terms[0])
			n = sizeof terms[0] - 1;
		for (size_t i = 0; i < n; i++)
			terms[nterms][i] = (char)tolower((unsigned char)p[i]);
		terms[nterms][n] = 0;
		nterms++;
		p += strcspn(p, " \t");
	}
	json_t *hits = json_array();
	for (size_t c = 0; c < sizeof collections / sizeof collections[0] && nterms; c++) {
		size_t i;
		json_t *it;
		json_array_foreach(kb_items(collections[c].name), i, it) {
			fg_buf_t buf;
			fg_buf_init(&buf, 1 << 20);
			flatten(it, &buf);
			const char *text = buf.data ? buf.data : "", *first = NULL;
			int score = 0;
			bool all = true;
			for (int t = 0; t < nterms && all; t++) {
				const char *h = strstr(text, terms[t]);
				all = h != NULL;
				if (h && !first)
					first = h;
				const char *title = json_string_value(json_object_get(it, collections[c].title));
				score += (title && strstr(title, terms[t])) ? 10 : 1; /* a hit in the title counts most */
			}
			if (all)
				json_array_append_new(hits, json_pack("{s:s, s:O, s:O, s:o, s:i}", "collection", collections[c].name, "key",
								 json_object_get(it, collections[c].key), "title",
								 json_object_get(it, collections[c].title), "snippet", snippet(text, first), "score", score));
			fg_buf_free(&buf);
		}
	}
	/* best first: score, then the collection order above (SOPs before single risks) */
	size_t n = json_array_size(hits);
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0; j--) {
			json_t *a = json_array_get(hits, j - 1), *b = json_array_get(hits, j);
			if (json_integer_value(json_object_get(a, "score")) >= json_integer_value(json_object_get(b, "score")))
				break;
			json_incref(a);
			json_array_set(hits, j - 1, b);
			json_array_set_new(hits, j, a);
		}
	while (json_array_size(hits) > (size_t)limit)
		json_array_remove(hits, json_array_size(hits) - 1);
	return hits;
}
