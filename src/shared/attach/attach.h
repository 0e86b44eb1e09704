#ifndef FG_ATTACH_H
#define FG_ATTACH_H
#include <stddef.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"

/* Attachments: site photos, short videos and documents (R3.3, R3.5, R3.9). Stored once per content (its SHA-256):
 * on SQLite as files under <data>/attachments/<sha256[0:2]>/<sha256>; on PostgreSQL in the table attachment_blobs,
 * written with the row, so every node of a cluster reads them (docs/architecture.md "Attachments"). A row says what
 * the file is and what it belongs to. Callers never see where the bytes are: attach_open / attach_read. */

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
/* The stored bytes of a content as a file open for reading (from offset 0; the caller closes it) and their size, or
 * -1 with errno ENOENT when none is stored (EIO: the store failed, logged). On PostgreSQL the bytes are copied from the database into an
 * unlinked temp file a part at a time, their hash checked, so memory holds one part (1 MiB) whatever the size; a
 * content the database lacks is read from the local file (one stored before the database held them). */
int attach_open(db_t *db, const char *sha256, size_t *size);
/* The same bytes in memory (malloc'd, at most ATTACH_MAX: attachments are never larger), or NULL. For libraries
 * that take an image from memory (libhpdf's HPDF_Load…ImageFromMem). */
unsigned char *attach_read(db_t *db, const char *sha256, size_t *n);

/* `fieldgrid attachments migrate`: on PostgreSQL, copies every local file under <data>/attachments that a row
 * names and the database lacks into the database (hash checked; one transaction per content; safe to run again and
 * while servers run). Files are left in place. SQLite: nothing to do. 0, or -1 when the database fails. */
typedef struct {
	size_t copied, absent, damaged; /* copied; named by a row but not on this node; hash does not match its name */
	int64_t bytes;
} attach_migrated_t;
int attach_migrate_files(db_t *db, attach_migrated_t *out);

/* The content of attachment row a as the response (200 with its type, or 404): for the routes that serve files. */
struct req;
void attach_respond(struct req *r, db_t *db, json_t *a);

#endif
