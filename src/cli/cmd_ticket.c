/* fieldgrid ticket export|verify (issue 9): a ticket an auditor can check with no access to fieldgrid.
 * export reads the database and prints the self-contained JSON; verify reads only that file (no --data, no
 * database) and says, per signature, whether it holds. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "fieldwork/tickets/tickets.h"

static const char usage[] =
    "usage: fieldgrid ticket export ID [--data DIR] [--db URL] > t.json\n"
    "       fieldgrid ticket verify t.json\n";

static int
export(int argc, char **argv)
{
	if (argc < 2 || argv[1][0] == '-') {
		fputs(usage, stderr);
		return 2;
	}
	const char *id = argv[1];
	cli_opts_t o;
	if (cli_parse(argc - 1, argv + 1, &o, NULL))
		return 2;
	db_t *db = cli_open(&o);
	if (!db)
		return 2;
	json_t *exp = tickets_export(db, id);
	db_close(db);
	if (!exp) {
		fprintf(stderr, "fieldgrid: no ticket %s\n", id);
		return 1;
	}
	int rc = json_dumpf(exp, stdout, JSON_INDENT(2) | JSON_SORT_KEYS) == 0 && fputc('\n', stdout) != EOF &&
	    fflush(stdout) == 0 ? 0 : 2;
	json_decref(exp);
	return rc;
}

/* exit 0: every signature valid; 1: a signature (named) or the document fails; 2: unreadable file or usage. */
static int
verify(int argc, char **argv)
{
	if (argc != 2) {
		fputs(usage, stderr);
		return 2;
	}
	json_error_t jerr;
	json_t *exp = strcmp(argv[1], "-") == 0 ? json_loadf(stdin, 0, &jerr) : json_load_file(argv[1], 0, &jerr);
	if (!exp) {
		fprintf(stderr, "fieldgrid: %s: %s (line %d)\n", argv[1], jerr.text, jerr.line);
		return 2;
	}
	json_t *rep = NULL;
	int rc = tickets_verify_export(exp, &rep);
	json_t *t = json_object_get(exp, "ticket");
	printf("ticket %s (%s), content sha256 %s\n", json_string_value(json_object_get(t, "number")),
	    json_string_value(json_object_get(t, "id")), json_string_value(json_object_get(rep, "content_hash")));
	if (json_object_get(rep, "problem"))
		printf("INVALID: %s\n", json_string_value(json_object_get(rep, "problem")));
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(rep, "signatures"), i, s) {
		const char *reason = json_string_value(json_object_get(s, "reason"));
		printf("%s signature %zu: %s by %s (%s), Ed25519 key %s%s%s\n", reason ? "BAD" : "ok ", i + 1,
		    json_string_value(json_object_get(s, "role")), json_string_value(json_object_get(s, "signer_name")),
		    json_string_value(json_object_get(s, "signer_id")), json_string_value(json_object_get(s, "key_id")),
		    reason ? ": " : "", reason ? reason : "");
	}
	printf(rc == 0 ? "VALID: every signature holds over this content\n" : "INVALID\n");
	json_decref(rep);
	json_decref(exp);
	return rc == 0 ? 0 : 1;
}

int
cmd_ticket(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "export") == 0)
		return export(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return verify(argc - 1, argv + 1);
	fputs(usage, stderr);
	return 2;
}
