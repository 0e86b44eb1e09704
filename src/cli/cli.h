#ifndef FG_CLI_H
#define FG_CLI_H
#include "core/db/db.h"
#include "core/base/err.h"
#include "core/auth/session.h"

/* Options every subcommand shares. */
typedef struct {
	const char *data;   /* --data DIR (default ./var: ./data is the built-in reference data) */
	const char *db;     /* --db URL (default: SQLite file in DIR) */
	const char *listen; /* --listen HOST:PORT */
	const char *web;    /* --web DIR */
	const char *out;    /* --out FILE (backup) */
	const char *in;     /* --in FILE (restore) */
	int threads;
	char url[1024];
	int argc; /* what is left after the options */
	char **argv;
} cli_opts_t;

/* Parses shared options; positional words are kept in o->argc/argv. 0, or -1 after printing a usage error. */
int cli_parse(int argc, char **argv, cli_opts_t *o, const char *extra_short);
/* Opens the database (creating DIR for SQLite) and applies migrations; prints why on failure. */
db_t *cli_open(cli_opts_t *o);

int cmd_init(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_maintenance(int argc, char **argv); /* maintenance.c */
int cmd_routes(int argc, char **argv);
int cmd_ticket(int argc, char **argv);
int cmd_import(int argc, char **argv); /* cmd_import.c: import meters FILE.csv */
int cmd_attachments(int argc, char **argv); /* cmd_attachments.c: attachments migrate */

/* Loads the demo day of field work (data/demo/fieldwork.json) once per database. org_keys: demo org key → id. */
int demo_fieldwork(db_t *db, json_t *org_keys, const char *password, int *jobs);
/* The demo day's outsourced companies (fieldwork.json "contractors"): one that may work, with staff, and one whose
 * qualification has lapsed. Dates are relative to today. */
int demo_contractors(db_t *db, json_t *list, fg_err_t *err);
/* The demo customers (data/demo/customers.json) with accounts, premises and metering points, when the database has
 * no customer yet; *made: how many were added. org_keys: demo org key → id. */
int demo_customers(db_t *db, json_t *org_keys, int *made);

/* The demo customers' applications (data/demo/applications.json): 40 of every kind and stage, through
 * applications_create and the flow's transitions, once per database; *made: how many were added. */
int demo_applications(db_t *db, json_t *org_keys, int *made);
/* Work entered from paper after an outage (approved, pending, rejected) and one sensitive complaint
 * (src/cli/demo_backfill.c), once per database; *made: the backfills added. */
int demo_backfill(db_t *db, int *made);

/* The demo meter ledger (200,000 meters in two transformer areas, through the bulk import) and a running rotation
 * campaign with its past days' work orders finished, once per database (demo_meters.c). */
int demo_meters(db_t *db, int *meters, int *finished);
#define DEMO_METERS 200000
/* The ledger's two transformer areas: meter i is in demo_meter_areas[i % 2]. */
extern const char *const demo_meter_areas[2];
/* A demo person as the actor of the demo's transitions (id, username, roles); -1 when there is none. */
int demo_person(db_t *db, const char *username, auth_user_t *a);
/* The modules' event subscriptions delivered in this process, as in the server (a finished work order moves what
 * follows it), without starting the modules. */
void demo_subscribe(void);

/* The collection system's last seven days of figures and open anomalies on the demo meters' points, and one
 * metering case of each of the seven desk processes at varied stages, once per database (demo_metering.c).
 * *anomalies, *cases: how many were added. */
int demo_metering(db_t *db, json_t *org_keys, int *anomalies, int *cases);
/* Emergency plans of each kind, a recorded drill and one ahead, a past emergency with its review and today's on-call
 * roster, once per database (demo_emergency.c); *made: the plans made (0 when there already were some). */
int demo_emergency(db_t *db, json_t *org_keys, int *made);
/* 60 high-risk and important customers of every grade in the registry and the ledger, their checks generated as of
 * today (some overdue), two run to the end; once per database (demo_hrcust.c). */
int demo_hrcust(db_t *db, json_t *org_keys, int *made, int *checks);
/* The demo customers' hazards in every state of their process and one sealed installation, once per database
 * (demo_hazards.c). *made: hazards added; *sealed: 1 when the seal was put on. */
int demo_hazards(db_t *db, int *made, int *sealed);
/* Three charging stations with ten chargers and a month of their life — sessions, faults with their alarms and
 * repairs, last month's inspections — recorded through the gateway's and the modules' own functions, once per
 * database (demo_chargers.c). *made: chargers registered (0 when the stations were there), *sessions: sessions. */
int demo_chargers(db_t *db, json_t *org_keys, int *made, int *sessions);

/* Creates the admin account if missing; prints its generated password once. */
int cli_ensure_admin(db_t *db);

#endif
