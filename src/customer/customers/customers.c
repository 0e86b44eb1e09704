/* Customers, contacts, accounts, premises and metering points (customers.h). Every write runs in one transaction
 * with its audit record; the records carry the ID number masked, never whole: the audit chain cannot be edited
 * afterwards, so what it holds is kept for good, and an ID number has no business being kept twice. */
#include <string.h>
#include <ctype.h>
#include "core/base/util.h"
#include "core/base/counter.h"
#include "core/db/qb.h"
#include "core/audit/audit.h"
#include "core/auth/perm.h"
#include "shared/org/org.h"
#include "shared/org/scope.h"
#include "customer/customers/customers.h"

#define CUSTOMER_COLS "id, number, kind, name, id_type, id_number, org_unit_id, note, created_by, created_at, updated_at, version"
#define ACCOUNT_COLS "id, customer_id, number, status, created_at, updated_at, version"
#define PREMISES_COLS                                                                                                  \
	"id, account_id, supply_address, voltage_level, transformer_area, capacity_kva, created_at, updated_at, version"
#define POINT_COLS                                                                                                     \
	"id, premises_id, number, purpose, status, meter_asset_no, meter_model, installed_at, install_reading, "        \
	"created_at, updated_at, version"

static const char *const kinds[] = {"resident", "non_resident", "enterprise", NULL};
static const char *const id_types[] = {"id_card", "uscc", NULL};
/* GB/T 156 nominal voltages a supply is given at */
static const char *const voltages[] = {"220V", "380V", "10kV", "20kV", "35kV", "66kV", "110kV", "220kV", NULL};
static const char *const purposes[] = {"billing", "check", NULL};
static const char *const point_states[] = {"planned", "installed", "removed", NULL};
static const char *const account_states[] = {"active", "closed", NULL};

static bool
sees_contacts(const auth_user_t *u)
{
	return !u || perm_allows(u->roles, "customers.contact");
}

/* The scope rule of customers.h for a customer served by unit (NULL: by the company as a whole). */
static bool
visible(db_t *db, const auth_user_t *u, const char *unit)
{
	return scope_company_wide(u) || !unit || (u->org_unit_id[0] && org_within(db, unit, u->org_unit_id));
}

/* ---- reading ---- */

static json_t *
load_points(db_t *db, const char *premises_id)
{
	int rc;
	json_t *a = db_all(db_q(db, "SELECT " POINT_COLS " FROM metering_points WHERE premises_id = $1 ORDER BY number", "t",
				premises_id), &rc);
	return a ? a : json_array();
}

static json_t *
load_premises(db_t *db, const char *account_id)
{
	int rc;
	json_t *a = db_all(db_q(db, "SELECT " PREMISES_COLS " FROM premises WHERE account_id = $1 ORDER BY id", "t",
				account_id), &rc), *p;
	size_t i;
	json_array_foreach(a, i, p) json_object_set_new(p, "metering_points", load_points(db, fg_jstr(p, "id")));
	return a ? a : json_array();
}

static json_t *
load_accounts(db_t *db, const char *customer_id)
{
	int rc;
	json_t *a = db_all(db_q(db, "SELECT " ACCOUNT_COLS " FROM customer_accounts WHERE customer_id = $1 ORDER BY number",
				"t", customer_id), &rc), *p;
	size_t i;
	json_array_foreach(a, i, p) json_object_set_new(p, "premises", load_premises(db, fg_jstr(p, "id")));
	return a ? a : json_array();
}

