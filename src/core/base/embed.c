#include <string.h>
#include "core/base/embed.h"

const embed_file_t *
embed_find(const char *path)
{
	for (const embed_file_t *f = embed_files; f->path; f++)
		if (strcmp(f->path, path) == 0)
			return f;
	return NULL;
}
