#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/embed.h"
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "core/auth/perm.h"
#include "core/flow/flow.h"
#include "core/module/module.h"


static json_t *flows; /* name → definition */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static flow_guard_fn
find_guard(const char *name)
{
	FG_EACH_MODULE(m)
		for (const flow_guard_t *g = m->guards; g && g->name; g++)
			if (strcmp(g->name, name) == 0)
				return g->fn;
	return NULL;
}

static flow_effect_fn
find_effect(const char *name)
{
	FG_EACH_MODULE(m)
		for (const flow_effect_t *e = m->effects; e && e->name; e++)
			if (strcmp(e->name, name) == 0)
				return e->fn;
	return NULL;
}

static void
die(const char *path, const char *what, const char *name)
{
	log_error("flow %s: %s '%s'", path, what, name ? name : "?");
	abort();
}

static bool
in_list(json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) if (strcmp(json_string_value(v), s) == 0) return true;
	return false;
}

static bool
has_state(json_t *def, const char *state)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(def, "states"), i, s) if (strcmp(json_string_value(json_object_get(s, "code")), state) == 0) return true;
	return false;
}

static bool
ident(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
			return false;
	return true;
}

static bool
has_action(json_t *def, const char *action, const char *from)
{
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(def, "transitions"), i, t) if (strcmp(json_string_value(json_object_get(t, "action")), action) == 0 && in_list(json_object_get(t, "from"), from)) return true;
	return false;
}

static const char *const field_types[] = {"text", "integer", "array", "object", "boolean", NULL};

static bool
code_ok(json_t *o)
{
	json_t *c = json_object_get(o, "code");
	return !c || (json_is_string(c) && strcmp(errcat_find(json_string_value(c))->code, json_string_value(c)) == 0);
}

/* The declared requirements, stamps and deadlines: names that are identifiers, types, codes, roles and actions
 * that exist. */
static void
check_declarations(const char *path, json_t *def, json_t *t)
{
	const char *action = json_string_value(json_object_get(t, "action")), *k;
	json_t *v, *who = json_object_get(t, "who"), *reason = json_object_get(t, "reason");
	size_t j;
	if (who && (!json_is_object(who) || !ident(json_string_value(json_object_get(who, "relation"))) || !code_ok(who)))
		die(path, "\"who\" needs {\"relation\": column, \"or_roles\"?, \"code\"?}", action);
	json_array_foreach(json_object_get(who, "or_roles"), j, v) if (!perm_role_bit(json_string_value(v))) die(path, "unknown role", json_string_value(v));
	json_object_foreach(json_object_get(t, "fields"), k, v) {
		const char *type = json_is_object(v) ? json_string_value(json_object_get(v, "type")) : json_string_value(v);
		int i;
		for (i = 0; field_types[i] && (!type || strcmp(field_types[i], type) != 0); i++)
			;
		if (!field_types[i] || (json_is_object(v) && !code_ok(v)))
			die(path, "field with an unknown type or code", k);
	}
	if (reason && !json_is_true(reason) && !(json_is_object(reason) && code_ok(reason)))
		die(path, "\"reason\" is true or {\"code\": …}", action);
	json_t *when = json_object_get(t, "when");
	if (when && (!json_is_object(when) || !json_object_size(when)))
		die(path, "\"when\" is {column: [values]}", action);
	json_object_foreach(when, k, v) {
		if (!ident(k) || !json_is_array(v) || !json_array_size(v))
			die(path, "\"when\": column → non-empty [values]", k);
	}
	json_object_foreach(json_object_get(t, "stamps"), k, v) {
		const char *val = json_string_value(v);
		if (!ident(k) || !val || (strcmp(val, "actor") && strcmp(val, "now") && strcmp(val, "null") &&
		    (strncmp(val, "body.", 5) || !ident(val + 5))))
			die(path, "stamp: column = actor | now | null | body.<field>", k);
	}
	(void)def;
}

