#ifndef FG_MAINTENANCE_H
#define FG_MAINTENANCE_H
#include <stdint.h>
#include "core/db/db.h"

/* Housekeeping (maintenance.c): idempotency keys older than key_ttl_ms and sessions expired or revoked by now are
 * deleted in bounded, audited batches. rep: how many of each went (-1: that part failed). 0, or -1 on an error. */
typedef struct {
	int64_t keys, sessions;
} maint_report_t;
int maint_sweep(db_t *db, int64_t now, int64_t key_ttl_ms, maint_report_t *rep);

#endif
