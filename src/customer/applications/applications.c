/* Customers' applications: intake, the document checklist, the stage and its owner, reads with masking and scope
 * (applications.h). The stages themselves are data/flows/application.json, run by the engine. */
#include <string.h>
#include <ctype.h>
#include "core/base/counter.h"
#include "core/base/util.h"
#include "core/base/log.h"
#include "core/audit/audit.h"
#include "core/auth/perm.h"
#include "shared/org/org.h"
#include "shared/org/scope.h"
#include "shared/notify/outbox.h"
#include "customer/customers/customers.h"
#include "customer/applications/applications.h"

static const char *const kinds[] = {"lv_residential", "lv_non_residential", "hv_single", "hv_dual", "capacity_increase",
    "temporary", NULL};
static const char *const channels[] = {"counter", "portal", "phone_95598", "customer_manager", NULL};
static const char *const lv_voltages[] = {"220V", "380V", NULL};
static const char *const hv_voltages[] = {"10kV", "20kV", "35kV", "66kV", "110kV", "220kV", NULL};
static const char *const id_types[] = {"id_card", "uscc", "other", NULL};

#define A_COLS "id, number, kind, track, status, channel, ev_charger, customer_id, premises_id, metering_point_id, " \
	       "applicant_name, applicant_phone, id_type, id_number, supply_address, area, org_unit_id, voltage_level, " \
	       "capacity_kva, sources, purpose, fast_path, fast_reason, customer_manager_id, waiting_reason, hold_reason, " \
	       "held_at, accepted_at, powered_on_at, archived_at, cancelled_at, cancel_reason, rating, rating_comment, " \
	       "rated_at, created_by, created_at, updated_at, version"

/* Flags are 0/1 in the table and booleans in the JSON the flow's "when" and the clients read. */
static void
as_bool(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	if (json_is_integer(v))
		json_object_set_new(o, k, json_boolean(json_integer_value(v) != 0));
}

/* ---- the flow file's data: documents and stages ---- */

static json_t *
flow(void)
{
	return flow_def("application");
}

json_t *
applications_doc_list(json_t *row)
{
	json_t *out = json_array(), *d;
	size_t i;
	json_array_foreach(json_object_get(flow(), "documents"), i, d) {
		if (!flow_when_holds(json_object_get(d, "when"), row))
			continue;
		json_t *c = json_deep_copy(d);
		json_object_del(c, "when");
		json_array_append_new(out, c);
	}
	return out;
}

static json_t *
state_def(const char *code)
{
	json_t *s;
	size_t i;
	json_array_foreach(json_object_get(flow(), "states"), i, s) if (code && strcmp(fg_jstr(s, "code"), code) == 0) return s;
	return NULL;
}

/* Stages in the order of the states list: a document is needed by the stage it names and every stage after. */
static int
stage_index(const char *code)
{
	json_t *s;
	size_t i;
	json_array_foreach(json_object_get(flow(), "states"), i, s) if (code && strcmp(fg_jstr(s, "code"), code) == 0) return (int)i;
	return -1;
}

/* The track of what the customer asked for (applications.h). A resident's capacity increase on LV keeps the
 * residential promise; any other LV one is non-residential; HV follows the number of sources. */
static const char *
track_of(const char *kind, const char *voltage, int64_t sources, const char *id_type)
{
	if (strcmp(kind, "capacity_increase") != 0 && strcmp(kind, "temporary") != 0)
		return kind;
	if (fg_one_of(voltage, lv_voltages))
		return strcmp(kind, "capacity_increase") == 0 && id_type && strcmp(id_type, "id_card") == 0 ? "lv_residential"
													   : "lv_non_residential";
	return sources == 2 ? "hv_dual" : "hv_single";
}

/* ---- reads ---- */

static json_t *
documents_of(db_t *db, json_t *app)
{
	int rc;
	json_t *rows = db_all(db_q(db, "SELECT doc_type, required, status, attachment_id, note, by_customer, received_at, "
				       "checked_by, checked_at FROM application_documents WHERE application_id = $1", "t",
				  fg_jstr(app, "id")), &rc);
	json_t *list = applications_doc_list(app), *d, *r;
	size_t i, j;
	json_array_foreach(list, i, d) {
		json_object_set_new(d, "status", json_string("missing"));
		json_array_foreach(rows, j, r) {
			if (strcmp(fg_jstr(r, "doc_type"), fg_jstr(d, "type")) != 0)
				continue;
			json_object_update(d, r);
			json_object_del(d, "doc_type");
		}
		as_bool(d, "required");
		as_bool(d, "by_customer");
		if (!json_object_get(d, "required"))
			json_object_set_new(d, "required", json_true());
	}
	json_decref(rows);
	return list;
}