/* An amount of a deadline: N >= 0, or {"by": column, "values": {value: N}, "default"?: N}. */
static bool
amount_ok(json_t *v)
{
	if (json_is_integer(v))
		return json_integer_value(v) >= 0 && json_integer_value(v) <= 3660;
	json_t *vals = json_object_get(v, "values"), *x, *dflt = json_object_get(v, "default");
	const char *k;
	if (!json_is_object(v) || !ident(json_string_value(json_object_get(v, "by"))) || !json_is_object(vals) ||
	    (dflt && !amount_ok(dflt)))
		return false;
	json_object_foreach(vals, k, x) if (!json_is_integer(x) || !amount_ok(x)) return false;
	return true;
}

/* {"hours": N} or {"working_days": N}; *wd says which */
static bool
span_ok(json_t *after, bool *wd)
{
	json_t *h = json_object_get(after, "hours"), *w = json_object_get(after, "working_days");
	*wd = w != NULL;
	return json_is_object(after) && json_object_size(after) == 1 && ((h && amount_ok(h)) || (w && amount_ok(w)));
}

static void
check_notify(const char *path, json_t *n, const char *code)
{
	size_t j;
	json_t *v;
	if (!json_is_object(n) || !json_is_string(json_object_get(n, "kind")))
		die(path, "notify needs {kind, roles?, relation?, title_zh?}", code);
	if (json_object_get(n, "relation") && !ident(json_string_value(json_object_get(n, "relation"))))
		die(path, "notify: relation is a column", code);
	json_array_foreach(json_object_get(n, "roles"), j, v) if (!perm_role_bit(json_string_value(v))) die(path, "unknown role", json_string_value(v));
}

/* on_expiry fires an action (of `state`, or of any state for the process deadline), escalates, and/or notifies;
 * warn: {"before": span, "notify"}, a working-day warning only on a working-day count. */
static void
check_clock(const char *path, json_t *def, json_t *d, const char *code, bool after_wd, bool process)
{
	json_t *ex = json_object_get(d, "on_expiry"), *n = json_object_get(ex, "notify"), *warn = json_object_get(d, "warn");
	const char *fire = json_string_value(json_object_get(ex, "fire"));
	if (json_is_true(json_object_get(ex, "escalate")))
		fire = "escalate";
	bool fire_ok = false;
	if (fire && process) {
		size_t i;
		json_t *t;
		json_array_foreach(json_object_get(def, "transitions"), i, t) fire_ok |= strcmp(json_string_value(json_object_get(t, "action")), fire) == 0;
	} else if (fire)
		fire_ok = has_action(def, fire, code);
	if ((!fire && !n) || (fire && !fire_ok))
		die(path, "deadline: on_expiry fires an action of this state, escalates, and/or notifies {kind, roles?, relation?}", code);
	if (n)
		check_notify(path, n, code);
	if (warn) {
		bool wwd;
		if (!json_is_object(warn) || !span_ok(json_object_get(warn, "before"), &wwd) || (wwd && !after_wd))
			die(path, "deadline: warn {\"before\": {hours|working_days}, \"notify\"}, working days only on a working-day count", code);
		check_notify(path, json_object_get(warn, "notify"), code);
	}
}

static void
check_deadline(const char *path, json_t *def, json_t *state)
{
	const char *code = json_string_value(json_object_get(state, "code"));
	json_t *d = json_object_get(state, "deadline"), *pc = json_object_get(state, "process_clock");
	if (pc && !json_is_boolean(pc))
		die(path, "process_clock is true or false", code);
	if (!d)
		return;
	bool wd = false, after_ok = span_ok(json_object_get(d, "after"), &wd);
	const char *from = json_string_value(json_object_get(d, "from"));
	if ((after_ok == !!json_object_get(d, "at")) || (json_object_get(d, "at") && !ident(json_string_value(json_object_get(d, "at")))) ||
	    (from && strcmp(from, "state") && strcmp(from, "start")))
		die(path, "deadline: \"after\" {hours|working_days} or \"at\" column, \"from\" state|start", code);
	check_clock(path, def, d, code, wd, false);
}

