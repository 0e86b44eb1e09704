#ifndef FG_CUSTOMERS_H
#define FG_CUSTOMERS_H
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/auth/session.h"

/* Customers (issue 11 item 1; docs/api.md "Customers"): the customer with contacts, accounts (户号), premises and
 * metering points, one tree under the customer. Every function takes the viewer: what they may see (the serving
 * unit's scope) and how much (masking, R2.16) is decided here, not in the HTTP glue.
 *
 * Scope: company-wide roles (shared/org/scope.h SCOPE_COMPANY_ROLES) see every customer; everyone else sees the
 * customers of their org unit and the units below it, and the customers no unit serves. Out of scope answers
 * not_found, as for field work. NULL viewer: an internal caller (the demo loader), everything in full.
 *
 * Masking: an ID number is always masked in these reads (110***********1234); only customers_identity returns it
 * whole, and it writes an audit record in the same transaction. Without customers.contact a viewer also gets
 * phones masked (138****5678), contacts' names masked (张*明), and the name of a customer who is a person (ID card)
 * masked; an organisation's name is on its business licence and stays whole. */

/* Checks (pure, exported for the unit test). 0 valid; else -1 with reason set to "length", "characters",
 * "birth_date" or "check_digit". in may be lower case ('x', letters of a credit code); out gets the upper-case
 * form (19 bytes). */
int customers_check_id_card(const char *in, char out[19], const char **reason);  /* GB 11643-1999 */
int customers_check_credit_code(const char *in, char out[19], const char **reason); /* GB 32100-2015 */
/* 张三明 → 张*明, 李四 → 李*; code points, not bytes. */
void customers_mask_name(const char *in, char *out, size_t n);
/* 110101199003071234 → 110***********1234 (the first 3 and last 4 characters kept). */
void customers_mask_id(const char *in, char *out, size_t n);

typedef struct {
	const char *q;            /* customer number, account number; with customers.contact also name and phone */
	const char *kind;         /* resident | non_resident | enterprise */
	const char *org_unit_id;
	const char *cursor;
	int limit;
	const auth_user_t *viewer;
} customers_filter_t;

int customers_list(db_t *db, const customers_filter_t *f, json_t **out, fg_err_t *err);
/* The customer with contacts and accounts → premises → metering points, masked for the viewer; NULL when it does
 * not exist or lies outside the viewer's scope. */
json_t *customers_get(db_t *db, const auth_user_t *viewer, const char *id);
int customers_create(db_t *db, const auth_user_t *actor, json_t *in, json_t **out, fg_err_t *err);
int customers_update(db_t *db, const auth_user_t *actor, const char *id, json_t *in, json_t **out, fg_err_t *err);
/* {customer_id, name, id_type, id_number} in full; audited ("reveal_id_number") in the same transaction. */
int customers_identity(db_t *db, const auth_user_t *actor, const char *id, json_t **out, fg_err_t *err);

int customers_account_create(db_t *db, const auth_user_t *actor, const char *customer_id, json_t *in, json_t **out,
    fg_err_t *err);
int customers_account_update(db_t *db, const auth_user_t *actor, const char *id, json_t *in, json_t **out, fg_err_t *err);
int customers_premises_create(db_t *db, const auth_user_t *actor, const char *account_id, json_t *in, json_t **out,
    fg_err_t *err);
int customers_premises_update(db_t *db, const auth_user_t *actor, const char *id, json_t *in, json_t **out, fg_err_t *err);
int customers_point_create(db_t *db, const auth_user_t *actor, const char *premises_id, json_t *in, json_t **out,
    fg_err_t *err);
int customers_point_update(db_t *db, const auth_user_t *actor, const char *id, json_t *in, json_t **out, fg_err_t *err);

#endif
