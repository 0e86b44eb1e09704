#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include <sys/stat.h>
#include "core/base/log.h"
#include "core/http/http.h"
#include "core/http/static_neg.h"

static const struct {
	const char *ext, *type;
} types[] = {
	{".html", "text/html; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".mjs", "text/javascript; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".json", "application/json; charset=utf-8"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".jpg", "image/jpeg"},
	{".ico", "image/x-icon"},
	{".webmanifest", "application/manifest+json"},
	{".woff2", "font/woff2"},
	{".txt", "text/plain; charset=utf-8"},
};

static const char *
type_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

/* The build's list of the web root's files (assets.json, written by tools/webbuild.mjs): each file's content
 * hash, whether it also has a hashed URL, and which precompressed copies lie beside it. Read at start and again
 * whenever the file is replaced (a new build swaps the whole folder): one stat per request, so pages and hashed
 * names never disagree after `make` or a deploy, with no restart. A list once published is never freed: a
 * request on another thread may still be reading it, and there is one per build. Without the list (the server
 * pointed at the sources, web/) every file is served as it is, with no-cache and an ETag from its size and time. */
typedef struct {
	char *path; /* without the leading slash */
	char hash[STATIC_HASH_LEN + 1];
	bool hashed, br, gz;
} asset_t;

typedef struct manifest {
	asset_t *v;
	size_t n;
	char csp_html[1024];
	struct timespec mtime;
	ino_t ino;
	off_t size;
	struct manifest *prev; /* the lists this one replaced, kept (see above) and reachable */
} manifest_t;

static _Atomic(manifest_t *) current;
static pthread_mutex_t reload_mu = PTHREAD_MUTEX_INITIALIZER;
static char manifest_path[4096];
static bool plain_mode; /* FG_WEB_PLAIN=1: no coding, no validators, no long caching (bench/web's "off" column) */

#define CSP_TAIL "img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; frame-ancestors 'none'"
static const char csp_plain[] = "default-src 'self'; " CSP_TAIL;

static int
asset_cmp(const void *a, const void *b)
{
	return strcmp(((const asset_t *)a)->path, ((const asset_t *)b)->path);
}

static const asset_t *
asset_find(const manifest_t *m, const char *rel)
{
	asset_t key = {.path = (char *)rel};
	return m && m->n ? bsearch(&key, m->v, m->n, sizeof *m->v, asset_cmp) : NULL;
}

