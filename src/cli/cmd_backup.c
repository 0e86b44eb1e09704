/* fieldgrid backup / restore (R1.3): one archive holding a consistent snapshot of the database and every
 * attachment it references, taken while the server runs.
 *
 * Consistency. Attachments are content-addressed and immutable: attach_store writes the file (temp + fsync +
 * rename) BEFORE the transaction that inserts its row commits, and nothing ever deletes one. So the database is
 * snapshotted first, then every file the snapshot references is copied: each of those files existed before the
 * snapshot and still exists, unchanged. (The reverse order would miss the files of rows committed between the
 * file copy and the snapshot.) Each file is hashed while it is copied and must match its name, so a backup never
 * carries a damaged attachment silently.
 *   - SQLite: the online backup API (sqlite3_backup_step(-1) in one step: a read transaction on a WAL database,
 *     which writers do not wait for, and which a step-by-step copy would restart on every concurrent write).
 *   - PostgreSQL: pg_dump --format=custom, which reads in one repeatable-read transaction. The attachments' bytes
 *     are in the database (attachment_blobs, written in the transaction of their row: issue 15), so the dump holds
 *     them with their rows. Files only for contents the database lacks: a deployment from before issue 15 whose
 *     files `fieldgrid attachments migrate` has not copied yet, taken from this node's data directory. The list is
 *     read after the dump from the live database: a superset of what the dump references. (A content copied in by
 *     `attachments migrate` while the dump runs is missed by both: run backups after the migration.)
 *
 * The archive is a gzip'ed POSIX tar (libarchive), readable with tar(1):
 *   manifest.json                      first: {"format":"fieldgrid-backup","version":1,"engine",...}
 *   db/fieldgrid.db | db/fieldgrid.pgdump
 *   attachments/XX/SHA256              as under DIR/attachments (SQLite; on PostgreSQL only files the database lacks)
 * It is written to FILE.tmp-… and renamed into place after an fsync, so FILE is either a whole backup or absent.
 *
 * Restore refuses a non-empty target (data dir, PostgreSQL database with tables), accepts only the entry names
 * above (no path from the archive is trusted), checks every attachment's hash again, migrates the database to this
 * binary's schema and checks the audit chain. On PostgreSQL, files restored from the archive are then copied into the
 * database (as `attachments migrate` does), so every node of the restored cluster reads them. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sodium.h>
#include <sqlite3.h>
#include "core/audit/audit.h"
#include "core/base/util.h"
#include "shared/attach/attach.h"
#include "cli/cli.h"

extern char **environ;

#define BK_FORMAT "fieldgrid-backup"
#define BK_VERSION 1
#define BK_CHUNK 65536

static bool
is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[n] == 0 || s[n] == '/';
}

/* Runs a program (no shell: the URL may hold characters a shell would read) and waits. Its exit status, or -1. */
static int
run(char *const argv[])
{
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (rc != 0) {
		fprintf(stderr, "fieldgrid: cannot run %s: %s\n", argv[0], strerror(rc));
		return -1;
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int
fsync_path(const char *path, bool dir)
{
	int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

static void
rm_tree(const char *path)
{
	DIR *d = opendir(path);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char p[2048];
			fg_fmt(p, sizeof p, "%s/%s", path, e->d_name);
			struct stat st;
			if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
				rm_tree(p);
			else
				unlink(p);
		}
		closedir(d);
	}
	rmdir(path);
}

/* ---------- backup ---------- */

static int
sqlite_snapshot(const char *src_path, const char *dst_path)
{
	sqlite3 *src = NULL, *dst = NULL;
	int rc = SQLITE_ERROR;
	struct stat st;
	if (stat(src_path, &st) != 0) {
		fprintf(stderr, "fieldgrid: no database at %s\n", src_path);
		return -1;
	}
	if (sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_open_v2(dst_path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		fprintf(stderr, "fieldgrid: cannot open %s: %s\n", src_path, src ? sqlite3_errmsg(src) : "out of memory");
		goto out;
	}
	sqlite3_busy_timeout(src, 10000);
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	if (!b) {
		fprintf(stderr, "fieldgrid: backup: %s\n", sqlite3_errmsg(dst));
		goto out;
	}
	/* all pages in one step, under one read transaction: a consistent snapshot; BUSY only while a checkpoint or
	 * recovery holds the database, so wait a little and try again (bounded) */
	for (int tries = 0; tries < 300; tries++) {
		rc = sqlite3_backup_step(b, -1);
		if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			break;
		sqlite3_sleep(100);
	}
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "fieldgrid: backup of %s failed: %s\n", src_path, sqlite3_errstr(rc));
		rc = SQLITE_ERROR;
		goto out;
	}
	/* one self-contained file: the copy's pages leave the WAL for the main file */
	rc = sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		fprintf(stderr, "fieldgrid: backup: %s\n", sqlite3_errmsg(dst));
out:
	sqlite3_close(src);
	sqlite3_close(dst);
	return rc == SQLITE_OK || rc == SQLITE_DONE ? 0 : -1;
}

