#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "core/http/http.h"

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

/* Browser libraries from npm (package.json "dependencies"), served from the node_modules folder beside the web
 * root. Only the files named here: the app asks for a fixed name whatever the package's own layout. */
static const struct {
	const char *path, *file;
} vendor[] = {
	{"vendor/jsqr.js", "jsqr/dist/jsQR.js"}, /* QR decoding where the browser has no BarcodeDetector */
	{"vendor/echarts.js", "echarts/dist/echarts.min.js"}, /* the KPI page's charts (canvas renderer) */
};

static int
open_vendor(const char *root, const char *rel, struct stat *st)
{
	char dir[4096];
	for (size_t i = 0; i < sizeof vendor / sizeof vendor[0]; i++)
		if (strcmp(rel, vendor[i].path) == 0 && fg_fmt(dir, sizeof dir, "%s/../node_modules", root))
			return open_file(dir, vendor[i].file, st);
	return -1;
}

/* Files under web/. A path without an extension that names no file gets index.html, so the app's own routes
 * (/tickets/…) survive a reload. */
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
	struct stat st;
	int fd = strncmp(rel, "vendor/", 7) == 0 ? open_vendor(root, rel, &st) : open_file(root, rel, &st);
	const char *served = rel;
	const char *last = strrchr(rel, '/');
	if (fd < 0 && !strchr(last ? last : rel, '.')) {
		served = "index.html";
		fd = open_file(root, served, &st);
	}
	if (fd < 0) {
		http_error_code(r, "not_found");
		return;
	}
	r->resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	r->status = 200;
	r->resp_bytes = (size_t)st.st_size;
	MHD_add_response_header(r->resp, "Content-Type", type_of(served));
	MHD_add_response_header(r->resp, "Cache-Control", "no-cache");
	MHD_add_response_header(r->resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r->resp, "Content-Security-Policy",
	    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
	    "connect-src 'self' ws: wss:; frame-ancestors 'none'");
	MHD_add_response_header(r->resp, "X-Frame-Options", "DENY");
}
