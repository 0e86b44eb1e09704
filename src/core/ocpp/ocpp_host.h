#ifndef FG_OCPP_HOST_H
#define FG_OCPP_HOST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "core/db/db.h"

/* What the gateway asks of the module that keeps the chargers. The gateway defines it and includes no module; that
 * module registers its implementation at start-up (ocpp_set_host, from its fg_module_t.start). Until one is
 * registered, handshakes are answered 503 and nothing reaches the writer. */
typedef struct {
	char id[37];
	char charge_point_id[65];
	int security_profile;
	int heartbeat_interval;
	char auth_hash[160];
} ocpp_charger_auth_t;

typedef struct {
	/* The handshake (an MHD worker, its thread's connection): 1 found, 0 unknown, -1 database error. */
	int (*auth_lookup)(db_t *db, const char *charge_point_id, ocpp_charger_auth_t *out);
	/* Constant-time check of an HTTP Basic password against the stored hash. */
	bool (*key_ok)(const char *auth_hash, const char *key, size_t keylen);
	/* The writer's thread, inside its transaction (one per batch; 0, or -1 rolls the batch back):
	 * one CALL from a charger, reply: the CALLRESULT payload; */
	int (*call)(db_t *db, const char *charger_id, const char *action, json_t *payload, int64_t recv_ms, json_t **reply);
	/* connection life: connected / disconnected / seen; */
	int (*link)(db_t *db, const char *charger_id, const char *what, int64_t at);
	/* an operator command's outcome: status answered|failed|timeout|disconnected, the charger's result. */
	int (*command_done)(db_t *db, const char *cmd_id, const char *status, json_t *result, const char *error_code,
	    const char *error_desc, int64_t at);
} ocpp_host_t;

/* Registers the host (before chargers connect; the pointer must outlive the gateway). */
void ocpp_set_host(const ocpp_host_t *host);
/* The registered host, or NULL (the gateway's files). */
const ocpp_host_t *ocpp_host(void);

#endif
