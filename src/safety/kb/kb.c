#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/embed.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "safety/kb/kb.h"

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

/* Each worker thread reads the knowledge base through its own snapshot: the built-in files with the admins'
 * edits applied. A snapshot is only replaced at the first read of a request (kb_request_start), so items a request
 * borrowed stay valid to its end whatever other threads do. */
typedef struct {
	int64_t gen;
	json_t *files; /* NULL: no edits, read the built-in files */
	db_t *db;      /* the current request's connection; NULL outside a request */
	bool fresh;    /* checked against the generation during this request */
} kb_view_t;

static pthread_key_t view_key;
static pthread_once_t view_once = PTHREAD_ONCE_INIT;

static void
view_free(void *p)
{
	kb_view_t *v = p;
	json_decref(v->files);
	free(v);
}

static void
view_init(void)
{
	pthread_key_create(&view_key, view_free);
}

static kb_view_t *
view(void)
{
	pthread_once(&view_once, view_init);
	return pthread_getspecific(view_key);
}

static void refresh(kb_view_t *v);

json_t *
kb_items(const char *name)
{
	pthread_once(&once, load);
	kb_view_t *v = view();
	if (v && v->db && !v->fresh) /* the request's first read: nothing is borrowed yet, safe to swap */
		refresh(v);
	json_t *items = json_object_get(v && v->files ? v->files : files, name);
	return items ? items : empty;
}

const char *
kb_key_field(const char *name)
{
	return strcmp(name, "risks") == 0 ? "id" : "code";
}

void
kb_request_start(db_t *db)
{
	pthread_once(&once, load);
	kb_view_t *v = view();
	if (!v) {
		v = fg_calloc(1, sizeof *v);
		pthread_setspecific(view_key, v);
	}
	v->db = db;
	v->fresh = false;
}

static void
refresh(kb_view_t *v)
{
	db_t *db = v->db;
	v->fresh = true;
	int rc;
	json_t *row = db_one(db_prepare(db, "SELECT value FROM settings WHERE key = 'kb.generation'"), &rc);
	int64_t gen = row ? strtoll(json_string_value(json_object_get(row, "value")), NULL, 10) : 0;
	json_decref(row);
	if (gen == v->gen)
		return;
	json_t *edits = db_all(db_prepare(db, "SELECT collection, key, body FROM kb_overrides ORDER BY collection, key"), &rc);
	if (!edits)
		return;
	json_t *merged = json_deep_copy(files), *e;
	/* edits replace the built-in item with the same key, or add one */
	size_t i;
	json_array_foreach(edits, i, e) {
		const char *coll = json_string_value(json_object_get(e, "collection"));
		const char *key = json_string_value(json_object_get(e, "key"));
		json_t *body = json_loads(json_string_value(json_object_get(e, "body")), 0, NULL);
		json_t *items = json_object_get(merged, coll);
		if (!body || !items) {
			json_decref(body);
			continue;
		}
		size_t j;
		json_t *it;
		bool replaced = false;
		json_array_foreach(items, j, it) {
			const char *k = json_string_value(json_object_get(it, kb_key_field(coll)));
			if (k && strcmp(k, key) == 0) {
				json_array_set(items, j, body);
				replaced = true;
				break;
			}
		}
		if (!replaced)
			json_array_append(items, body);
		json_decref(body);
	}
	json_decref(edits);
	json_decref(v->files);
	v->files = merged;
	v->gen = gen;
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

json_t *
kb_builtin(const char *name, const char *value)
{
	pthread_once(&once, load);
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(files, name), i, it) {
		const char *v = json_string_value(json_object_get(it, kb_key_field(name)));
		if (v && value && strcmp(v, value) == 0)
			return it;
	}
	return NULL;
}
