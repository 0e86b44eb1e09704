#ifndef FG_SAFETY_KB_H
#define FG_SAFETY_KB_H
#include <jansson.h>

/* The safety context's published knowledge base (R3.11), what other contexts may read: data/kb/<name>.json compiled
 * into the binary, each {"about","source","items":[…]}, with admins' edits layered on top (safety/kb). Borrowed
 * values live until the request ends (kb_request_start). */

/* The items of data/kb/<name>.json (borrowed; an empty array when the file is missing). */
json_t *kb_items(const char *name);
/* The first item whose `key` equals value (borrowed), or NULL. */
json_t *kb_find(const char *name, const char *key, const char *value);

#endif
