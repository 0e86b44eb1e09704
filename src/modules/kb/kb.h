#ifndef FG_KB_H
#define FG_KB_H
#include <jansson.h>

/* The built-in knowledge base (R3.11): data/kb/<name>.json compiled into the binary, each
 * {"about","source","items":[…]}. Read-only here; admins' edits are stored and layered on top by kb_store (later). */

/* The items of data/kb/<name>.json (borrowed; an empty array when the file is missing). */
json_t *kb_items(const char *name);
/* The first item whose `key` equals value (borrowed), or NULL. */
json_t *kb_find(const char *name, const char *key, const char *value);

#include <stdbool.h>
/* Whether a collection (sops, risks, briefings, work_kinds, ticket_kinds, tool_kinds) exists. */
bool kb_collection_known(const char *name);
/* Items whose text holds every space-separated term (Chinese needs no spaces), best first:
 * [{collection, key, title, snippet, score}]. */
json_t *kb_search(const char *q, int limit);

#endif