/* The whole tree, unmasked: for the audit snapshots (after mask_id) and, masked, for the API. */
static json_t *
load(db_t *db, const char *id)
{
	int rc;
	json_t *c = db_one(db_q(db, "SELECT " CUSTOMER_COLS " FROM customers WHERE id = $1", "t", id), &rc);
	if (!c)
		return NULL;
	json_t *contacts = db_all(db_q(db, "SELECT name, phone, role FROM customer_contacts WHERE customer_id = $1 "
					   "ORDER BY position", "t", id), &rc);
	json_object_set_new(c, "contacts", contacts ? contacts : json_array());
	json_object_set_new(c, "accounts", load_accounts(db, id));
	return c;
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
mask_phone(const char *in, char *out, size_t n)
{
	scope_mask_phone(in, out, n);
}

/* customers.h "Masking", in place, on a customer as load() or the list returns it. */
static void
mask(const auth_user_t *u, json_t *c)
{
	mask_key(c, "id_number", customers_mask_id);
	if (sees_contacts(u))
		return;
	if (fg_one_of(fg_jstr(c, "id_type"), (const char *const[]){"id_card", NULL}))
		mask_key(c, "name", customers_mask_name);
	json_t *p;
	size_t i;
	json_array_foreach(json_object_get(c, "contacts"), i, p) {
		mask_key(p, "name", customers_mask_name);
		mask_key(p, "phone", mask_phone);
	}
}

/* What the audit record keeps: everything but the whole ID number. */
static json_t *
snapshot(db_t *db, const char *id)
{
	json_t *c = load(db, id);
	if (c)
		mask_key(c, "id_number", customers_mask_id);
	return c;
}

json_t *
customers_get(db_t *db, const auth_user_t *viewer, const char *id)
{
	json_t *c = load(db, id);
	if (c && !visible(db, viewer, fg_jstr(c, "org_unit_id"))) {
		json_decref(c);
		return NULL;
	}
	if (c)
		mask(viewer, c);
	return c;
}

static void
like(qb_t *q, const char *col, const char *pat, bool first)
{
	qb_sql(q, first ? "" : " OR ");
	qb_sql(q, "lower(");
	qb_sql(q, col);
	qb_sql(q, ") LIKE lower(");
	qb_text(q, pat);
	qb_sql(q, ")");
}

static void
where(qb_t *q, const void *filter)
{
	const customers_filter_t *f = filter;
	if (f->kind) {
		qb_sql(q, " AND kind = ");
		qb_text(q, f->kind);
	}
	if (f->org_unit_id) {
		qb_sql(q, " AND org_unit_id = ");
		qb_text(q, f->org_unit_id);
	}
	if (f->q && *f->q) {
		char pat[300];
		fg_fmt(pat, sizeof pat, "%%%s%%", f->q);
		qb_sql(q, " AND (");
		like(q, "number", pat, true);
		qb_sql(q, " OR id IN (SELECT a.customer_id FROM customer_accounts a WHERE ");
		like(q, "a.number", pat, true);
		qb_sql(q, ")");
		/* a name or a phone is found only by who may see it: a masked search must not confirm a guess */
		if (sees_contacts(f->viewer)) {
			like(q, "name", pat, false);
			qb_sql(q, " OR id IN (SELECT cc.customer_id FROM customer_contacts cc WHERE ");
			like(q, "cc.phone", pat, true);
			like(q, "cc.name", pat, false);
			qb_sql(q, ")");
		}
		qb_sql(q, ")");
	}
	if (!scope_company_wide(f->viewer)) {
		qb_sql(q, " AND (org_unit_id IS NULL");
		if (f->viewer->org_unit_id[0]) { /* the unit and every unit below it */
			qb_sql(q, " OR org_unit_id IN (WITH RECURSIVE down(id) AS (SELECT id FROM org_units WHERE id = ");
			qb_text(q, f->viewer->org_unit_id);
			qb_sql(q, " UNION SELECT o.id FROM org_units o JOIN down d ON o.parent_id = d.id) SELECT id FROM down)");
		}
		qb_sql(q, ")");
	}
}

int
customers_list(db_t *db, const customers_filter_t *f, json_t **out, fg_err_t *err)
{
	if (f->kind && !fg_one_of(f->kind, kinds))
		return fg_err_field(err, "invalid_query", "kind", "resident, non_resident or enterprise");
	if (qb_list(db, "SELECT id, number, kind, name, id_type, id_number, org_unit_id, created_at, updated_at, version "
			"FROM customers WHERE 1 = 1",
		"SELECT COUNT(*) AS n FROM customers WHERE 1 = 1", where, f, "id", true, f->cursor, f->limit, out) != 0)
		return fg_err(err, "internal");
	json_t *items = json_object_get(*out, "items"), *ids = json_array(), *c;
	size_t i;
	json_array_foreach(items, i, c) json_array_append(ids, json_object_get(c, "id"));
	/* the page's contacts and account numbers in two statements, not two per row */
	char sql[512], *idj = json_dumps(ids, JSON_COMPACT);
	json_decref(ids);
	int rc;
	fg_fmt(sql, sizeof sql, "SELECT customer_id, name, phone, role FROM customer_contacts WHERE customer_id IN %s "
				"ORDER BY customer_id, position", db_in_json(db));
	json_t *contacts = db_all(db_q(db, sql, "t", idj), &rc);
	fg_fmt(sql, sizeof sql, "SELECT customer_id, number FROM customer_accounts WHERE customer_id IN %s ORDER BY number",
	    db_in_json(db));
	json_t *accounts = contacts ? db_all(db_q(db, sql, "t", idj), &rc) : NULL;
	free(idj);
	if (!contacts || !accounts) {
		json_decref(contacts);
		json_decref(accounts);
		json_decref(*out);
		*out = NULL;
		return fg_err(err, "internal");
	}
	json_array_foreach(items, i, c) {
		json_t *mine = json_array(), *nums = json_array(), *r;
		size_t j;
		json_array_foreach(contacts, j, r) if (strcmp(fg_jstr(r, "customer_id"), fg_jstr(c, "id")) == 0)
			json_array_append_new(mine, json_pack("{s:O, s:O, s:O}", "name", json_object_get(r, "name"), "phone",
							json_object_get(r, "phone"), "role", json_object_get(r, "role")));
		json_array_foreach(accounts, j, r) if (strcmp(fg_jstr(r, "customer_id"), fg_jstr(c, "id")) == 0)
			json_array_append(nums, json_object_get(r, "number"));
		json_object_set_new(c, "contacts", mine);
		json_object_set_new(c, "account_numbers", nums);
		mask(f->viewer, c);
	}
	json_decref(contacts);
	json_decref(accounts);
	return 0;
}

/* ---- writing ---- */

/* Checks id_type/id_number against each other and the kind, and writes the normalised number into norm. Only
 * what is present is checked; cur is the stored row on an update (NULL on create). */
static int
check_identity(json_t *in, json_t *cur, char norm[19], fg_err_t *err)
{
	const char *kind = json_object_get(in, "kind") ? fg_jstr(in, "kind") : fg_jstr(cur, "kind");
	const char *type = json_object_get(in, "id_type") ? fg_jstr(in, "id_type") : fg_jstr(cur, "id_type");
	if (json_object_get(in, "kind") && !fg_one_of(kind, kinds))
		return fg_err_field(err, "invalid_field", "kind", "resident, non_resident or enterprise");
	if (!type) /* on create: a person's ID card for residents, the credit code for enterprises */
		type = strcmp(kind, "enterprise") == 0 ? "uscc" : strcmp(kind, "resident") == 0 ? "id_card" : NULL;
	if (!type)
		return fg_err_field(err, "missing_field", "id_type", "id_card or uscc for a non-resident customer");
	if (!fg_one_of(type, id_types))
		return fg_err_field(err, "invalid_field", "id_type", "id_card or uscc");
	type = strcmp(type, "id_card") == 0 ? "id_card" : "uscc"; /* a static string: in's own is replaced next */
	json_object_set_new(in, "id_type", json_string(type));
	if (strcmp(kind, "resident") == 0 && strcmp(type, "id_card") != 0)
		return fg_err_field(err, "invalid_field", "id_type", "a resident customer is a person: id_card");
	if (strcmp(kind, "enterprise") == 0 && strcmp(type, "uscc") != 0)
		return fg_err_field(err, "invalid_field", "id_type", "an enterprise is identified by its credit code: uscc");
	const char *num = json_object_get(in, "id_number") ? fg_jstr(in, "id_number") : NULL;
	bool retype = cur && (json_object_get(in, "id_type") || json_object_get(in, "kind"));
	if (!num && retype) /* the stored number must still fit a changed type */
		num = fg_jstr(cur, "id_number");
	if (!num) {
		norm[0] = '\0';
		return 0;
	}
	const char *reason = NULL;
	int rc = strcmp(type, "id_card") == 0 ? customers_check_id_card(num, norm, &reason)
					       : customers_check_credit_code(num, norm, &reason);
	if (rc != 0)
		return fg_err_field(err, strcmp(type, "id_card") == 0 ? "id_card_invalid" : "credit_code_invalid", "id_number",
		    reason);
	return 0;
}

static size_t
utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Phones: a mobile (11 digits from 1) or a fixed line with its area code, digits and one '-'. */
static bool
phone_ok(const char *p)
{
	size_t len = strlen(p), digits = 0, dashes = 0;
	if (len < 7 || len > 20)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (isdigit((unsigned char)p[i]))
			digits++;
		else if (p[i] == '-' && i > 0 && i + 1 < len)
			dashes++;
		else
			return false;
	}
	return dashes <= 1 && digits >= 7;
}

