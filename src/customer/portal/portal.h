#ifndef FG_PORTAL_H
#define FG_PORTAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"

/* The customer portal (issue 11 item 7; docs/api.md "Customer portal"). A customer is not a user: they prove they
 * hold a phone with a one-time code sent to it by SMS and get a customer session scoped to that phone, which sees
 * only the applications registered on that phone. A code is asked for a phone, or for an application's number
 * (it then goes to the phone registered on the application); the answer, the rate limits and the wrong-try count
 * are the same whether the number exists or not, so nothing tells a stranger that it does.
 *
 * Limits (environment, read at each use; docs/operations.md):
 *   FG_PORTAL_CODE_TTL_S (300)       a code lives this long, and is used once
 *   FG_PORTAL_CODE_TRIES (5)         wrong codes before a code is dead
 *   FG_PORTAL_TARGET_GAP_S (60)      one code per phone (or number) this often
 *   FG_PORTAL_TARGET_PER_HOUR (5)    and this many an hour
 *   FG_PORTAL_ADDR_PER_HOUR (20)     codes one client address may ask for an hour
 *   FG_PORTAL_SESSION_IDLE_S (1800)  a customer session unused this long ends
 *   FG_PORTAL_SESSION_MAX_S (14400)  and none outlives this */

#define PORTAL_TOKEN_LEN 44 /* 32 random bytes, base64url without padding, + NUL */

/* Outside input: a mainland mobile number ("138 0013 8000", "+86-13800138000") to its 11 digits (out: 12 bytes);
 * an application number ("yk20261206-0001") to its canonical upper case (out: 33 bytes). false when malformed. */
bool portal_phone_norm(const char *in, char out[12]);
bool portal_number_norm(const char *in, char out[33]);
/* "138****8000" (out: 16 bytes). */
void portal_phone_mask(const char *phone, char out[16]);

/* Sends a code for phone or number (at least one; both: the code goes out only when phone is the one registered on
 * the application). addr: the client's address (rate limit). *out = {expires_in_s, resend_after_s}, the same
 * whatever happened to the code. Refusals: missing_field / invalid_field (phone, number), portal_rate_limited (429;
 * details scope "target" | "address", retry_after_s). */
int portal_code_request(db_t *db, const char *phone, const char *number, const char *addr, json_t **out, fg_err_t *err);

/* Trades a code for a customer session: *out = {token, phone (masked), expires_at}. Refusals: portal_code_invalid
 * (401; wrong, expired, used, or none asked; details attempts_left when a live code was wrong), portal_code_locked
 * (429: too many wrong codes: ask for a new one). */
int portal_session_create(db_t *db, const char *phone, const char *number, const char *code, json_t **out,
    fg_err_t *err);

typedef struct {
	char id[37];
	char phone[12];
	int64_t expires_at;
} portal_session_t;

/* The session of a token: 0, or -1 with portal_session_required (401: none, unknown, expired, signed out). Slides the
 * expiry at most once a minute. */
int portal_session_resolve(db_t *db, const char *token, portal_session_t *s, fg_err_t *err);
/* Signs the session out (audited). */
int portal_session_end(db_t *db, const portal_session_t *s, fg_err_t *err);

/* The session's phone's applications, newest first: {items: [{number, kind, track, status, stage_name_zh,
 * stage_name_en, customer_turn, created_at, powered_on_at, rating}]}. */
int portal_applications(db_t *db, const portal_session_t *s, json_t **out, fg_err_t *err);
/* The id of the application with that number registered on the session's phone, or NULL (caller frees): another
 * phone's application and an unknown number look the same. */
char *portal_application_id(db_t *db, const portal_session_t *s, const char *number);
/* An application as its customer sees it (portal_view.c): stages along its track (done / current / next) with
 * their owner (role and team, never a person), deadlines, what is needed from the customer and why the clock
 * stopped, the documents, whether it may be rated. */
json_t *portal_application_view(db_t *db, const char *id);

/* Keeps a file uploaded before applying for the session's phone (attachment_id: an attachments row). */
int portal_upload_own(db_t *db, const portal_session_t *s, const char *attachment_id, fg_err_t *err);
/* Applies online: in = the portal's fields (docs/api.md), documents [{type, attachment_id}] only of files this
 * phone uploaded. The session's phone is the applicant's phone, the channel portal. */
int portal_apply(db_t *db, const portal_session_t *s, json_t *in, json_t **out, fg_err_t *err);
/* Feedback or a complaint from the session's phone: in = {kind, subject, text?, application_no?, contact_name?}. */
int portal_feedback(db_t *db, const portal_session_t *s, json_t *in, json_t **out, fg_err_t *err);

/* The job portal.sweep: drops codes a day old and ended sessions. 0 or -1. */
int portal_sweep(db_t *db, int64_t now);

#endif
