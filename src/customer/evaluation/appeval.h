#ifndef FG_APPEVAL_H
#define FG_APPEVAL_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "core/auth/session.h"
#include "core/calendar/calendar.h"

/* The internal evaluation of customers' applications (业扩报装 考核; issue 11 item 10; R0.10, R0.5; docs/api.md
 * "Applications" → "Evaluation"): how the stages and the whole process kept their limits, how many working days
 * they took, how satisfied the customers were and how often they complained, by month, serving unit, team, stage
 * and kind.
 *
 * Where each figure comes from (one event, one month: the month, Asia/Shanghai, of the instant the figure was
 * decided, so a month's figures stop changing once the month is over — except complaints, below):
 *  - a stage (a visit of a state that has a deadline: one flow_timers row of kind 'state'): counted in the month
 *    it was left (flow_events), unless it was left by a cancellation (the stage was never finished). On time when
 *    its clock did not fire and the clock stopped (left, or held when it was left) at or before its due instant;
 *    late otherwise. Its working days are the clock's own counting (cal_working_days_between) over the spans the
 *    clock ran: from entering, or a resume, to a hold, or leaving; a held span does not count.
 *  - the whole process: counted in the month of power-on (the first end state that is not 'cancelled'). On time
 *    by its own clock (the 'process' timer: not fired, ended at or before its due); and, as the SG186 assessment
 *    counts it (REFERENCE.md §5.3), "all stages on time" when every stage visit up to power-on was. Its working
 *    days: the spans the process clock ran (not in the customer's-turn states, process_clock false, not held).
 *  - complaints per 1,000 applications: feedback items of kind complaint naming the application's number, over the
 *    applications taken in the month (whenever the complaint came: it is held against the month the application
 *    was taken in).
 *  - satisfaction: applications' star ratings (1–5) in the month rated; feedback items naming an application,
 *    closed with a satisfaction in the month closed: satisfied_pct = (satisfied + basically satisfied) / all.
 * A stage or process whose due or working days cannot be counted (a calendar year not known) is left out and
 * counted in "uncounted".
 *
 * Team: a stage is counted under the team that owns it for the application's serving unit (application_routing,
 * as routed at the time of the report: the routing keeps no history), or under no team (team_id null: the stage's
 * role owns it) when the unit routes it nowhere. Application-level figures (process, satisfaction, complaints) are
 * counted under the serving unit (applications.org_unit_id). */

/* ---- the pure part (appeval_calc.c: no database; unit-tested in tests/unit/test_appeval.c) ---- */

/* One application's stages and process as its history says (def: the flow definition, flow_def("application")).
 * app: {created_at, status, events: [{action, from_state, to_state, at}], timers: [{id, kind, state, due_at,
 * fired_at, ended_at, paused_at, created_at}]} (events and timers in any order).
 * Returns {visits: [{stage, entered_at, left_at, left_by, due_at, fired, on_time (true|false|null: open or not
 * decidable), working_days (int|null)}], process: {completed_at, due_at, on_time, all_stages_on_time,
 * working_days}} (nulls where not reached or not decidable). */
json_t *appeval_facts(const cal_t *cal, json_t *def, json_t *app);

/* The first instant of month "YYYY-MM" (Asia/Shanghai midnight) in *ms; false when month is not one. */
bool appeval_month_start(const char *month, int64_t *ms);
/* The month "YYYY-MM" (Asia/Shanghai) of an instant. out: 8 bytes. */
void appeval_month_of(int64_t ms, char out[8]);

/* The figures for months from..to (inclusive, "YYYY-MM") of apps: each as appeval_facts reads it plus {id, kind,
 * org_unit_id, org_unit_name, rating, rated_at, complaints (a count), feedback: [{closed_at, satisfaction}],
 * teams: {stage: {team_id, team_name}}}. The answer is GET /api/v1/applications/evaluation's (docs/api.md):
 * {from, to, total, months[], units[], stages[], by_stage[], by_team[]}. */
json_t *appeval_compute(const cal_t *cal, json_t *def, json_t *apps, const char *from, const char *to);

/* ---- reading the database ---- */

typedef struct {
	const char *from, *to;      /* "YYYY-MM", both required, at most 36 months */
	const char *org_unit_id;    /* the serving unit and the units below it */
	const char *kind, *track;
	const auth_user_t *viewer;  /* scope: as applications_visible (NULL: everything) */
} appeval_query_t;

/* 0 with *out (appeval_compute's answer plus the query's filters), or -1 with err (invalid_query with
 * details.field for a bad parameter). */
int appeval_table(db_t *db, const appeval_query_t *q, json_t **out, fg_err_t *err);
/* The same as an .xlsx workbook (appeval_xlsx.c): *buf (free()) and *len. */
int appeval_xlsx(db_t *db, const appeval_query_t *q, unsigned char **buf, size_t *len, fg_err_t *err);
int appeval_xlsx_of(json_t *table, unsigned char **buf, size_t *len, fg_err_t *err);

#endif
