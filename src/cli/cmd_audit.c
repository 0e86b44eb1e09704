#include <stdio.h>
#include <string.h>
#include "core/audit/audit.h"
#include "cli/cli.h"

/* fieldgrid audit verify: exit 0 when the chain is intact, 1 naming the first broken record, 2 on error. */
int
cmd_audit(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "verify") != 0) {
		fprintf(stderr, "usage: fieldgrid audit verify [--data DIR] [--db URL]\n");
		return 2;
	}
	cli_opts_t o;
	if (cli_parse(argc - 1, argv + 1, &o, NULL))
		return 2;
	db_t *db = cli_open(&o);
	if (!db)
		return 2;
	audit_report_t rep;
	int rc = audit_verify(db, &rep);
	if (rc < 0) {
		fprintf(stderr, "fieldgrid: audit verify failed: %s\n", db_errmsg(db));
		db_close(db);
		return 2;
	}
	if (rc == 0)
		printf("audit chain intact: %lld records verified\n", (long long)rep.checked);
	else if (rep.broken_seq < 0)
		printf("audit chain BROKEN at the head: %s\n", rep.reason);
	else
		printf("audit chain BROKEN at record %lld: %s (%lld records read)\n", (long long)rep.broken_seq, rep.reason,
		    (long long)rep.checked);
	db_close(db);
	return rc == 0 ? 0 : 1;
}
