#ifndef FG_CLUSTER_INTERNAL_H
#define FG_CLUSTER_INTERNAL_H
/* Private to src/core/cluster: between the node's thread (cluster.c) and the messages (cluster_bus.c). */
#include <stdbool.h>
#include <stddef.h>
#include "core/db/db.h"

/* "fgn_" and the 32 hex digits of id: a node's own LISTEN channel. */
void cluster_channel_of(const char *id, char *out, size_t n);
/* Wakes the node's thread (a local message is queued). */
void cluster_wake(void);
/* Whether local messages wait (call with the thread's lock held or not: a hint for its wait). */
bool cluster_bus_pending(void);
/* Runs the handlers of the messages queued locally (SQLite; the thread). */
void cluster_bus_run_local(db_t *db);
/* PostgreSQL: waits up to timeout_ms for notifications and runs their handlers. -1 when the connection failed. */
int cluster_bus_receive(db_t *db, int timeout_ms);

#endif