/* The stage the application is in: its name, the role that owns it and, by the serving unit's routing, the team. */
static json_t *
stage_of(db_t *db, json_t *app)
{
	const char *code = fg_jstr(app, "status");
	json_t *s = state_def(code);
	const char *owner = fg_jstr(s, "owner");
	json_t *team = NULL;
	if (fg_jstr(app, "org_unit_id")) {
		int rc;
		team = db_one(db_q(db, "SELECT r.team_id, o.name AS team_name FROM application_routing r JOIN org_units o "
				       "ON o.id = r.team_id WHERE r.org_unit_id = $1 AND r.stage = $2", "tt",
				  fg_jstr(app, "org_unit_id"), code), &rc);
	}
	json_t *pc = json_object_get(s, "process_clock");
	json_t *out = json_pack("{s:s, s:O, s:O, s:s?, s:O, s:O, s:b}", "code", code, "name_zh",
	    json_object_get(s, "name_zh"), "name_en", json_object_get(s, "name_en"), "owner_role",
	    owner && strcmp(owner, "customer") ? owner : NULL, "team_id",
	    team ? json_object_get(team, "team_id") : json_null(), "team_name",
	    team ? json_object_get(team, "team_name") : json_null(), "customer_turn", owner && strcmp(owner, "customer") == 0);
	if (!json_object_get(out, "owner_role"))
		json_object_set_new(out, "owner_role", json_null());
	(void)pc;
	json_decref(team);
	return out;
}

/* Why the clock stands, as the customer reads it: the customer's turn (the stage's name and what was asked) or a
 * hold with its reason. null while the supplier's clock runs. */
static json_t *
waiting_of(json_t *app, json_t *stage)
{
	if (json_is_true(json_object_get(stage, "customer_turn")))
		return json_pack("{s:s, s:O, s:O, s:O}", "kind", "customer_turn", "reason_zh", json_object_get(stage, "name_zh"),
		    "reason_en", json_object_get(stage, "name_en"), "detail", json_object_get(app, "waiting_reason"));
	if (fg_jstr(app, "hold_reason"))
		return json_pack("{s:s, s:s, s:s, s:O, s:O}", "kind", "hold", "reason_zh", "暂停办理", "reason_en", "On hold",
		    "detail", json_object_get(app, "hold_reason"), "since", json_object_get(app, "held_at"));
	return json_null();
}

static json_t *
row_of(db_t *db, const char *id)
{
	int rc;
	json_t *a = db_one(db_q(db, "SELECT " A_COLS " FROM applications WHERE id = $1", "t", id), &rc);
	if (a) {
		as_bool(a, "ev_charger");
		as_bool(a, "fast_path");
	}
	return a;
}

json_t *
applications_load(db_t *db, const char *id)
{
	json_t *a = row_of(db, id);
	if (!a)
		return NULL;
	json_object_set_new(a, "documents", documents_of(db, a));
	json_t *stage = stage_of(db, a);
	json_object_set_new(a, "waiting", waiting_of(a, stage));
	json_object_set_new(a, "stage", stage);
	return a;
}

const flow_binding_t applications_flow = {"application", "applications", "application", applications_load, NULL,
    "applications.read", applications_visible};

char *
applications_id_by_number(db_t *db, const char *number)
{
	int rc;
	json_t *r = db_one(db_q(db, "SELECT id FROM applications WHERE number = $1", "t", number), &rc);
	char *id = r ? fg_strdup(fg_jstr(r, "id")) : NULL;
	json_decref(r);
	return id;
}

static bool
unit_visible(db_t *db, const auth_user_t *u, const char *unit)
{
	return !u || scope_company_wide(u) || !unit || (u->org_unit_id[0] && org_within(db, unit, u->org_unit_id));
}

bool
applications_visible(db_t *db, const auth_user_t *viewer, const char *id)
{
	int rc;
	json_t *r = db_one(db_q(db, "SELECT org_unit_id FROM applications WHERE id = $1", "t", id), &rc);
	bool ok = r && unit_visible(db, viewer, fg_jstr(r, "org_unit_id"));
	json_decref(r);
	return ok;
}

static void
mask_key(json_t *o, const char *key, void (*mask)(const char *, char *, size_t))
{
	const char *v = fg_jstr(o, key);
	if (!v)
		return;
	char m[256];
	mask(v, m, sizeof m);
	json_object_set_new(o, key, json_string(m));
}

static void
mask_one(const auth_user_t *viewer, json_t *a)
{
	mask_key(a, "id_number", customers_mask_id);
	if (viewer && perm_allows(viewer->roles, "customers.contact"))
		return;
	/* an organisation's name is on its licence; a person's is masked */
	if (!fg_jstr(a, "id_type") || strcmp(fg_jstr(a, "id_type"), "uscc") != 0)
		mask_key(a, "applicant_name", customers_mask_name);
	mask_key(a, "applicant_phone", scope_mask_phone);
}

void
applications_mask(const auth_user_t *viewer, json_t *app)
{
	if (json_is_array(app)) {
		json_t *a;
		size_t i;
		json_array_foreach(app, i, a) mask_one(viewer, a);
	} else if (json_is_object(app))
		mask_one(viewer, app);
}