/* The attachments a SQLite snapshot references (sorted, unique). */
static json_t *
sqlite_shas(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	json_t *out = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT DISTINCT sha256 FROM attachments ORDER BY sha256", -1, &st, NULL) == SQLITE_OK) {
		out = json_array();
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			json_array_append_new(out, json_string((const char *)sqlite3_column_text(st, 0)));
		if (rc != SQLITE_DONE) {
			json_decref(out);
			out = NULL;
		}
	}
	if (!out)
		fprintf(stderr, "fieldgrid: reading the snapshot: %s\n", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

static json_t *
pg_shas(const char *url)
{
	char err[512];
	db_t *db = db_open(url, err, sizeof err);
	if (!db) {
		fprintf(stderr, "fieldgrid: %s\n", err);
		return NULL;
	}
	int rc;
	/* the contents whose bytes are not in the database: their files go into the archive */
	json_t *rows = db_all(db_prepare(db, "SELECT DISTINCT a.sha256 FROM attachments a WHERE NOT EXISTS (SELECT 1 FROM "
					     "attachment_blobs b WHERE b.sha256 = a.sha256 AND b.part = 0) ORDER BY a.sha256"), &rc);
	json_t *out = rows ? json_array() : NULL, *r;
	size_t i;
	json_array_foreach(rows, i, r) json_array_append(out, json_object_get(r, "sha256"));
	if (!rows)
		fprintf(stderr, "fieldgrid: listing attachments: %s\n", db_errmsg(db));
	json_decref(rows);
	db_close(db);
	return out;
}

static int
ar_fail(struct archive *a, const char *what)
{
	fprintf(stderr, "fieldgrid: %s: %s\n", what, archive_error_string(a) ? archive_error_string(a) : "archive error");
	return -1;
}

static int
add_header(struct archive *a, const char *name, int64_t size)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, size);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0600);
	archive_entry_set_mtime(e, (time_t)(fg_now_ms() / 1000), 0);
	int rc = archive_write_header(a, e);
	archive_entry_free(e);
	return rc == ARCHIVE_OK ? 0 : ar_fail(a, name);
}

static int
add_mem(struct archive *a, const char *name, const char *data, size_t n)
{
	if (add_header(a, name, (int64_t)n) != 0)
		return -1;
	return archive_write_data(a, data, n) == (la_ssize_t)n ? 0 : ar_fail(a, name);
}

/* Streams a file into the archive; with want_sha, its SHA-256 must equal the hex given. */
static int
add_file(struct archive *a, const char *name, const char *path, const char *want_sha)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		fprintf(stderr, "fieldgrid: cannot read %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (add_header(a, name, st.st_size) != 0) {
		close(fd);
		return -1;
	}
	crypto_hash_sha256_state hs;
	crypto_hash_sha256_init(&hs);
	static char buf[BK_CHUNK];
	int64_t left = st.st_size;
	while (left > 0) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "fieldgrid: %s shrank while being read\n", path);
			close(fd);
			return -1;
		}
		crypto_hash_sha256_update(&hs, (unsigned char *)buf, (unsigned long long)r);
		if (archive_write_data(a, buf, (size_t)r) != r) {
			close(fd);
			return ar_fail(a, name);
		}
		left -= r;
	}
	close(fd);
	if (want_sha) {
		unsigned char h[crypto_hash_sha256_BYTES];
		char hex[65];
		crypto_hash_sha256_final(&hs, h);
		fg_hex(h, sizeof h, hex);
		if (strcmp(hex, want_sha) != 0) {
			fprintf(stderr, "fieldgrid: attachment %s is damaged (its bytes hash to %s)\n", path, hex);
			return -1;
		}
	}
	return 0;
}