static int
check_contacts(json_t *contacts, fg_err_t *err)
{
	json_t *c;
	size_t i;
	char field[48];
	if (!json_is_array(contacts))
		return fg_err_field(err, "invalid_field", "contacts", "a list of {name, phone, role}");
	if (json_array_size(contacts) == 0)
		return fg_err_field(err, "invalid_field", "contacts", "at least one contact with a phone");
	if (json_array_size(contacts) > 10)
		return fg_err_field(err, "invalid_field", "contacts", "at most 10");
	json_array_foreach(contacts, i, c) {
		static const char *const keys[] = {"name", "phone", "role", NULL};
		const char *k;
		json_t *v;
		fg_fmt(field, sizeof field, "contacts[%zu]", i);
		if (!json_is_object(c))
			return fg_err_field(err, "invalid_field", field, "an object {name, phone, role}");
		json_object_foreach(c, k, v) if (!fg_one_of(k, keys)) {
			fg_fmt(field, sizeof field, "contacts[%zu].%s", i, k);
			return fg_err_field(err, "unknown_field", field, "name, phone and role only");
		}
		for (int j = 0; j < 3; j++) {
			v = json_object_get(c, keys[j]);
			size_t max = j == 0 ? 60 : j == 1 ? 20 : 30;
			fg_fmt(field, sizeof field, "contacts[%zu].%s", i, keys[j]);
			if (!v && j < 2)
				return fg_err_field(err, "missing_field", field, "required");
			if (v && !(json_is_string(v) || (j == 2 && json_is_null(v))))
				return fg_err_field(err, "invalid_field", field, "a string");
			if (json_is_string(v) && (json_string_length(v) == 0 || utf8_chars(json_string_value(v)) > max))
				return fg_err_field(err, "invalid_field", field, j == 0 ? "1 to 60 characters"
										: j == 1 ? "1 to 20 characters"
											 : "1 to 30 characters");
		}
		if (!phone_ok(fg_jstr(c, "phone"))) {
			fg_fmt(field, sizeof field, "contacts[%zu].phone", i);
			return fg_err_field(err, "invalid_field", field, "a mobile number or an area code and number (0571-88886666)");
		}
	}
	return 0;
}

