/* The one table of modules (issue 10): the router dispatches to their routes in this order (a route of an earlier
 * module wins where two patterns match one path), the flow engine finds guards and effects here, the scheduler runs
 * their jobs, the event bus delivers to their subscriptions. A new module is a folder with its <name>_module.c and one
 * line here; no other central file changes. */
#include "core/module/module.h"

extern const fg_module_t health_module, auth_module, org_module, audit_module, maintenance_module, calendar_module, flow_module, events_module;
extern const fg_module_t orders_module, plans_module, attach_module, tickets_module, briefings_module, surveys_module,
    steps_module, jobs_module, supervision_module, kb_module, evaluation_module, crosscheck_module, tools_module, people_module,
    notify_module, contractors_module, parts_module, chargers_module, evusers_module, inspections_module,
    faults_module, kpis_module;
extern const fg_module_t customers_module, feedback_module, applications_module;
extern const fg_module_t appspace_module;

const fg_module_t *const fg_modules[] = {
	/* core */
	&health_module, &auth_module, &audit_module, &maintenance_module, &calendar_module, &flow_module, &events_module,
	/* shared */
	&org_module, &attach_module, &notify_module,
	/* field work */
	&orders_module, &plans_module, &tickets_module, &briefings_module, &surveys_module, &steps_module, &jobs_module,
	&supervision_module, &evaluation_module, &crosscheck_module,
	/* safety */
	&kb_module, &tools_module, &people_module, &contractors_module,
	/* charging */
	&parts_module, &chargers_module, &evusers_module, &inspections_module, &faults_module, &kpis_module,
	/* customer */
	&customers_module, &feedback_module,
	&appspace_module, /* before applications: its /applications/board and /applications/responsibilities come before /applications/{id} */
	&applications_module,
	NULL,
};