int
cmd_backup(int argc, char **argv)
{
	cli_opts_t o;
	if (cli_parse(argc, argv, &o, NULL))
		return 2;
	if (!o.out || !*o.out) {
		fprintf(stderr, "usage: fieldgrid backup --data DIR [--db URL] --out FILE\n");
		return 2;
	}
	bool pg = strncmp(o.url, "postgres", 8) == 0;
	char tmpdir[1200], tmpout[1200], snap[1300];
	fg_fmt(tmpdir, sizeof tmpdir, "%s.tmp-XXXXXX", o.out);
	if (!mkdtemp(tmpdir)) {
		fprintf(stderr, "fieldgrid: cannot create a work directory next to %s: %s\n", o.out, strerror(errno));
		return 2;
	}
	fg_fmt(tmpout, sizeof tmpout, "%s/backup.tar.gz", tmpdir);
	fg_fmt(snap, sizeof snap, "%s/%s", tmpdir, pg ? "fieldgrid.pgdump" : "fieldgrid.db");
	int64_t started = fg_now_ms();
	int ret = 1;
	json_t *shas = NULL, *manifest = NULL;
	struct archive *a = NULL;
	int ofd = -1;

	/* 1. the database snapshot */
	if (pg) {
		char file_arg[1400], db_arg[1100];
		fg_fmt(file_arg, sizeof file_arg, "--file=%s", snap);
		fg_fmt(db_arg, sizeof db_arg, "--dbname=%s", o.url);
		char *args[] = {"pg_dump", "--format=custom", "--no-owner", "--no-privileges", file_arg, db_arg, NULL};
		int rc = run(args);
		if (rc != 0) {
			fprintf(stderr, "fieldgrid: pg_dump failed (exit %d)\n", rc);
			goto out;
		}
		shas = pg_shas(o.url);
	} else {
		if (sqlite_snapshot(o.url, snap) != 0)
			goto out;
		shas = sqlite_shas(snap);
	}
	if (!shas)
		goto out;

	/* 2. the archive: manifest, snapshot, then the files the snapshot references */
	manifest = json_pack("{s:s, s:i, s:s, s:I, s:s, s:I}", "format", BK_FORMAT, "version", BK_VERSION, "engine",
	    pg ? "postgresql" : "sqlite", "created_at", (json_int_t)started, "db_file", pg ? "core/db/fieldgrid.pgdump" : "core/db/fieldgrid.db",
	    "attachments", (json_int_t)json_array_size(shas));
	char *mtext = json_dumps(manifest, JSON_SORT_KEYS | JSON_INDENT(2));
	/* 0600: the archive holds what the database holds (password hashes, sealed signing keys, people's phones) */
	ofd = open(tmpout, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (ofd < 0) {
		fprintf(stderr, "fieldgrid: cannot create %s: %s\n", tmpout, strerror(errno));
		free(mtext);
		goto out;
	}
	a = archive_write_new();
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK || archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
	    archive_write_open_fd(a, ofd) != ARCHIVE_OK) {
		free(mtext);
		ar_fail(a, tmpout);
		goto out;
	}
	int bad = add_mem(a, "manifest.json", mtext, strlen(mtext));
	free(mtext);
	if (bad || add_file(a, pg ? "core/db/fieldgrid.pgdump" : "core/db/fieldgrid.db", snap, NULL) != 0)
		goto out;
	size_t i;
	json_t *s;
	json_array_foreach(shas, i, s) {
		const char *sha = json_string_value(s);
		if (!sha || strlen(sha) != 64 || !is_hex(sha, 64)) {
			fprintf(stderr, "fieldgrid: an attachment row has a malformed sha256 (%s)\n", sha ? sha : "null");
			goto out;
		}
		char path[1200], name[100];
		fg_fmt(path, sizeof path, "%s/attachments/%.2s/%s", o.data, sha, sha);
		fg_fmt(name, sizeof name, "attachments/%.2s/%s", sha, sha);
		if (add_file(a, name, path, sha) != 0)
			goto out;
	}
	if (archive_write_close(a) != ARCHIVE_OK) {
		ar_fail(a, tmpout);
		goto out;
	}
	int crc = fsync(ofd);
	if (close(ofd) != 0)
		crc = -1;
	ofd = -1;
	if (crc != 0) {
		fprintf(stderr, "fieldgrid: cannot write %s: %s\n", tmpout, strerror(errno));
		goto out;
	}
	/* 3. durable, then in place: FILE is a whole backup or nothing */
	char outdir[1200];
	fg_fmt(outdir, sizeof outdir, "%s", o.out);
	char *slash = strrchr(outdir, '/');
	if (slash)
		*(slash == outdir ? slash + 1 : slash) = 0;
	else
		fg_fmt(outdir, sizeof outdir, ".");
	if (rename(tmpout, o.out) != 0 || fsync_path(outdir, true) != 0) {
		fprintf(stderr, "fieldgrid: cannot write %s: %s\n", o.out, strerror(errno));
		goto out;
	}
	struct stat st;
	stat(o.out, &st);
	printf("backup written: %s (%s, %zu attachment files%s, %lld bytes, %.1f s)\n", o.out, pg ? "postgresql" : "sqlite",
	    json_array_size(shas), pg ? " besides those in the database" : "", (long long)st.st_size,
	    (double)(fg_now_ms() - started) / 1000.0);
	ret = 0;
out:
	if (a)
		archive_write_free(a);
	if (ofd >= 0)
		close(ofd);
	json_decref(shas);
	json_decref(manifest);
	rm_tree(tmpdir);
	return ret;
}

