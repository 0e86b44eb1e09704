#ifndef FG_NOTIFY_TEXT_H
#define FG_NOTIFY_TEXT_H
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "core/base/err.h"

/* The outbox's pure text work, apart from the database so the fuzz target (tests/fuzz/fuzz_notify_receipt.c)
 * reaches it: templates, the gateway's delivery receipts (outside input), masks and the receipt signature. */

/* Fills "{{name}}" placeholders of tpl from params (string or number values; name: letters, digits, "_", at most
 * 64). Text outside placeholders is copied as is; a "{{" that does not open a well-formed placeholder too.
 * 0 and *out (malloc'd), or -1 with *missing naming the first placeholder params cannot fill (pointer into a static
 * buffer of the calling thread, valid until the next call). The result is at most NOTIFY_TEXT_MAX bytes (-1 past). */
#define NOTIFY_TEXT_MAX 4096
int notify_render(const char *tpl, json_t *params, char **out, const char **missing);
/* Every string inside v (a template: a string, or an object / array of them) rendered the same way: a deep copy
 * with the strings filled. NULL and *missing on the first placeholder that cannot be filled. */
json_t *notify_render_json(json_t *v, json_t *params, const char **missing);

/* A delivery-receipt callback's body, as the SMS gateway sends it: one receipt {"message_id", "status", "error"?,
 * "at"?} or {"receipts": [up to 100 of them]}; status "delivered" or "failed". 0 and *items (an array of
 * {message_id, status, error|null, at|null}), or -1 with err = invalid_json / invalid_field (field named). */
#define NOTIFY_RECEIPTS_MAX 100
int notify_receipt_parse(const char *body, size_t len, json_t **items, fg_err_t *err);

/* The receipt's signature: lower-case hex HMAC-SHA256 under key of "<timestamp>.<body>". Constant time. */
bool notify_signature_ok(const char *key, const char *timestamp, const char *body, size_t len, const char *sig_hex);
/* Same, computing the hex (65 bytes) — for the tests' and docs' recipe and the unit test. */
void notify_signature(const char *key, const char *timestamp, const char *body, size_t len, char out[65]);

/* "13812345678" → "138****5678"; shorter than 7 characters → "****". */
void notify_mask_phone(const char *s, char *out, size_t n);
/* A secret as shown: "" when none, else "****" and, for one of 12 characters or more, its last 2. */
void notify_mask_secret(const char *s, char *out, size_t n);
/* Whether a template parameter is sensitive (a verification code): shown as "***" and scrubbed once sent. */
bool notify_param_sensitive(const char *name);

#endif
