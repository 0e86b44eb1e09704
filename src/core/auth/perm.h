#ifndef FG_PERM_H
#define FG_PERM_H
#include <stdint.h>
#include <stdbool.h>
#include <jansson.h>

/* Roles (GLOSSARY.md) as bits, and which permissions each grants. Routes name one permission; the router
 * checks it before the handler runs, so no handler can forget. */
enum {
	ROLE_ADMIN = 1u << 0,
	ROLE_MANAGER = 1u << 1,
	ROLE_ISSUER = 1u << 2,
	ROLE_PERMITTER = 1u << 3,
	ROLE_LEADER = 1u << 4,
	ROLE_CREW = 1u << 5,
	ROLE_GUARDIAN = 1u << 6,
	ROLE_SUPERVISOR = 1u << 7,
	ROLE_DISPATCHER = 1u << 8,
	ROLE_OM_ENGINEER = 1u << 9,
	ROLE_TOOL_KEEPER = 1u << 10,
	ROLE_VIEWER = 1u << 11,
	/* customers' side (issue 11): counter and 95598 staff (营业厅/客服), and an HV customer's one manager (客户经理) */
	ROLE_CUSTOMER_SERVICE = 1u << 12,
	ROLE_CUSTOMER_MANAGER = 1u << 13,
	/* metering centre staff (计量中心, issue 12): the asset ledger, the metering service processes, rotation
	 * campaigns, collection anomalies */
	ROLE_METERING = 1u << 14,
};

/* The role's bit, or 0 for an unknown name. */
uint32_t perm_role_bit(const char *name);
/* Role names in a fixed order, NULL-terminated. */
extern const char *const perm_role_names[];

/* Whether roles (a bit set) grant the permission. */
bool perm_allows(uint32_t roles, const char *perm);
/* The permissions the roles grant, as a sorted JSON array of strings. */
json_t *perm_list(uint32_t roles);

#endif
