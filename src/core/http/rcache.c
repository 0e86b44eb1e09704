/* The response cache: see rcache.h for what a `.cache` route promises and when a kept answer is sent again. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "core/base/log.h"
#include "core/db/dbver.h"
#include "core/http/etag.h"
#include "core/http/rcache.h"

#define SLOTS 8192   /* direct-mapped by the key's hash; a collision replaces */
#define STRIPES 64
#define KEY_MAX 2048 /* a longer request (a long search) is answered, not kept */
#define SWEEP 8      /* slots looked at per store for answers past their age */
#define STALE_MAX 3  /* an answer past its age is sent (while one request rebuilds it) until this many ages old */

struct rc_body {
	atomic_int refs;
	size_t len;
	char *data;
	char etag[40]; /* "\"<32 hex>\"", set once by rcache_end before the body is shared */
};

typedef struct {
	uint64_t hash;
	char *key;
	rc_body_t *body;
	dbver_set_t tables; /* what the handler read */
	uint64_t sum;       /* dbver_sum(tables) when it was built */
	int64_t at_ms;
	int64_t lease_ms;   /* past its age, one request rebuilds it until then; the others get this answer meanwhile */
} entry_t;

static entry_t slots[SLOTS];
static pthread_mutex_t locks[STRIPES];
static atomic_size_t bytes;
static atomic_uint sweep_at;
static int64_t ttl_ms = 1000;
static size_t cap_bytes = 64u << 20;

void
rcache_init(void)
{
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&locks[i], NULL);
	const char *t = getenv("FG_HTTP_CACHE_MS"), *m = getenv("FG_HTTP_CACHE_MB");
	if (t && *t)
		ttl_ms = atoll(t) > 0 ? atoll(t) : 0;
	if (m && atoll(m) > 0)
		cap_bytes = (size_t)atoll(m) << 20;
}

static void
body_unref(void *cls)
{
	rc_body_t *b = cls;
	if (b && atomic_fetch_sub(&b->refs, 1) == 1) {
		free(b->data);
		free(b);
	}
}

static void
entry_clear(entry_t *e)
{
	if (!e->body)
		return;
	atomic_fetch_sub(&bytes, e->body->len);
	body_unref(e->body);
	free(e->key);
	memset(e, 0, sizeof *e);
}

typedef struct {
	char *p;
	size_t n, cap;
	bool over;
} keybuf_t;

static void
key_add(keybuf_t *k, const char *s)
{
	size_t l = strlen(s);
	if (k->over || k->n + l + 1 >= k->cap) {
		k->over = true;
		return;
	}
	memcpy(k->p + k->n, s, l + 1);
	k->n += l;
}

static enum MHD_Result
key_arg(void *cls, enum MHD_ValueKind kind, const char *name, const char *value)
{
	(void)kind;
	keybuf_t *k = cls;
	key_add(k, "\x1f");
	key_add(k, name);
	key_add(k, "=");
	key_add(k, value ? value : "");
	return MHD_YES;
}

/* Who asks (the session: its user, roles, org unit, device; on a public route the credentials sent) in which language
 * for which path and query. */
static char *
make_key(req_t *r)
{
	char buf[KEY_MAX], roles[16];
	keybuf_t k = {buf, 0, sizeof buf, false};
	fg_fmt(roles, sizeof roles, "%x", (unsigned)r->user.roles);
	buf[0] = 0;
	key_add(&k, r->lang);
	key_add(&k, "\x1e");
	if (r->authed) {
		key_add(&k, r->user.session_id);
	} else {
		/* a public route whose module checks credentials of its own (the customer portal's session): the answer is
		 * the caller's, so the key carries them — hashed, the cache holds no token */
		const char *az = http_header_in(r, "Authorization"), *ck = http_header_in(r, "Cookie");
		char hex[65] = "-";
		if (az || ck) {
			crypto_generichash_state st;
			unsigned char h[32];
			crypto_generichash_init(&st, NULL, 0, sizeof h);
			crypto_generichash_update(&st, (const unsigned char *)(az ? az : ""), az ? strlen(az) : 0);
			crypto_generichash_update(&st, (const unsigned char *)"\x1f", 1);
			crypto_generichash_update(&st, (const unsigned char *)(ck ? ck : ""), ck ? strlen(ck) : 0);
			crypto_generichash_final(&st, h, sizeof h);
			fg_hex(h, sizeof h, hex);
		}
		key_add(&k, hex);
	}
	key_add(&k, "\x1e");
	key_add(&k, roles);
	key_add(&k, "\x1e");
	key_add(&k, r->user.org_unit_id);
	key_add(&k, "\x1e");
	key_add(&k, r->path);
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, key_arg, &k);
	return k.over ? NULL : fg_strdup(buf);
}

static uint64_t
key_hash(const char *k)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211ULL;
	return h;
}