/* "process_deadline": {"after", "on_expiry", "warn"?, "ends"?: [states]} */
static void
check_process(const char *path, json_t *def)
{
	json_t *pd = json_object_get(def, "process_deadline"), *v;
	size_t j;
	bool wd = false;
	if (!pd)
		return;
	if (!json_is_object(pd) || !span_ok(json_object_get(pd, "after"), &wd) || json_object_get(pd, "at") ||
	    (json_object_get(pd, "ends") && !json_is_array(json_object_get(pd, "ends"))))
		die(path, "process_deadline: {\"after\": {hours|working_days}, \"on_expiry\", \"warn\"?, \"ends\"?: [states]}", NULL);
	json_array_foreach(json_object_get(pd, "ends"), j, v) if (!json_is_string(v) || !has_state(def, json_string_value(v))) die(path, "process_deadline: unknown end state", json_string_value(v));
	check_clock(path, def, pd, "process_deadline", wd, true);
}

/* Every name a flow file uses must exist: guards, effects, roles, states. */
static void
check(const char *path, json_t *def)
{
	size_t i, j;
	json_t *t, *v;
	if (!json_is_array(json_object_get(def, "states")) || !json_is_array(json_object_get(def, "transitions")))
		die(path, "needs states and transitions", NULL);
	json_array_foreach(json_object_get(def, "transitions"), i, t) {
		const char *action = json_string_value(json_object_get(t, "action"));
		const char *to = json_string_value(json_object_get(t, "to"));
		if (json_is_true(json_object_get(t, "stay")))
			to = NULL;
		if (!action || (to && !has_state(def, to)) || (!to && !json_is_true(json_object_get(t, "stay"))))
			die(path, "transition with no action or unknown target state", action);
		json_array_foreach(json_object_get(t, "from"), j, v) if (!has_state(def, json_string_value(v))) die(path, "unknown from-state", json_string_value(v));
		json_array_foreach(json_object_get(t, "roles"), j, v) if (!perm_role_bit(json_string_value(v))) die(path, "unknown role", json_string_value(v));
		json_array_foreach(json_object_get(t, "guards"), j, v) if (!find_guard(json_string_value(v))) die(path, "unregistered guard", json_string_value(v));
		json_array_foreach(json_object_get(t, "effects"), j, v) if (!find_effect(json_string_value(v))) die(path, "unregistered effect", json_string_value(v));
		check_declarations(path, def, t);
	}
	json_array_foreach(json_object_get(def, "states"), i, t) check_deadline(path, def, t);
	check_process(path, def);
}

static void
load_all(void)
{
	flows = json_object();
	for (const embed_file_t *f = embed_files; f->path; f++) {
		if (strncmp(f->path, "data/flows/", 11) != 0)
			continue;
		json_error_t je;
		json_t *def = json_loadb(f->data, f->len, JSON_REJECT_DUPLICATES, &je);
		if (!def)
			die(f->path, "invalid JSON", je.text);
		check(f->path, def);
		json_object_set_new(flows, json_string_value(json_object_get(def, "name")), def);
	}
}

void
flow_init(void)
{
	pthread_once(&once, load_all);
}

static json_t *
def_of(const char *flow)
{
	flow_init();
	return json_object_get(flows, flow);
}

json_t *
flow_transition(const char *flow, const char *action)
{
	json_t *def = def_of(flow), *t;
	size_t i;
	json_array_foreach(json_object_get(def, "transitions"), i, t) if (strcmp(json_string_value(json_object_get(t, "action")), action) == 0) return t;
	return NULL;
}

json_t *
flow_describe(const char *flow)
{
	json_t *d = def_of(flow);
	return d ? json_deep_copy(d) : NULL;
}

static uint32_t
roles_of(json_t *t)
{
	uint32_t bits = 0;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(t, "roles"), i, v) bits |= perm_role_bit(json_string_value(v));
	return bits;
}

json_t *
flow_actions(const char *flow, const char *state, uint32_t roles)
{
	json_t *out = json_array(), *def = def_of(flow), *t;
	size_t i;
	if (!def)
		return out;
	json_array_foreach(json_object_get(def, "transitions"), i, t) {
		if (in_list(json_object_get(t, "from"), state) && ((roles & ROLE_ADMIN) || (roles_of(t) & roles)))
			json_array_append(out, json_object_get(t, "action"));
	}
	return out;
}

const auth_user_t flow_system_actor = {.id = FLOW_SYSTEM_ID, .username = "~system", .display_name = "系统", .roles = 0};

