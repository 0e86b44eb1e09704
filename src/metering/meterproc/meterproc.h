#ifndef FG_METERPROC_H
#define FG_METERPROC_H
#include <stdint.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/auth/session.h"
#include "core/events/events.h"
#include "core/flow/flow.h"

/* Metering field-service cases (issue 12 item 2, R1.1; docs/api.md "Metering: service processes"): a customer-disputed meter,
 * a device install/remove, a fault, a first inspection, an error (with its 退补 calculation and a second person's
 * approval), a retrofit, a collection device install or retrofit. The process is data/flows/metering_case.json; a
 * case is opened straight into its field stage with a work order of the kind's SOP (fieldwork/interface/
 * work_orders.h, carrying the metering point's number and the meter's asset number) and follows the order: when
 * field work finishes it (WORK_ORDER_FINISHED), the crew's records (work_order_results) move the case as the
 * system actor — a test's error against the meter's class, a replacement's done. Each stage's deadline is the
 * case's due_at, counted from the flow's "limits" by the engine's flow_deadline_due. The table is
 * metering_cases (migration 0038). */

/* in: kind, subject, point_no?, asset_no?, customer_name?, customer_phone?, opened_at? (not in the future; default
 * now: the clocks count from it), data? {install_type lv|ct|hv (install), wiring direct|ct, accuracy_class,
 * energised_on YYYY-MM-DD (first_inspection, required), grade major|general|minor (error, required), team_id}.
 * Refusals: invalid_field, missing_field. out: the case (contacts in full). */
int meterproc_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
/* meterproc_create without the desk's restriction on kind: the daily run opens `periodic` cases (data {task,
 * due_on, …}) with it, as the system actor, in its own transaction. */
int meterproc_open(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
/* Periodic work generated from the assets (issue 12 item 3; data/flows/metering_case.json "periodic"): as of `day`
 * (YYYY-MM-DD, Asia/Shanghai), opens the cases that are due — first inspections of HV meters installed in the
 * window, HV meters' periodic field tests by class, CT/PT 10-year tests, PT voltage-drop tests — each once per
 * asset, task and due day (metering_periodic_runs), each in its own transaction. out: {"day", "created",
 * "items": [{task, asset_no, due_on, case_id, number}]}. -1 on a database error. */
int meterproc_periodic_run(db_t *db, const char *day, json_t **out, fg_err_t *err);
/* The daily job's step (fg_job_t): meterproc_periodic_run for today. */
int meterproc_periodic_job(db_t *db, int64_t now_ms);

/* The case with its clocks, work orders and history; NULL when there is none. Contacts in full. */
json_t *meterproc_get(db_t *db, const char *id);

typedef struct {
	const char *kind, *status;
	int late; /* 1 only late, 0 only on time, -1 either */
	int open; /* 1 only open (not closed/cancelled), -1 either */
	int limit;
	int64_t offset;
} meterproc_filter_t;
/* {"items", "next_cursor", "total"}, the nearest deadline first. */
int meterproc_list(db_t *db, const meterproc_filter_t *f, json_t **out, fg_err_t *err);

/* Masks customer_name ("张**") and customer_phone ("138****5678") of a case or of each case of a page, unless the
 * viewer holds customers.contact or metering.write (those who call the customer about the case). */
void meterproc_mask(const auth_user_t *viewer, json_t *case_or_page);

/* The WORK_ORDER_FINISHED subscriber. */
int meterproc_on_finished(db_t *db, const fg_event_t *ev, fg_err_t *err);
/* Checks the flow's limits and work kinds at start-up: 0 or -1 (logged). */
int meterproc_check(void);

extern const flow_binding_t meterproc_flow;
extern const flow_guard_t meterproc_guards[];
extern const flow_effect_t meterproc_effects[];

/* This module's part of the person's queue (GET /api/v1/me/queue; meterproc_queue.c), its fg_module_t.queue hook. */
struct fg_queue;
void meterproc_queue(db_t *db, const auth_user_t *u, struct fg_queue *q);

#endif
