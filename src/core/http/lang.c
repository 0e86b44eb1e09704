#include <stdlib.h>
#include <string.h>
#include "core/http/http.h"

const char *
http_lang(const char *al)
{
	/* Pick the better-weighted of zh and en tags; Chinese when nothing says otherwise (the UI's first language). */
	double best_zh = -1, best_en = -1;
	const char *p = al;
	while (p && *p) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *tag = p;
		size_t n = strcspn(p, ",;");
		double q = 1.0;
		const char *semi = memchr(p, ';', strcspn(p, ","));
		if (semi) {
			const char *qs = strstr(semi, "q=");
			if (qs && qs < p + strcspn(p, ","))
				q = strtod(qs + 2, NULL);
		}
		if (n >= 2 && (tag[0] == 'e' || tag[0] == 'E') && (tag[1] == 'n' || tag[1] == 'N') && q > best_en)
			best_en = q;
		if (n >= 2 && (tag[0] == 'z' || tag[0] == 'Z') && (tag[1] == 'h' || tag[1] == 'H') && q > best_zh)
			best_zh = q;
		p += strcspn(p, ",");
	}
	return best_en > best_zh ? "en" : "zh";
}
