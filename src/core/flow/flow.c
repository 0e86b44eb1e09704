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
has_state(json_t *def, const char *state)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(def, "states"), i, s) if (strcmp(json_string_value(json_object_get(s, "code")), state) == 0) return true;
	return false;
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
	}
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

static bool
in_list(json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) if (strcmp(json_string_value(v), s) == 0) return true;
	return false;
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

int
flow_fire(db_t *db, const flow_binding_t *b, const char *id, const char *action, const auth_user_t *actor,
    json_t *body, json_t **out, fg_err_t *err)
{
	json_t *def = def_of(b->flow), *t = NULL, *allowed = json_array(), *gates = json_array();
	json_t *row = NULL, *after = NULL;
	size_t i;
	if (!def) {
		log_error("no flow named %s", b->flow);
		fg_err(err, "internal");
		goto fail_early;
	}
	if (db_begin(db) != 0) {
		db_fail(db, err);
		goto fail_early;
	}
	/* Lock the row before reading it: the state, the version and everything the guards read from it are then
	 * the committed ones, and a second firing of the same action waits here, then finds the new state and is
	 * refused (invalid_transition) instead of running its effects twice (issue 9: two concurrent `issue`s of
	 * one part request took its stock twice on PostgreSQL). */
	if (db_lock_row(db, b->table, id) != 0 || (b->lock_related && b->lock_related(db, id) != 0))
		goto fail;
	row = b->load(db, id);
	if (!row) {
		fg_err_not_found(err, b->entity, id);
		goto fail;
	}
	const char *state = json_string_value(json_object_get(row, "status"));
	if (json_object_get(body, "version") && db_check_version(row, body, err))
		goto fail;
	json_t *cand;
	bool known = false;
	json_array_foreach(json_object_get(def, "transitions"), i, cand) {
		bool is_action = strcmp(json_string_value(json_object_get(cand, "action")), action) == 0;
		known |= is_action;
		if (in_list(json_object_get(cand, "from"), state)) {
			if (!in_list(allowed, json_string_value(json_object_get(cand, "action"))))
				json_array_append(allowed, json_object_get(cand, "action"));
			if (is_action && !t)
				t = cand;
		}
	}
	if (!known) {
		fg_err(err, "not_found");
		fg_err_detail_str(err, "action", action);
		goto fail;
	}
	if (!t) {
		fg_err(err, "invalid_transition");
		fg_err_detail_str(err, "state", state);
		fg_err_detail_str(err, "action", action);
		fg_err_detail(err, "allowed", json_incref(allowed));
		goto fail;
	}
	if (!(actor->roles & ROLE_ADMIN) && !(roles_of(t) & actor->roles)) {
		char perm[96];
		fg_fmt(perm, sizeof perm, "%s.%s", b->flow, action);
		fg_err(err, "forbidden");
		fg_err_detail_str(err, "permission", perm);
		fg_err_detail(err, "roles", json_incref(json_object_get(t, "roles")));
		goto fail;
	}
	flow_ctx_t c = {.db = db, .actor = actor, .flow = b->flow, .id = id, .action = action, .row = row, .body = body,
	    .transition = t};
	json_t *g;
	const char *first = NULL, *first_field = NULL;
	json_array_foreach(json_object_get(t, "guards"), i, g) {
		fg_err_t gate = FG_ERR_INIT;
		if (find_guard(json_string_value(g))(&c, &gate) == 0)
			continue;
		if (!gate.code || strcmp(gate.code, "internal") == 0) { /* a guard that could not decide fails the whole */
			fg_err_clear(&gate);
			fg_err(err, "internal");
			goto fail;
		}
		json_t *entry = gate.details ? json_incref(gate.details) : json_object();
		json_object_set_new(entry, "code", json_string(gate.code));
		json_array_append_new(gates, entry);
		if (!first) {
			first = gate.code; /* catalog strings: static */
			first_field = json_string_value(json_object_get(entry, "field")); /* lives while gates does */
		}
		fg_err_clear(&gate);
	}
	if (first) {
		fg_err(err, first);
		fg_err_detail_str(err, "action", action);
		if (first_field) /* a guard that found a field missing or wrong names it where clients look for it */
			fg_err_detail_str(err, "field", first_field);
		fg_err_detail(err, "gates", json_incref(gates));
		goto fail;
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
		goto fail;
	json_array_foreach(json_object_get(t, "effects"), i, g) if (find_effect(json_string_value(g))(&c, err) != 0) goto fail;
	after = b->load(db, id);
	char eid[37];
	fg_uuid7(eid);
	if (!after ||
	    db_run(db_q(db,
		"INSERT INTO flow_events (id, flow, entity_id, action, from_state, to_state, actor_id, at) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
		"ttttttti", eid, b->flow, id, action, state, to, actor->id, fg_now_ms())) != DB_DONE ||
	    audit_write(db, actor->id, action, b->entity, id, row, after) != 0 || db_commit(db) != 0)
		goto fail;
	json_decref(row);
	json_decref(allowed);
	json_decref(gates);
	*out = after;
	return 0;
fail:
	db_fail(db, err);
fail_early:
	json_decref(row);
	json_decref(after);
	json_decref(allowed);
	json_decref(gates);
	return -1;
}
