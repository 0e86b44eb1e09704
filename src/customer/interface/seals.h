#ifndef FG_CUSTOMER_SEALS_H
#define FG_CUSTOMER_SEALS_H
#include <jansson.h>
#include "core/db/db.h"

/* Seals on a customer's equipment used in violation (issue 13 item 4, R2.11; docs/api.md "Seals"), as other modules
 * ask about them before they energise anything of the customer.
 *
 * seals_power_on_blocked: 1 when a sealing of the customer's equipment is still on (sealed, or rectified but not
 * yet removed), 0 when none, -1 on a database error. equipment: the equipment as the sealing names it, or NULL for
 * any of the customer's equipment (an application's power-on energises the whole installation). *seals (may be
 * NULL): the sealings on, [{id, equipment, status, numbers}], for the caller's refusal details. */
int seals_power_on_blocked(db_t *db, const char *customer_id, const char *equipment, json_t **seals);

#endif
