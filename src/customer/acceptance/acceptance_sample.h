#ifndef FG_ACCEPTANCE_SAMPLE_H
#define FG_ACCEPTANCE_SAMPLE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Sampling of routine acceptance items (R0.2: "routine items may be sampled"), pure so that anyone can redo it.
 *
 * Of a department's n routine items a record checks k = ceil(n × rate / 100) (rate 0: none, 100: all, any rate > 0
 * at least one). Which k: each item's key is the first 8 bytes (big-endian) of BLAKE2b-256 over
 * "<record id>:<item code>"; the k smallest keys are sampled (ties, which need a collision, by code). The choice is
 * fixed by the record's id — the same record always samples the same items, another record of the same checklist
 * draws again — and nobody choosing the items can steer it. */

/* How many of n routine items a rate (0–100) samples. */
size_t acceptance_sample_count(size_t n, int rate);
/* The key of one item, as above. */
uint64_t acceptance_sample_key(const char *record_id, const char *code);
/* sampled[i] for each of the n codes (one department's routine items). 0, or -1 (rate outside 0–100, n too big). */
int acceptance_sample(const char *record_id, const char *const *codes, size_t n, int rate, bool *sampled);

#endif