static int
put_contacts(db_t *db, const char *customer_id, json_t *contacts)
{
	if (db_run(db_q(db, "DELETE FROM customer_contacts WHERE customer_id = $1", "t", customer_id)) != DB_DONE)
		return -1;
	json_t *c;
	size_t i;
	json_array_foreach(contacts, i, c) {
		char id[37];
		fg_uuid7(id);
		if (db_run(db_q(db, "INSERT INTO customer_contacts (id, customer_id, position, name, phone, role) VALUES "
				    "($1, $2, $3, $4, $5, $6)", "ttittt", id, customer_id, (int64_t)i, fg_jstr(c, "name"),
			fg_jstr(c, "phone"), fg_jstr(c, "role"))) != DB_DONE)
			return -1;
	}
	return 0;
}

static int
check_org(db_t *db, const auth_user_t *actor, json_t *in, fg_err_t *err)
{
	json_t *v = json_object_get(in, "org_unit_id");
	if (!v || json_is_null(v))
		return 0;
	json_t *o = org_get(db, json_string_value(v));
	if (!o)
		return fg_err_field(err, "invalid_field", "org_unit_id", "no such org unit");
	json_decref(o);
	/* a unit-bound writer serves customers of their own unit: placing one elsewhere would hide it from them */
	if (!visible(db, actor, json_string_value(v)))
		return fg_err_field(err, "invalid_field", "org_unit_id", "outside your org unit");
	return 0;
}

static int
check_text(json_t *in, const char *key, fg_err_t *err)
{
	json_t *v = json_object_get(in, key);
	if (json_is_string(v) && !*json_string_value(v))
		return fg_err_field(err, "invalid_field", key, "must not be empty");
	return 0;
}

/* A duplicate ID number: the customer it belongs to, if the writer may see it. */
static int
taken(db_t *db, const auth_user_t *actor, const char *norm, const char *self, fg_err_t *err)
{
	int rc;
	json_t *row = db_one(db_q(db, "SELECT id, org_unit_id FROM customers WHERE id_number = $1", "t", norm), &rc);
	if (!row || (self && strcmp(fg_jstr(row, "id"), self) == 0)) {
		json_decref(row);
		return 0;
	}
	fg_err_field(err, "customer_id_number_taken", "id_number", "another customer has this ID number");
	if (visible(db, actor, fg_jstr(row, "org_unit_id")))
		fg_err_detail_str(err, "customer_id", fg_jstr(row, "id"));
	json_decref(row);
	return -1;
}

static const char *
uid(const auth_user_t *u)
{
	return u ? u->id : NULL;
}

int
customers_create(db_t *db, const auth_user_t *actor, json_t *in, json_t **out, fg_err_t *err)
{
	char norm[19], id[37], number[32];
	int64_t now = fg_now_ms();
	if (check_identity(in, NULL, norm, err) || check_text(in, "name", err) ||
	    check_contacts(json_object_get(in, "contacts"), err))
		return -1;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (check_org(db, actor, in, err) || taken(db, actor, norm, NULL, err) || counter_number(db, "KH", number) != 0)
		return db_fail(db, err);
	fg_uuid7(id);
	int rc = db_run(db_q(db,
	    "INSERT INTO customers (id, number, kind, name, id_type, id_number, org_unit_id, note, created_by, created_at, "
	    "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
	    "ttttttttti", id, number, fg_jstr(in, "kind"), fg_jstr(in, "name"), fg_jstr(in, "id_type"), norm, fg_jstr(in, "org_unit_id"),
	    fg_jstr(in, "note"), uid(actor), now));
	if (rc == DB_CONFLICT) /* the same ID number entered at the same moment at another counter */
		fg_err_field(err, "customer_id_number_taken", "id_number", "another customer has this ID number");
	if (rc != DB_DONE || put_contacts(db, id, json_object_get(in, "contacts")) != 0)
		return db_fail(db, err);
	json_t *after = snapshot(db, id);
	if (audit_commit(db, uid(actor), "create", "customer", id, NULL, after, NULL, err) != 0)
		return -1;
	*out = customers_get(db, actor, id);
	return 0;
}

