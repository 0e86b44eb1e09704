#ifndef FG_SCREEN_H
#define FG_SCREEN_H
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"

/* The metering centre's large screen (issue 12 item 7, R1.5; docs/api.md "Metering: large screen").
 *
 * A wall display has no user: it opens /screen.html#t=TOKEN from a read-only display link that a metering admin
 * made (metering.admin) and can revoke. The token (32 random bytes, base64url) is shown once; only its BLAKE2b hash
 * is kept. The page keeps it in the URL's fragment, which a browser never sends to a server (so no access log, proxy
 * log or Referer carries it), and sends it as "Authorization: Bearer" to GET /api/v1/screen/data — the server's
 * access log writes the path only, never a header or the query (core/http/server.c). */

#define SCREEN_TOKEN_LEN 44 /* 43 characters + NUL */

/* Makes a link named name (1..100 characters) for actor: *out = the link (screen_links_list's item) with "token" and
 * "path" ("/screen.html#t=<token>"), the only time they are ever given; with base_url (the desk's own origin,
 * "https://host[:port]") also "url" (base_url + path) and "qr_svg" (a QR code of url, to open it on a wall screen's
 * browser by scanning). invalid_field (base_url) when it is not an http(s) origin. */
int screen_link_create(db_t *db, const char *actor_id, const char *name, const char *base_url, json_t **out,
    fg_err_t *err);
/* Every link, newest first: {items: [{id, name, created_by: {id, display_name}, created_at, last_used_at,
 * revoked_at, revoked_by}]}. */
json_t *screen_links_list(db_t *db);
/* Revokes the link (audited); revoking a revoked link changes nothing. not_found. *out = the link. */
int screen_link_revoke(db_t *db, const char *actor_id, const char *id, json_t **out, fg_err_t *err);
/* The link of a token: 0 with *name set (caller frees), or -1: screen_link_invalid (401: no token, not a display
 * link's) or screen_link_revoked (403). Notes the use at most once a minute (the write makes that one answer
 * uncacheable and the next one rebuilt; a write on every poll would keep the response cache from ever serving it). */
int screen_link_resolve(db_t *db, const char *token, char **name, fg_err_t *err);

/* Every panel's data in one object (screen_panels.c): {"date", "company", "panels": {key: data}}.
 * NULL on a database error. */
json_t *screen_data(db_t *db);

#endif