json_t *
applications_documents_missing(db_t *db, const char *id)
{
	json_t *a = applications_load(db, id), *out = json_array(), *d;
	size_t i;
	if (!a)
		return out;
	int here = stage_index(fg_jstr(a, "status"));
	/* a document is needed once its stage is reached: the current stage, or any before it (the customer's-turn
	 * states waiting for it included: drawings while the design is the customer's) */
	json_array_foreach(json_object_get(a, "documents"), i, d) {
		const char *st = fg_jstr(d, "status");
		int at = stage_index(fg_jstr(d, "at"));
		bool due = at <= here || (strcmp(fg_jstr(d, "at"), "design_review") == 0 && strcmp(fg_jstr(a, "status"), "customer_design") == 0);
		if (due && json_is_true(json_object_get(d, "required")) && (strcmp(st, "missing") == 0 || strcmp(st, "rejected") == 0))
			json_array_append_new(out, json_pack("{s:O, s:O, s:O, s:O, s:O}", "type", json_object_get(d, "type"), "name_zh",
							   json_object_get(d, "name_zh"), "name_en", json_object_get(d, "name_en"),
							   "status", json_object_get(d, "status"), "note",
							   json_object_get(d, "note") ? json_object_get(d, "note") : json_null()));
	}
	json_decref(a);
	return out;
}

/* ---- the list ---- */

static void
where(qb_t *q, const void *filter)
{
	const applications_filter_t *f = filter;
	struct {
		const char *col, *val;
	} eq[] = {{"status", f->status}, {"kind", f->kind}, {"track", f->track}, {"channel", f->channel},
	    {"org_unit_id", f->org_unit_id}, {"customer_manager_id", f->customer_manager_id}, {"customer_id", f->customer_id},
	    {"applicant_phone", f->phone}};
	for (size_t i = 0; i < sizeof eq / sizeof eq[0]; i++) {
		if (!eq[i].val)
			continue;
		qb_sql(q, " AND ");
		qb_sql(q, eq[i].col);
		qb_sql(q, " = ");
		qb_text(q, eq[i].val);
	}
	if (f->fast_path >= 0) {
		qb_sql(q, " AND fast_path = ");
		qb_int(q, f->fast_path);
	}
	if (f->q) {
		/* the number, or (with customers.contact) the applicant and the address */
		qb_sql(q, " AND (number = ");
		qb_text(q, f->q);
		if (f->viewer && perm_allows(f->viewer->roles, "customers.contact")) {
			char pat[160];
			fg_fmt(pat, sizeof pat, "%%%s%%", f->q);
			qb_sql(q, " OR applicant_name LIKE ");
			qb_text(q, pat);
			qb_sql(q, " OR applicant_phone = ");
			qb_text(q, f->q);
			qb_sql(q, " OR supply_address LIKE ");
			qb_text(q, pat);
		}
		qb_sql(q, ")");
	}
	if (f->late >= 0) {
		/* an open clock past its due (the state's or the whole process's) */
		qb_sql(q, f->late ? " AND id IN " : " AND id NOT IN ");
		qb_sql(q, "(SELECT entity_id FROM flow_timers WHERE flow = 'application' AND ended_at IS NULL AND "
			  "paused_at IS NULL AND (fired_at IS NOT NULL OR due_at < ");
		qb_int(q, fg_now_ms());
		qb_sql(q, "))");
	}
	if (f->viewer && !scope_company_wide(f->viewer)) {
		qb_sql(q, " AND (org_unit_id IS NULL");
		if (f->viewer->org_unit_id[0]) {
			qb_sql(q, " OR org_unit_id IN (WITH RECURSIVE down(id) AS (SELECT id FROM org_units WHERE id = ");
			qb_text(q, f->viewer->org_unit_id);
			qb_sql(q, " UNION SELECT o.id FROM org_units o JOIN down d ON o.parent_id = d.id) SELECT id FROM down)");
		}
		qb_sql(q, ")");
	}
}

/* The clocks of a page of applications in one statement: each one's open stage and process deadline. */
static int
add_clocks(db_t *db, json_t *items)
{
	json_t *ids = json_array(), *a;
	size_t i;
	json_array_foreach(items, i, a) json_array_append(ids, json_object_get(a, "id"));
	char sql[512], *idj = json_dumps(ids, JSON_COMPACT);
	json_decref(ids);
	fg_fmt(sql, sizeof sql, "SELECT entity_id, kind, due_at, warn_at, warned_at, paused_at, fired_at FROM flow_timers "
				"WHERE flow = 'application' AND ended_at IS NULL AND entity_id IN %s", db_in_json(db));
	int rc;
	json_t *rows = db_all(db_q(db, sql, "t", idj), &rc);
	free(idj);
	if (!rows)
		return -1;
	int64_t now = fg_now_ms();
	json_array_foreach(items, i, a) {
		json_t *clock = json_pack("{s:n, s:n, s:b, s:b, s:b}", "stage_due_at", "process_due_at", "late", 0, "nearly_late", 0,
		    "paused", 0);
		json_t *r;
		size_t j;
		json_array_foreach(rows, j, r) {
			if (strcmp(fg_jstr(r, "entity_id"), fg_jstr(a, "id")) != 0)
				continue;
			bool process = strcmp(fg_jstr(r, "kind"), "process") == 0;
			json_t *due = json_object_get(r, "due_at");
			bool paused = !json_is_null(json_object_get(r, "paused_at"));
			json_object_set(clock, process ? "process_due_at" : "stage_due_at", due);
			if (paused) {
				json_object_set_new(clock, "paused", json_true());
				continue;
			}
			if (!json_is_null(json_object_get(r, "fired_at")) || (json_is_integer(due) && json_integer_value(due) < now))
				json_object_set_new(clock, "late", json_true());
			else if (!json_is_null(json_object_get(r, "warned_at")) ||
				 (json_is_integer(json_object_get(r, "warn_at")) && json_integer_value(json_object_get(r, "warn_at")) <= now))
				json_object_set_new(clock, "nearly_late", json_true());
		}
		json_object_set_new(a, "clock", clock);
	}
	json_decref(rows);
	return 0;
}