bool
flow_when_holds(json_t *when, json_t *row)
{
	const char *k;
	json_t *vals;
	json_object_foreach(when, k, vals) {
		json_t *have = json_object_get(row, k), *v;
		size_t j;
		bool hit = false;
		json_array_foreach(vals, j, v) hit |= have && json_equal(have, v);
		if (!hit)
			return false;
	}
	return true;
}

static bool
when_holds(json_t *t, json_t *row)
{
	return flow_when_holds(json_object_get(t, "when"), row);
}

json_t *
flow_actions_for(const char *flow, json_t *row, uint32_t roles)
{
	json_t *out = json_array(), *def = def_of(flow), *t;
	const char *state = json_string_value(json_object_get(row, "status"));
	size_t i;
	if (!def || !state)
		return out;
	json_array_foreach(json_object_get(def, "transitions"), i, t) {
		json_t *a = json_object_get(t, "action");
		if (in_list(json_object_get(t, "from"), state) && when_holds(t, row) && ((roles & ROLE_ADMIN) || (roles_of(t) & roles)) &&
		    !in_list(out, json_string_value(a)))
			json_array_append(out, a);
	}
	return out;
}

/* A gate for the refusal: code, and the field or relation it names. */
static void
gate_add(json_t *gates, const char *code, const char *key, const char *val)
{
	json_t *g = json_pack("{s:s}", "code", code);
	if (key)
		json_object_set_new(g, key, json_string(val));
	json_array_append_new(gates, g);
}

static const char *
code_or(json_t *o, const char *dflt)
{
	const char *c = json_string_value(json_object_get(o, "code"));
	return c ? c : dflt;
}

static bool
empty(json_t *v)
{
	return !v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
	       (json_is_array(v) && json_array_size(v) == 0);
}

static bool
type_ok(json_t *v, const char *type)
{
	return strcmp(type, "text") == 0 ? json_is_string(v) : strcmp(type, "integer") == 0 ? json_is_integer(v)
	    : strcmp(type, "array") == 0 ? json_is_array(v) : strcmp(type, "object") == 0 ? json_is_object(v)
	    : json_is_boolean(v);
}

/* The ONE generic guard: what the transition declares it needs (flow.h). Every failure is a gate, so a refusal
 * lists all that is wrong at once, the declared checks before the module's guards. */
static void
check_requirements(json_t *t, json_t *row, json_t *body, const auth_user_t *actor, bool by_deadline, json_t *gates)
{
	json_t *who = json_object_get(t, "who"), *v, *reason = json_object_get(t, "reason");
	const char *k;
	if (who && !by_deadline) {
		const char *rel = json_string_value(json_object_get(who, "relation"));
		const char *uid = json_string_value(json_object_get(row, rel));
		uint32_t bypass = 0;
		size_t j;
		json_array_foreach(json_object_get(who, "or_roles"), j, v) bypass |= perm_role_bit(json_string_value(v));
		if (!(actor->roles & bypass) && !(uid && strcmp(uid, actor->id) == 0))
			gate_add(gates, code_or(who, "flow_not_related"), "relation", rel);
	}
	json_object_foreach(json_object_get(t, "fields"), k, v) {
		const char *type = json_is_object(v) ? json_string_value(json_object_get(v, "type")) : json_string_value(v);
		json_t *got = json_object_get(body, k);
		if (empty(got))
			gate_add(gates, code_or(v, "missing_field"), "field", k);
		else if (!type_ok(got, type))
			gate_add(gates, json_is_object(v) ? code_or(v, "invalid_field") : "invalid_field", "field", k);
	}
	if ((reason || json_is_true(json_object_get(t, "pause"))) && !by_deadline) {
		json_t *r = json_object_get(body, "reason");
		if (!json_is_string(r) || json_string_length(r) == 0)
			gate_add(gates, code_or(reason, "reason_required"), "field", "reason");
	}
}

