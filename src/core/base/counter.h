#ifndef FG_COUNTER_H
#define FG_COUNTER_H
#include <stdint.h>
#include "core/db/db.h"

/* Next value of a named counter, inside the caller's transaction (the row lock serializes writers, like the
 * audit head). Used for numbers people read aloud on site: GD20261121-0007. Returns -1 on a database error. */
int64_t counter_next(db_t *db, const char *name);

/* "<prefix><yyyymmdd>-<nnnn>" for today in Asia/Shanghai, counted per prefix and day. out: 32 bytes. */
int counter_number(db_t *db, const char *prefix, char out[32]);

#endif
