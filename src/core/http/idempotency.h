#ifndef FG_IDEMPOTENCY_H
#define FG_IDEMPOTENCY_H
#include <stdint.h>
#include <jansson.h>
#include "core/db/db.h"

/* The storage side of Idempotency-Key (idempotency.c), apart from the request so that it can be tested without
 * libmicrohttpd (tests/unit/test_idempotency.c); idem_begin and idem_end (http.h) are its HTTP side and the only
 * callers in the server. */
enum idem_claim {
	IDEM_CLAIMED,     /* the key is this request's now: run the handler, then idem_store */
	IDEM_REPLAY,      /* answered before on the same method and path: replay *stored's status and body */
	IDEM_REUSED,      /* used before on another method or path (*stored's) */
	IDEM_IN_PROGRESS, /* a claim without an answer, as only the old two-step scheme left one committed */
	IDEM_FAILED,      /* a database error (logged) */
};
/* Inside the caller's open transaction: claims the user's key for method and path at now (ms), reclaiming it in
 * place when it is older than IDEM_TTL_MS (http.h) or holds no answer; else reads what it holds. stored gets the
 * row {method, path, status, body} for REPLAY, REUSED and IN_PROGRESS (the caller frees it), NULL otherwise. */
enum idem_claim idem_claim(db_t *db, const char *user_id, const char *key, const char *method, const char *path,
    int64_t now, json_t **stored);
/* Writes the answer (status and JSON text, or NULL) into a key claimed in the same transaction. 0 or a DB_*
 * error. */
int idem_store(db_t *db, const char *user_id, const char *key, int status, const char *body);

#endif
