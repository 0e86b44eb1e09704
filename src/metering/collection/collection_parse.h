#ifndef FG_COLLECTION_PARSE_H
#define FG_COLLECTION_PARSE_H
#include <stddef.h>
#include <stdbool.h>
#include <jansson.h>
#include "core/base/err.h"

/* Parsers of what the collection system (and a staff member's file) sends: pure, no database, no I/O, so the
 * libFuzzer target tests/fuzz/fuzz_collection.c runs them on arbitrary bytes. Everything here is outside input:
 * every size is bounded and every field checked before the domain code sees it. */

#define COLLECTION_BATCH_MAX 1000 /* events in one POST; the route's body limit is COLLECTION_BODY_MAX */
#define COLLECTION_BODY_MAX (1024 * 1024)
#define COLLECTION_FILE_MAX_ROWS 20000 /* a staff import (CSV) */
#define COLLECTION_DAILY_MAX 5000      /* areas in one daily post */

/* True when kind is one of the event kinds (reverse_energy, cover_opened, clock_error, voltage_loss, current_loss,
 * communication_failure, abnormal_consumption; data/metering/collection_kinds.json describes them). */
bool collection_kind_known(const char *kind);

/* One event checked and normalised: in is a JSON object {event_id, kind, signal?, point_no, terminal_no?,
 * transformer_area?, occurred_at, detail?}; *out gets {event_id, kind, signal ("alarm" default | "restored"),
 * point_no, terminal_no|null, transformer_area|null, occurred_at, detail|null}. Refusals: missing_field,
 * invalid_field, unknown_field (details field, reason). */
int collection_event_check(json_t *in, json_t **out, fg_err_t *err);

/* A batch: the body must be a JSON array of at most COLLECTION_BATCH_MAX events (else invalid_json,
 * collection_batch_too_large with details limit, count). Each element is checked alone: *events gets the good ones
 * (each with "index", its position in the batch), *errors [{index, event_id|null, code, field, reason}] the bad
 * ones — a bad event never costs the good ones. */
int collection_parse_batch(const char *data, size_t len, json_t **events, json_t **errors, fg_err_t *err);

/* A staff import: CSV (UTF-8 or GB18030, as csv.h reads) with a header row naming the columns event_id, kind,
 * signal, point_no, terminal_no, transformer_area, occurred_at (epoch ms, or "YYYY-MM-DD HH:MM[:SS]" in
 * Asia/Shanghai), detail — in any order, the optional ones may be left out. *events and *errors as for a batch,
 * "row" (the spreadsheet's row number) in place of "index". Refusals: import_unreadable and the sheet's limits,
 * collection_file_columns (details missing: the required columns not found). */
int collection_parse_csv(const char *data, size_t len, json_t **events, json_t **errors, fg_err_t *err);

/* The daily figures: {"items": [{date "YYYY-MM-DD", transformer_area, expected, collected}]} with
 * 0 ≤ collected ≤ expected, at most COLLECTION_DAILY_MAX items. Refusals: invalid_json, missing_field /
 * invalid_field / unknown_field naming "items[i].field", collection_batch_too_large. *items: the checked items. */
int collection_parse_daily(const char *data, size_t len, json_t **items, fg_err_t *err);

#endif
