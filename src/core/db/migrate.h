#ifndef FG_MIGRATE_H
#define FG_MIGRATE_H
#include "core/db/db.h"

/* Applies every embedded migration not yet recorded in schema_migrations, each in its own transaction, in
 * number order. migrations/NNNN_name.sql is portable SQL; migrations/{sqlite,pg}/NNNN_name.sql, when present,
 * replaces it for that engine. Returns the number applied, or -1 (err says why). */
int migrate_run(db_t *db, char *err, size_t errlen);

/* Highest applied version, 0 for a new database, -1 on error. */
int migrate_current(db_t *db);

#endif
