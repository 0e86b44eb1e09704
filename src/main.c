/* fieldgrid: the field-operations platform for a power supply company's marketing and metering crews.
 * One program: the server and its admin tool (DESIGN.md §1). */
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "cli/cli.h"

static const char usage[] =
    "fieldgrid — field operations for metering and marketing crews\n"
    "\n"
    "usage: fieldgrid COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  init --data DIR [--db URL]          create the database and the admin account\n"
    "                                      (password from FIELDGRID_ADMIN_PASSWORD, else generated and printed)\n"
    "  serve --data DIR [--db URL] [--listen HOST:PORT] [--web DIR] [--threads N]\n"
    "                                      run the server (default 127.0.0.1:8080); SIGTERM/SIGINT stop it cleanly\n"
    "  migrate --data DIR [--db URL]       apply database migrations\n"
    "  user add USERNAME --role ROLE [--role ROLE…] [--name NAME] [--org ORG_ID] [--phone N]\n"
    "                                      add an account (password from FIELDGRID_USER_PASSWORD, else generated)\n"
    "  demo --data DIR [--db URL]          load the demo company (password from FIELDGRID_DEMO_PASSWORD, else generated)\n"
    "  audit verify --data DIR [--db URL]  check the audit hash chain; exit 1 naming the first broken record\n"
    "  backup --data DIR [--db URL] --out FILE\n"
    "                                      consistent online backup (database + attachments) into one .tar.gz\n"
    "  restore --in FILE --data NEWDIR [--db URL]\n"
    "                                      restore a backup into an empty data dir (and an empty PostgreSQL database)\n"
    "  attachments migrate --data DIR --db URL\n"
    "                                      PostgreSQL: copy this node's attachment files from before the database\n"
    "                                      held them into the database (once per node; again is harmless)\n"
    "  maintenance --data DIR [--db URL] [--keys-older-than SECONDS]\n"
    "                                      sweep expired idempotency keys and sessions now (the server does it hourly)\n"
    "  routes                              print the HTTP route table as JSON [{method, pattern, perm, max_body}]\n"
    "  import meters FILE.csv --data DIR [--db URL]\n"
    "                                      load meters into the ledger in bulk: all rows or none, bad cells listed\n"
    "  ticket export ID --data DIR [--db URL] > t.json\n"
    "                                      a ticket with its signatures, keys and signed bytes, checkable offline\n"
    "  ticket verify t.json                check an exported ticket's signatures with no database; exit 1 naming\n"
    "                                      the bad signature\n"
    "\n"
    "--db takes postgresql://USER@HOST:PORT/DBNAME for PostgreSQL; without it a SQLite file in DIR is used.\n"
    "--data defaults to $FIELDGRID_DATA, else ./var.\n"
    "Roles: admin manager issuer permitter leader crew guardian supervisor dispatcher om_engineer tool_keeper viewer\n       customer_service customer_manager\n";

int
main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "fieldgrid: libsodium failed to initialise\n");
		return 1;
	}
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{"init", cmd_init}, {"serve", cmd_serve}, {"migrate", cmd_migrate}, {"user", cmd_user},
		{"demo", cmd_demo}, {"audit", cmd_audit}, {"backup", cmd_backup}, {"restore", cmd_restore},
		{"maintenance", cmd_maintenance}, {"routes", cmd_routes}, {"ticket", cmd_ticket},
		{"import", cmd_import}, {"attachments", cmd_attachments},
	};
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "fieldgrid: unknown command '%s'; see 'fieldgrid --help'\n", argv[1]);
	return 2;
}