/* Locks the customer's row and checks it is in the actor's scope; *cur gets the stored row (unmasked). */
static int
lock_customer(db_t *db, const auth_user_t *actor, const char *id, json_t **cur, fg_err_t *err)
{
	int rc;
	*cur = NULL;
	if (db_lock_row(db, "customers", id) != 0)
		return -1;
	json_t *c = db_one(db_q(db, "SELECT " CUSTOMER_COLS " FROM customers WHERE id = $1", "t", id), &rc);
	if (!c || !visible(db, actor, fg_jstr(c, "org_unit_id"))) {
		json_decref(c);
		return fg_err_not_found(err, "customer", id);
	}
	*cur = c;
	return 0;
}

int
customers_update(db_t *db, const auth_user_t *actor, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	json_t *cur = NULL, *before = NULL;
	char norm[19];
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (lock_customer(db, actor, id, &cur, err) != 0)
		return db_fail(db, err);
	before = snapshot(db, id);
	if (db_check_version(cur, in, err) || check_identity(in, cur, norm, err) || check_text(in, "name", err) ||
	    (json_object_get(in, "contacts") && check_contacts(json_object_get(in, "contacts"), err)) ||
	    check_org(db, actor, in, err) || (norm[0] && taken(db, actor, norm, id, err)))
		goto fail;
	qb_t q;
	qb_init(&q, "UPDATE customers SET version = version + 1, updated_at = ");
	qb_int(&q, fg_now_ms());
	static const char *const cols[] = {"kind", "name", "id_type", "org_unit_id", "note", NULL};
	for (int i = 0; cols[i]; i++) {
		json_t *v = json_object_get(in, cols[i]);
		if (!v)
			continue;
		qb_sql(&q, ", ");
		qb_sql(&q, cols[i]);
		qb_sql(&q, " = ");
		qb_text(&q, json_string_value(v)); /* null clears */
	}
	if (norm[0]) {
		qb_sql(&q, ", id_number = ");
		qb_text(&q, norm);
	}
	qb_sql(&q, " WHERE id = ");
	qb_text(&q, id);
	int rc = db_run(qb_prepare(db, &q));
	qb_free(&q);
	if (rc == DB_CONFLICT)
		fg_err_field(err, "customer_id_number_taken", "id_number", "another customer has this ID number");
	if (rc != DB_DONE ||
	    (json_object_get(in, "contacts") && put_contacts(db, id, json_object_get(in, "contacts")) != 0))
		goto fail;
	json_decref(cur);
	if (audit_commit(db, uid(actor), "update", "customer", id, before, snapshot(db, id), NULL, err) != 0)
		return -1;
	*out = customers_get(db, actor, id);
	return 0;
fail:
	json_decref(cur);
	json_decref(before);
	return db_fail(db, err);
}

int
customers_identity(db_t *db, const auth_user_t *actor, const char *id, json_t **out, fg_err_t *err)
{
	/* a write transaction: the answer exists only if its audit record does */
	if (db_begin(db) != 0)
		return db_fail(db, err);
	int rc;
	json_t *c = db_one(db_q(db, "SELECT id, name, id_type, id_number, org_unit_id FROM customers WHERE id = $1", "t", id),
	    &rc);
	if (!c || !visible(db, actor, fg_jstr(c, "org_unit_id"))) {
		json_decref(c);
		fg_err_not_found(err, "customer", id);
		return db_fail(db, err);
	}
	char m[32];
	customers_mask_id(fg_jstr(c, "id_number"), m, sizeof m);
	json_t *what = json_pack("{s:s, s:s}", "field", "id_number", "id_number", m);
	if (audit_write(db, uid(actor), "reveal_id_number", "customer", id, NULL, what) != 0 || db_commit(db) != 0) {
		json_decref(what);
		json_decref(c);
		return db_fail(db, err);
	}
	json_decref(what);
	json_object_del(c, "org_unit_id");
	json_object_set_new(c, "customer_id", json_string(id));
	json_object_del(c, "id");
	*out = c;
	return 0;
}

/* ---- accounts, premises, metering points ---- */

/* The customer above an account, premises or metering point (sql: one row with customer_id), locked and in scope.
 * not_found names what the caller asked for. */
static int
lock_owner(db_t *db, const auth_user_t *actor, const char *sql, const char *entity, const char *id, fg_err_t *err)
{
	int rc;
	json_t *row = db_one(db_q(db, sql, "t", id), &rc);
	if (!row)
		return fg_err_not_found(err, entity, id);
	json_t *cur = NULL;
	int r = lock_customer(db, actor, fg_jstr(row, "customer_id"), &cur, err);
	json_decref(row);
	json_decref(cur);
	if (r != 0) {
		fg_err_clear(err);
		return fg_err_not_found(err, entity, id);
	}
	return 0;
}