int
applications_list(db_t *db, const applications_filter_t *f, json_t **out, fg_err_t *err)
{
	if (f->kind && !fg_one_of(f->kind, kinds))
		return fg_err_field(err, "invalid_query", "kind", "lv_residential, lv_non_residential, hv_single, hv_dual, capacity_increase or temporary");
	if (f->channel && !fg_one_of(f->channel, channels))
		return fg_err_field(err, "invalid_query", "channel", "counter, portal, phone_95598 or customer_manager");
	if (f->status && !state_def(f->status))
		return fg_err_field(err, "invalid_query", "status", "a state of the application flow (GET /api/v1/flows/application)");
	if (qb_list(db, "SELECT " A_COLS " FROM applications WHERE 1 = 1", "SELECT COUNT(*) AS n FROM applications WHERE 1 = 1",
		where, f, "id", true, f->cursor, f->limit, out) != 0)
		return fg_err(err, "internal");
	json_t *items = json_object_get(*out, "items"), *a;
	size_t i;
	json_array_foreach(items, i, a) {
		as_bool(a, "ev_charger");
		as_bool(a, "fast_path");
		json_t *s = state_def(fg_jstr(a, "status"));
		json_object_set_new(a, "stage", json_pack("{s:O, s:O, s:O}", "code", json_object_get(a, "status"), "name_zh",
						    json_object_get(s, "name_zh"), "name_en", json_object_get(s, "name_en")));
	}
	if (add_clocks(db, items) != 0) {
		json_decref(*out);
		*out = NULL;
		return fg_err(err, "internal");
	}
	applications_mask(f->viewer, items);
	return 0;
}

/* ---- intake ---- */

static bool
phone_ok(const char *p)
{
	size_t n = strlen(p), digits = 0;
	if (n < 5 || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (isdigit((unsigned char)p[i]))
			digits++;
		else if (p[i] != '+' && p[i] != '-' && p[i] != ' ')
			return false;
	}
	return digits >= 5;
}

