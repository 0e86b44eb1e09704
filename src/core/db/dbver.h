#ifndef FG_DBVER_H
#define FG_DBVER_H
#include <stdbool.h>
#include <stdint.h>

/* Data versions (issue 10 item 10): which tables a statement reads or writes, told from its SQL text, and a write
 * generation per table that goes up each time a transaction that wrote the table commits in this process. A reader
 * that remembers the generations of the tables it read knows, by comparing them later, whether what it built from
 * them can still be true: the response cache (core/http/rcache.c) serves a list again only while none of the
 * tables behind it was written since.
 *
 * Told from the SQL text, not from a hook of one engine, so both engines agree: every identifier of a statement
 * that names a table (or a view: the tables behind it) counts, so a statement's set can be larger than what it
 * really touches (a column named like a table) but never smaller. A write statement (INSERT, UPDATE, DELETE, or
 * DDL) counts as writing every table it names. A table with a trigger or a cascading foreign key counts as
 * writing everything (none has one today; the rule keeps a future one from going unnoticed). */

#define DBVER_MAX 256 /* tables and views; bit 0 is "everything" */
typedef struct {
	uint64_t w[DBVER_MAX / 64];
} dbver_set_t;

struct db;
/* Learns the schema's tables, views, triggers and foreign keys; run once after the migrations, before other
 * threads use the database. 0, or -1 (logged) when the schema cannot be read or has too many tables: then every
 * set is "everything" and dbver_ready() stays false. */
int dbver_init(struct db *db);
bool dbver_ready(void);

/* The tables sql names (tables) and whether it writes (*writes). */
void dbver_classify(const char *sql, dbver_set_t *tables, bool *writes);

static inline void
dbver_or(dbver_set_t *a, const dbver_set_t *b)
{
	for (int i = 0; i < DBVER_MAX / 64; i++)
		a->w[i] |= b->w[i];
}
static inline bool
dbver_empty(const dbver_set_t *a)
{
	for (int i = 0; i < DBVER_MAX / 64; i++)
		if (a->w[i])
			return false;
	return true;
}

/* After a commit (or an autocommitted statement): the written tables' generations go up. */
void dbver_bump(const dbver_set_t *written);
/* The sum of the generations of the tables in set (and of "everything"): it changes exactly when one of them was
 * written, since generations only go up. */
uint64_t dbver_sum(const dbver_set_t *set);
/* How many bumps this process has made: equal before and after a read means no commit's bump fell inside it. */
uint64_t dbver_bumps(void);

#endif