#define ACCOUNT_OWNER "SELECT customer_id FROM customer_accounts WHERE id = $1"
#define PREMISES_OWNER                                                                                                 \
	"SELECT a.customer_id FROM premises p JOIN customer_accounts a ON a.id = p.account_id WHERE p.id = $1"
#define POINT_OWNER                                                                                                    \
	"SELECT a.customer_id FROM metering_points m JOIN premises p ON p.id = m.premises_id "                         \
	"JOIN customer_accounts a ON a.id = p.account_id WHERE m.id = $1"

static json_t *
row(db_t *db, const char *sql, const char *id)
{
	int rc;
	return db_one(db_q(db, sql, "t", id), &rc);
}

#define ACCOUNT_ROW "SELECT " ACCOUNT_COLS " FROM customer_accounts WHERE id = $1"
#define PREMISES_ROW "SELECT " PREMISES_COLS " FROM premises WHERE id = $1"
#define POINT_ROW "SELECT " POINT_COLS " FROM metering_points WHERE id = $1"

/* 户号: the billing system's number, digits only */
static int
check_account_number(const char *n, fg_err_t *err)
{
	size_t len = strlen(n);
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)n[i]))
			return fg_err_field(err, "invalid_field", "number", "8 to 16 digits");
	return len < 8 || len > 16 ? fg_err_field(err, "invalid_field", "number", "8 to 16 digits") : 0;
}

static int
account_taken(db_t *db, const char *number, const char *self, fg_err_t *err)
{
	json_t *r = row(db, "SELECT id FROM customer_accounts WHERE number = $1", number);
	bool dup = r && (!self || strcmp(fg_jstr(r, "id"), self) != 0);
	json_decref(r);
	return dup ? fg_err_field(err, "account_number_taken", "number", "another account has this number") : 0;
}

/* Ends an audited write of a child entity: the child's row before → after, committed. */
static int
finish(db_t *db, const auth_user_t *actor, const char *action, const char *entity, const char *id, json_t *before,
    const char *sql, json_t **out, fg_err_t *err)
{
	json_t *after = row(db, sql, id);
	if (!after) {
		json_decref(before);
		return db_fail(db, err);
	}
	return audit_commit(db, uid(actor), action, entity, id, before, after, out, err);
}

int
customers_account_create(db_t *db, const auth_user_t *actor, const char *customer_id, json_t *in, json_t **out,
    fg_err_t *err)
{
	char id[37];
	int64_t now = fg_now_ms();
	const char *number = fg_jstr(in, "number");
	if (check_account_number(number, err))
		return -1;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	json_t *cur = NULL;
	int locked = lock_customer(db, actor, customer_id, &cur, err);
	json_decref(cur);
	if (locked != 0 || account_taken(db, number, NULL, err) != 0)
		return db_fail(db, err);
	fg_uuid7(id);
	int rc = db_run(db_q(db, "INSERT INTO customer_accounts (id, customer_id, number, status, created_at, updated_at) "
				 "VALUES ($1, $2, $3, 'active', $4, $4)", "ttti", id, customer_id, number, now));
	if (rc == DB_CONFLICT)
		fg_err_field(err, "account_number_taken", "number", "another account has this number");
	if (rc != DB_DONE)
		return db_fail(db, err);
	return finish(db, actor, "create", "customer_account", id, NULL, ACCOUNT_ROW, out, err);
}

int
customers_account_update(db_t *db, const auth_user_t *actor, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	const char *number = fg_jstr(in, "number"), *status = fg_jstr(in, "status");
	if ((number && check_account_number(number, err)) ||
	    (json_object_get(in, "status") && !fg_one_of(status, account_states) &&
		fg_err_field(err, "invalid_field", "status", "active or closed")))
		return -1;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (lock_owner(db, actor, ACCOUNT_OWNER, "customer_account", id, err) != 0)
		return db_fail(db, err);
	json_t *before = row(db, ACCOUNT_ROW, id);
	if (!before || db_check_version(before, in, err) || (number && account_taken(db, number, id, err))) {
		json_decref(before);
		return db_fail(db, err);
	}
	int rc = db_run(db_q(db, "UPDATE customer_accounts SET number = COALESCE($1, number), status = COALESCE($2, status), "
				 "version = version + 1, updated_at = $3 WHERE id = $4", "ttit", number, status, fg_now_ms(), id));
	if (rc == DB_CONFLICT)
		fg_err_field(err, "account_number_taken", "number", "another account has this number");
	if (rc != DB_DONE) {
		json_decref(before);
		return db_fail(db, err);
	}
	return finish(db, actor, "update", "customer_account", id, before, ACCOUNT_ROW, out, err);
}