static bool
is_hash(const char *s)
{
	if (!s || strlen(s) != STATIC_HASH_LEN)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

static manifest_t *
manifest_load(const struct stat *st)
{
	json_error_t jerr;
	json_t *j = json_load_file(manifest_path, 0, &jerr);
	if (!j) {
		log_warn("%s: %s (line %d); the web root's files are served as they are", manifest_path, jerr.text, jerr.line);
		return NULL;
	}
	manifest_t *m = fg_calloc(1, sizeof *m);
	m->mtime = st->st_mtim;
	m->ino = st->st_ino;
	m->size = st->st_size;
	json_t *files = json_object_get(j, "files");
	m->v = fg_calloc(json_object_size(files) + 1, sizeof *m->v);
	const char *key;
	json_t *v;
	json_object_foreach(files, key, v) {
		const char *h = json_string_value(json_object_get(v, "hash"));
		if (key[0] != '/' || !is_hash(h))
			continue;
		asset_t *a = &m->v[m->n++];
		a->path = fg_strdup(key + 1);
		memcpy(a->hash, h, sizeof a->hash);
		a->hashed = json_is_string(json_object_get(v, "url"));
		a->br = json_is_integer(json_object_get(v, "br"));
		a->gz = json_is_integer(json_object_get(v, "gz"));
	}
	qsort(m->v, m->n, sizeof *m->v, asset_cmp);
	/* the pages' inline import maps, allowed by their hashes (CSP has no other way to allow an inline script) */
	size_t off = (size_t)snprintf(m->csp_html, sizeof m->csp_html, "default-src 'self'; script-src 'self'");
	size_t i;
	json_array_foreach(json_object_get(j, "script_hashes"), i, v) {
		const char *s = json_string_value(v);
		if (s && strncmp(s, "sha256-", 7) == 0 && off + strlen(s) + 4 < sizeof m->csp_html)
			off += (size_t)snprintf(m->csp_html + off, sizeof m->csp_html - off, " '%s'", s);
	}
	snprintf(m->csp_html + off, sizeof m->csp_html - off, "; %s", CSP_TAIL);
	json_decref(j);
	log_info("%s: %zu files%s", manifest_path, m->n, plain_mode ? " (FG_WEB_PLAIN: uncompressed, no caching)" : "");
	return m;
}

static bool
same_file(const manifest_t *m, const struct stat *st)
{
	return m->ino == st->st_ino && m->size == st->st_size && m->mtime.tv_sec == st->st_mtim.tv_sec &&
	    m->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* The list for this request: the one published, or a fresh one when assets.json was replaced since. */
static const manifest_t *
manifest(void)
{
	manifest_t *m = atomic_load(&current);
	struct stat st;
	if (!manifest_path[0] || stat(manifest_path, &st) != 0)
		return m; /* mid-swap, or never built: keep what we have */
	if (m && same_file(m, &st))
		return m;
	pthread_mutex_lock(&reload_mu);
	m = atomic_load(&current);
	if (!m || !same_file(m, &st)) {
		manifest_t *fresh = manifest_load(&st);
		if (fresh) {
			fresh->prev = m;
			atomic_store(&current, fresh);
			m = fresh;
		}
	}
	pthread_mutex_unlock(&reload_mu);
	return m;
}

void
static_init(const char *root)
{
	const char *plain = getenv("FG_WEB_PLAIN");
	plain_mode = plain && strcmp(plain, "1") == 0;
	if (!fg_fmt(manifest_path, sizeof manifest_path, "%s/assets.json", root))
		manifest_path[0] = 0;
	if (!manifest())
		log_info("web root %s has no assets.json (not built by make): files served as they are, uncompressed", root);
}

static int
open_file(const char *root, const char *rel, struct stat *st)
{
	char full[4096];
	if (!fg_fmt(full, sizeof full, "%s/%s", root, rel))
		return -1;
	int fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Browser libraries from npm (package.json "dependencies"). The build copies them into build/web/vendor/; served
 * from web/ itself they come from the node_modules folder beside it. Only the files named here (and in
 * tools/webbuild.mjs): the app asks for a fixed name whatever the package's own layout. */
static const struct {
	const char *path, *file;
} vendor[] = {
	{"vendor/jsqr.js", "jsqr/dist/jsQR.js"}, /* QR decoding where the browser has no BarcodeDetector */
	{"vendor/echarts.js", "echarts/dist/echarts.min.js"}, /* the KPI pages' and the large screen's charts */
	{"vendor/dexie.js", "dexie/dist/modern/dexie.min.mjs"}, /* the offline copies and outbox (web/js/offline/) */
	/* the service worker's Workbox (web/sw.js; only the build's sw.js knows their names: unbuilt, no worker) */
	{"vendor/workbox/workbox-sw.js", "workbox-sw/build/workbox-sw.js"},
	{"vendor/workbox/workbox-core.prod.js", "workbox-core/build/workbox-core.prod.js"},
	{"vendor/workbox/workbox-precaching.prod.js", "workbox-precaching/build/workbox-precaching.prod.js"},
	{"vendor/workbox/workbox-routing.prod.js", "workbox-routing/build/workbox-routing.prod.js"},
	{"vendor/workbox/workbox-strategies.prod.js", "workbox-strategies/build/workbox-strategies.prod.js"},
};

static int
open_vendor(const char *root, const char *rel, struct stat *st)
{
	int fd = open_file(root, rel, st);
	char dir[4096];
	for (size_t i = 0; fd < 0 && i < sizeof vendor / sizeof vendor[0]; i++)
		if (strcmp(rel, vendor[i].path) == 0 && fg_fmt(dir, sizeof dir, "%s/../node_modules", root))
			return open_file(dir, vendor[i].file, st);
	return fd;
}

/* Files under the web root. A path without an extension that names no file gets index.html, so the app's own
 * routes (/tickets/…) survive a reload. A file named by its content hash (js/app.<hash>.js) is kept by browsers
 * for a year without asking again; any other answer must be revalidated (no-cache) and carries an ETag, so the
 * revalidation costs a 304. Compressed copies made by the build are sent to clients that accept them. */
void
static_serve(req_t *r, const char *root)
{
	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
		fg_err_t e = FG_ERR_INIT;
		fg_err(&e, "method_not_allowed");
		fg_err_detail_str(&e, "allow", "GET, HEAD");
		http_error(r, &e);
		http_header(r, "Allow", "GET, HEAD");
		return;
	}
	const char *rel = r->path + 1;
	if (!*rel)
		rel = "index.html";
	/* no way out of the web root: no "..", no hidden files, no backslashes */
	if (strstr(rel, "..") || strstr(rel, "/.") || rel[0] == '.' || strchr(rel, '\\') || strlen(rel) > 512) {
		http_error_code(r, "not_found");
		return;
	}
	/* a hashed name: the file it names, only while the hash is the file's own. An old hash is not answered with
	 * the current file: that would be kept for a year under a name promising other bytes. */
	bool immutable = false;
	char plain[520], hash[STATIC_HASH_LEN + 1];
	const asset_t *a = NULL;
	const manifest_t *m = manifest();
	if (m && static_unhash(rel, plain, sizeof plain, hash) && (a = asset_find(m, plain)) && a->hashed) {
		if (strcmp(hash, a->hash) != 0) {
			http_error_code(r, "not_found");
			return;
		}
		rel = plain;
		immutable = true;
	} else {
		a = asset_find(m, rel);
	}
	struct stat st;
	int fd = strncmp(rel, "vendor/", 7) == 0 ? open_vendor(root, rel, &st) : open_file(root, rel, &st);
	const char *served = rel;
	const char *last = strrchr(rel, '/');
	if (fd < 0 && !strchr(last ? last : rel, '.')) {
		served = "index.html";
		a = asset_find(m, served);
		fd = open_file(root, served, &st);
	}
	if (fd < 0) {
		http_error_code(r, "not_found");
		return;
	}
	enum static_coding coding = STATIC_IDENTITY;
	char etag[64];
	if (!plain_mode) {
		const char *ae = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Accept-Encoding");
		coding = static_pick_coding(ae, a && a->br, a && a->gz);
		if (coding != STATIC_IDENTITY) {
			char cpath[600];
			struct stat cst;
			int cfd = fg_fmt(cpath, sizeof cpath, "%s%s", served, coding == STATIC_BR ? ".br" : ".gz")
			    ? open_file(root, cpath, &cst) : -1;
			if (cfd >= 0) {
				close(fd);
				fd = cfd;
				st.st_size = cst.st_size;
			} else {
				coding = STATIC_IDENTITY; /* the copy went missing: the file itself is always right */
			}
		}
		/* one tag per representation (RFC 9110 §8.8.3: a strong tag names these bytes, not the file) */
		const char *suffix = coding == STATIC_BR ? "-br" : coding == STATIC_GZIP ? "-gz" : "";
		if (a)
			fg_fmt(etag, sizeof etag, "\"%s%s\"", a->hash, suffix);
		else
			fg_fmt(etag, sizeof etag, "\"%llx-%llx%s\"", (unsigned long long)st.st_size,
			    (unsigned long long)st.st_mtime, suffix);
	}
	const char *inm = plain_mode ? NULL : MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "If-None-Match");
	if (inm && static_etag_match(inm, etag)) {
		close(fd);
		r->resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		r->status = 304;
		r->resp_bytes = 0;
	} else {
		r->resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
		r->status = 200;
		r->resp_bytes = (size_t)st.st_size;
		MHD_add_response_header(r->resp, "Content-Type", type_of(served));
		if (coding != STATIC_IDENTITY)
			MHD_add_response_header(r->resp, "Content-Encoding", coding == STATIC_BR ? "br" : "gzip");
		MHD_add_response_header(r->resp, "X-Content-Type-Options", "nosniff");
		bool html = strcmp(type_of(served), types[0].type) == 0;
		MHD_add_response_header(r->resp, "Content-Security-Policy", html && m ? m->csp_html : csp_plain);
		MHD_add_response_header(r->resp, "X-Frame-Options", "DENY");
	}
	if (plain_mode) {
		MHD_add_response_header(r->resp, "Cache-Control", "no-cache");
		return;
	}
	MHD_add_response_header(r->resp, "Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
	MHD_add_response_header(r->resp, "ETag", etag);
	MHD_add_response_header(r->resp, "Vary", "Accept-Encoding");
}
