#ifndef FG_SAMPLE_H
#define FG_SAMPLE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reproducible sampling that nobody choosing can steer: of n items a sample takes k = ceil(n × rate / 100)
 * (rate 0: none, 100: all, any rate > 0 at least one). Which k: each item's key is the first 8 bytes (big-endian)
 * of BLAKE2b-256 over "<seed>:<item code>"; the k smallest keys are sampled (ties, which need a collision, by
 * code). The seed is the id of the record that samples — the same record always draws the same items, another
 * record draws again — so anyone (a test, an auditor) can redo the draw from the record alone.
 * Used by the routine items of a joint acceptance (R0.2, src/customer/acceptance) and the quality re-checks of
 * finished metering jobs (R1.2, src/metering/quality). */

/* How many of n items a rate (0–100) samples. */
size_t sample_count(size_t n, int rate);
/* The key of one item, as above. */
uint64_t sample_key(const char *seed, const char *code);
/* sampled[i] for each of the n codes. 0, or -1 (rate outside 0–100, out of memory). */
int sample_pick(const char *seed, const char *const *codes, size_t n, int rate, bool *sampled);

#endif