static int
check_premises(json_t *in, fg_err_t *err)
{
	json_t *cap = json_object_get(in, "capacity_kva");
	if (json_object_get(in, "voltage_level") && !fg_one_of(fg_jstr(in, "voltage_level"), voltages))
		return fg_err_field(err, "invalid_field", "voltage_level", "220V, 380V, 10kV, 20kV, 35kV, 66kV, 110kV or 220kV");
	if (cap && (json_integer_value(cap) <= 0 || json_integer_value(cap) > 10000000))
		return fg_err_field(err, "invalid_field", "capacity_kva", "1 to 10000000 kVA");
	return check_text(in, "supply_address", err);
}

int
customers_premises_create(db_t *db, const auth_user_t *actor, const char *account_id, json_t *in, json_t **out,
    fg_err_t *err)
{
	char id[37];
	int64_t now = fg_now_ms();
	if (check_premises(in, err))
		return -1;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (lock_owner(db, actor, ACCOUNT_OWNER, "customer_account", account_id, err) != 0)
		return db_fail(db, err);
	fg_uuid7(id);
	if (db_run(db_q(db, "INSERT INTO premises (id, account_id, supply_address, voltage_level, transformer_area, "
			    "capacity_kva, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
		"tttttii", id, account_id, fg_jstr(in, "supply_address"), fg_jstr(in, "voltage_level"), fg_jstr(in, "transformer_area"),
		(int64_t)json_integer_value(json_object_get(in, "capacity_kva")), now)) != DB_DONE)
		return db_fail(db, err);
	return finish(db, actor, "create", "premises", id, NULL, PREMISES_ROW, out, err);
}

int
customers_premises_update(db_t *db, const auth_user_t *actor, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	if (check_premises(in, err))
		return -1;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (lock_owner(db, actor, PREMISES_OWNER, "premises", id, err) != 0)
		return db_fail(db, err);
	json_t *before = row(db, PREMISES_ROW, id);
	if (!before || db_check_version(before, in, err)) {
		json_decref(before);
		return db_fail(db, err);
	}
	qb_t q;
	qb_init(&q, "UPDATE premises SET version = version + 1, updated_at = ");
	qb_int(&q, fg_now_ms());
	static const char *const cols[] = {"supply_address", "voltage_level", "transformer_area", NULL};
	for (int i = 0; cols[i]; i++) {
		json_t *v = json_object_get(in, cols[i]);
		if (!v)
			continue;
		qb_sql(&q, ", ");
		qb_sql(&q, cols[i]);
		qb_sql(&q, " = ");
		qb_text(&q, json_string_value(v));
	}
	if (json_object_get(in, "capacity_kva")) {
		qb_sql(&q, ", capacity_kva = ");
		qb_int(&q, json_integer_value(json_object_get(in, "capacity_kva")));
	}
	qb_sql(&q, " WHERE id = ");
	qb_text(&q, id);
	int rc = db_run(qb_prepare(db, &q));
	qb_free(&q);
	if (rc != DB_DONE) {
		json_decref(before);
		return db_fail(db, err);
	}
	return finish(db, actor, "update", "premises", id, before, PREMISES_ROW, out, err);
}

/* A point is installed only with a meter named on it (its asset number): installing without one, or clearing the
 * asset number of an installed point without changing its status (to removed), is refused. */
static int
check_point(json_t *in, json_t *cur, fg_err_t *err)
{
	if (json_object_get(in, "purpose") && !fg_one_of(fg_jstr(in, "purpose"), purposes))
		return fg_err_field(err, "invalid_field", "purpose", "billing or check");
	if (json_object_get(in, "status") && !fg_one_of(fg_jstr(in, "status"), point_states))
		return fg_err_field(err, "invalid_field", "status", "planned, installed or removed");
	json_t *at = json_object_get(in, "installed_at");
	if (at && !json_is_null(at) && json_integer_value(at) < 1000000000000LL)
		return fg_err_field(err, "invalid_field", "installed_at", "epoch milliseconds");
	const char *reading = fg_jstr(in, "install_reading");
	if (reading) {
		size_t len = strlen(reading), dots = 0;
		for (size_t i = 0; i < len; i++)
			if (reading[i] == '.')
				dots++;
			else if (!isdigit((unsigned char)reading[i]))
				dots = 9;
		if (!len || dots > 1 || reading[0] == '.' || reading[len - 1] == '.')
			return fg_err_field(err, "invalid_field", "install_reading", "kWh as a decimal number: 12345.67");
	}
	const char *asset = json_object_get(in, "meter_asset_no") ? fg_jstr(in, "meter_asset_no") : fg_jstr(cur, "meter_asset_no");
	const char *status = json_object_get(in, "status") ? fg_jstr(in, "status") : cur ? fg_jstr(cur, "status") : "planned";
	if (strcmp(status, "installed") == 0 && !asset)
		return fg_err_field(err, "invalid_field", "meter_asset_no", "an installed point names its meter");
	if (json_object_get(in, "meter_asset_no") && asset && !*asset)
		return fg_err_field(err, "invalid_field", "meter_asset_no", "must not be empty");
	return 0;
}

