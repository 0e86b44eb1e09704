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

static char root[1024] = "./var/attachments"; /* attach_set_root sets the real one */

void
attach_set_root(const char *data_dir)
{
	fg_fmt(root, sizeof root, "%s/attachments", data_dir);
}

void
attach_path(const char *sha, char *out, size_t n)
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
	attach_path(sha, path, sizeof path);
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
	if (hash_fd(fd, n, sha) != 0 || store_once(sha, fd, n) != 0) {
		log_error("cannot store attachment %s: %s", sha, strerror(errno));
		return fg_err(err, "internal");
	}
	fg_uuid7(id);
	if (db_begin(db) != 0 ||
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
