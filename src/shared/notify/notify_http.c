/* Outbound HTTP of the outbox channels, through libcurl. Bounded in every way a remote end could stretch it: a
 * total deadline, a connect deadline, a response body kept up to NOTIFY_HTTP_RESP_MAX (a longer one fails the
 * attempt), no redirect followed (a gateway that moved is a configuration to fix, not a host to trust), only http and
 * https. Credentials travel in headers, never in the logged URL; nothing here logs. */
#include <string.h>
#include <stdio.h>
#include <curl/curl.h>
#include <sodium.h>
#include "core/base/util.h"
#include "shared/notify/notify_http.h"

int
notify_http_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void
notify_http_cleanup(void)
{
	curl_global_cleanup();
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	fg_buf_t *b = arg;
	/* returning less than given makes curl stop with CURLE_WRITE_ERROR: the body is over the limit */
	return fg_buf_append(b, p, size * n) == 0 ? size * n : 0;
}

int
notify_http_post(const notify_http_req_t *q, notify_http_resp_t *out)
{
	memset(out, 0, sizeof *out);
	fg_buf_init(&out->body, NOTIFY_HTTP_RESP_MAX);
	CURL *c = curl_easy_init();
	if (!c) {
		snprintf(out->error, sizeof out->error, "cannot start an HTTP client");
		return -1;
	}
	struct curl_slist *h = NULL;
	h = curl_slist_append(h, "Content-Type: application/json; charset=utf-8");
	h = curl_slist_append(h, "Accept: application/json");
	h = curl_slist_append(h, "Expect:"); /* no 100-continue round trip for a small body */
	char auth[1200];
	if (q->bearer && *q->bearer && fg_fmt(auth, sizeof auth, "Authorization: Bearer %s", q->bearer))
		h = curl_slist_append(h, auth);
	long timeout = q->timeout_ms > 0 ? q->timeout_ms : 10000;
	curl_easy_setopt(c, CURLOPT_URL, q->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* the scheduler thread: no SIGALRM for DNS timeouts */
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout < 5000 ? timeout : 5000L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)NOTIFY_HTTP_RESP_MAX);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "fieldgrid-notify/1");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(q->body));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out->body);
	if (q->username && *q->username) { /* HTTP Basic: the account and its password */
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, q->username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, q->password ? q->password : "");
	}
	CURLcode rc = curl_easy_perform(c);
	int ret = 0;
	if (rc != CURLE_OK) {
		snprintf(out->error, sizeof out->error, "%s", rc == CURLE_WRITE_ERROR || rc == CURLE_FILESIZE_EXCEEDED
								     ? "response body over the limit"
								     : curl_easy_strerror(rc));
		ret = -1;
	} else
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	sodium_memzero(auth, sizeof auth); /* the header held the credential */
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return ret;
}

void
notify_http_resp_free(notify_http_resp_t *r)
{
	fg_buf_free(&r->body);
}
