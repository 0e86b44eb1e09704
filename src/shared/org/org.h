#ifndef FG_ORG_H
#define FG_ORG_H
#include <stdbool.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/auth/session.h"

/* The supply company's tree of org units: company → departments → teams. */

json_t *org_get(db_t *db, const char *id);
/* Adds org_unit_name to GET /me (the org module's fg_module_t.me). */
void org_me(db_t *db, const auth_user_t *u, json_t *me);
int org_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
/* in: "version" required; "name", "kind", "parent_id" optional (parent_id null makes a root). */
int org_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err);
int org_list(db_t *db, const char *kind, const char *parent_id, json_t **out, fg_err_t *err);
/* Whether unit is ancestor itself or lies below it: the basis of org scoping. */
bool org_within(db_t *db, const char *unit, const char *ancestor);
bool org_valid_kind(const char *kind);

#endif
