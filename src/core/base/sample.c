/* Reproducible sampling (sample.h): a pure function of the seed, the items' codes and the rate, so the record, a
 * test or an auditor get the same answer. */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "core/base/sample.h"

size_t
sample_count(size_t n, int rate)
{
	if (rate <= 0 || n == 0)
		return 0;
	if (rate >= 100)
		return n;
	return (n * (size_t)rate + 99) / 100;
}

uint64_t
sample_key(const char *seed, const char *code)
{
	unsigned char h[32];
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	crypto_generichash_update(&st, (const unsigned char *)seed, strlen(seed));
	crypto_generichash_update(&st, (const unsigned char *)":", 1);
	crypto_generichash_update(&st, (const unsigned char *)code, strlen(code));
	crypto_generichash_final(&st, h, sizeof h);
	uint64_t k = 0;
	for (int i = 0; i < 8; i++)
		k = (k << 8) | h[i];
	return k;
}

typedef struct {
	uint64_t key;
	const char *code;
	size_t at;
} keyed_t;

static int
by_key(const void *a, const void *b)
{
	const keyed_t *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return strcmp(x->code, y->code);
}

int
sample_pick(const char *seed, const char *const *codes, size_t n, int rate, bool *sampled)
{
	if (rate < 0 || rate > 100)
		return -1;
	for (size_t i = 0; i < n; i++)
		sampled[i] = false;
	size_t k = sample_count(n, rate);
	if (k == 0)
		return 0;
	keyed_t *keys = malloc(n * sizeof *keys);
	if (!keys)
		return -1;
	for (size_t i = 0; i < n; i++)
		keys[i] = (keyed_t){sample_key(seed, codes[i]), codes[i], i};
	qsort(keys, n, sizeof *keys, by_key);
	for (size_t i = 0; i < k; i++)
		sampled[keys[i].at] = true;
	free(keys);
	return 0;
}
