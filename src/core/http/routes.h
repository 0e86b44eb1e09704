#ifndef FG_ROUTES_H
#define FG_ROUTES_H
#include "core/http/http.h"

/* Each module's HTTP glue exports one NULL-terminated route table; router.c lists them all. */
extern const route_t health_routes[];
extern const route_t auth_routes[];
extern const route_t device_routes[];
extern const route_t user_routes[];
extern const route_t org_routes[];
extern const route_t audit_routes[];
extern const route_t order_routes[];
extern const route_t plan_routes[];
extern const route_t attach_routes[];
extern const route_t ticket_routes[];
extern const route_t briefing_routes[];
extern const route_t survey_routes[];
extern const route_t step_routes[];
extern const route_t supervision_routes[];
extern const route_t directory_routes[];
extern const route_t kb_routes[];
extern const route_t evaluation_routes[];
extern const route_t crosscheck_routes[];
extern const route_t tool_routes[];
extern const route_t tool_import_routes[];
extern const route_t people_routes[];
extern const route_t notify_routes[];
extern const route_t contractor_routes[];
extern const route_t part_routes[];
extern const route_t charger_routes[];
extern const route_t evuser_routes[];
extern const route_t inspection_routes[];
extern const route_t fault_routes[];
extern const route_t kpi_routes[];
extern const route_t calendar_routes[]; /* core/calendar (issue 10) */

/* Calls fn for every route in dispatch order: `fieldgrid routes` prints the table the access test is generated
 * from (tests/api/access_matrix.test.mjs). */
void router_each(void (*fn)(const route_t *rt, void *arg), void *arg);

#endif
