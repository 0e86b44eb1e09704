#ifndef FG_METERING_IMPORTS_PIPE_H
#define FG_METERING_IMPORTS_PIPE_H
#include <stdbool.h>
#include <stddef.h>

/* The meter import's hand-over between its two threads (imports.c run()): the reader parses and checks the file
 * into batches of rows while the database thread loads the batch before (db_bulk_rows). A fixed number of batches
 * go round, each a bounded arena of values: the import's memory does not grow with the file. */

#define MIMP_BATCH_ROWS 16384 /* rows of a batch at most */
#define MIMP_BATCH_BYTES (4 * 1024 * 1024) /* its values' text at most (a row's text is bounded: imports.c MAX_CELL) */

typedef struct {
	const char **vals; /* rows × ncols values, row after row (NULL is SQL NULL); pointers into arena */
	size_t rows;
	int ncols;
	char *arena;
	size_t used;
} mimp_batch_t;

typedef struct mimp_pipe mimp_pipe_t;

mimp_pipe_t *mimp_pipe_new(int ncols);
void mimp_pipe_free(mimp_pipe_t *p);

/* The reader: an empty batch to fill (waits for one), or NULL once the database thread has abandoned the load. */
mimp_batch_t *mimp_pipe_empty(mimp_pipe_t *p);
/* The reader: a filled batch for the database thread. */
void mimp_pipe_put(mimp_pipe_t *p, mimp_batch_t *b);
/* The reader: no batch follows. */
void mimp_pipe_close(mimp_pipe_t *p);

/* The database thread: the next filled batch in the order they were put (waits for it), or NULL once the reader
 * has closed the pipe and every batch was taken. */
mimp_batch_t *mimp_pipe_full(mimp_pipe_t *p);
/* The database thread: a batch it has loaded, free again. */
void mimp_pipe_done(mimp_pipe_t *p, mimp_batch_t *b);
/* The database thread: it loads no more (a failed or refused load); the reader's next mimp_pipe_empty answers NULL.
 * The database thread still takes what was put (mimp_pipe_full) until the pipe is closed. */
void mimp_pipe_abandon(mimp_pipe_t *p);

/* A value copied into the batch's arena (NULL stays NULL). The caller checks mimp_batch_room first. */
const char *mimp_batch_add(mimp_batch_t *b, const char *s);
/* Whether one more row of up to row_bytes of text fits. */
bool mimp_batch_room(const mimp_batch_t *b, size_t row_bytes);

#endif
