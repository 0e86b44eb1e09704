#ifndef FG_HAZARDS_H
#define FG_HAZARDS_H
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/events/events.h"
#include "core/auth/session.h"
#include "core/flow/flow.h"
#include "customer/interface/hazards.h"

/* Customer hazards and their loop (data/flows/customer_hazard.json; docs/api.md "Customer hazards"). */

extern const flow_binding_t hazards_flow;
extern const flow_guard_t hazards_guards[];
extern const flow_effect_t hazards_effects[];
int hazards_check(void); /* start: the flow's data has what the module reads */

typedef struct {
	const char *customer_id, *kind, *side, *state, *q;
	int year;         /* 0: any */
	int overdue;      /* -1 any, 1 only overdue, 0 only not overdue */
	int open;         /* 1: only open (not closed or cancelled) */
	int limit;
	long long offset;
} hazards_filter_t;

/* The hazard in full (followups, history, clocks), masked for the viewer (NULL: in full); NULL when none. */
json_t *hazards_get(db_t *db, const auth_user_t *viewer, const char *id);
/* The searchable database of customer hazards (R2.16) with its filters: {items, next_cursor, total}. */
int hazards_search(db_t *db, const auth_user_t *viewer, const hazards_filter_t *f, json_t **out, fg_err_t *err);
/* The one database (R2.16): customer hazards and, read-only, those found at joint acceptance (the view
 * hazard_entries), in one shape; source all (default) | customer | application; filters customer_id, year, q, open. */
int hazards_database(db_t *db, const auth_user_t *viewer, const hazards_filter_t *f, const char *source, json_t **out, fg_err_t *err);
/* The year's analysis: counts by kind, side, state and month, closure time, overdue. */
int hazards_analysis(db_t *db, int year, json_t **out, fg_err_t *err);
/* The escalation of overdue hazards as of now: how many moved up a level, or -1. */
int hazards_escalate(db_t *db, int64_t now);
int hazards_escalate_job(db_t *db, int64_t now);
/* The subscriber of CHECK_FINDINGS (customer/interface/check_findings.h): each finding of a finished safety check
 * becomes a customer-side hazard, in the check's transaction (hazards_checks.c). */
int hazards_on_check_findings(db_t *db, const fg_event_t *ev, fg_err_t *err);
/* The notice (用电检查结果通知书) as a PDF, with the signed receipt once signed. */
int hazards_notice_pdf(db_t *db, const char *id, unsigned char **out, size_t *outlen, fg_err_t *err);
/* The report to the authority: the customer-side hazards found in [from, to] (days) as CSV (UTF-8 with BOM). */
int hazards_report_csv(db_t *db, const char *from, const char *to, char **out, size_t *outlen, fg_err_t *err);
/* The kinds as the flow file lists them (borrowed). */
json_t *hazards_kinds(void);
/* Customers by a part of their name, number or an account number (at least 2 characters), at most 20: {items: [{id,
 * number, name, account_number}]} — what a crew needs to record a hazard against the right customer. */
int hazards_customer_lookup(db_t *db, const char *q, json_t **out, fg_err_t *err);
void hazards_mask(const auth_user_t *viewer, json_t *h);

/* Hazards waiting for the person (to close under their plan, to report, a follow-up due): the module's part of
 * GET /api/v1/me/queue (hazards_queue.c). */
struct fg_queue;
void hazards_queue(db_t *db, const auth_user_t *u, struct fg_queue *q);

#endif
