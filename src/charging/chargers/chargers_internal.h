#ifndef FG_CHARGERS_INTERNAL_H
#define FG_CHARGERS_INTERNAL_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/db/qb.h"

/* Internal to the chargers module; the rest of the server sees chargers.h. The REST ledger, one concern a file:
 *   chargers_rows.c      what every ledger table shares: the versioned, audited update, the version check
 *   chargers_stations.c  stations
 *   chargers.c           chargers: their rules, create/update/delete, the list and the live board
 *   chargers_keys.c      a charger's AuthorizationKey: minting, hashing, checking
 *   chargers_history.c   what chargers reported, read back: transactions, status and event logs, meter values
 *   chargers_idtags.c    id tags
 *   chargers_commands.c  operator commands: their rows, and sending them through the gateway
 *   chargers_cluster.c   which node holds each charger (presence), commands routed to that node, a lost node's
 *                        chargers and commands settled
 * (chargers_ocpp.c holds the gateway writer's side.) */

#define CHG_STATION_COLS "id, code, name, address, org_unit_id, note, created_at, updated_at, version"
#define CHG_CHARGER_COLS                                                                                               \
	"id, charge_point_id, station_id, name, kind, payment, vendor, model, serial, firmware, warranty, "             \
	"security_profile, connector_count, heartbeat_interval, rated_power_kw, online, connected_at, last_seen_at, boot_at, " \
	"created_at, updated_at, version"

static inline const char *
chg_str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* chargers_rows.c */
bool chg_one_of(const char *v, const char *const *set);
/* The versioned, audited update every ledger row shares: read it, check the caller's version, write the fields
 * given, audit before → after, commit. conflict_code/field name a unique column's refusal (NULL: none). */
int chg_versioned_update(db_t *db, const char *actor_id, const char *table, const char *entity,
    json_t *(*get)(db_t *, const char *), const char *id, json_t *in, const char *const *text, const char *const *ints,
    const char *conflict_code, const char *conflict_field, json_t **out, fg_err_t *err);
/* The start of a write to one ledger row: a transaction, the row locked and read with get (else not_found).
 * 0 with *before, or db_fail's -1. */
int chg_begin_row(db_t *db, const char *table, const char *entity, const char *id, json_t *(*get)(db_t *, const char *),
    json_t **before, fg_err_t *err);
/* the row's version must be the caller's */
int chg_version_is(json_t *row, int64_t version, fg_err_t *err);
/* The end of an audited INSERT (rc: its db_run): a unique column's refusal (conflict_code/field, NULL: none), or
 * the new row read back with get, audited as created and committed into *out. */
int chg_create_commit(db_t *db, const char *actor_id, int rc, const char *entity, const char *id,
    json_t *(*get)(db_t *, const char *), const char *conflict_code, const char *conflict_field, json_t **out,
    fg_err_t *err);
/* a qb_list filter: charger_id = filter */
void chg_charger_id_where(qb_t *q, const void *filter);

/* chargers_keys.c */
/* AuthorizationKey: 20 random bytes as 40 hex characters, and its hash for the row */
void chg_new_key(char key[41], char hash[160]);

/* chargers_ocpp.c: a row of the charger's event log */
int chg_event(db_t *db, const char *charger_id, const char *kind, json_t *payload, int64_t at);

/* chargers_cluster.c (the writer's transaction): the charger connected to this node; its connection to node ended
 * (online goes to 0 unless another node holds it by now). 0 or -1. */
int chg_presence_here(db_t *db, const char *charger_id, int64_t at);
int chg_presence_gone(db_t *db, const char *charger_id, const char *node_id, int64_t at);
/* Where a command for charge point cpid goes: 1 this node, 2 another live node (its id in node), 0 none. -1 on a
 * database error. */
int chg_holder(db_t *db, const char *cpid, char node[37]);
/* The job chargers.command_sweep: pending commands long past their timeout end "timeout". Count, or -1. */
int chg_command_sweep(db_t *db, int64_t now);
/* Registers the cluster's hooks (the module's start). */
void chg_cluster_start(void);

#endif