/* ---------- restore ---------- */

static bool
dir_empty_or_absent(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return errno == ENOENT;
	struct dirent *e;
	bool empty = true;
	while (empty && (e = readdir(d)))
		empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
	closedir(d);
	return empty;
}

/* Writes the current entry's bytes to path (via a temp name); with want_sha, they must hash to it. */
static int
extract(struct archive *a, const char *path, const char *want_sha)
{
	char tmp[1300];
	fg_fmt(tmp, sizeof tmp, "%s.restoring", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "fieldgrid: cannot write %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	crypto_hash_sha256_state hs;
	crypto_hash_sha256_init(&hs);
	static char buf[BK_CHUNK];
	la_ssize_t r;
	while ((r = archive_read_data(a, buf, sizeof buf)) > 0) {
		crypto_hash_sha256_update(&hs, (unsigned char *)buf, (unsigned long long)r);
		for (la_ssize_t off = 0; off < r;) {
			ssize_t w = write(fd, buf + off, (size_t)(r - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				fprintf(stderr, "fieldgrid: cannot write %s: %s\n", tmp, strerror(errno));
				close(fd);
				unlink(tmp);
				return -1;
			}
			off += w;
		}
	}
	if (r < 0) {
		close(fd);
		unlink(tmp);
		return ar_fail(a, path);
	}
	if (want_sha) {
		unsigned char h[crypto_hash_sha256_BYTES];
		char hex[65];
		crypto_hash_sha256_final(&hs, h);
		fg_hex(h, sizeof h, hex);
		if (strcmp(hex, want_sha) != 0) {
			fprintf(stderr, "fieldgrid: the backup's copy of attachment %s is damaged\n", want_sha);
			close(fd);
			unlink(tmp);
			return -1;
		}
	}
	if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
		fprintf(stderr, "fieldgrid: cannot write %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int
pg_target_empty(const char *url)
{
	char err[512];
	db_t *db = db_open(url, err, sizeof err);
	if (!db) {
		fprintf(stderr, "fieldgrid: %s\n", err);
		return -1;
	}
	int rc;
	json_t *r = db_one(db_prepare(db, "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM information_schema.tables "
					  "WHERE table_schema = current_schema()"), &rc);
	json_int_t n = r ? json_integer_value(json_object_get(r, "n")) : -1;
	json_decref(r);
	db_close(db);
	if (n != 0) {
		fprintf(stderr, n < 0 ? "fieldgrid: cannot inspect the target database\n"
				      : "fieldgrid: the target database is not empty; restore into a new database\n");
		return -1;
	}
	return 0;
}

int
cmd_restore(int argc, char **argv)
{
	cli_opts_t o;
	if (cli_parse(argc, argv, &o, NULL))
		return 2;
	if (!o.in || !*o.in) {
		fprintf(stderr, "usage: fieldgrid restore --in FILE --data NEWDIR [--db URL]\n");
		return 2;
	}
	bool pg = strncmp(o.url, "postgres", 8) == 0;
	if (!dir_empty_or_absent(o.data)) {
		fprintf(stderr, "fieldgrid: %s is not empty; restore into a new data directory\n", o.data);
		return 2;
	}
	if (pg && pg_target_empty(o.url) != 0)
		return 2;
	struct archive *a = archive_read_new();
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, o.in, BK_CHUNK) != ARCHIVE_OK) {
		ar_fail(a, o.in);
		archive_read_free(a);
		return 2;
	}
	int ret = 1;
	json_t *manifest = NULL;
	db_t *db = NULL;
	size_t files = 0;
	bool have_db = false, made_dir = false;
	char dbtmp[1200] = "";
	struct archive_entry *e;
	/* the manifest comes first: check the backup fits the target before writing anything */
	if (archive_read_next_header(a, &e) != ARCHIVE_OK || strcmp(archive_entry_pathname(e), "manifest.json") != 0) {
		fprintf(stderr, "fieldgrid: %s is not a fieldgrid backup (no manifest.json first)\n", o.in);
		goto out;
	}
	char mbuf[8192];
	size_t mn = 0;
	for (la_ssize_t r; mn < sizeof mbuf - 1 && (r = archive_read_data(a, mbuf + mn, sizeof mbuf - 1 - mn)) > 0;)
		mn += (size_t)r;
	mbuf[mn] = 0;
	manifest = json_loads(mbuf, 0, NULL);
	const char *fmt = json_string_value(json_object_get(manifest, "format"));
	const char *engine = json_string_value(json_object_get(manifest, "engine"));
	if (!fmt || strcmp(fmt, BK_FORMAT) != 0 || json_integer_value(json_object_get(manifest, "version")) != BK_VERSION || !engine) {
		fprintf(stderr, "fieldgrid: %s: unknown backup format\n", o.in);
		goto out;
	}
	bool from_pg = strcmp(engine, "postgresql") == 0;
	if (from_pg != pg) {
		fprintf(stderr, from_pg ? "fieldgrid: this is a PostgreSQL backup: give --db postgresql://… (an empty database)\n"
					: "fieldgrid: this is a SQLite backup: restore it without --db\n");
		goto out;
	}
	if (mkdir(o.data, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "fieldgrid: cannot create %s: %s\n", o.data, strerror(errno));
		goto out;
	}
	made_dir = true;
	char adir[1200];
	fg_fmt(adir, sizeof adir, "%s/attachments", o.data);
	int rc;
	while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		if (!name || archive_entry_filetype(e) != AE_IFREG) {
			fprintf(stderr, "fieldgrid: unexpected entry in the backup: %s\n", name ? name : "?");
			goto out;
		}
		if (strcmp(name, from_pg ? "core/db/fieldgrid.pgdump" : "core/db/fieldgrid.db") == 0 && !have_db) {
			fg_fmt(dbtmp, sizeof dbtmp, "%s/%s", o.data, from_pg ? ".fieldgrid.pgdump" : ".fieldgrid.db");
			if (extract(a, dbtmp, NULL) != 0)
				goto out;
			have_db = true;
		} else if (strncmp(name, "attachments/", 12) == 0 && strlen(name) == 12 + 3 + 64 && is_hex(name + 12, 2) &&
			   name[14] == '/' && is_hex(name + 15, 64) && strncmp(name + 12, name + 15, 2) == 0) {
			char sub[1300], path[1400];
			fg_fmt(sub, sizeof sub, "%s/%.2s", adir, name + 15);
			fg_fmt(path, sizeof path, "%s/%s", sub, name + 15);
			if ((mkdir(adir, 0700) != 0 && errno != EEXIST) || (mkdir(sub, 0700) != 0 && errno != EEXIST)) {
				fprintf(stderr, "fieldgrid: cannot create %s: %s\n", sub, strerror(errno));
				goto out;
			}
			if (extract(a, path, name + 15) != 0)
				goto out;
			files++;
		} else {
			fprintf(stderr, "fieldgrid: unexpected entry in the backup: %s\n", name);
			goto out;
		}
	}
	if (rc != ARCHIVE_EOF) {
		ar_fail(a, o.in);
		goto out;
	}
	if (!have_db || (json_int_t)files != json_integer_value(json_object_get(manifest, "attachments"))) {
		fprintf(stderr, "fieldgrid: the backup is incomplete (%s, %zu of %lld attachments)\n", have_db ? "database" : "no database",
		    files, (long long)json_integer_value(json_object_get(manifest, "attachments")));
		goto out;
	}
	/* the database last: a SQLite target has no fieldgrid.db until everything else is in place */
	if (from_pg) {
		char db_arg[1100];
		fg_fmt(db_arg, sizeof db_arg, "--dbname=%s", o.url);
		char *args[] = {"pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", db_arg, dbtmp, NULL};
		int prc = run(args);
		unlink(dbtmp);
		if (prc != 0) {
			fprintf(stderr, "fieldgrid: pg_restore failed (exit %d)\n", prc);
			goto out;
		}
	} else if (rename(dbtmp, o.url) != 0 || fsync_path(o.data, true) != 0) {
		fprintf(stderr, "fieldgrid: cannot place %s: %s\n", o.url, strerror(errno));
		goto out;
	}
	/* up to this binary's schema, then the checks a restore must pass */
	db = cli_open(&o);
	if (!db)
		goto out;
	/* PostgreSQL: the files restored are copied into the database, where every node reads them */
	attach_migrated_t m = {0};
	attach_set_root(o.data);
	if (from_pg && attach_migrate_files(db, &m) != 0) {
		fprintf(stderr, "fieldgrid: copying the restored attachment files into the database: %s\n", db_errmsg(db));
		goto out;
	}
	json_t *rows = db_all(db_prepare(db, from_pg ? "SELECT DISTINCT a.sha256 FROM attachments a WHERE NOT EXISTS (SELECT 1 FROM "
						       "attachment_blobs b WHERE b.sha256 = a.sha256 AND b.part = 0)"
						     : "SELECT DISTINCT sha256 FROM attachments"), &rc), *r;
	size_t i, missing = 0;
	json_array_foreach(rows, i, r) {
		const char *sha = json_string_value(json_object_get(r, "sha256"));
		char path[1400];
		struct stat st;
		fg_fmt(path, sizeof path, "%s/%.2s/%s", adir, sha, sha);
		if ((from_pg || stat(path, &st) != 0) && missing++ < 5)
			fprintf(stderr, "fieldgrid: attachment %s is missing after the restore\n", sha);
	}
	json_decref(rows);
	if (!rows || missing) {
		fprintf(stderr, "fieldgrid: %zu attachments missing\n", missing);
		goto out;
	}
	audit_report_t rep;
	int arc = audit_verify(db, &rep);
	if (arc != 0) {
		fprintf(stderr, "fieldgrid: the restored audit chain does not verify: %s\n", arc < 0 ? db_errmsg(db) : rep.reason);
		goto out;
	}
	printf("restored %s into %s%s%s: %zu attachments, audit chain intact (%lld records)\n", o.in, o.data, pg ? " and " : "",
	    pg ? "the PostgreSQL database" : "", files, (long long)rep.checked);
	ret = 0;
out:
	if (ret != 0 && made_dir)
		fprintf(stderr, "fieldgrid: restore failed; %s%s is incomplete: remove it before trying again\n", o.data,
		    pg ? " (and the database)" : "");
	if (db)
		db_close(db);
	json_decref(manifest);
	archive_read_free(a);
	return ret;
}
