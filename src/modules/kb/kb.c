#include <pthread.h>
#include <string.h>
#include "base/embed.h"
#include "base/log.h"
#include "base/util.h"
#include "modules/kb/kb.h"

static json_t *files; /* name → items */
static json_t *empty; /* what a missing file reads as */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
load(void)
{
	files = json_object();
	empty = json_array();
	for (const embed_file_t *f = embed_files; f->path; f++) {
		if (strncmp(f->path, "data/kb/", 8) != 0)
			continue;
		json_error_t je;
		json_t *doc = json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, &je);
		json_t *items = doc ? json_object_get(doc, "items") : NULL;
		if (!json_is_array(items)) {
			log_error("knowledge base %s is not {\"items\":[…]}: %s", f->path, doc ? "no items" : je.text);
			json_decref(doc);
			continue;
		}
		char name[64];
		const char *base = f->path + 8;
		fg_fmt(name, sizeof name, "%.*s", (int)strcspn(base, "."), base);
		json_object_set(files, name, items);
		json_decref(doc);
	}
}

json_t *
kb_items(const char *name)
{
	pthread_once(&once, load);
	json_t *items = json_object_get(files, name);
	return items ? items : empty;
}

json_t *
kb_find(const char *name, const char *key, const char *value)
{
	size_t i;
	json_t *it;
	if (!value)
		return NULL;
	json_array_foreach(kb_items(name), i, it) {
		const char *v = json_string_value(json_object_get(it, key));
		if (v && strcmp(v, value) == 0)
			return it;
	}
	return NULL;
}
