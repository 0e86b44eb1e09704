#ifndef FG_FEEDBACK_H
#define FG_FEEDBACK_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/auth/session.h"
#include "core/flow/flow.h"

/* Feedback and complaints (R0.10, R2.13; docs/api.md "Feedback and complaints"). An item is what a customer told
 * the company — a complaint, an opinion or suggestion, praise, a rating, an inquiry — through 95598, SMS, an online
 * questionnaire, the counter or a third-party ratings import. Its life is data/flows/feedback.json: received →
 * contacted → answered → closed (with the answer and the customer's satisfaction), reopened with a reason. The
 * clock (REFERENCE.md §5: contact within 24 h, reply within 5 working days) is the flow's "limits", counted by the
 * engine's flow_deadline_due and kept on the item (contact_due_at, reply_due_at) for the states' deadlines to read.
 * Improvements are recorded and linked to the items that gave rise to them. customer_id and application_no are
 * text references to the customer context's other modules, without a foreign key. */

/* in: kind, channel, subject, text?, contact_name?, contact_phone?, customer_id?, application_no?, rating?,
 * received_at? (not in the future; default now). Refusals: invalid_field. */
int feedback_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
/* The item with its clock ("clock": due instants and whether it is late now) and the improvements linked to it;
 * NULL when there is none. Contacts in full: mask them with feedback_mask before showing them. */
json_t *feedback_get(db_t *db, const char *id);

typedef struct {
	const char *status, *kind, *channel, *customer_id, *application_no;
	const char *contact;   /* the complainant's phone or name, exactly: a sensitive item only for its handlers */
	const char *viewer_id; /* who searches */
	int overdue; /* 1: only late ones, 0: only those on time, -1: either */
	int limit;
	const char *cursor;
} feedback_filter_t;
/* A page, newest first: {"items", "next_cursor", "total"}. */
int feedback_list(db_t *db, const feedback_filter_t *f, json_t **out, fg_err_t *err);

/* Masks contact_name ("张**"), contact_phone ("138****5678") and contact_address of an item, or of each item of a
 * page ("items"), unless the viewer holds feedback.contact. A sensitive item (flagged with feedback_flag_sensitive)
 * is masked for everyone, its text withheld too, with "masked": true: its data in full only through feedback_read. */
void feedback_mask(const auth_user_t *viewer, json_t *item_or_page);
/* Whether the viewer handles the (sensitive) item: one of its handlers, or the one who flagged it. */
bool feedback_is_handler(db_t *db, const auth_user_t *viewer, json_t *item);
/* One item for the viewer: masked as feedback_mask does, except a sensitive one for its handlers, whose read of the
 * data in full is audited ("reveal_sensitive") in its own transaction. Refusals: not_found. */
int feedback_read(db_t *db, const auth_user_t *viewer, const char *id, json_t **out, fg_err_t *err);
/* Flags a complaint sensitive (R1.4): in {reason, handler_ids}; once only. Refusals: reason_required,
 * missing_field, invalid_field, not_found, feedback_sensitive_complaint_only, feedback_already_sensitive. */
int feedback_flag_sensitive(db_t *db, const auth_user_t *actor, const char *id, json_t *in, json_t **out, fg_err_t *err);

/* A third-party ratings batch: in {source, items: [{id, rating, text?, rated_at?, author?, phone?}]}. Each rating
 * becomes an item of kind rating, channel rating_import, once per (source, id): a rating imported again is
 * skipped. {"created", "skipped", "items": [{source_ref, id, number, created}]}. Refusals: invalid_field. */
int feedback_import(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);

/* Improvements. in: title, description, owner_id, due_date (YYYY-MM-DD), item_ids?. Update: version, any of those,
 * status (open, in_progress, done, cancelled), outcome. Refusals: invalid_field, version_conflict. */
int feedback_improvement_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
int feedback_improvement_update(db_t *db, const char *actor_id, const char *id, json_t *in, json_t **out, fg_err_t *err);
json_t *feedback_improvement_get(db_t *db, const char *id);
/* {"items", "next_cursor", "total"}: status and item_id filter. */
int feedback_improvements(db_t *db, const char *status, const char *item_id, int limit, const char *cursor, json_t **out,
    fg_err_t *err);

/* Checks the flow's "limits" at start-up: 0, or -1 (logged). */
int feedback_check_limits(void);

extern const flow_binding_t feedback_flow;

/* This module's part of the person's queue (GET /api/v1/me/queue), its fg_module_t.queue hook. */
struct fg_queue;
void feedback_queue(db_t *db, const auth_user_t *u, struct fg_queue *q);

#endif
