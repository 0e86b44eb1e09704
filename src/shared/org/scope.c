/* The scope rule (scope.h, docs/api.md "Scope") in one place, so every route applies the same one. */
#include <string.h>
#include "core/base/util.h"
#include "core/auth/perm.h"
#include "shared/org/scope.h"
#include "shared/org/org.h"

bool
scope_company_wide(const auth_user_t *u)
{
	return !u || (u->roles & SCOPE_COMPANY_ROLES) != 0;
}

bool
scope_plan_member(db_t *db, const char *user_id, const char *plan_id)
{
	int rc;
	if (!user_id || !plan_id)
		return false;
	json_t *row = db_one(db_q(db,
	    "SELECT id FROM plans WHERE id = $1 AND (leader_id = $2 OR onsite_supervisor_id = $2 OR "
	    "EXISTS (SELECT 1 FROM plan_crew c WHERE c.plan_id = $1 AND c.user_id = $2))",
	    "tt", plan_id, user_id), &rc);
	bool yes = row != NULL;
	json_decref(row);
	return yes;
}

bool
scope_plan_visible(db_t *db, const auth_user_t *u, const char *plan_id)
{
	int rc;
	if (!plan_id)
		return false;
	json_t *p = db_one(db_q(db, "SELECT team_id FROM plans WHERE id = $1", "t", plan_id), &rc);
	if (!p)
		return false;
	bool yes = scope_company_wide(u) || (u->org_unit_id[0] && org_within(db, fg_jstr(p, "team_id"), u->org_unit_id)) ||
		   scope_plan_member(db, u->id, plan_id);
	json_decref(p);
	return yes;
}

bool
scope_ticket_plan(db_t *db, const char *ticket_id, char plan_id[64])
{
	int rc;
	json_t *t = ticket_id ? db_one(db_q(db, "SELECT plan_id FROM tickets WHERE id = $1", "t", ticket_id), &rc) : NULL;
	if (t)
		fg_fmt(plan_id, 64, "%s", fg_jstr(t, "plan_id"));
	json_decref(t);
	return t != NULL;
}

int
scope_plan_check(db_t *db, const auth_user_t *u, const char *plan_id, const char *entity, const char *id, fg_err_t *err)
{
	return scope_plan_visible(db, u, plan_id) ? 0 : fg_err_not_found(err, entity, id);
}

int
scope_ticket_check(db_t *db, const auth_user_t *u, const char *ticket_id, fg_err_t *err)
{
	char plan[64];
	if (!scope_ticket_plan(db, ticket_id, plan) || !scope_plan_visible(db, u, plan))
		return fg_err_not_found(err, "ticket", ticket_id);
	return 0;
}

void
scope_plan_filter(qb_t *q, const auth_user_t *u, const char *plan_col)
{
	if (scope_company_wide(u))
		return;
	qb_sql(q, " AND ");
	qb_sql(q, plan_col);
	qb_sql(q, " IN (SELECT sp.id FROM plans sp WHERE sp.leader_id = ");
	qb_text(q, u->id);
	qb_sql(q, " OR sp.onsite_supervisor_id = ");
	qb_text(q, u->id);
	qb_sql(q, " OR sp.id IN (SELECT sc.plan_id FROM plan_crew sc WHERE sc.user_id = ");
	qb_text(q, u->id);
	qb_sql(q, ")");
	if (u->org_unit_id[0]) { /* the unit and every unit below it; UNION stops at a repeated unit */
		qb_sql(q, " OR sp.team_id IN (WITH RECURSIVE down(id) AS (SELECT id FROM org_units WHERE id = ");
		qb_text(q, u->org_unit_id);
		qb_sql(q, " UNION SELECT o.id FROM org_units o JOIN down d ON o.parent_id = d.id) SELECT id FROM down)");
	}
	qb_sql(q, ")");
}

/* The plan an entity belongs to, for the entities that belong to one. Returns 1 found, 0 no such entity,
 * -1 not a plan-scoped entity. */
static int
entity_plan(db_t *db, const char *entity, const char *id, char plan_id[64])
{
	static const struct {
		const char *entity, *sql;
	} map[] = {
		{"plan", "SELECT id AS plan_id FROM plans WHERE id = $1"},
		{"survey", "SELECT plan_id FROM surveys WHERE id = $1"},
		{"ticket", "SELECT plan_id FROM tickets WHERE id = $1"},
		{"ticket_risk", "SELECT t.plan_id FROM ticket_risks r JOIN tickets t ON t.id = r.ticket_id WHERE r.id = $1"},
		/* a step photo is uploaded before the step exists, so entity_id may be its work order (docs/api.md) */
		{"step", "SELECT p.id AS plan_id FROM plans p WHERE p.id IN (SELECT plan_id FROM job_steps WHERE id = $1) OR "
			 "p.id IN (SELECT plan_id FROM plan_orders WHERE work_order_id = $1) ORDER BY p.created_at DESC LIMIT 1"},
		{"finding", "SELECT plan_id FROM findings WHERE id = $1"},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		if (strcmp(map[i].entity, entity) != 0)
			continue;
		int rc;
		json_t *row = db_one(db_q(db, map[i].sql, "t", id), &rc);
		if (row)
			fg_fmt(plan_id, 64, "%s", fg_jstr(row, "plan_id"));
		json_decref(row);
		return row != NULL;
	}
	return -1;
}

