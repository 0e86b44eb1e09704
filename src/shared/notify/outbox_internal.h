#ifndef FG_OUTBOX_INTERNAL_H
#define FG_OUTBOX_INTERNAL_H
/* Private to the outbox: what outbox.c (queueing, channels, log, receipts) and outbox_deliver.c (delivery) share. */
#include <stdbool.h>
#include <jansson.h>
#include "core/db/db.h"

/* The channel's row, its templates parsed, with the secrets the sender uses (env over config); NULL when unknown. */
json_t *outbox_channel_load(db_t *db, const char *channel);
/* Whether u is an http:// or https:// URL of at most 500 characters without whitespace. */
bool outbox_http_url(const char *u);
/* A copy of a message's parameters with the sensitive ones (a verification code …) shown as "***". */
json_t *outbox_params_view(json_t *params);

#endif