/* The declared stamps, one column at a time (after the effects: a signature covers the record as it was). */
static int
apply_stamps(db_t *db, const flow_binding_t *b, json_t *t, const char *id, const auth_user_t *actor, json_t *body, int64_t now)
{
	const char *col;
	json_t *v;
	json_object_foreach(json_object_get(t, "stamps"), col, v) {
		const char *what = json_string_value(v);
		char sql[160];
		fg_fmt(sql, sizeof sql, "UPDATE %s SET %s = $1 WHERE id = $2", b->table, col); /* identifiers checked at load */
		db_stmt_t *st = db_prepare(db, sql);
		if (!st)
			return -1;
		json_t *src = strncmp(what, "body.", 5) == 0 ? json_object_get(body, what + 5) : NULL;
		if (strcmp(what, "actor") == 0)
			db_bind_text(st, 1, actor->id);
		else if (strcmp(what, "now") == 0)
			db_bind_int(st, 1, now);
		else if (json_is_integer(src))
			db_bind_int(st, 1, json_integer_value(src));
		else if (json_is_string(src))
			db_bind_text(st, 1, json_string_value(src));
		else
			db_bind_null(st, 1);
		db_bind_text(st, 2, id);
		if (db_run(st) != DB_DONE)
			return -1;
	}
	return 0;
}

