/* The sampling of routine acceptance items (acceptance_sample.h): a pure function of the record's id, the items'
 * codes and the rate, so the record, a test or an auditor get the same answer. */
#include <string.h>
#include <sodium.h>
#include "customer/acceptance/acceptance_sample.h"

size_t
acceptance_sample_count(size_t n, int rate)
{
	if (rate <= 0 || n == 0)
		return 0;
	if (rate >= 100)
		return n;
	return (n * (size_t)rate + 99) / 100;
}

uint64_t
acceptance_sample_key(const char *record_id, const char *code)
{
	unsigned char h[32];
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	crypto_generichash_update(&st, (const unsigned char *)record_id, strlen(record_id));
	crypto_generichash_update(&st, (const unsigned char *)":", 1);
	crypto_generichash_update(&st, (const unsigned char *)code, strlen(code));
	crypto_generichash_final(&st, h, sizeof h);
	uint64_t k = 0;
	for (int i = 0; i < 8; i++)
		k = (k << 8) | h[i];
	return k;
}

#define SAMPLE_MAX 256 /* a department's routine items: a checklist is a page, not a catalogue */

int
acceptance_sample(const char *record_id, const char *const *codes, size_t n, int rate, bool *sampled)
{
	if (rate < 0 || rate > 100 || n > SAMPLE_MAX)
		return -1;
	uint64_t keys[SAMPLE_MAX];
	for (size_t i = 0; i < n; i++) {
		keys[i] = acceptance_sample_key(record_id, codes[i]);
		sampled[i] = false;
	}
	/* k rounds of "the smallest key not taken yet": n is small, and no sort state to get wrong */
	size_t k = acceptance_sample_count(n, rate);
	for (size_t round = 0; round < k; round++) {
		size_t best = n;
		for (size_t i = 0; i < n; i++) {
			if (sampled[i])
				continue;
			if (best == n || keys[i] < keys[best] || (keys[i] == keys[best] && strcmp(codes[i], codes[best]) < 0))
				best = i;
		}
		sampled[best] = true;
	}
	return 0;
}
