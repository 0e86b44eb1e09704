#ifndef FG_JOB_CLOCK_H
#define FG_JOB_CLOCK_H
#include <stdbool.h>
#include <stdint.h>
#include "core/db/db.h"

/* Each scheduled job's turn across the cluster (table job_clock, docs/architecture.md "Cluster"): a node runs a
 * job only after winning its turn, so a period runs once however many nodes run the scheduler, and the job goes on
 * at its next turn on another node when the one that ran it dies. */

/* Tries to take the job's turn at now for one period. true: run it now (then job_clock_done). false: another node
 * has the turn; *next_at tells when the next one is (or 0 after a database error). */
bool job_clock_claim(db_t *db, const char *name, int64_t period_ms, int64_t now, int64_t *next_at);
void job_clock_done(db_t *db, const char *name, int64_t now);

#endif
