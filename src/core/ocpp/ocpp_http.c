/* The OCPP-J WebSocket handshake (RFC 6455 §4.2, OCPP-J §3), on a libmicrohttpd worker thread.
 *
 *   unknown charge point id      404 (OCPP-J §3.1.1 SHOULD)
 *   security profile 1, no or a wrong Basic password (username = charge point id)   401
 *   not a WebSocket upgrade      400; Sec-WebSocket-Version other than 13: 426
 *   subprotocol                  "ocpp1.6" echoed when offered; when not, the handshake completes without the
 *                                header and the gateway closes at once (OCPP-J §3.2 MUST)
 * Then 101 with Sec-WebSocket-Accept = base64(SHA-1(key ‖ GUID)), and the socket goes to the gateway loop.
 * The lookup is one indexed SELECT on this thread's connection and the password check a BLAKE2b hash, so a
 * reconnect storm costs no argon2 work. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <nettle/base64.h>
#include <nettle/sha1.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/db/db.h"
#include "core/ocpp/ocpp.h"
#include "core/ocpp/ocpp_internal.h"

char ocpp_http_marker;

static enum MHD_Result
plain(struct MHD_Connection *conn, unsigned status, const char *code, const char *msg, const char *cpid)
{
	char body[256];
	fg_fmt(body, sizeof body, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\",\"details\":{}}}", code, msg);
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Basic realm=\"fieldgrid OCPP\"");
	if (status == 426)
		MHD_add_response_header(r, "Sec-WebSocket-Version", "13");
	enum MHD_Result ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	log_info("ocpp handshake %s: %u %s", cpid, status, code);
	return ret;
}

/* Whether a comma-separated header value holds token (case-insensitive) */
static bool
has_token(const char *v, const char *token)
{
	size_t n = strlen(token);
	while (v && *v) {
		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		size_t l = strcspn(v, ",");
		size_t e = l;
		while (e && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e == n && strncasecmp(v, token, n) == 0)
			return true;
		v += l;
	}
	return false;
}

static bool
basic_ok(const char *auth, const ocpp_charger_auth_t *a)
{
	if (!auth || strncasecmp(auth, "Basic ", 6) != 0)
		return false;
	const char *b64 = auth + 6;
	size_t in = strlen(b64);
	if (in == 0 || in > 400)
		return false;
	uint8_t dec[320];
	size_t out = sizeof dec;
	struct base64_decode_ctx ctx;
	base64_decode_init(&ctx);
	if (!base64_decode_update(&ctx, &out, dec, in, b64) || !base64_decode_final(&ctx))
		return false;
	uint8_t *colon = memchr(dec, ':', out);
	if (!colon)
		return false;
	size_t ulen = (size_t)(colon - dec);
	if (ulen != strlen(a->charge_point_id) || memcmp(dec, a->charge_point_id, ulen) != 0)
		return false;
	bool ok = ocpp_host()->key_ok(a->auth_hash, (const char *)colon + 1, out - ulen - 1);
	memset(dec, 0, sizeof dec);
	return ok;
}

static void
on_upgrade(void *cls, struct MHD_Connection *conn, void *con_cls, const char *extra_in, size_t extra_in_size,
    MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
	gw_hello_t *h = cls;
	gw_adopt(h, extra_in, extra_in_size, sock, urh); /* never blocks: a queue and an eventfd (pitfall 3) */
	free(h);
}

/* Set once at start-up, read by MHD workers and the writer: an atomic pointer is all the synchronisation needed. */
static _Atomic(const ocpp_host_t *) host_ptr;

void
ocpp_set_host(const ocpp_host_t *host)
{
	atomic_store(&host_ptr, host);
}

const ocpp_host_t *
ocpp_host(void)
{
	return atomic_load(&host_ptr);
}

enum MHD_Result
ocpp_http_handshake(struct MHD_Connection *conn, const char *url, const char *method, void **con_cls)
{
	if (*con_cls == &ocpp_http_marker)
		return MHD_YES; /* answered on the first call */
	*con_cls = &ocpp_http_marker;
	const char *cpid = url + strlen("/ocpp/");
	size_t n = strlen(cpid);
	if (n == 0 || n > 48 || strchr(cpid, '/'))
		return plain(conn, MHD_HTTP_NOT_FOUND, "charger_unknown", "no such charge point", "-");
	if (strcmp(method, "GET") != 0)
		return plain(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed", "WebSocket upgrade is a GET", cpid);
	const char *upg = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_UPGRADE);
	const char *cn = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONNECTION);
	const char *key = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-WebSocket-Key");
	const char *ver = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-WebSocket-Version");
	const char *proto = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-WebSocket-Protocol");
	if (!upg || !has_token(upg, "websocket") || !cn || !has_token(cn, "upgrade") || !key || strlen(key) != 24)
		return plain(conn, MHD_HTTP_BAD_REQUEST, "not_websocket", "a WebSocket upgrade is expected here", cpid);
	if (!ver || strcmp(ver, "13") != 0)
		return plain(conn, 426, "websocket_version", "Sec-WebSocket-Version 13 is required", cpid);

	db_t *db = db_thread();
	ocpp_charger_auth_t a;
	const ocpp_host_t *host = ocpp_host();
	int found = db && host ? host->auth_lookup(db, cpid, &a) : -1;
	if (found < 0)
		return plain(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable", "try again shortly", cpid);
	if (found == 0)
		return plain(conn, MHD_HTTP_NOT_FOUND, "charger_unknown", "no such charge point", cpid);
	if (a.security_profile != 0 || a.auth_hash[0]) {
		const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
		if (!basic_ok(auth, &a))
			return plain(conn, MHD_HTTP_UNAUTHORIZED, "charger_auth_failed", "wrong or missing charge point password", cpid);
	}

	/* Sec-WebSocket-Accept (RFC 6455 §4.2.2) */
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	struct sha1_ctx sc;
	uint8_t digest[SHA1_DIGEST_SIZE];
	char accept[BASE64_ENCODE_RAW_LENGTH(SHA1_DIGEST_SIZE) + 1];
	sha1_init(&sc);
	sha1_update(&sc, strlen(key), (const uint8_t *)key);
	sha1_update(&sc, sizeof guid - 1, (const uint8_t *)guid);
	sha1_digest(&sc, sizeof digest, digest);
	base64_encode_raw(accept, sizeof digest, digest);
	accept[BASE64_ENCODE_RAW_LENGTH(SHA1_DIGEST_SIZE)] = 0;

	gw_hello_t *h = fg_calloc(1, sizeof *h);
	fg_fmt(h->cpid, sizeof h->cpid, "%s", a.charge_point_id);
	fg_fmt(h->charger_id, sizeof h->charger_id, "%s", a.id);
	h->heartbeat_interval = a.heartbeat_interval;
	h->proto_ok = proto && has_token(proto, "ocpp1.6");
	struct MHD_Response *r = MHD_create_response_for_upgrade(on_upgrade, h);
	if (!r) {
		free(h);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_UPGRADE, "websocket");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "Upgrade");
	MHD_add_response_header(r, "Sec-WebSocket-Accept", accept);
	if (h->proto_ok)
		MHD_add_response_header(r, "Sec-WebSocket-Protocol", "ocpp1.6");
	enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_SWITCHING_PROTOCOLS, r);
	MHD_destroy_response(r);
	if (ret != MHD_YES)
		free(h);
	log_info("ocpp handshake %s: 101%s", cpid, h && ret == MHD_YES && !proto ? " (no subprotocol)" : "");
	return ret;
}
