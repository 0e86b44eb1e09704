/* `fieldgrid maintenance`: the scheduler's hourly housekeeping (core/jobs/maintenance.c), run once now. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"
#include "core/http/http.h"
#include "core/jobs/maintenance.h"
#include "cli/cli.h"

/* fieldgrid maintenance [--data DIR] [--db URL] [--keys-older-than SECONDS]: one sweep now; prints the counts as
 * JSON. --keys-older-than overrides the keys' 24 h lifetime (0: every key), e.g. to reclaim space at once. */
int
cmd_maintenance(int argc, char **argv)
{
	int64_t ttl_ms = IDEM_TTL_MS;
	char **rest = fg_calloc((size_t)argc + 1, sizeof *rest);
	int n = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--keys-older-than") == 0 && i + 1 < argc) {
			char *end;
			long long s = strtoll(argv[++i], &end, 10);
			if (!*argv[i] || *end || s < 0 || s > 3650LL * 86400) {
				fprintf(stderr, "fieldgrid: --keys-older-than takes seconds (0 or more)\n");
				free(rest);
				return 2;
			}
			ttl_ms = s * 1000;
			continue;
		}
		rest[n++] = argv[i];
	}
	cli_opts_t o;
	if (cli_parse(n, rest, &o, NULL) || o.argc > 0) {
		if (o.argc > 0)
			fprintf(stderr, "usage: fieldgrid maintenance [--data DIR] [--db URL] [--keys-older-than SECONDS]\n");
		free(rest);
		return 2;
	}
	db_t *db = cli_open(&o);
	free(rest);
	if (!db)
		return 2;
	maint_report_t rep;
	int rc = maint_sweep(db, fg_now_ms(), ttl_ms, &rep);
	if (rc != 0)
		fprintf(stderr, "fieldgrid: maintenance failed: %s\n", db_errmsg(db));
	else
		printf("{\"idempotency_keys_deleted\":%lld,\"sessions_deleted\":%lld}\n", (long long)rep.keys, (long long)rep.sessions);
	db_close(db);
	return rc == 0 ? 0 : 1;
}
