/* The one table of modules (issue 10): the router dispatches to their routes in this order (a route of an earlier
 * module wins where two patterns match one path), the flow engine finds guards and effects here, the scheduler runs
 * their jobs, the event bus delivers to their subscriptions. A new module is a folder with its <name>_module.c and one
 * line here; no other central file changes. */
#include "core/module/module.h"

extern const fg_module_t health_module, cluster_module, auth_module, org_module, audit_module, maintenance_module, calendar_module, flow_module, events_module;
extern const fg_module_t orders_module, plans_module, attach_module, tickets_module, briefings_module, surveys_module,
    steps_module, jobs_module, supervision_module, kb_module, evaluation_module, crosscheck_module, tools_module, people_module,
    notify_module, contractors_module, parts_module, chargers_module, evusers_module, inspections_module,
    faults_module, kpis_module;
extern const fg_module_t customers_module, feedback_module, applications_module;
extern const fg_module_t appeval_module;
extern const fg_module_t portal_module;
extern const fg_module_t acceptance_module, custmgr_module;
extern const fg_module_t appjobs_module; /* field work from an application (issue 11 item 4) */
extern const fg_module_t appspace_module;
extern const fg_module_t hazards_module, seals_module; /* customer hazards and seals (issue 13 items 3–4) */
extern const fg_module_t quality_module; /* metering: service quality and evaluation (issue 12 item 6) */
extern const fg_module_t screen_module; /* the metering centre's large screen (issue 12 item 7) */
extern const fg_module_t collection_module; /* collection anomalies and rates (issue 12 item 5) */
extern const fg_module_t meterproc_module; /* metering field-service cases (issue 12 item 2) */
extern const fg_module_t metering_imports_module, rotation_module; /* metering (issue 12 item 4) */
extern const fg_module_t metering_assets_module; /* metering assets (issue 12 item 1) */
extern const fg_module_t emergency_module, drills_module; /* emergency mode, plans and drills (issue 13 items 5, 6) */
extern const fg_module_t hrcust_module; /* high-risk and important customers and their checks (issue 13 items 1, 2) */
extern const fg_module_t backfill_module; /* work entered after the system was down (issue 13 item 7) */

const fg_module_t *const fg_modules[] = {
	/* core */
	&health_module, &cluster_module, &auth_module, &audit_module, &maintenance_module, &calendar_module, &flow_module, &events_module,
	/* shared */
	&org_module, &attach_module, &notify_module,
	/* field work */
	&orders_module, &plans_module, &tickets_module, &briefings_module, &surveys_module, &steps_module, &jobs_module,
	&supervision_module, &evaluation_module, &crosscheck_module, &emergency_module, &backfill_module,
	/* safety */
	&kb_module, &tools_module, &people_module, &contractors_module, &drills_module,
	/* charging */
	&parts_module, &chargers_module, &evusers_module, &inspections_module, &faults_module, &kpis_module,
	/* customer */
	/* the evaluation, the board and the responsibility list before the applications' own routes: their
	 * /api/v1/applications/{id} would take /applications/evaluation, /applications/board, /applications/responsibilities */
	&appeval_module,
	&customers_module, &feedback_module,
	&appspace_module,
	&applications_module,
	&portal_module,
	&acceptance_module, &custmgr_module,
	&appjobs_module,
	&hrcust_module,
	&hazards_module, &seals_module,
	/* metering (issue 12): the ledger first, so a finished job's meters have moved before the modules that
	 * follow the same work_order.finished look at them */
	&metering_assets_module,
	&metering_imports_module, &rotation_module,
	&meterproc_module,
	&collection_module,
	&screen_module,
	&quality_module,
	NULL,
};