static int
check_intake(json_t *in, const auth_user_t *actor, fg_err_t *err)
{
	const char *kind = fg_jstr(in, "kind"), *channel = fg_jstr(in, "channel"), *v = fg_jstr(in, "voltage_level");
	json_t *cap = json_object_get(in, "capacity_kva"), *src = json_object_get(in, "sources");
	if (!fg_one_of(kind, kinds))
		return fg_err_field(err, "invalid_field", "kind", "lv_residential, lv_non_residential, hv_single, hv_dual, capacity_increase or temporary");
	if (!fg_one_of(channel, channels))
		return fg_err_field(err, "invalid_field", "channel", "counter, portal, phone_95598 or customer_manager");
	if (!actor && strcmp(channel, "portal") != 0)
		return fg_err_field(err, "invalid_field", "channel", "an application made by the customer comes through the portal");
	if (actor && strcmp(channel, "portal") == 0)
		return fg_err_field(err, "invalid_field", "channel", "staff take applications at the counter, by phone or as the customer manager");
	if (fg_blank(fg_jstr(in, "applicant_name")))
		return fg_err_field(err, "missing_field", "applicant_name", "the applicant's name");
	if (!fg_jstr(in, "applicant_phone") || !phone_ok(fg_jstr(in, "applicant_phone")))
		return fg_err_field(err, "invalid_field", "applicant_phone", "a phone number: digits, + - and spaces");
	if (fg_blank(fg_jstr(in, "supply_address")))
		return fg_err_field(err, "missing_field", "supply_address", "the supply address");
	bool lv = fg_one_of(v, lv_voltages), hv = fg_one_of(v, hv_voltages);
	if (!lv && !hv)
		return fg_err_field(err, "invalid_field", "voltage_level", "220V, 380V, 10kV, 20kV, 35kV, 66kV, 110kV or 220kV");
	if ((strncmp(kind, "lv_", 3) == 0 && !lv) || (strncmp(kind, "hv_", 3) == 0 && !hv))
		return fg_err_field(err, "invalid_field", "voltage_level", "the kind's voltage: LV kinds 220V or 380V, HV kinds 10kV and above");
	if (!json_is_integer(cap) || json_integer_value(cap) <= 0 || json_integer_value(cap) > 10000000)
		return fg_err_field(err, "invalid_field", "capacity_kva", "a whole number of kVA, 1 or more");
	if (src && !json_is_null(src) && (!json_is_integer(src) || json_integer_value(src) < 1 || json_integer_value(src) > 2))
		return fg_err_field(err, "invalid_field", "sources", "1 or 2");
	int64_t sources = json_is_integer(src) ? json_integer_value(src) : strcmp(kind, "hv_dual") == 0 ? 2 : 1;
	if ((strcmp(kind, "hv_dual") == 0 && sources != 2) || (strcmp(kind, "hv_single") == 0 && sources != 1) || (lv && sources != 1))
		return fg_err_field(err, "invalid_field", "sources", "HV dual supply has 2 sources, single supply and LV 1");
	if (json_is_true(json_object_get(in, "ev_charger")) && strcmp(kind, "lv_residential") != 0)
		return fg_err_field(err, "invalid_field", "ev_charger", "a home EV charger is an LV residential application");
	if (fg_jstr(in, "id_type") && !fg_one_of(fg_jstr(in, "id_type"), id_types))
		return fg_err_field(err, "invalid_field", "id_type", "id_card, uscc or other");
	if (fg_jstr(in, "id_number") && !fg_jstr(in, "id_type"))
		return fg_err_field(err, "missing_field", "id_type", "the kind of the ID number");
	if (fg_jstr(in, "id_type") && fg_jstr(in, "id_number")) {
		char norm[19];
		const char *why;
		if (strcmp(fg_jstr(in, "id_type"), "id_card") == 0 && customers_check_id_card(fg_jstr(in, "id_number"), norm, &why) != 0)
			return fg_err_field(err, "invalid_field", "id_number", why);
		if (strcmp(fg_jstr(in, "id_type"), "uscc") == 0 && customers_check_credit_code(fg_jstr(in, "id_number"), norm, &why) != 0)
			return fg_err_field(err, "invalid_field", "id_number", why);
	}
	if (json_is_true(json_object_get(in, "fast_path")) && fg_blank(fg_jstr(in, "fast_reason")))
		return fg_err_field(err, "missing_field", "fast_reason", "why this application takes the fast path (special user, emergency)");
	if (json_is_true(json_object_get(in, "fast_path")) && !actor)
		return fg_err_field(err, "invalid_field", "fast_path", "the fast path is granted by staff");
	json_t *ra = json_object_get(in, "received_at");
	int64_t now = fg_now_ms();
	if (ra && (!actor || !json_is_integer(ra) || json_integer_value(ra) > now + 60000 ||
		   json_integer_value(ra) < now - 366LL * 86400000))
		return fg_err_field(err, "invalid_field", "received_at", "when the counter received it: not in the future, within a year (staff only)");
	return 0;
}

/* The serving unit: given, else the customer's, else the actor's own. Must exist. */
static int
serving_unit(db_t *db, const auth_user_t *actor, json_t *in, char unit[64], fg_err_t *err)
{
	int rc;
	unit[0] = '\0';
	const char *given = fg_jstr(in, "org_unit_id");
	if (given) {
		json_t *o = db_one(db_q(db, "SELECT id FROM org_units WHERE id = $1", "t", given), &rc);
		json_decref(o);
		if (!o)
			return rc == DB_DONE ? fg_err_field(err, "invalid_field", "org_unit_id", "no such org unit") : -1;
		if (actor && !unit_visible(db, actor, given))
			return fg_err_field(err, "invalid_field", "org_unit_id", "an org unit within your own");
		fg_fmt(unit, 64, "%s", given);
		return 0;
	}
	if (fg_jstr(in, "customer_id")) {
		json_t *c = db_one(db_q(db, "SELECT org_unit_id FROM customers WHERE id = $1", "t", fg_jstr(in, "customer_id")), &rc);
		if (!c)
			return rc == DB_DONE ? fg_err_field(err, "invalid_field", "customer_id", "no such customer") : -1;
		if (fg_jstr(c, "org_unit_id"))
			fg_fmt(unit, 64, "%s", fg_jstr(c, "org_unit_id"));
		json_decref(c);
		if (unit[0])
			return 0;
	}
	if (actor && actor->org_unit_id[0])
		fg_fmt(unit, 64, "%s", actor->org_unit_id);
	return 0;
}

