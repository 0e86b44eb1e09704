#include <stdlib.h>
#include <string.h>
#include "core/auth/perm.h"

const char *const perm_role_names[] = {
	"admin", "manager", "issuer", "permitter", "leader", "crew", "guardian", "supervisor", "dispatcher",
	"om_engineer", "tool_keeper", "viewer", "customer_service", "customer_manager", "metering", NULL,
};

uint32_t
perm_role_bit(const char *name)
{
	for (int i = 0; name && perm_role_names[i]; i++)
		if (strcmp(perm_role_names[i], name) == 0)
			return 1u << i;
	return 0;
}

/* Permission → roles that hold it. Kept to the job (R2.16): each role gets only what its work needs.
 * Admin holds every permission. Grouped by the module that checks them, with why; perm_list sorts by name. */
static const struct {
	const char *perm;
	uint32_t roles;
} grants[] = {
	{"alarms.read", ROLE_MANAGER | ROLE_DISPATCHER | ROLE_OM_ENGINEER | ROLE_SUPERVISOR | ROLE_VIEWER},
	{"alarms.write", ROLE_MANAGER | ROLE_DISPATCHER | ROLE_OM_ENGINEER},
	/* customers' applications (src/customer/applications, docs/api.md "Applications"): the counter, customer
	 * managers, dispatchers (installation) and managers work them; supervisors and viewers read them; routing
	 * stages to teams and firing the deadlines by hand are managers' (admins hold everything) */
	{"applications.admin", ROLE_MANAGER},
	{"applications.read", ROLE_CUSTOMER_SERVICE | ROLE_CUSTOMER_MANAGER | ROLE_MANAGER | ROLE_DISPATCHER | ROLE_SUPERVISOR |
	    ROLE_VIEWER},
	{"applications.write", ROLE_CUSTOMER_SERVICE | ROLE_CUSTOMER_MANAGER | ROLE_MANAGER | ROLE_DISPATCHER},
	{"audit.read", ROLE_SUPERVISOR},
	/* backfilled work (src/fieldwork/backfill, docs/api.md "Backfilled work"): leaders, dispatchers and managers
	 * enter the paper records; leaders (their own team's) and managers review them; supervisors and viewers read */
	{"backfills.read", ROLE_MANAGER | ROLE_DISPATCHER | ROLE_LEADER | ROLE_SUPERVISOR | ROLE_VIEWER},
	{"backfills.review", ROLE_MANAGER | ROLE_LEADER},
	{"backfills.write", ROLE_MANAGER | ROLE_DISPATCHER | ROLE_LEADER},
	{"calendar.write", 0}, /* the working-day calendar: admins only */
	{"cluster.read", 0}, /* the cluster's nodes and scheduled jobs (GET /api/v1/cluster): operations, admins only */
	{"chargers.command", ROLE_OM_ENGINEER | ROLE_DISPATCHER},
	{"chargers.read", ROLE_MANAGER | ROLE_DISPATCHER | ROLE_OM_ENGINEER | ROLE_SUPERVISOR | ROLE_VIEWER},
	{"chargers.write", ROLE_MANAGER | ROLE_OM_ENGINEER},
	{"contractors.read", ROLE_MANAGER | ROLE_SUPERVISOR | ROLE_DISPATCHER | ROLE_ISSUER | ROLE_PERMITTER | ROLE_LEADER},
	{"contractors.write", ROLE_MANAGER | ROLE_SUPERVISOR},
	/* customers (src/customer/customers, docs/api.md "Customers"): the counter and the customer managers keep
	 * them; managers, dispatchers, supervisors and viewers read them, masked unless they hold customers.contact
	 * (dispatchers call customers about outages); a full ID number only through the audited identity read */
	{"customers.contact", ROLE_CUSTOMER_SERVICE | ROLE_CUSTOMER_MANAGER | ROLE_DISPATCHER},
	{"customers.identity", ROLE_CUSTOMER_SERVICE | ROLE_CUSTOMER_MANAGER},
	{"customers.read", ROLE_CUSTOMER_SERVICE | ROLE_CUSTOMER_MANAGER | ROLE_MANAGER | ROLE_DISPATCHER | ROLE_SUPERVISOR |
			       ROLE_VIEWER},
	{"customers.write", ROLE_CUSTOMER_SERVICE | ROLE_CUSTOMER_MANAGER},
	{"desk.read", ROLE_MANAGER | ROLE_DISPATCHER | ROLE_OM_ENGINEER | ROLE_SUPERVISOR | ROLE_VIEWER},
	{"desk.write", ROLE_MANAGER | ROLE_DISPATCHER},
	{"devices.manage", 0},
	/* emergency plans and drills (src/safety/drills, docs/api.md "Emergency plans and drills"): managers and
	 * supervisors keep them; everyone who works in the field or plans it reads them (they attend) */
	{"drills.read", ROLE_MANAGER | ROLE_SUPERVISOR | ROLE_DISPATCHER | ROLE_ISSUER | ROLE_PERMITTER | ROLE_LEADER |
			    ROLE_CREW | ROLE_GUARDIAN | ROLE_OM_ENGINEER | ROLE_VIEWER},
	{"drills.write", ROLE_MANAGER | ROLE_SUPERVISOR},
	/* company-level emergency mode (src/fieldwork/emergency, docs/api.md "Emergencies"): managers and dispatchers
	 * declare and end an emergency and keep the on-call roster; its review is theirs and the supervisors'; the
	 * field and the desk read it (every signed-in user sees the banner) */
	{"emergencies.declare", ROLE_MANAGER | ROLE_DISPATCHER},
	{"emergencies.read", ROLE_MANAGER | ROLE_DISPATCHER | ROLE_ISSUER | ROLE_PERMITTER | ROLE_LEADER | ROLE_CREW |
				 ROLE_GUARDIAN | ROLE_SUPERVISOR | ROLE_OM_ENGINEER | ROLE_VIEWER},
	{"emergencies.review", ROLE_MANAGER | ROLE_DISPATCHER | ROLE_SUPERVISOR},
	{"events.admin", 0}, /* failed event deliveries: see and retry (core/events) */
	{"faults.admin", 0},
	{"faults.read", ROLE_MANAGER | ROLE_DISPATCHER | ROLE_OM_ENGINEER | ROLE_SUPERVISOR | ROLE_VIEWER},
	/* feedback and complaints (src/customer/feedback, docs/api.md "Feedback and complaints"): dispatchers (the
	 * 95598 desk) and managers handle them and see the customer's contact in full (feedback.contact); supervisors
	 * and viewers read them masked; firing the deadlines by hand is admins' */
	{"feedback.admin", 0},
	{"feedback.contact", ROLE_CUSTOMER_SERVICE | ROLE_CUSTOMER_MANAGER | ROLE_MANAGER | ROLE_DISPATCHER},
	/* flagging a complaint sensitive (its complainant's data then only for its handlers): the desk and managers */
	{"feedback.flag", ROLE_CUSTOMER_SERVICE | ROLE_MANAGER | ROLE_SUPERVISOR},
	{"feedback.read", ROLE_CUSTOMER_SERVICE | ROLE_CUSTOMER_MANAGER | ROLE_MANAGER | ROLE_DISPATCHER | ROLE_SUPERVISOR |
	    ROLE_VIEWER},
	{"feedback.write", ROLE_CUSTOMER_SERVICE | ROLE_CUSTOMER_MANAGER | ROLE_MANAGER | ROLE_DISPATCHER},
	/* high-risk and important customers and their safety checks (src/customer/hrcust, docs/api.md "Safety customers
	 * and their checks"): customer managers keep the ledger with managers; crews, leaders and customer managers run
	 * the checks on site; managers edit the rules and generate now; the counter, dispatchers, supervisors and viewers
	 * read */
	{"hrcust.admin", ROLE_MANAGER},
	{"hrcust.check", ROLE_CREW | ROLE_LEADER | ROLE_CUSTOMER_MANAGER},
	{"hrcust.read", ROLE_CUSTOMER_SERVICE | ROLE_CUSTOMER_MANAGER | ROLE_MANAGER | ROLE_DISPATCHER | ROLE_SUPERVISOR | ROLE_VIEWER |
			    ROLE_LEADER | ROLE_CREW},
	{"hrcust.write", ROLE_CUSTOMER_MANAGER | ROLE_MANAGER},
	/* customer hazards and seals (src/customer/hazards, src/customer/seals; docs/api.md "Customer hazards", "Seals"): the
	 * customer managers (用电检查) and the crews on site record hazards, notices, receipts, follow-ups and seals;
	 * managers run them; the report to the authority is the customer managers' and managers'; removing a seal is an
	 * authorised person's (managers); supervisors and viewers read */
	{"hazards.admin", ROLE_MANAGER},
	{"hazards.read", ROLE_CUSTOMER_MANAGER | ROLE_MANAGER | ROLE_LEADER | ROLE_CREW | ROLE_DISPATCHER | ROLE_SUPERVISOR | ROLE_VIEWER},
	{"hazards.report", ROLE_CUSTOMER_MANAGER | ROLE_MANAGER},
	{"hazards.write", ROLE_CUSTOMER_MANAGER | ROLE_MANAGER | ROLE_LEADER | ROLE_CREW},
	{"idtags.credit", ROLE_MANAGER | ROLE_DISPATCHER},
	{"idtags.write", ROLE_MANAGER},
	{"kb.write", 0},
	{"notify.admin", 0}, /* notification channels, their secrets and the delivery log (shared/notify) */
	/* metering (src/metering, issue 12): the metering centre runs it; dispatchers and managers work it too; crews,
	 * leaders and tool keepers read the ledger (a crew scans a meter; a keeper issues it); supervisors and viewers
	 * read. Stock moves (receive, issue, return, send for verification) are the keepers' and the centre's;
	 * metering.approve is the second person on a refund / back-charge (退补); metering.admin: imports, display
	 * links, firing deadlines by hand */
	{"metering.admin", ROLE_METERING | ROLE_MANAGER},
	{"metering.approve", ROLE_METERING | ROLE_MANAGER},
	{"metering.read", ROLE_METERING | ROLE_MANAGER | ROLE_DISPATCHER | ROLE_SUPERVISOR | ROLE_VIEWER | ROLE_TOOL_KEEPER |
			      ROLE_LEADER | ROLE_CREW},
	{"metering.stock", ROLE_METERING | ROLE_TOOL_KEEPER},
	{"metering.write", ROLE_METERING | ROLE_MANAGER | ROLE_DISPATCHER},
	{"org.read", 0},
	{"org.write", 0},
	{"orders.read", ROLE_MANAGER | ROLE_DISPATCHER | ROLE_ISSUER | ROLE_PERMITTER | ROLE_LEADER | ROLE_CREW |
			    ROLE_GUARDIAN | ROLE_SUPERVISOR | ROLE_OM_ENGINEER | ROLE_VIEWER},
	{"orders.write", ROLE_MANAGER | ROLE_DISPATCHER},
	{"parts.read", ROLE_OM_ENGINEER | ROLE_TOOL_KEEPER | ROLE_MANAGER | ROLE_DISPATCHER | ROLE_VIEWER},
	{"parts.request", ROLE_OM_ENGINEER | ROLE_MANAGER},
	{"parts.write", ROLE_TOOL_KEEPER | ROLE_MANAGER},
	{"people.read", ROLE_MANAGER | ROLE_SUPERVISOR | ROLE_DISPATCHER | ROLE_ISSUER | ROLE_PERMITTER | ROLE_LEADER},
	{"people.write", ROLE_MANAGER | ROLE_SUPERVISOR},
	{"plans.read", ROLE_MANAGER | ROLE_DISPATCHER | ROLE_ISSUER | ROLE_PERMITTER | ROLE_LEADER | ROLE_CREW |
			   ROLE_GUARDIAN | ROLE_SUPERVISOR | ROLE_OM_ENGINEER | ROLE_VIEWER},
	{"plans.write", ROLE_MANAGER | ROLE_DISPATCHER},
	{"reminders.run", 0},
	{"reservations.write", ROLE_MANAGER | ROLE_DISPATCHER | ROLE_OM_ENGINEER},
	{"seals.remove", ROLE_MANAGER},
	{"seals.write", ROLE_CUSTOMER_MANAGER | ROLE_MANAGER | ROLE_LEADER | ROLE_CREW},
	{"supervision.read", ROLE_SUPERVISOR | ROLE_MANAGER | ROLE_DISPATCHER | ROLE_ISSUER | ROLE_PERMITTER | ROLE_VIEWER},
	{"supervision.write", ROLE_SUPERVISOR | ROLE_MANAGER},
	{"tickets.write", ROLE_MANAGER | ROLE_ISSUER | ROLE_LEADER},
	{"tools.read", ROLE_TOOL_KEEPER | ROLE_MANAGER | ROLE_LEADER | ROLE_CREW | ROLE_GUARDIAN | ROLE_SUPERVISOR |
			   ROLE_OM_ENGINEER | ROLE_DISPATCHER | ROLE_VIEWER},
	{"tools.write", ROLE_TOOL_KEEPER},
	{"users.read", 0},
	{"users.write", 0},
};

bool
perm_allows(uint32_t roles, const char *perm)
{
	if (roles & ROLE_ADMIN)
		return true;
	for (size_t i = 0; i < sizeof grants / sizeof grants[0]; i++)
		if (strcmp(grants[i].perm, perm) == 0)
			return (grants[i].roles & roles) != 0;
	return false;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *
perm_list(uint32_t roles)
{
	const char *held[sizeof grants / sizeof grants[0]];
	size_t n = 0;
	for (size_t i = 0; i < sizeof grants / sizeof grants[0]; i++)
		if (perm_allows(roles, grants[i].perm))
			held[n++] = grants[i].perm;
	qsort(held, n, sizeof *held, by_name);
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(held[i]));
	return a;
}