/* The kept answer as this request's response: the same headers http_json gives, and the ETag. */
static void
respond(req_t *r, rc_body_t *b)
{
	if (http_etag_matches(r, b->etag)) {
		http_not_modified(r, b->etag);
		body_unref(b);
		return;
	}
	r->resp = MHD_create_response_from_buffer_with_free_callback_cls(b->len, b->data, body_unref, b);
	if (!r->resp) {
		body_unref(b);
		http_error_code(r, "internal");
		return;
	}
	r->status = 200;
	r->resp_bytes = b->len;
	MHD_add_response_header(r->resp, "Content-Type", "application/json; charset=utf-8");
	MHD_add_response_header(r->resp, "Cache-Control", HTTP_READ_CACHE_CONTROL);
	MHD_add_response_header(r->resp, "Vary", "Accept-Encoding");
	MHD_add_response_header(r->resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r->resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(r->resp, "ETag", b->etag);
	MHD_add_response_header(r->resp, "X-Cache", "hit"); /* for operators and the tests: this answer was kept */
}

bool
rcache_serve(req_t *r)
{
	if (!r->route || !r->route->cache || (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0))
		return false;
	r->rc_capture = true;
	if (ttl_ms <= 0 || !dbver_ready())
		return false;
	r->rc_key = make_key(r);
	if (!r->rc_key)
		return false;
	r->rc_hash = key_hash(r->rc_key);
	size_t i = (size_t)(r->rc_hash % SLOTS);
	rc_body_t *hit = NULL;
	pthread_mutex_lock(&locks[i % STRIPES]);
	entry_t *e = &slots[i];
	if (e->body && e->hash == r->rc_hash && strcmp(e->key, r->rc_key) == 0) {
		int64_t now = fg_now_ms(), age = now - e->at_ms;
		if (dbver_sum(&e->tables) != e->sum || age >= STALE_MAX * ttl_ms) {
			entry_clear(e); /* written since, or far too old: never good again */
		} else if (age < ttl_ms || now < e->lease_ms) {
			/* fresh; or past its age while another request rebuilds it: polled reads of one screen, many callers
			 * at once, would otherwise all rebuild the same answer in the same millisecond */
			hit = e->body;
			atomic_fetch_add(&hit->refs, 1);
		} else {
			e->lease_ms = now + ttl_ms; /* this request rebuilds it */
		}
	}
	pthread_mutex_unlock(&locks[i % STRIPES]);
	if (hit) {
		respond(r, hit);
		return true;
	}
	db_track_start(r->db);
	r->rc_bumps = dbver_bumps();
	return false;
}

void
rcache_capture(req_t *r, char *s, size_t n)
{
	if (r->rc_body) /* a second answer replaces the first */
		body_unref(r->rc_body);
	rc_body_t *b = fg_calloc(1, sizeof *b);
	atomic_init(&b->refs, 2); /* the response's and the request's */
	b->len = n;
	b->data = s;
	r->resp = MHD_create_response_from_buffer_with_free_callback_cls(n, s, body_unref, b);
	r->rc_body = b;
}

void
rcache_release(req_t *r)
{
	if (r->rc_body)
		body_unref(r->rc_body);
	r->rc_body = NULL;
	free(r->rc_key);
	r->rc_key = NULL;
}

static void
sweep(int64_t now)
{
	for (int n = 0; n < SWEEP; n++) {
		size_t i = atomic_fetch_add(&sweep_at, 1) % SLOTS;
		pthread_mutex_lock(&locks[i % STRIPES]);
		if (slots[i].body && now - slots[i].at_ms >= STALE_MAX * ttl_ms)
			entry_clear(&slots[i]);
		pthread_mutex_unlock(&locks[i % STRIPES]);
	}
}

static void
store(req_t *r, rc_body_t *b)
{
	dbver_set_t reads;
	if (!r->rc_key || !db_track_reads(r->db, &reads) || db_in_tx(r->db) || dbver_bumps() != r->rc_bumps ||
	    b->len > cap_bytes / 8)
		return; /* it wrote, or a commit's bump fell inside it: what it read may be older than the tables' versions */
	int64_t now = fg_now_ms();
	sweep(now);
	if (atomic_load(&bytes) + b->len > cap_bytes)
		return;
	size_t i = (size_t)(r->rc_hash % SLOTS);
	pthread_mutex_lock(&locks[i % STRIPES]);
	entry_t *e = &slots[i];
	entry_clear(e);
	atomic_fetch_add(&b->refs, 1);
	atomic_fetch_add(&bytes, b->len);
	*e = (entry_t){r->rc_hash, r->rc_key, b, reads, dbver_sum(&reads), now, 0};
	r->rc_key = NULL; /* the entry's now */
	pthread_mutex_unlock(&locks[i % STRIPES]);
}

void
rcache_end(req_t *r)
{
	rc_body_t *b = r->rc_body;
	if (!r->rc_capture || !b || r->status != 200 || !r->resp)
		return;
	http_etag_of(b->data, b->len, b->etag);
	if (ttl_ms > 0 && dbver_ready())
		store(r, b);
	if (http_etag_matches(r, b->etag))
		http_not_modified(r, b->etag);
	else
		http_header(r, "ETag", b->etag);
}