bool
scope_attachment_visible(db_t *db, const auth_user_t *u, json_t *a)
{
	if (scope_company_wide(u))
		return true;
	const char *up = fg_jstr(a, "uploaded_by"), *entity = fg_jstr(a, "entity"), *eid = fg_jstr(a, "entity_id");
	if (up && strcmp(up, u->id) == 0)
		return true;
	char plan[64];
	if (entity && eid) {
		int found = entity_plan(db, entity, eid, plan);
		if (found >= 0)
			return found == 1 && scope_plan_visible(db, u, plan);
		return true; /* contractors, work orders, defects, inspections: their routes' permission is the rule */
	}
	/* a file uploaded unattached and referenced later: visible through any plan that references it */
	int rc;
	json_t *plans = db_all(db_q(db,
	    "SELECT s.plan_id FROM job_step_photos p JOIN job_steps s ON s.id = p.step_id WHERE p.attachment_id = $1 "
	    "UNION SELECT t.plan_id FROM ticket_photos p JOIN tickets t ON t.id = p.ticket_id WHERE p.attachment_id = $1 "
	    "UNION SELECT t.plan_id FROM ticket_risks r JOIN tickets t ON t.id = r.ticket_id WHERE r.evidence_id = $1",
	    "t", fg_jstr(a, "id")), &rc);
	if (!plans)
		return false;
	size_t n = json_array_size(plans), i;
	json_t *row;
	bool yes = n == 0; /* referenced by no field work (e.g. a defect's photo): not field work's to hide */
	json_array_foreach(plans, i, row) if (!yes && scope_plan_visible(db, u, fg_jstr(row, "plan_id"))) yes = true;
	json_decref(plans);
	return yes;
}

int
scope_attach_check(db_t *db, const auth_user_t *u, const char *entity, const char *entity_id, fg_err_t *err)
{
	if (u->roles & ROLE_ADMIN)
		return 0;
	/* a file not attached yet is only bytes until a write that may reference it; viewers and tool keepers
	 * write nothing that takes one */
	if (!entity) {
		if ((u->roles & ~(uint32_t)(ROLE_VIEWER | ROLE_TOOL_KEEPER)) == 0)
			return fg_err(err, "forbidden");
		return 0;
	}
	if (!entity_id || !fg_is_uuid(entity_id)) /* attach_store names the missing or malformed id */
		return 0;
	char plan[64];
	int found = entity_plan(db, entity, entity_id, plan);
	if (found == 0)
		return fg_err_not_found(err, entity, entity_id);
	if (found == 1) {
		if (!scope_plan_visible(db, u, plan))
			return fg_err_not_found(err, entity, entity_id);
		bool may = strcmp(entity, "finding") == 0 ? perm_allows(u->roles, "supervision.write")
							  : ((u->roles & SCOPE_COMPANY_ROLES & ~(uint32_t)ROLE_VIEWER) != 0 ||
								scope_plan_member(db, u->id, plan));
		return may ? 0 : fg_err(err, "forbidden");
	}
	/* the rest belong to modules without team scope: the permission that writes them */
	const char *perm = strcmp(entity, "contractor") == 0 ? "contractors.write"
			   : strcmp(entity, "work_order") == 0 ? "orders.write"
			   : (strcmp(entity, "defect") == 0 || strcmp(entity, "inspection") == 0) ? "chargers.write"
												  : NULL;
	if (!perm)
		return 0; /* not a kind of entity files attach to: attach_store refuses it by name */
	if (perm_allows(u->roles, perm))
		return 0;
	if (strcmp(entity, "work_order") == 0) { /* the crew of a job photographs its orders */
		int rc;
		json_t *row = db_one(db_q(db,
		    "SELECT po.plan_id FROM plan_orders po JOIN plans p ON p.id = po.plan_id WHERE po.work_order_id = $1 AND "
		    "(p.leader_id = $2 OR EXISTS (SELECT 1 FROM plan_crew c WHERE c.plan_id = p.id AND c.user_id = $2))",
		    "tt", entity_id, u->id), &rc);
		bool member = row != NULL;
		json_decref(row);
		if (member)
			return 0;
	}
	return fg_err(err, "forbidden");
}