static int
check_refs(db_t *db, json_t *in, fg_err_t *err)
{
	int rc;
	const char *p = fg_jstr(in, "premises_id"), *m = fg_jstr(in, "customer_manager_id");
	if (p) {
		json_t *r = db_one(db_q(db, "SELECT a.customer_id FROM premises p JOIN customer_accounts a ON a.id = p.account_id "
					    "WHERE p.id = $1", "t", p), &rc);
		bool ok = r && (!fg_jstr(in, "customer_id") || strcmp(fg_jstr(r, "customer_id"), fg_jstr(in, "customer_id")) == 0);
		json_decref(r);
		if (!ok)
			return rc == DB_ROW || rc == DB_DONE ? fg_err_field(err, "invalid_field", "premises_id", "a premises of the customer") : -1;
	}
	if (m) {
		json_t *r = db_one(db_q(db, "SELECT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id AND ur.role = "
					    "'customer_manager' WHERE u.id = $1 AND u.disabled = 0", "t", m), &rc);
		json_decref(r);
		if (!r)
			return rc == DB_DONE ? fg_err_field(err, "invalid_field", "customer_manager_id", "a user holding the customer_manager role") : -1;
	}
	return 0;
}

static int
attachment_ok(db_t *db, const char *id, fg_err_t *err, const char *field)
{
	int rc;
	json_t *r = db_one(db_q(db, "SELECT id FROM attachments WHERE id = $1", "t", id), &rc);
	json_decref(r);
	if (!r)
		return rc == DB_DONE ? fg_err_field(err, "invalid_field", field, "an uploaded attachment (POST /api/v1/attachments)") : -1;
	return 0;
}

/* The documents handed in with the application: [{type, attachment_id}], each of the kind's list. */
static int
put_documents(db_t *db, const char *app_id, json_t *row, json_t *given, const char *actor_id, bool by_customer, int64_t now,
    fg_err_t *err)
{
	json_t *list = applications_doc_list(row), *d, *g;
	size_t i, j;
	if (given && !json_is_array(given)) {
		json_decref(list);
		return fg_err_field(err, "invalid_field", "documents", "[{type, attachment_id}]");
	}
	json_array_foreach(given, j, g) {
		bool known = false;
		json_array_foreach(list, i, d) known |= fg_jstr(g, "type") && strcmp(fg_jstr(g, "type"), fg_jstr(d, "type")) == 0;
		if (!known || !fg_jstr(g, "attachment_id")) {
			json_decref(list);
			return fg_err_field(err, "invalid_field", "documents", "each {type, attachment_id}, a type of the kind's list");
		}
		if (attachment_ok(db, fg_jstr(g, "attachment_id"), err, "documents") != 0) {
			json_decref(list);
			return -1;
		}
	}
	json_array_foreach(list, i, d) {
		const char *att = NULL;
		json_array_foreach(given, j, g) if (strcmp(fg_jstr(g, "type"), fg_jstr(d, "type")) == 0) att = fg_jstr(g, "attachment_id");
		char id[37];
		fg_uuid7(id);
		if (db_run(db_q(db, "INSERT INTO application_documents (id, application_id, doc_type, required, status, attachment_id, "
				    "by_customer, received_at, created_at, updated_at) VALUES ($1, $2, $3, 1, $4, $5, $6, "
				    "NULLIF(CAST($7 AS BIGINT), 0), $8, $8)", "tttttiii", id, app_id, fg_jstr(d, "type"),
			       att ? "received" : "missing", att, (int64_t)(by_customer && att), att ? now : 0, now)) != DB_DONE) {
			json_decref(list);
			return -1;
		}
		if (att && db_run(db_q(db, "UPDATE attachments SET entity = 'application', entity_id = $1 WHERE id = $2 AND entity IS NULL",
				       "tt", app_id, att)) != DB_DONE) {
			json_decref(list);
			return -1;
		}
	}
	(void)actor_id;
	json_decref(list);
	return 0;
}

/* What the audit record keeps: the row, its ID number masked. */
static json_t *
snapshot(db_t *db, const char *id)
{
	json_t *a = row_of(db, id);
	if (a)
		mask_key(a, "id_number", customers_mask_id);
	return a;
}

