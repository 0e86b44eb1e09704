/* HTTP glue shared by every entity with a flow: the POST …/actions/{action} handler and the "actions" a screen
 * can offer next. */
#include <string.h>
#include "core/http/routes.h"
#include "core/flow/flow_api.h"
#include "core/auth/perm.h"

void
flow_api_with_actions(req_t *r, json_t *ent, const char *flow)
{
	if (ent)
		json_object_set_new(ent, "actions", flow_actions(flow, json_string_value(json_object_get(ent, "status")), r->user.roles));
}

/* GET /api/v1/flows/{name}: states (with deadlines), transitions with what they need (roles, who, fields,
 * reason, stamps, pause/resume), for any signed-in user: the screens read names and actions from it. */
static void
describe(req_t *r)
{
	http_entity(r, flow_describe(r->params[0]), "flow", r->params[0]);
}

/* GET /api/v1/flows?names=a,b,c: several definitions in one answer, in the order asked — the web app reads the
 * seven it names states of before its first page, and on a weak network seven requests are seven round trips'
 * worth of waiting for a connection (issue 14 item 2). */
#define FLOWS_MAX 20
static void
describe_many(req_t *r)
{
	const char *q = http_query(r, "names");
	if (!q || !*q || strlen(q) > 1000) {
		fg_err_t e = FG_ERR_INIT;
		fg_err_field(&e, "invalid_query", "names", "one to 20 flow names, separated by commas");
		http_error(r, &e);
		return;
	}
	json_t *items = json_array();
	char name[64];
	for (const char *p = q; *p;) {
		size_t n = strcspn(p, ",");
		if (n == 0 || n >= sizeof name || json_array_size(items) >= FLOWS_MAX) {
			json_decref(items);
			fg_err_t e = FG_ERR_INIT;
			fg_err_field(&e, "invalid_query", "names", "one to 20 flow names, separated by commas");
			http_error(r, &e);
			return;
		}
		memcpy(name, p, n);
		name[n] = 0;
		json_t *d = flow_describe(name);
		if (!d) {
			json_decref(items);
			fg_err_t e = FG_ERR_INIT;
			fg_err_not_found(&e, "flow", name);
			http_error(r, &e);
			return;
		}
		json_array_append_new(items, d);
		p += n;
		if (*p == ',')
			p++;
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

/* GET /api/v1/flows/{name}/history/{id}: the entity's transitions, oldest first — people's and the system actor's
 * (deadlines), and the moves another process drove (a work order following its fault) — for whoever may read the
 * entity itself. */
/* The binding of {name} when the caller may read entity {id} (its own read permission and scope), else NULL
 * after answering the refusal. */
static const flow_binding_t *
readable(req_t *r)
{
	const flow_binding_t *b = flow_binding(r->params[0]);
	if (!b) {
		fg_err_t e = FG_ERR_INIT;
		fg_err_not_found(&e, "flow", r->params[0]);
		http_error(r, &e);
		return NULL;
	}
	if (b->read_perm && !perm_allows(r->user.roles, b->read_perm)) {
		fg_err_t e = FG_ERR_INIT;
		fg_err(&e, "forbidden");
		fg_err_detail_str(&e, "permission", b->read_perm);
		http_error(r, &e);
		return NULL;
	}
	json_t *ent = b->load(r->db, r->params[1]);
	bool found = ent && (!b->visible || b->visible(r->db, &r->user, r->params[1]));
	json_decref(ent);
	if (!found) {
		fg_err_t e = FG_ERR_INIT;
		fg_err_not_found(&e, b->entity, r->params[1]); /* out of scope reads as missing */
		http_error(r, &e);
		return NULL;
	}
	return b;
}

/* GET /api/v1/flows/{name}/deadlines/{id}: the entity's clocks (flow_deadlines): the state's and the whole
 * process's deadline with their due day (or why it is not known yet), warnings, pauses and their reasons. */
static void
deadlines(req_t *r)
{
	const flow_binding_t *b = readable(r);
	if (!b)
		return;
	json_t *out = flow_deadlines(r->db, b->flow, r->params[1], fg_now_ms());
	if (!out) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, out);
}

static void
history(req_t *r)
{
	const flow_binding_t *b = readable(r);
	if (!b)
		return;
	json_t *items = flow_history(r->db, b->flow, r->params[1]);
	if (!items) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, json_pack("{s:o}", "items", items));
}

const route_t flow_routes[] = {
	{"GET", "/api/v1/flows", describe_many, "", 0, .ok = "200", .errors = HTTP_ERRORS("invalid_query", "not_found"),
	    .doc = "Several flow definitions at once: ?names=a,b,c (1 to 20), in that order"},
	{"GET", "/api/v1/flows/{name}", describe, "", 0, .ok = "200"},
	{"GET", "/api/v1/flows/{name}/history/{id}", history, "", 0, .resp = "Items", .errors = HTTP_ERRORS("forbidden"),
	    .doc = "The entity's own read permission (and, for plans and tickets, the team scope) applies."},
	{"GET", "/api/v1/flows/{name}/deadlines/{id}", deadlines, "", 0, .resp = "FlowDeadlines", .errors = HTTP_ERRORS("forbidden"),
	    .doc = "The entity's clocks; the entity's own read permission (and, for plans and tickets, the team scope) applies."},
	{0},
};

void
flow_api_run_timers(req_t *r, const jfield_t *spec, const char *flow, const char *id_field)
{
	if (http_body(r, spec))
		return;
	int64_t when;
	if (http_run_when(r, &when))
		return;
	int fired = flow_timers_run(r->db, when, flow, json_string_value(json_object_get(r->json, id_field)));
	if (fired < 0) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, json_pack("{s:i}", "fired", fired));
}

void
flow_api_action(req_t *r, const flow_binding_t *b, const jfield_t *spec)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, spec))
		return;
	int rc = flow_fire(r->db, b, r->params[0], r->params[1], &r->user, r->json, &out, &e);
	if (rc == 0) /* what can come next, so the screen needs no second request */
		flow_api_with_actions(r, out, b->flow);
	http_result(r, 200, rc, out, &e);
}
