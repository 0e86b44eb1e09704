#ifndef FG_NOTIFY_HTTP_H
#define FG_NOTIFY_HTTP_H
#include "core/base/util.h"

/* One POST of a JSON body to a channel's gateway (libcurl, notify_http.c). */
#define NOTIFY_HTTP_RESP_MAX (64 * 1024)

typedef struct {
	const char *url;
	const char *body;     /* JSON text */
	const char *username; /* NULL/"": no Basic auth */
	const char *password;
	const char *bearer;   /* NULL/"": no "Authorization: Bearer" */
	long timeout_ms;      /* the whole exchange; <= 0: 10 s */
} notify_http_req_t;

typedef struct {
	long status;       /* HTTP status; 0 when the exchange failed */
	fg_buf_t body;     /* up to NOTIFY_HTTP_RESP_MAX bytes */
	char error[256];   /* why the exchange failed (never holds a credential) */
} notify_http_resp_t;

int notify_http_init(void);
void notify_http_cleanup(void);
/* 0 when an HTTP answer came (any status; out->status), -1 when none did (out->error). Free out with
 * notify_http_resp_free in both cases. */
int notify_http_post(const notify_http_req_t *q, notify_http_resp_t *out);
void notify_http_resp_free(notify_http_resp_t *r);

#endif