void
scope_mask_phone(const char *in, char *out, size_t n)
{
	size_t len = strlen(in), keep_head = len >= 7 ? 3 : 0, keep_tail = len >= 7 ? 4 : (len > 2 ? 2 : 0), o = 0;
	for (size_t i = 0; i < len && o + 1 < n; i++)
		out[o++] = (i < keep_head || i >= len - keep_tail) ? in[i] : '*';
	out[o] = '\0';
}

/* Length in bytes of the UTF-8 sequence starting with c (1 for a stray continuation byte: never splits). */
static size_t
u8len(unsigned char c)
{
	return c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

void
scope_mask_name(const char *in, char *out, size_t n)
{
	size_t len = strlen(in), chars = 0, o = 0;
	for (size_t i = 0; i < len; i += u8len((unsigned char)in[i]))
		chars++;
	/* keep the first character, and the last one of names of three or more */
	size_t k = 0;
	for (size_t i = 0; i < len; k++) {
		size_t l = u8len((unsigned char)in[i]);
		if (i + l > len)
			l = len - i;
		bool keep = k == 0 || (chars >= 3 && k == chars - 1);
		if (keep) {
			if (o + l + 1 > n)
				break;
			memcpy(out + o, in + i, l);
			o += l;
		} else if (o + 2 <= n) {
			out[o++] = '*';
		}
		i += l;
	}
	if (n)
		out[o < n ? o : n - 1] = '\0';
}

void
scope_phone(db_t *db, const auth_user_t *u, json_t *obj, const char *key, const char *person_id, const char *plan_id)
{
	const char *ph = fg_jstr(obj, key);
	if (!ph || !u || (u->roles & SCOPE_PHONE_ROLES) || (person_id && strcmp(person_id, u->id) == 0) ||
	    (plan_id && scope_plan_member(db, u->id, plan_id)))
		return;
	char m[64];
	scope_mask_phone(ph, m, sizeof m);
	json_object_set_new(obj, key, json_string(m));
}

void
scope_plan_phones(db_t *db, const auth_user_t *u, json_t *plan)
{
	if (!plan || !u || (u->roles & SCOPE_PHONE_ROLES))
		return;
	const char *pid = fg_jstr(plan, "id");
	if (scope_plan_member(db, u->id, pid)) /* the plan's people call each other */
		return;
	json_t *p;
	size_t i;
	static const char *const one[] = {"leader", "onsite_supervisor"};
	for (int k = 0; k < 2; k++)
		if (json_is_object(p = json_object_get(plan, one[k])))
			scope_phone(db, u, p, "phone", fg_jstr(p, "id"), NULL);
	json_array_foreach(json_object_get(plan, "crew"), i, p) scope_phone(db, u, p, "phone", fg_jstr(p, "id"), NULL);
}

void
scope_directory_phones(db_t *db, const auth_user_t *u, json_t *people)
{
	if (!u || (u->roles & SCOPE_PHONE_ROLES) || !json_array_size(people))
		return;
	int rc;
	/* everyone on a plan the viewer is on, while the job is ahead or under way */
	json_t *rows = db_all(db_q(db,
	    "WITH mine AS (SELECT p.id FROM plans p WHERE p.status IN ('draft', 'published', 'working', 'paused') AND "
	    "(p.leader_id = $1 OR p.onsite_supervisor_id = $1 OR EXISTS (SELECT 1 FROM plan_crew c WHERE c.plan_id = p.id "
	    "AND c.user_id = $1))) "
	    "SELECT leader_id AS uid FROM plans WHERE id IN (SELECT id FROM mine) "
	    "UNION SELECT onsite_supervisor_id FROM plans WHERE id IN (SELECT id FROM mine) AND onsite_supervisor_id IS NOT NULL "
	    "UNION SELECT user_id FROM plan_crew WHERE plan_id IN (SELECT id FROM mine)",
	    "t", u->id), &rc);
	json_t *known = json_object(), *row, *p;
	size_t i;
	json_array_foreach(rows, i, row) if (json_string_value(json_object_get(row, "uid")))
		json_object_set_new(known, json_string_value(json_object_get(row, "uid")), json_true());
	json_decref(rows);
	json_object_set_new(known, u->id, json_true());
	json_array_foreach(people, i, p) {
		const char *id = fg_jstr(p, "id"), *ph = fg_jstr(p, "phone");
		if (!ph || (id && json_object_get(known, id)))
			continue;
		char m[64];
		scope_mask_phone(ph, m, sizeof m);
		json_object_set_new(p, "phone", json_string(m));
	}
	json_decref(known);
}
