#ifndef FG_CUSTMGR_H
#define FG_CUSTMGR_H
#include <stdint.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/auth/session.h"
#include "core/flow/flow.h"

/* The one customer manager of an application (R2.6, R2.7; issue 11 item 6; docs/api.md "Customer manager").
 *
 * Every HV application (track hv_single / hv_dual) has one customer manager (applications.customer_manager_id), a
 * user holding the customer_manager role, assigned at intake or here and reassigned with a reason; an HV
 * application cannot be accepted (leave `accepted`) without one. Outage and power-on requests for the customer go
 * through that person: only the application's customer manager makes them and records the customer's
 * confirmation (who, how: phone | onsite_signature | portal, when). `power_on` needs a confirmed power-on
 * request. */

/* in = {user_id, reason?} (a reassignment needs the reason). */
int custmgr_assign(db_t *db, const auth_user_t *actor, const char *app_id, json_t *in, json_t **out, fg_err_t *err);

/* {items: [request, …]} of the application, newest first. */
int custmgr_requests(db_t *db, const char *app_id, json_t **out, fg_err_t *err);
/* in = {kind (outage | power_on), planned_at (ms), reason}. */
int custmgr_request_create(db_t *db, const auth_user_t *actor, const char *app_id, json_t *in, json_t **out, fg_err_t *err);
/* in = {confirmed_by (the customer's person), method, confirmed_at?, attachment_id?}. actor NULL: the customer
 * through the portal (method portal). */
int custmgr_request_confirm(db_t *db, const auth_user_t *actor, const char *app_id, const char *id, json_t *in,
    json_t **out, fg_err_t *err);
/* in = {reason}. */
int custmgr_request_cancel(db_t *db, const auth_user_t *actor, const char *app_id, const char *id, json_t *in,
    json_t **out, fg_err_t *err);

/* The manager's queue (see docs/api.md): their open applications and the requests awaiting the customer. */
int custmgr_queue(db_t *db, const auth_user_t *viewer, const char *manager_id, json_t **out, fg_err_t *err);

extern const flow_guard_t custmgr_guards[];

/* This module's part of the person's queue (GET /api/v1/me/queue), its fg_module_t.queue hook. */
struct fg_queue;
void custmgr_waiting(db_t *db, const auth_user_t *u, struct fg_queue *q);

#endif
