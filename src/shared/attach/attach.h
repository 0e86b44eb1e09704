#ifndef FG_ATTACH_H
#define FG_ATTACH_H
#include <stddef.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"

/* Attachments: site photos, short videos and documents (R3.3, R3.5, R3.9). Stored once per content under
 * <data>/attachments/<sha256[0:2]>/<sha256>; a row says what the file is and what it belongs to. */

#define ATTACH_MAX (20 * 1024 * 1024) /* a phone photo is 2–8 MB; a short clip fits */

void attach_set_root(const char *data_dir);

/* The content type the bytes really are (JPEG, PNG, WebP, MP4, PDF), or NULL: a declared type is never
 * trusted on its own. */
const char *attach_sniff(const unsigned char *p, size_t n);

/* Stores the n bytes of the file open at fd, read from offset 0 in chunks, never whole in memory (declared
 * type must match what they are); entity/entity_id say what they belong to. An unlinked temp file (an
 * upload, O_TMPFILE) on the data directory's filesystem is linked into place, anything else is copied.
 * Refusals: unsupported_media_type, invalid_field (entity). out: the attachment row. */
int attach_store(db_t *db, const char *actor_id, const char *declared_type, int fd, size_t n,
    const char *filename, const char *entity, const char *entity_id, json_t **out, fg_err_t *err);
/* The same for bytes in memory (the demo's photos): written to a temp file first. */
int attach_store_bytes(db_t *db, const char *actor_id, const char *declared_type, const void *data, size_t n,
    const char *filename, const char *entity, const char *entity_id, json_t **out, fg_err_t *err);
json_t *attach_get(db_t *db, const char *id);
/* A body's list of attachments (photos, evidence, a signature …): arr is absent or null (0: nothing to check), or an
 * array of at most max ids of uploaded attachments — each of a content type starting with want when want ends in
 * '/' ("image/"), exactly want otherwise, any when want is NULL. 0, or -1 with err: invalid_field naming field (and
 * details.attachment_id, the one that is not), internal. */
int attach_ids_check(db_t *db, json_t *arr, const char *field, size_t max, const char *want, fg_err_t *err);
/* Full path of a stored file. */
void attach_path(const char *sha256, char *out, size_t n);

#endif
