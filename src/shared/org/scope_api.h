#ifndef FG_SCOPE_API_H
#define FG_SCOPE_API_H
#include <stdbool.h>
#include "core/http/http.h"

/* HTTP glue of the scope rule (auth/scope.c, docs/api.md "Scope"): true when the plan or ticket named by the
 * route's first {id} is out of the caller's scope, after answering 404 for it. Handlers call it before looking at
 * the body, so a refusal says nothing about the entity's state. */
bool scope_http_plan(req_t *r);
bool scope_http_ticket(req_t *r);

#endif
