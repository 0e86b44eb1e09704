#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "core/base/util.h"
#include "core/db/migrate.h"
#include "core/calendar/calendar.h"
#include "cli/cli.h"

int
cli_parse(int argc, char **argv, cli_opts_t *o, const char *extra_short)
{
	static const struct option longopts[] = {
		{"data", required_argument, NULL, 'd'},
		{"db", required_argument, NULL, 'b'},
		{"listen", required_argument, NULL, 'l'},
		{"web", required_argument, NULL, 'w'},
		{"threads", required_argument, NULL, 't'},
		{"out", required_argument, NULL, 'o'},
		{"in", required_argument, NULL, 'i'},
		{NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	/* not ./data: that is the reference data compiled into the binary, in the source tree (issue 9 finding 8) */
	o->data = getenv("FIELDGRID_DATA") ? getenv("FIELDGRID_DATA") : "./var";
	o->db = getenv("FIELDGRID_DB");
	o->listen = "127.0.0.1:8080";
	o->threads = 8;
	optind = 1;
	int c;
	(void)extra_short;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o->data = optarg; break;
		case 'b': o->db = optarg; break;
		case 'l': o->listen = optarg; break;
		case 'w': o->web = optarg; break;
		case 'o': o->out = optarg; break;
		case 'i': o->in = optarg; break;
		case 't':
			o->threads = atoi(optarg);
			if (o->threads < 1 || o->threads > 256) {
				fprintf(stderr, "fieldgrid: --threads takes 1 to 256\n");
				return -1;
			}
			break;
		default:
			fprintf(stderr, "fieldgrid: see 'fieldgrid --help'\n");
			return -1;
		}
	}
	o->argc = argc - optind;
	o->argv = argv + optind;
	db_url_for(o->data, o->db, o->url, sizeof o->url);
	return 0;
}

/* The source tree's data/ holds the reference data compiled into the binary (flows, knowledge base, OCPP
 * schemas). A database or attachments written there would be committed by the next `git add -A`, so a data
 * directory that looks like it is refused. */
static bool
is_reference_data(const char *dir)
{
	char p[1100];
	struct stat st;
	fg_fmt(p, sizeof p, "%s/flows/ticket.json", dir);
	if (stat(p, &st) != 0)
		return false;
	fg_fmt(p, sizeof p, "%s/ocpp/ocpp16.json", dir);
	return stat(p, &st) == 0;
}

db_t *
cli_open(cli_opts_t *o)
{
	char err[512];
	bool pg = strncmp(o->url, "postgres", 8) == 0;
	if (is_reference_data(o->data)) {
		fprintf(stderr, "fieldgrid: %s is fieldgrid's reference data (the source tree's data/), not a data directory; "
				"use --data var (make run does) or another directory\n", o->data);
		return NULL;
	}
	if (!pg && mkdir(o->data, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "fieldgrid: cannot create data directory %s: %s\n", o->data, strerror(errno));
		return NULL;
	}
	db_t *db = db_open(o->url, err, sizeof err);
	if (!db) {
		fprintf(stderr, "fieldgrid: %s\n", err);
		return NULL;
	}
	if (migrate_run(db, err, sizeof err) < 0) {
		fprintf(stderr, "fieldgrid: %s\n", err);
		db_close(db);
		return NULL;
	}
	fg_err_t ce = FG_ERR_INIT; /* the working-day calendar's shipped years, where the database lacks them */
	if (cal_seed(db, &ce) != 0) {
		fprintf(stderr, "fieldgrid: cannot load the working-day calendar (%s)\n", ce.code);
		fg_err_clear(&ce);
		db_close(db);
		return NULL;
	}
	dbver_init(db); /* the schema's tables, for the response cache's data versions (core/db/dbver.h) */
	return db;
}
