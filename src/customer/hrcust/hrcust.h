#ifndef FG_HRCUST_H
#define FG_HRCUST_H
#include <stdint.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/auth/session.h"
#include "core/events/events.h"
#include "core/calendar/calendar.h"

/* High-risk and important customers (issue 13 items 1 and 2; R2.9–R2.11, R2.13; docs/api.md "Safety customers and
 * their checks"):
 *   hrcust_rules.c   the rules (data/hrcust/check_rules.json, an admin's edit in settings 'hrcust.rules'):
 *                    grades with their supply rule and check period, the yearly and six-monthly rules, the
 *                    temporary customer's working days before the event, the checklists;
 *   hrcust_ledger.c  the ledger, one entry per customer of the registry (customers): grade, voltage, sources and
 *                    their substations, self-provided emergency power against the 保安 load, dual-power
 *                    registrations, electricians, the emergency plan, the suspected-unregistered flag; its flags
 *                    (a grade's supply rule unmet, emergency power < 120 % …) are judged when read, never refused;
 *   hrcust_checks.c  the checks the rules generate (once per customer, rule and due day), each a work order of
 *                    kind customer_safety_check with its checklist, recorded item by item on the phone and
 *                    finished; what a finished check found goes out as CHECK_FINDINGS
 *                    (src/customer/interface/check_findings.h); overdue checks are escalated by notification.
 *
 * Scope and masking follow the registry (customers.h): a customer out of the viewer's scope answers not_found;
 * without customers.contact a person's name is masked, and the electricians' names and phones are masked unless
 * the viewer also lacks hrcust.check (the checker on site calls them). */

int hrcust_start(void);

/* The rules in force: the shipped file with an admin's edit over it, {version, edited, …}. New reference. */
json_t *hrcust_rules(db_t *db);
/* Replaces the rules (whole document minus about/source; version required): checked, audited. */
int hrcust_rules_put(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
/* A grade's definition (borrowed from rules), NULL when unknown. */
json_t *hrcust_grade(json_t *rules, const char *grade);
/* Whether a voltage level ("35kV", "110kV", "10kV", "380V") is 35 kV or above. */
bool hrcust_is_hv35(const char *voltage_level);

/* ---- the ledger ---- */
typedef struct {
	const char *grade;
	int overdue;   /* 1: only customers with an overdue check */
	int suspected; /* 1: only suspected unregistered */
	const auth_user_t *viewer;
} hrcust_filter_t;

int hrcust_list(db_t *db, const hrcust_filter_t *f, json_t **out, fg_err_t *err);
/* The entry with its customer, flags, next check and recent checks, masked for the viewer; NULL when there is none
 * or it is out of the viewer's scope. NULL viewer: in full. */
json_t *hrcust_get(db_t *db, const auth_user_t *viewer, const char *customer_id);
int hrcust_create(db_t *db, const auth_user_t *actor, json_t *in, json_t **out, fg_err_t *err);
int hrcust_update(db_t *db, const auth_user_t *actor, const char *customer_id, json_t *in, json_t **out, fg_err_t *err);
/* Masks one entry (or each item of a page) for the viewer. */
void hrcust_mask(const auth_user_t *viewer, json_t *v);

/* ---- checks ---- */
/* As of day (YYYY-MM-DD, Asia/Shanghai): every rule's check that is due within the rules' lead_days and not made
 * yet, each in its own transaction. out: {day, created, items:[{check_id, number, customer_id, rule, due_on}]}. */
int hrcust_generate(db_t *db, const char *actor_id, const char *day, json_t **out, fg_err_t *err);
int hrcust_generate_job(db_t *db, int64_t now_ms);
/* Notifies the managers of every open check past its due day, once per check. Returns how many, -1 on error. */
int hrcust_escalate(db_t *db, int64_t now_ms);

typedef struct {
	const char *customer_id, *status, *rule;
	int overdue;
	const auth_user_t *viewer;
} hrcheck_filter_t;
int hrcheck_list(db_t *db, const hrcheck_filter_t *f, json_t **out, fg_err_t *err);
json_t *hrcheck_get(db_t *db, const auth_user_t *viewer, const char *id);
/* One item: result ok|hazard|na, note (required for hazard), photos (attachment ids). */
int hrcheck_record(db_t *db, const auth_user_t *actor, const char *id, const char *code, json_t *in, json_t **out,
    fg_err_t *err);
/* Finishes the check: every item recorded; emits CHECK_FINDINGS; the work order done. */
int hrcheck_finish(db_t *db, const auth_user_t *actor, const char *id, json_t *in, json_t **out, fg_err_t *err);

/* The WORK_ORDER_FINISHED subscriber (fieldwork/interface/work_results.h): a check whose order field work finished
 * follows when every item is recorded. */
int hrcheck_on_order_finished(db_t *db, const fg_event_t *ev, fg_err_t *err);

/* The next check of a ledger entry (e: parsed as the ledger shows it; cal may be NULL: no before-event day): its
 * earliest open check, else the earliest the rules will make, {id, number, rule, due_on, overdue, planned}; NULL
 * when there is none. */
json_t *hrcheck_next(db_t *db, json_t *rules, const cal_t *cal, json_t *e, const char *today);

/* The safety checks' part of the person's queue (GET /api/v1/me/queue; hrcust_queue.c), the module's queue hook. */
struct fg_queue;
void hrcust_queue(db_t *db, const auth_user_t *u, struct fg_queue *q);

#endif
