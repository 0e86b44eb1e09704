#include <stdio.h>
#include <string.h>
#include "shared/attach/attach.h"
#include "cli/cli.h"

/* fieldgrid attachments migrate: a PostgreSQL deployment from before issue 15 kept attachments as files in the data
 * directory of the node that took them; this copies the ones this node holds into the database, where every node
 * reads them (docs/operations.md "Attachments on PostgreSQL"). Run it on each node that has DATA/attachments, once;
 * again is harmless. Exit 0 when every content the database lacked was copied, 1 when some were not on this node
 * or damaged (listed in the log), 2 on error. */
int
cmd_attachments(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "migrate") != 0) {
		fprintf(stderr, "usage: fieldgrid attachments migrate [--data DIR] [--db URL]\n");
		return 2;
	}
	cli_opts_t o;
	if (cli_parse(argc - 1, argv + 1, &o, NULL))
		return 2;
	db_t *db = cli_open(&o);
	if (!db)
		return 2;
	if (db_kind(db) != DB_PG) {
		printf("SQLite keeps attachments under %s/attachments: nothing to migrate\n", o.data);
		db_close(db);
		return 0;
	}
	attach_set_root(o.data);
	attach_migrated_t m;
	if (attach_migrate_files(db, &m) != 0) {
		fprintf(stderr, "fieldgrid: attachments migrate failed: %s\n", db_errmsg(db));
		db_close(db);
		return 2;
	}
	db_close(db);
	printf("attachments copied into the database: %zu (%lld bytes); not on this node: %zu; damaged: %zu\n", m.copied,
	    (long long)m.bytes, m.absent, m.damaged);
	return m.absent || m.damaged ? 1 : 0;
}