int
applications_create(db_t *db, const auth_user_t *actor, json_t *in, json_t **out, fg_err_t *err)
{
	if (check_intake(in, actor, err) != 0)
		return -1;
	char id[37], number[32], unit[64];
	/* taken down after the fact (a form received on paper, a call logged later): the clocks start when it was
	 * received, as the 十项承诺 count them */
	json_t *ra = json_object_get(in, "received_at");
	int64_t now = json_is_integer(ra) ? json_integer_value(ra) : fg_now_ms();
	const char *kind = fg_jstr(in, "kind");
	json_t *src = json_object_get(in, "sources");
	int64_t sources = json_is_integer(src) ? json_integer_value(src) : strcmp(kind, "hv_dual") == 0 ? 2 : 1;
	const char *track = track_of(kind, fg_jstr(in, "voltage_level"), sources, fg_jstr(in, "id_type"));
	char norm[19] = "";
	const char *why;
	if (fg_jstr(in, "id_number")) {
		if (strcmp(fg_jstr(in, "id_type"), "id_card") == 0)
			customers_check_id_card(fg_jstr(in, "id_number"), norm, &why);
		else if (strcmp(fg_jstr(in, "id_type"), "uscc") == 0)
			customers_check_credit_code(fg_jstr(in, "id_number"), norm, &why);
		else
			fg_fmt(norm, sizeof norm, "%.18s", fg_jstr(in, "id_number"));
	}
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (serving_unit(db, actor, in, unit, err) != 0 || check_refs(db, in, err) != 0 || counter_number(db, "YK", number) != 0)
		return db_fail(db, err);
	fg_uuid7(id);
	bool ev = json_is_true(json_object_get(in, "ev_charger")), fast = json_is_true(json_object_get(in, "fast_path"));
	int rc = db_run(db_q(db,
	    "INSERT INTO applications (id, number, kind, track, status, channel, ev_charger, customer_id, premises_id, "
	    "applicant_name, applicant_phone, id_type, id_number, supply_address, area, org_unit_id, voltage_level, capacity_kva, "
	    "sources, purpose, fast_path, fast_reason, customer_manager_id, created_by, created_at, updated_at) VALUES ($1, $2, $3, "
	    "$4, 'accepted', $5, $6, $7, $8, $9, $10, $11, NULLIF($12, ''), $13, $14, NULLIF($15, ''), $16, $17, $18, $19, $20, $21, "
	    "$22, $23, $24, $24)",
	    "tttttittttttttttiitittti", id, number, kind, track, fg_jstr(in, "channel"), (int64_t)ev, fg_jstr(in, "customer_id"),
	    fg_jstr(in, "premises_id"), fg_jstr(in, "applicant_name"), fg_jstr(in, "applicant_phone"), fg_jstr(in, "id_type"), norm,
	    fg_jstr(in, "supply_address"), fg_jstr(in, "area"), unit, fg_jstr(in, "voltage_level"),
	    json_integer_value(json_object_get(in, "capacity_kva")), sources, fg_jstr(in, "purpose"), (int64_t)fast,
	    fast ? fg_jstr(in, "fast_reason") : NULL, fg_jstr(in, "customer_manager_id"), actor ? actor->id : NULL, now));
	if (rc != DB_DONE)
		return db_fail(db, err);
	json_t *row = row_of(db, id);
	if (!row || put_documents(db, id, row, json_object_get(in, "documents"), actor ? actor->id : NULL, !actor, now, err) != 0) {
		json_decref(row);
		return db_fail(db, err);
	}
	json_decref(row);
	if (flow_timers_sync(db, &applications_flow, id, true, now) != 0)
		return db_fail(db, err);
	/* the customer gets the number by SMS where a channel carries it; none configured is no reason to refuse */
	fg_err_t ne = FG_ERR_INIT;
	notify_msg_t m = {.kind = "application_received", .recipient = json_pack("{s:s}", "phone", fg_jstr(in, "applicant_phone")),
	    .params = json_pack("{s:s}", "number", number), .entity = "application", .entity_id = id,
	    .actor_id = actor ? actor->id : NULL};
	if (notify_send_msg(db, &m, NULL, &ne) < 0 && ne.code && strcmp(ne.code, "notify_no_channel") != 0)
		log_warn("application %s: the customer's SMS not queued: %s", number, ne.code);
	json_decref(m.recipient);
	json_decref(m.params);
	fg_err_clear(&ne);
	json_t *after = snapshot(db, id);
	if (audit_commit(db, actor ? actor->id : NULL, "create", "application", id, NULL, after, NULL, err) != 0)
		return -1;
	*out = applications_load(db, id);
	return 0;
}

/* ---- documents ---- */

/* Locks the application and finds its document row of doc_type (the kind's list); the actor must see it. */
static int
lock_document(db_t *db, const auth_user_t *actor, const char *id, const char *doc_type, json_t **doc, fg_err_t *err)
{
	int rc;
	if (db_lock_row(db, "applications", id) != 0)
		return -1;
	if (!applications_visible(db, actor, id))
		return fg_err_not_found(err, "application", id);
	*doc = db_one(db_q(db, "SELECT id, doc_type, status, attachment_id, note, by_customer, received_at, checked_by, checked_at, "
			       "version FROM application_documents WHERE application_id = $1 AND doc_type = $2", "tt", id, doc_type), &rc);
	if (!*doc)
		return rc == DB_DONE ? fg_err_not_found(err, "application_document", doc_type) : -1;
	return 0;
}

