#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"
#include "core/auth/password.h"
#include "core/auth/users.h"
#include "core/db/migrate.h"
#include "cli/cli.h"

int
cli_ensure_admin(db_t *db)
{
	json_t *u = users_get_by_name(db, "admin");
	if (u) {
		json_decref(u);
		printf("admin account exists (password unchanged)\n");
		return 0;
	}
	char gen[17];
	const char *pw = getenv("FIELDGRID_ADMIN_PASSWORD");
	if (!pw || !*pw) {
		password_generate(gen);
		pw = gen;
	}
	json_t *in = json_pack("{s:s, s:s, s:s, s:[s]}", "username", "admin", "password", pw, "display_name", "系统管理员",
	    "roles", "admin");
	json_t *out = NULL;
	fg_err_t e = FG_ERR_INIT;
	int rc = users_create(db, NULL, in, &out, &e);
	json_decref(in);
	if (rc != 0) {
		fprintf(stderr, "fieldgrid: cannot create admin: %s%s%s\n", e.code,
		    e.details ? " " : "", e.details ? json_string_value(json_object_get(e.details, "reason")) : "");
		fg_err_clear(&e);
		return -1;
	}
	json_decref(out);
	if (pw == gen)
		printf("admin account created; password (shown once): %s\n", gen);
	else
		printf("admin account created with the password from FIELDGRID_ADMIN_PASSWORD\n");
	sodium_memzero(gen, sizeof gen);
	return 0;
}

int
cmd_init(int argc, char **argv)
{
	cli_opts_t o;
	if (cli_parse(argc, argv, &o, NULL))
		return 2;
	db_t *db = cli_open(&o);
	if (!db)
		return 1;
	printf("database ready (%s, schema version %d)\n", db_kind_name(db), migrate_current(db));
	int rc = cli_ensure_admin(db);
	db_close(db);
	return rc ? 1 : 0;
}

int
cmd_migrate(int argc, char **argv)
{
	cli_opts_t o;
	if (cli_parse(argc, argv, &o, NULL))
		return 2;
	db_t *db = cli_open(&o);
	if (!db)
		return 1;
	printf("schema version %d (%s)\n", migrate_current(db), db_kind_name(db));
	db_close(db);
	return 0;
}

/* fieldgrid user add USERNAME --role R [--role R…] [--name 显示名] [--org ORG_ID] [--phone N]
 * The password comes from FIELDGRID_USER_PASSWORD or is generated and printed once. */
int
cmd_user(int argc, char **argv)
{
	cli_opts_t o;
	if (argc < 2 || strcmp(argv[1], "add") != 0) {
		fprintf(stderr, "usage: fieldgrid user add USERNAME --role ROLE [--role ROLE…] [--name NAME] [--org ID] "
				"[--phone N] [--data DIR] [--db URL]\n");
		return 2;
	}
	/* pull out the user's own options first, leave the shared ones for cli_parse */
	json_t *roles = json_array();
	const char *name = NULL, *org = NULL, *phone = NULL, *username = NULL;
	char **rest = fg_calloc((size_t)argc + 1, sizeof *rest);
	int nrest = 0;
	rest[nrest++] = argv[0];
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
			json_array_append_new(roles, json_string(argv[++i]));
		else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (strcmp(argv[i], "--org") == 0 && i + 1 < argc)
			org = argv[++i];
		else if (strcmp(argv[i], "--phone") == 0 && i + 1 < argc)
			phone = argv[++i];
		else if (argv[i][0] != '-' && !username)
			username = argv[i];
		else
			rest[nrest++] = argv[i];
	}
	int rc = 1;
	db_t *db = NULL;
	if (!username) {
		fprintf(stderr, "fieldgrid: user add needs a USERNAME\n");
		goto out;
	}
	if (cli_parse(nrest, rest, &o, NULL) || !(db = cli_open(&o)))
		goto out;
	char gen[17];
	const char *pw = getenv("FIELDGRID_USER_PASSWORD");
	if (!pw || !*pw) {
		password_generate(gen);
		pw = gen;
	}
	json_t *in = json_pack("{s:s, s:s, s:s, s:O, s:s?, s:s?}", "username", username, "password", pw, "display_name",
	    name ? name : username, "roles", roles, "org_unit_id", org, "phone", phone);
	json_t *out = NULL;
	fg_err_t e = FG_ERR_INIT;
	if (users_create(db, NULL, in, &out, &e) != 0) {
		const char *field = e.details ? json_string_value(json_object_get(e.details, "field")) : NULL;
		fprintf(stderr, "fieldgrid: cannot add user: %s%s%s\n", e.code, field ? " " : "", field ? field : "");
		fg_err_clear(&e);
	} else {
		printf("user %s created (id %s)\n", username, json_string_value(json_object_get(out, "id")));
		if (pw == gen)
			printf("password (shown once): %s\n", gen);
		rc = 0;
	}
	json_decref(in);
	json_decref(out);
out:
	json_decref(roles);
	free(rest);
	db_close(db);
	return rc;
}
