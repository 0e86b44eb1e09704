#ifndef FG_KB_H
#define FG_KB_H
#include <jansson.h>

/* The built-in knowledge base (R3.11): data/kb/<name>.json compiled into the binary, each
 * {"about","source","items":[…]}. Read-only here; admins' edits are stored and layered on top by kb_store (later). */

/* The items of data/kb/<name>.json (borrowed; an empty array when the file is missing). */
json_t *kb_items(const char *name);
/* The first item whose `key` equals value (borrowed), or NULL. */
json_t *kb_find(const char *name, const char *key, const char *value);

#endif