int
flow_fire_tx(db_t *db, const flow_binding_t *b, const char *id, const char *action, const auth_user_t *actor,
    json_t *body, int64_t now, bool by_deadline, json_t **out, fg_err_t *err)
{
	json_t *def = def_of(b->flow), *t = NULL, *allowed = json_array(), *gates = json_array();
	json_t *row = NULL, *after = NULL;
	size_t i;
	int rc = -1;
	if (!now)
		now = fg_now_ms();
	if (!def) {
		log_error("no flow named %s", b->flow);
		fg_err(err, "internal");
		goto done;
	}
	/* Lock the row before reading it: the state, the version and everything the guards read from it are then
	 * the committed ones, and a second firing of the same action waits here, then finds the new state and is
	 * refused (invalid_transition) instead of running its effects twice (issue 9: two concurrent `issue`s of
	 * one part request took its stock twice on PostgreSQL).
	 * On PostgreSQL the lock travels with the next statement (db_lock_row_ahead: one round trip, not two), so a
	 * load that failed in the database, the lock's failure included, is told apart from a row that is not there. */
	db_errclear(db);
	if (db_lock_row_ahead(db, b->table, id) != 0 || (b->lock_related && b->lock_related(db, id) != 0))
		goto done;
	row = b->load(db, id);
	if (!row) {
		if (!*db_errmsg(db))
			fg_err_not_found(err, b->entity, id);
		goto done;
	}
	const char *state = json_string_value(json_object_get(row, "status"));
	if (json_object_get(body, "version") && db_check_version(row, body, err))
		goto done;
	json_t *cand;
	bool known = false;
	json_array_foreach(json_object_get(def, "transitions"), i, cand) {
		bool is_action = strcmp(json_string_value(json_object_get(cand, "action")), action) == 0;
		known |= is_action;
		/* "when": the transition exists for some entities only (an HV application's design review) */
		if (in_list(json_object_get(cand, "from"), state) && when_holds(cand, row)) {
			if (!in_list(allowed, json_string_value(json_object_get(cand, "action"))))
				json_array_append(allowed, json_object_get(cand, "action"));
			if (is_action && !t)
				t = cand;
		}
	}
	if (!known) {
		fg_err(err, "not_found");
		fg_err_detail_str(err, "action", action);
		goto done;
	}
	if (!t) {
		fg_err(err, "invalid_transition");
		fg_err_detail_str(err, "state", state);
		fg_err_detail_str(err, "action", action);
		fg_err_detail(err, "allowed", json_incref(allowed));
		goto done;
	}
	if (!by_deadline && !(actor->roles & ROLE_ADMIN) && !(roles_of(t) & actor->roles)) {
		char perm[96];
		fg_fmt(perm, sizeof perm, "%s.%s", b->flow, action);
		fg_err(err, "forbidden");
		fg_err_detail_str(err, "permission", perm);
		fg_err_detail(err, "roles", json_incref(json_object_get(t, "roles")));
		goto done;
	}
	flow_ctx_t c = {.db = db, .actor = actor, .flow = b->flow, .id = id, .action = action, .row = row, .body = body,
	    .transition = t, .now = now, .by_deadline = by_deadline};
	check_requirements(t, row, body, actor, by_deadline, gates);
	json_t *g;
	json_array_foreach(json_object_get(t, "guards"), i, g) {
		fg_err_t gate = FG_ERR_INIT;
		if (find_guard(json_string_value(g))(&c, &gate) == 0)
			continue;
		if (!gate.code || strcmp(gate.code, "internal") == 0) { /* a guard that could not decide fails the whole */
			fg_err_clear(&gate);
			fg_err(err, "internal");
			goto done;
		}
		json_t *entry = gate.details ? json_incref(gate.details) : json_object();
		json_object_set_new(entry, "code", json_string(gate.code));
		json_array_append_new(gates, entry);
		fg_err_clear(&gate);
	}
	if (json_array_size(gates)) {
		json_t *first = json_array_get(gates, 0);
		/* the code of a catalogued entry: static, unlike the gate's own string */
		const errcat_t *ec = errcat_find(json_string_value(json_object_get(first, "code")));
		fg_err(err, ec ? ec->code : "internal");
		fg_err_detail_str(err, "action", action);
		const char *field = json_string_value(json_object_get(first, "field"));
		if (field) /* a check that found a field missing or wrong names it where clients look for it */
			fg_err_detail_str(err, "field", field);
		if (json_object_get(first, "relation"))
			fg_err_detail_str(err, "relation", json_string_value(json_object_get(first, "relation")));
		fg_err_detail(err, "gates", json_incref(gates));
		goto done;
	}
	/* "stay": the action records something (an extension) without leaving the state */
	const char *to = json_is_true(json_object_get(t, "stay")) ? state : json_string_value(json_object_get(t, "to"));
	char sql[256];
	/* From the state the transition was allowed in, or not at all: a second line of defence should a guard (or a
	 * writer that skipped the lock) have moved the row; the lock above already keeps other transitions out. */
	fg_fmt(sql, sizeof sql, "UPDATE %s SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND status = $4 "
	    "RETURNING id", b->table);
	int urc;
	json_t *moved = db_one(db_q(db, sql, "titt", to, fg_now_ms(), id, state), &urc);
	json_decref(moved);
	if (urc == DB_DONE) {
		fg_err(err, "invalid_transition");
		fg_err_detail_str(err, "state", state);
		fg_err_detail_str(err, "action", action);
		fg_err_detail(err, "allowed", json_incref(allowed));
	}
	if (urc != DB_ROW)
		goto done;
	json_array_foreach(json_object_get(t, "effects"), i, g) if (find_effect(json_string_value(g))(&c, err) != 0) goto done;
	if (apply_stamps(db, b, t, id, actor, body, now) != 0)
		goto done;
	const char *reason = json_string_value(json_object_get(body, "reason"));
	bool leaves = !json_is_true(json_object_get(t, "stay"));
	bool pause = json_is_true(json_object_get(t, "pause")), resume = json_is_true(json_object_get(t, "resume"));
	/* the clock: a pause stops it, a resume restarts it (and moves an "at" column, so the row is read after it) */
	if (pause ? flow_timers_pause(db, b, id, reason, now) != 0 : resume ? flow_timers_resume(db, b, id, now) != 0 : 0)
		goto done;
	after = b->load(db, id);
	if (!after)
		goto done;
	/* Otherwise a new state re-arms the clock and a stay re-reads an "at" deadline the effects may have moved, from
	 * the row just loaded. On PostgreSQL the timers' changes, the flow event and the audit chain's head go in one
	 * statement (a data-modifying WITH: one round trip instead of up to four), in the order they had as separate
	 * statements, the head last: no row is waited for while holding it. */
	bool pg = db_kind(db) == DB_PG;
	qb_t q;
	qb_init(&q, "WITH ");
	if (!pause && !resume && flow_timers_sync_row(db, b, id, after, leaves, state, now, pg && leaves ? &q : NULL) != 0) {
		qb_free(&q);
		goto done;
	}
	char eid[37];
	fg_uuid7(eid);
	const char *ev_reason = json_object_get(t, "reason") || pause ? reason : NULL;
	audit_slot_t slot;
	int arc;
	if (pg) {
		qb_sql(&q, "fe AS (INSERT INTO flow_events (id, flow, entity_id, action, from_state, to_state, actor_id, at, reason) VALUES (");
		const char *vals[] = {eid, b->flow, id, action, state, to, actor->id};
		for (size_t k = 0; k < sizeof vals / sizeof *vals; k++) {
			qb_text(&q, vals[k]);
			qb_sql(&q, ", ");
		}
		qb_int(&q, fg_now_ms());
		qb_sql(&q, ", ");
		qb_text(&q, ev_reason);
		qb_sql(&q, ")) " AUDIT_TAKE_SQL);
		arc = audit_take(qb_prepare(db, &q), &slot);
	} else {
		arc = db_run(db_q(db,
			  "INSERT INTO flow_events (id, flow, entity_id, action, from_state, to_state, actor_id, at, reason) "
			  "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
			  "tttttttit", eid, b->flow, id, action, state, to, actor->id, fg_now_ms(), ev_reason)) == DB_DONE
		    ? audit_take(db_prepare(db, AUDIT_TAKE_SQL), &slot) : DB_ERR;
	}
	qb_free(&q);
	if (arc != 0 || audit_put(db, &slot, actor->id, action, b->entity, id, row, after) != 0)
		goto done;
	*out = after;
	after = NULL;
	rc = 0;
done:
	json_decref(row);
	json_decref(after);
	json_decref(allowed);
	json_decref(gates);
	return rc;
}

