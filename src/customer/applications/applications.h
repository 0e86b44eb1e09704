#ifndef FG_APPLICATIONS_H
#define FG_APPLICATIONS_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/auth/session.h"
#include "core/flow/flow.h"

/* Customers' applications (业扩报装; issue 11 items 2–3; docs/api.md "Applications"): one application per request
 * for a new connection, a capacity increase or a temporary supply, taken at the counter, by phone (95598), by a
 * customer manager or through the portal — the same record whichever way it came. Its stages are
 * data/flows/application.json, run by the engine on working-day clocks: each stage's limit and the whole-process
 * limit of its track (十项承诺), stopped while the customer has the turn or the application is held.
 *
 * kind: lv_residential | lv_non_residential | hv_single | hv_dual | capacity_increase | temporary
 * track (the clock it runs on, fixed at intake): lv_residential | lv_non_residential | hv_single | hv_dual
 *   lv_residential → lv_residential; lv_non_residential → lv_non_residential; hv_single/hv_dual → themselves;
 *   capacity_increase and temporary: by voltage (220V/380V: LV, a resident's capacity increase residential) and,
 *   on HV, by sources (2: hv_dual).
 * channel: counter | portal | phone_95598 | customer_manager
 *
 * Masking, as for customers (R2.16): without customers.contact the applicant's name and phone are masked; the ID
 * number is always masked here. Scope: as customers (org unit and below; company-wide roles everything). */

/* The binding of the "application" flow (table applications). */
extern const flow_binding_t applications_flow;

/* The row as the engine and the desk see it, unmasked, with: documents [{type, name_zh, name_en, at, required,
 * status (missing|received|accepted|rejected), attachment_id, note, by_customer, received_at, checked_by,
 * checked_at}], stage {code, name_zh, name_en, owner_role, team_id, team_name, customer_turn (bool)} and
 * waiting {reason_zh, reason, since} or null. NULL when not found. */
json_t *applications_load(db_t *db, const char *id);
/* The id of the application with that number, or NULL (caller frees). */
char *applications_id_by_number(db_t *db, const char *number);

/* Takes an application (intake, item 3): in = {kind, channel, applicant_name, applicant_phone, id_type?, id_number?,
 * supply_address, area?, org_unit_id?, voltage_level, capacity_kva, sources?, purpose?, ev_charger?, customer_id?,
 * premises_id?, fast_path?, fast_reason?, customer_manager_id?, documents?: [{type, attachment_id}]}.
 * actor NULL: the customer through the portal (channel must be portal; created_by stays NULL). The document rows
 * of the kind's list are made (missing / received), the serving unit is found from org_unit_id or the routing,
 * the clocks start. 0, or -1 with err (invalid_field / missing_field with details.field). */
int applications_create(db_t *db, const auth_user_t *actor, json_t *in, json_t **out, fg_err_t *err);

/* A document of the list received: attachment_id (an attachments row) for doc_type. by_customer: uploaded
 * through the portal (actor NULL). A document not on the application's list: not_found. Audited. */
int applications_document_put(db_t *db, const auth_user_t *actor, const char *id, const char *doc_type,
    const char *attachment_id, bool by_customer, json_t **out, fg_err_t *err);
/* The counter's check of a received document: result accepted | rejected (note says what is wrong). */
int applications_document_check(db_t *db, const auth_user_t *actor, const char *id, const char *doc_type,
    const char *result, const char *note, json_t **out, fg_err_t *err);
/* The documents the current stage (or an earlier one) needs that are not received/accepted, as
 * [{type, name_zh, name_en}] (empty: complete). */
json_t *applications_documents_missing(db_t *db, const char *id);

/* The customer's rating after power-on (status powered or archived): 1–5 stars and a comment. Once. */
int applications_rate(db_t *db, const char *id, int64_t stars, const char *comment, json_t **out, fg_err_t *err);

/* Masks an application (or each of a list) for the viewer (in place). */
void applications_mask(const auth_user_t *viewer, json_t *app);
/* Is the application within the viewer's scope (org unit and below; company-wide roles: all)? */
bool applications_visible(db_t *db, const auth_user_t *viewer, const char *id);

typedef struct {
	const char *status, *kind, *track, *channel, *org_unit_id, *customer_manager_id, *customer_id, *q, *phone;
	int late;        /* -1 any, 1 past a stage or the process limit, 0 not */
	int fast_path;   /* -1 any */
	const char *cursor;
	int limit;
	const auth_user_t *viewer;
} applications_filter_t;
/* {items: [...], next_cursor}; each item with its clocks summary "clock": {stage_due_at, process_due_at, late,
 * nearly_late, paused}. */
int applications_list(db_t *db, const applications_filter_t *f, json_t **out, fg_err_t *err);

/* The kind's document list from the flow file, for one application's row (kind, track, ev_charger). */
json_t *applications_doc_list(json_t *row);

#endif
