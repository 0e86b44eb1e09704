#ifndef FG_EMBED_H
#define FG_EMBED_H
#include <stddef.h>

/* Files compiled into the binary by tools/embed.sh (migrations/, data/). */
typedef struct {
	const char *path; /* repo-relative, e.g. "migrations/0001_init.sql" */
	const char *data; /* NUL-terminated */
	size_t len;
} embed_file_t;

extern const embed_file_t embed_files[];

/* The embedded file with this exact path, or NULL. */
const embed_file_t *embed_find(const char *path);

#endif
