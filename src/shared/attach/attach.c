#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sodium.h>
#include "core/base/util.h"
#include "core/base/log.h"
#include "core/audit/audit.h"
#include "shared/attach/attach.h"

/* Where the bytes live (docs/architecture.md "Attachments"): on SQLite, files under <data>/attachments; on
 * PostgreSQL, the table attachment_blobs, written in the transaction that inserts the attachment's row, so every
 * node of a cluster reads what any node took. A file under <data>/attachments is still read on PostgreSQL when the
 * database has no copy (one stored before issue 15, not yet copied by `fieldgrid attachments migrate`). */
static char data_dir_[1024] = "./var", root[1100] = "./var/attachments"; /* attach_set_root sets the real ones */

void
attach_set_root(const char *data_dir)
{
	fg_fmt(data_dir_, sizeof data_dir_, "%s", data_dir);
	fg_fmt(root, sizeof root, "%s/attachments", data_dir);
}

/* The local file of a content (SQLite's store; on PostgreSQL only files from before the database held them). */
static void
local_path(const char *sha, char *out, size_t n)
{
	fg_fmt(out, n, "%s/%.2s/%s", root, sha, sha);
}

static int
mkdirs(const char *dir)
{
	char tmp[1100];
	fg_fmt(tmp, sizeof tmp, "%s", dir);
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = 0;
			if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	}
	return mkdir(tmp, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

#define CHUNK (64 * 1024)

static ssize_t
pread_full(int fd, void *buf, size_t n, off_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t k = pread(fd, (char *)buf + got, n - got, off + (off_t)got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

/* SHA-256 of the n bytes at fd, a chunk at a time. */
static int
hash_fd(int fd, size_t n, char sha[65])
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES], *buf = fg_malloc(CHUNK);
	crypto_hash_sha256_init(&st);
	size_t off = 0;
	while (off < n) {
		size_t want = n - off < CHUNK ? n - off : CHUNK;
		if (pread_full(fd, buf, want, (off_t)off) != (ssize_t)want) {
			free(buf);
			return -1;
		}
		crypto_hash_sha256_update(&st, buf, want);
		off += want;
	}
	free(buf);
	crypto_hash_sha256_final(&st, h);
	fg_hex(h, sizeof h, sha);
	return 0;
}

/* Writes the file once under its hash, so a crash never leaves half a photo there: an unlinked upload file
 * (O_TMPFILE, same filesystem) is linked into place whole; otherwise a temp file is copied a chunk at a time,
 * synced and renamed into place. */
static int
store_once(const char *sha, int src, size_t n)
{
	char path[1200], dir[1100], tmp[1300], self[64];
	struct stat st;
	local_path(sha, path, sizeof path);
	if (stat(path, &st) == 0 && (size_t)st.st_size == n)
		return 0;
	fg_fmt(dir, sizeof dir, "%s/%.2s", root, sha);
	if (mkdirs(dir) != 0)
		return -1;
	fg_fmt(self, sizeof self, "/proc/self/fd/%d", src);
	if (fsync(src) == 0 && linkat(AT_FDCWD, self, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (errno == EEXIST && stat(path, &st) == 0 && (size_t)st.st_size == n)
		return 0; /* the same content, stored meanwhile by another request */
	fg_fmt(tmp, sizeof tmp, "%s.tmp.%d.%lx", path, (int)getpid(), (unsigned long)randombytes_random());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	char *buf = fg_malloc(CHUNK);
	size_t off = 0;
	int rc = 0;
	while (rc == 0 && off < n) {
		size_t want = n - off < CHUNK ? n - off : CHUNK;
		if (pread_full(src, buf, want, (off_t)off) != (ssize_t)want) {
			rc = -1;
			break;
		}
		for (size_t done = 0; done < want;) {
			ssize_t w = write(fd, buf + done, want - done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				rc = -1;
				break;
			}
			done += (size_t)w;
		}
		off += want;
	}
	free(buf);
	if (rc != 0 || fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
		if (rc != 0)
			close(fd);
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* ---- PostgreSQL: the bytes in attachment_blobs (migrations/pg/0061), a part of ATTACH_PART per row ---- */

#define ATTACH_PART (1024 * 1024)

/* Whether the database holds the content: its part 0 is committed, and parts are only ever inserted all in one
 * transaction. 1, 0, or -1 when the database fails. */
static int
blob_exists(db_t *db, const char *sha)
{
	int rc;
	json_t *r = db_one(db_q(db, "SELECT part FROM attachment_blobs WHERE sha256 = $1 AND part = 0", "t", sha), &rc);
	int have = r ? 1 : rc == DB_DONE ? 0 : -1;
	json_decref(r);
	return have;
}

/* Writes the n bytes at fd into the open transaction, a part per statement (hex in the text protocol: the db layer
 * binds text; decode() makes it bytea again), so neither this process nor a message to the server ever holds more
 * than a part. Content already committed is not written again; an upload of the same content racing this one waits
 * at the first part's key until the other commits, then adds nothing (or writes it all, if the other rolled back). */
static int
blob_store(db_t *db, const char *sha, int fd, size_t n)
{
	int have = blob_exists(db, sha);
	if (have != 0)
		return have > 0 ? 0 : -1;
	unsigned char *buf = fg_malloc(ATTACH_PART);
	char *hex = fg_malloc(2 * ATTACH_PART + 1);
	int rc = 0;
	for (size_t off = 0, part = 0; rc == 0 && off < n; off += ATTACH_PART, part++) {
		size_t want = n - off < ATTACH_PART ? n - off : ATTACH_PART;
		if (pread_full(fd, buf, want, (off_t)off) != (ssize_t)want) {
			log_error("attachment %s: cannot read the upload: %s", sha, strerror(errno));
			rc = -1;
			break;
		}
		sodium_bin2hex(hex, 2 * ATTACH_PART + 1, buf, want);
		if (db_run(db_q(db, "INSERT INTO attachment_blobs (sha256, part, data) VALUES ($1, $2, decode($3, 'hex')) "
				    "ON CONFLICT (sha256, part) DO NOTHING",
			"tit", sha, (int64_t)part, hex)) != DB_DONE)
			rc = -1;
	}
	free(buf);
	free(hex);
	return rc;
}

static int
write_full(int fd, const void *p, size_t n)
{
	for (size_t done = 0; done < n;) {
		ssize_t w = write(fd, (const char *)p + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	return 0;
}

/* The content from the database into an unlinked file (on the data directory's disk, O_TMPFILE; a memfd where the
 * filesystem has none), a part at a time, its hash checked against its name: a response or a PDF reads that file,
 * so memory holds one part whatever the size. The fd, -2 when the database has no such content, -1 on failure. */
static int
blob_open(db_t *db, const char *sha, size_t *size)
{
	int fd = open(data_dir_, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		fd = memfd_create("attachment", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	crypto_hash_sha256_state hs;
	crypto_hash_sha256_init(&hs);
	unsigned char *buf = fg_malloc(ATTACH_PART);
	size_t total = 0;
	int part = 0, rc = 0;
	for (;; part++) {
		db_stmt_t *st = db_q(db, "SELECT encode(data, 'hex') AS hex FROM attachment_blobs WHERE sha256 = $1 AND part = $2",
		    "ti", sha, (int64_t)part);
		int step = st ? db_step(st) : DB_ERR;
		if (step == DB_DONE) {
			db_finalize(st);
			break;
		}
		const char *hex = step == DB_ROW ? db_col_text(st, 0) : NULL;
		size_t k = 0;
		if (!hex || sodium_hex2bin(buf, ATTACH_PART, hex, strlen(hex), NULL, &k, NULL) != 0 || write_full(fd, buf, k) != 0) {
			log_error("attachment %s: cannot read part %d: %s", sha, part, step == DB_ROW ? strerror(errno) : db_errmsg(db));
			db_finalize(st);
			rc = -1;
			break;
		}
		db_finalize(st);
		crypto_hash_sha256_update(&hs, buf, k);
		total += k;
	}
	free(buf);
	if (rc == 0 && part == 0) {
		close(fd);
		return -2;
	}
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[65];
	crypto_hash_sha256_final(&hs, h);
	fg_hex(h, sizeof h, hex);
	if (rc == 0 && strcmp(hex, sha) != 0) {
		log_error("attachment %s is damaged in the database (its bytes hash to %s)", sha, hex);
		rc = -1;
	}
	if (rc != 0) {
		close(fd);
		errno = EIO;
		return -1;
	}
	*size = total;
	return fd;
}

int
attach_open(db_t *db, const char *sha, size_t *size)
{
	errno = ENOENT;
	if (!sha)
		return -1;
	if (db_kind(db) == DB_PG) {
		int fd = blob_open(db, sha, size);
		if (fd != -2)
			return fd;
	}
	char path[1200];
	struct stat st;
	local_path(sha, path, sizeof path);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		errno = ENOENT;
		fd = -1;
	}
	if (fd >= 0)
		*size = (size_t)st.st_size;
	return fd;
}

unsigned char *
attach_read(db_t *db, const char *sha, size_t *n)
{
	size_t size = 0;
	int fd = attach_open(db, sha, &size);
	if (fd < 0)
		return NULL;
	unsigned char *p = size <= ATTACH_MAX ? malloc(size ? size : 1) : NULL;
	if (p && pread_full(fd, p, size, 0) != (ssize_t)size) {
		free(p);
		p = NULL;
	}
	close(fd);
	if (p)
		*n = size;
	return p;
}

int
attach_migrate_files(db_t *db, attach_migrated_t *out)
{
	memset(out, 0, sizeof *out);
	if (db_kind(db) != DB_PG)
		return 0;
	int rc;
	json_t *rows = db_all(db_prepare(db, "SELECT DISTINCT a.sha256 FROM attachments a WHERE NOT EXISTS "
					     "(SELECT 1 FROM attachment_blobs b WHERE b.sha256 = a.sha256 AND b.part = 0) ORDER BY a.sha256"),
	    &rc), *r;
	if (!rows)
		return -1;
	size_t i;
	json_array_foreach(rows, i, r) {
		const char *sha = fg_jstr(r, "sha256");
		char path[1200], got[65];
		struct stat st;
		local_path(sha, path, sizeof path);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) != 0) {
			log_warn("attachment %s: no file %s on this node", sha, path);
			out->absent++;
		} else if (hash_fd(fd, (size_t)st.st_size, got) != 0 || strcmp(got, sha) != 0) {
			log_error("attachment %s: the file %s is damaged, not copied", sha, path);
			out->damaged++;
		} else if (db_begin(db) != 0 || blob_store(db, sha, fd, (size_t)st.st_size) != 0 || db_commit(db) != 0) {
			db_rollback(db);
			close(fd);
			json_decref(rows);
			return -1;
		} else {
			out->copied++;
			out->bytes += (int64_t)st.st_size;
		}
		if (fd >= 0)
			close(fd);
	}
	json_decref(rows);
	return 0;
}

static const char *const entities[] = {"plan", "survey", "ticket", "ticket_risk", "step", "finding", "work_order", "contractor", "defect", "inspection", NULL};

int
attach_store(db_t *db, const char *actor_id, const char *declared_type, int fd, size_t n,
    const char *filename, const char *entity, const char *entity_id, json_t **out, fg_err_t *err)
{
	unsigned char head[16];
	ssize_t hn = pread_full(fd, head, sizeof head, 0);
	const char *real = hn > 0 ? attach_sniff(head, (size_t)hn < n ? (size_t)hn : n) : NULL;
	char sha[65], id[37];

	if (!real) {
		fg_err(err, "unsupported_media_type");
		fg_err_detail_str(err, "reason", "JPEG, PNG, WebP, MP4 or PDF");
		return -1;
	}
	if (declared_type && strncmp(declared_type, real, strlen(real)) != 0) {
		fg_err(err, "unsupported_media_type");
		fg_err_detail_str(err, "reason", "the body is not what Content-Type says");
		fg_err_detail_str(err, "detected", real);
		return -1;
	}
	if (entity) {
		int i;
		for (i = 0; entities[i] && strcmp(entities[i], entity) != 0; i++)
			;
		if (!entities[i])
			return fg_err_field(err, "invalid_query", "entity", "plan, survey, ticket, ticket_risk, step, finding, work_order, contractor, defect or inspection");
		if (!entity_id || !fg_is_uuid(entity_id))
			return fg_err_field(err, "invalid_query", "entity_id", "the id of what the file belongs to");
	}
	bool pg = db_kind(db) == DB_PG;
	if (hash_fd(fd, n, sha) != 0 || (!pg && store_once(sha, fd, n) != 0)) {
		log_error("cannot store attachment %s: %s", sha, strerror(errno));
		return fg_err(err, "internal");
	}
	fg_uuid7(id);
	/* on PostgreSQL the bytes go in with the row: shared with every node the moment it commits, or not at all */
	if (db_begin(db) != 0 || (pg && blob_store(db, sha, fd, n) != 0) ||
	    db_run(db_q(db,
		"INSERT INTO attachments (id, sha256, content_type, size, filename, entity, entity_id, uploaded_by, created_at) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
		"tttitttti", id, sha, real, (int64_t)n, filename, entity, entity_id, actor_id, fg_now_ms())) != DB_DONE)
		return db_fail(db, err);
	json_t *row = attach_get(db, id);
	if (!row || audit_write(db, actor_id, "upload", "attachment", id, NULL, row) != 0 || db_commit(db) != 0) {
		json_decref(row);
		return db_fail(db, err);
	}
	*out = row;
	return 0;
}

int
attach_store_bytes(db_t *db, const char *actor_id, const char *declared_type, const void *data, size_t n,
    const char *filename, const char *entity, const char *entity_id, json_t **out, fg_err_t *err)
{
	int fd = memfd_create("attachment", MFD_CLOEXEC);
	const char *p = data;
	size_t left = n;
	while (fd >= 0 && left) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		p += w;
		left -= (size_t)w;
	}
	if (fd < 0 || left) {
		if (fd >= 0)
			close(fd);
		return fg_err(err, "internal");
	}
	int rc = attach_store(db, actor_id, declared_type, fd, n, filename, entity, entity_id, out, err);
	close(fd);
	return rc;
}

json_t *
attach_get(db_t *db, const char *id)
{
	int rc;
	return db_one(db_q(db,
	    "SELECT id, sha256, content_type, size, filename, entity, entity_id, uploaded_by, created_at FROM attachments "
	    "WHERE id = $1", "t", id), &rc);
}

int
attach_ids_check(db_t *db, json_t *arr, const char *field, size_t max, const char *want, fg_err_t *err)
{
	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > max) {
		char why[64];
		fg_fmt(why, sizeof why, "up to %zu ids of uploaded attachments", max);
		return fg_err_field(err, "invalid_field", field, why);
	}
	size_t i;
	json_t *x;
	json_array_foreach(arr, i, x) {
		if (!json_is_string(x))
			return fg_err_field(err, "invalid_field", field, "ids of uploaded attachments");
		int rc;
		json_t *a = db_one(db_q(db, "SELECT content_type FROM attachments WHERE id = $1", "t", json_string_value(x)), &rc);
		if (!a && rc != DB_DONE)
			return fg_err(err, "internal");
		const char *ct = a ? fg_jstr(a, "content_type") : NULL;
		size_t wn = want ? strlen(want) : 0;
		bool ok = a && (!want || (ct && (want[wn - 1] == '/' ? strncmp(ct, want, wn) == 0 : strcmp(ct, want) == 0)));
		json_decref(a);
		if (!ok) {
			fg_err_field(err, "invalid_field", field, !a ? "ids of uploaded attachments" : want);
			fg_err_detail(err, "attachment_id", json_incref(x));
			return -1;
		}
	}
	return 0;
}