static int
point_taken(db_t *db, const char *number, const char *self, fg_err_t *err)
{
	json_t *r = row(db, "SELECT id FROM metering_points WHERE number = $1", number);
	bool dup = r && (!self || strcmp(fg_jstr(r, "id"), self) != 0);
	json_decref(r);
	return dup ? fg_err_field(err, "metering_point_number_taken", "number", "another metering point has this number") : 0;
}

int
customers_point_create(db_t *db, const auth_user_t *actor, const char *premises_id, json_t *in, json_t **out,
    fg_err_t *err)
{
	char id[37], number[32];
	int64_t now = fg_now_ms();
	if (check_point(in, NULL, err) || check_text(in, "number", err))
		return -1;
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (lock_owner(db, actor, PREMISES_OWNER, "premises", premises_id, err) != 0)
		return db_fail(db, err);
	if (fg_jstr(in, "number"))
		fg_fmt(number, sizeof number, "%s", fg_jstr(in, "number"));
	else if (counter_number(db, "JL", number) != 0)
		return db_fail(db, err);
	if (point_taken(db, number, NULL, err))
		return db_fail(db, err);
	const char *asset = fg_jstr(in, "meter_asset_no");
	const char *status = fg_jstr(in, "status") ? fg_jstr(in, "status") : asset ? "installed" : "planned";
	json_t *at = json_object_get(in, "installed_at");
	fg_uuid7(id);
	int rc = db_run(db_q(db,
	    "INSERT INTO metering_points (id, premises_id, number, purpose, status, meter_asset_no, meter_model, installed_at, "
	    "install_reading, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
	    "tttttttnti", id, premises_id, number, fg_jstr(in, "purpose") ? fg_jstr(in, "purpose") : "billing", status, asset,
	    fg_jstr(in, "meter_model"), fg_jstr(in, "install_reading"), now));
	if (rc == DB_DONE && json_is_integer(at))
		rc = db_run(db_q(db, "UPDATE metering_points SET installed_at = $1 WHERE id = $2", "it",
		    (int64_t)json_integer_value(at), id));
	if (rc == DB_CONFLICT)
		fg_err_field(err, "metering_point_number_taken", "number", "another metering point has this number");
	if (rc != DB_DONE)
		return db_fail(db, err);
	return finish(db, actor, "create", "metering_point", id, NULL, POINT_ROW, out, err);
}

int
customers_point_update(db_t *db, const auth_user_t *actor, const char *id, json_t *in, json_t **out, fg_err_t *err)
{
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (lock_owner(db, actor, POINT_OWNER, "metering_point", id, err) != 0)
		return db_fail(db, err);
	json_t *before = row(db, POINT_ROW, id);
	if (!before || db_check_version(before, in, err) || check_point(in, before, err) || check_text(in, "number", err) ||
	    (fg_jstr(in, "number") && point_taken(db, fg_jstr(in, "number"), id, err))) {
		json_decref(before);
		return db_fail(db, err);
	}
	qb_t q;
	qb_init(&q, "UPDATE metering_points SET version = version + 1, updated_at = ");
	qb_int(&q, fg_now_ms());
	static const char *const cols[] = {"number", "purpose", "status", "meter_asset_no", "meter_model", "install_reading", NULL};
	for (int i = 0; cols[i]; i++) {
		json_t *v = json_object_get(in, cols[i]);
		if (!v)
			continue;
		qb_sql(&q, ", ");
		qb_sql(&q, cols[i]);
		qb_sql(&q, " = ");
		qb_text(&q, json_string_value(v));
	}
	/* a meter recorded on a planned point installs it, unless the caller says otherwise */
	if (!json_object_get(in, "status") && fg_jstr(in, "meter_asset_no") && strcmp(fg_jstr(before, "status"), "planned") == 0)
		qb_sql(&q, ", status = 'installed'");
	json_t *at = json_object_get(in, "installed_at");
	if (at) {
		qb_sql(&q, ", installed_at = ");
		if (json_is_null(at))
			qb_sql(&q, "NULL");
		else
			qb_int(&q, json_integer_value(at));
	}
	qb_sql(&q, " WHERE id = ");
	qb_text(&q, id);
	int rc = db_run(qb_prepare(db, &q));
	qb_free(&q);
	if (rc == DB_CONFLICT)
		fg_err_field(err, "metering_point_number_taken", "number", "another metering point has this number");
	if (rc != DB_DONE) {
		json_decref(before);
		return db_fail(db, err);
	}
	return finish(db, actor, "update", "metering_point", id, before, POINT_ROW, out, err);
}
