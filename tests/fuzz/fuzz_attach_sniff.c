/* libFuzzer target: the upload type sniffer reads the first bytes of whatever a client sends. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "shared/attach/attach.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *t = attach_sniff(data, size);
	if (t && strncmp(t, "image/", 6) != 0 && strcmp(t, "video/mp4") != 0 && strcmp(t, "application/pdf") != 0)
		abort();
	return 0;
}