int
applications_document_put(db_t *db, const auth_user_t *actor, const char *id, const char *doc_type,
    const char *attachment_id, bool by_customer, json_t **out, fg_err_t *err)
{
	json_t *doc = NULL;
	int64_t now = fg_now_ms();
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (lock_document(db, actor, id, doc_type, &doc, err) != 0 || attachment_ok(db, attachment_id, err, "attachment_id") != 0) {
		json_decref(doc);
		return db_fail(db, err);
	}
	json_t *app = row_of(db, id);
	const char *st = fg_jstr(app, "status");
	if (!st || strcmp(st, "archived") == 0 || strcmp(st, "cancelled") == 0) {
		json_decref(doc);
		fg_err(err, "application_closed");
		fg_err_detail_str(err, "state", st ? st : "");
		json_decref(app);
		return db_fail(db, err);
	}
	json_decref(app);
	if (strcmp(fg_jstr(doc, "status"), "accepted") == 0) {
		json_decref(doc);
		fg_err(err, "application_document_accepted");
		fg_err_detail_str(err, "type", doc_type);
		return db_fail(db, err);
	}
	if (db_run(db_q(db, "UPDATE application_documents SET status = 'received', attachment_id = $1, by_customer = $2, "
			    "received_at = $3, note = NULL, checked_by = NULL, checked_at = NULL, updated_at = $3, version = version + 1 "
			    "WHERE id = $4", "tiit", attachment_id, (int64_t)by_customer, now, fg_jstr(doc, "id"))) != DB_DONE ||
	    db_run(db_q(db, "UPDATE attachments SET entity = 'application', entity_id = $1 WHERE id = $2 AND entity IS NULL", "tt",
		       id, attachment_id)) != DB_DONE) {
		json_decref(doc);
		return db_fail(db, err);
	}
	json_t *after = json_deep_copy(doc);
	json_object_set_new(after, "status", json_string("received"));
	json_object_set_new(after, "attachment_id", json_string(attachment_id));
	json_object_set_new(after, "by_customer", json_boolean(by_customer));
	if (audit_commit(db, actor ? actor->id : NULL, "document_received", "application", id, doc, after, NULL, err) != 0)
		return -1;
	*out = applications_load(db, id);
	return 0;
}

int
applications_document_check(db_t *db, const auth_user_t *actor, const char *id, const char *doc_type,
    const char *result, const char *note, json_t **out, fg_err_t *err)
{
	if (!result || (strcmp(result, "accepted") != 0 && strcmp(result, "rejected") != 0))
		return fg_err_field(err, "invalid_field", "result", "accepted or rejected");
	if (strcmp(result, "rejected") == 0 && fg_blank(note))
		return fg_err_field(err, "missing_field", "note", "what is wrong with the document, for the customer");
	json_t *doc = NULL;
	int64_t now = fg_now_ms();
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (lock_document(db, actor, id, doc_type, &doc, err) != 0) {
		json_decref(doc);
		return db_fail(db, err);
	}
	if (strcmp(fg_jstr(doc, "status"), "missing") == 0) {
		json_decref(doc);
		fg_err(err, "application_document_missing");
		fg_err_detail_str(err, "type", doc_type);
		return db_fail(db, err);
	}
	if (db_run(db_q(db, "UPDATE application_documents SET status = $1, note = $2, checked_by = $3, checked_at = $4, "
			    "updated_at = $4, version = version + 1 WHERE id = $5", "tttit", result, note, actor->id, now,
		       fg_jstr(doc, "id"))) != DB_DONE) {
		json_decref(doc);
		return db_fail(db, err);
	}
	json_t *after = json_deep_copy(doc);
	json_object_set_new(after, "status", json_string(result));
	json_object_set_new(after, "note", note ? json_string(note) : json_null());
	if (audit_commit(db, actor->id, strcmp(result, "accepted") == 0 ? "document_accepted" : "document_rejected",
		"application", id, doc, after, NULL, err) != 0)
		return -1;
	*out = applications_load(db, id);
	return 0;
}

/* ---- the customer's rating ---- */

int
applications_rate(db_t *db, const char *id, int64_t stars, const char *comment, json_t **out, fg_err_t *err)
{
	if (stars < 1 || stars > 5)
		return fg_err_field(err, "invalid_field", "stars", "1 to 5");
	if (comment && strlen(comment) > 2000)
		return fg_err_field(err, "invalid_field", "comment", "at most 2000 bytes");
	int64_t now = fg_now_ms();
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, "applications", id) != 0)
		return db_fail(db, err);
	json_t *before = snapshot(db, id);
	if (!before) {
		fg_err_not_found(err, "application", id);
		return db_fail(db, err);
	}
	const char *st = fg_jstr(before, "status");
	if (strcmp(st, "powered") != 0 && strcmp(st, "archived") != 0) {
		fg_err(err, "application_not_powered");
		fg_err_detail_str(err, "state", st);
		json_decref(before);
		return db_fail(db, err);
	}
	if (json_is_integer(json_object_get(before, "rating"))) {
		fg_err(err, "application_already_rated");
		json_decref(before);
		return db_fail(db, err);
	}
	if (db_run(db_q(db, "UPDATE applications SET rating = $1, rating_comment = $2, rated_at = $3, updated_at = $3, "
			    "version = version + 1 WHERE id = $4", "itit", stars, comment, now, id)) != DB_DONE) {
		json_decref(before);
		return db_fail(db, err);
	}
	json_t *after = snapshot(db, id);
	if (audit_commit(db, NULL, "rate", "application", id, before, after, NULL, err) != 0)
		return -1;
	*out = applications_load(db, id);
	return 0;
}
