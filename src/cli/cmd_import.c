/* fieldgrid import meters FILE.csv: the meter ledger's bulk load (src/metering/imports), all rows or none. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "core/base/util.h"
#include "core/calendar/calendar.h"
#include "metering/imports/imports.h"

static const char usage[] = "usage: fieldgrid import meters FILE.csv [--data DIR] [--db URL]\n";

int
cmd_import(int argc, char **argv)
{
	if (argc < 3 || strcmp(argv[1], "meters") != 0 || argv[2][0] == '-') {
		fputs(usage, stderr);
		return 2;
	}
	const char *file = argv[2];
	cli_opts_t o;
	if (cli_parse(argc - 2, argv + 2, &o, NULL))
		return 2;
	int fd = open(file, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "fieldgrid: cannot open %s\n", file);
		return 2;
	}
	db_t *db = cli_open(&o);
	if (!db) {
		close(fd);
		return 2;
	}
	fg_err_t e = FG_ERR_INIT;
	char id[37];
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	int64_t t0 = fg_now_ms();
	int rc = mimp_open(db, NULL, base, 0, id, &e) == 0 ? mimp_run(db, NULL, id, fd, NULL, &e) : -1;
	close(fd);
	json_t *imp = mimp_get(db, id);
	db_close(db);
	if (rc != 0) {
		fprintf(stderr, "fieldgrid: import %s failed: %s; nothing was imported\n", id, e.code ? e.code : "internal");
		json_t *rep = json_object_get(imp, "report"), *x;
		size_t i;
		json_array_foreach(rep, i, x) {
			fprintf(stderr, "  row %lld, %s: %s%s%s\n", (long long)json_integer_value(json_object_get(x, "row")),
			    json_string_value(json_object_get(x, "column")), json_string_value(json_object_get(x, "code")),
			    json_object_get(x, "value") ? " " : "", json_object_get(x, "value") ? json_string_value(json_object_get(x, "value")) : "");
			if (i >= 49) {
				fprintf(stderr, "  … %lld bad cells in all\n", (long long)json_integer_value(json_object_get(imp, "error_count")));
				break;
			}
		}
		json_decref(imp);
		fg_err_clear(&e);
		return 1;
	}
	printf("imported %lld meters (import %s, sha256 %s) in %.2f s\n",
	    (long long)json_integer_value(json_object_get(imp, "rows_written")), id,
	    json_string_value(json_object_get(imp, "sha256")), (double)(fg_now_ms() - t0) / 1000.0);
	json_decref(imp);
	return 0;
}