int
flow_fire(db_t *db, const flow_binding_t *b, const char *id, const char *action, const auth_user_t *actor,
    json_t *body, json_t **out, fg_err_t *err)
{
	if (db_begin(db) != 0)
		return db_fail(db, err);
	json_t *res = NULL;
	if (flow_fire_tx(db, b, id, action, actor, body, 0, false, &res, err) != 0 || db_commit(db) != 0) {
		json_decref(res);
		return db_fail(db, err);
	}
	*out = res;
	return 0;
}

/* ---- bindings: how a deadline's firing reaches an entity of any flow (the modules' .flows) ---- */

static pthread_mutex_t extra_lock = PTHREAD_MUTEX_INITIALIZER;
static const flow_binding_t *extra[8];

void
flow_define(json_t *def, const flow_binding_t *b)
{
	flow_init();
	check("(defined at run time)", def);
	pthread_mutex_lock(&extra_lock);
	json_object_set(flows, json_string_value(json_object_get(def, "name")), def);
	for (int i = 0; i < 8; i++)
		if (!extra[i] || extra[i] == b) {
			extra[i] = b;
			break;
		}
	pthread_mutex_unlock(&extra_lock);
}

const flow_binding_t *
flow_binding(const char *flow)
{
	pthread_mutex_lock(&extra_lock);
	for (int i = 0; i < 8 && extra[i]; i++)
		if (strcmp(extra[i]->flow, flow) == 0) {
			pthread_mutex_unlock(&extra_lock);
			return extra[i];
		}
	pthread_mutex_unlock(&extra_lock);
	FG_EACH_MODULE(m)
		for (const flow_binding_t *const *b = m->flows; b && *b; b++)
			if (strcmp((*b)->flow, flow) == 0)
				return *b;
	return NULL;
}

/* The definition (borrowed) for flow_timers.c. */
json_t *
flow_def(const char *flow)
{
	return def_of(flow);
}

int
flow_record(db_t *db, const char *flow, const char *id, const char *why, const char *from, const char *to,
    const char *actor_id)
{
	char eid[37];
	fg_uuid7(eid);
	int64_t now = fg_now_ms();
	if (db_run(db_q(db,
		"INSERT INTO flow_events (id, flow, entity_id, action, from_state, to_state, actor_id, at) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", "ttttttti", eid, flow, id, why, from, to, actor_id, now)) != DB_DONE)
		return -1;
	const flow_binding_t *b = flow_binding(flow);
	return b ? flow_timers_sync(db, b, id, strcmp(from, to) != 0, now) : 0;
}

json_t *
flow_history(db_t *db, const char *flow, const char *id)
{
	int rc;
	return db_all(db_q(db,
	    "SELECT e.id, e.action, e.from_state, e.to_state, e.actor_id, u.display_name AS actor_name, e.at, e.reason "
	    "FROM flow_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.flow = $1 AND e.entity_id = $2 "
	    "ORDER BY e.at, e.id LIMIT 1000", "tt", flow, id), &rc);
}
