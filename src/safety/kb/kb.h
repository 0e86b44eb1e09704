#ifndef FG_KB_H
#define FG_KB_H
#include <jansson.h>
#include "safety/interface/kb.h" /* kb_items, kb_find: what other contexts read */

/* The knowledge base module: the built-in data/kb files and admins' edits layered on top. */

#include <stdbool.h>
#include "core/db/db.h"
#include "core/base/err.h"

/* Marks the start of a request on this thread: its first knowledge-base read brings the thread's view up to
 * date with the admins' edits (one query), before anything from the view is borrowed. */
void kb_request_start(db_t *db);
/* The built-in item (before any edit), or NULL. */
json_t *kb_builtin(const char *name, const char *value);
/* The field that keys a collection's items ("id" for risks, "code" elsewhere). */
const char *kb_key_field(const char *name);
/* Admin edits (audited): replace or add an item; remove an edit (the built-in item returns). */
int kb_put(db_t *db, const char *actor_id, const char *collection, const char *key, json_t *item, json_t **out,
    fg_err_t *err);
int kb_delete_edit(db_t *db, const char *actor_id, const char *collection, const char *key, fg_err_t *err);

/* Whether a collection (sops, risks, briefings, work_kinds, ticket_kinds, tool_kinds) exists. */
bool kb_collection_known(const char *name);
/* Items whose text holds every space-separated term (Chinese needs no spaces), best first:
 * [{collection, key, title, snippet, score}]. */
json_t *kb_search(const char *q, int limit);

#endif
