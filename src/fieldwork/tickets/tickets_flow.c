/* Guards and effects of data/flows/ticket.json. Each guard answers one rule with its own code. */
#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"
#include "core/auth/signing.h"
#include "safety/interface/kb.h"
#include "fieldwork/tickets/tickets.h"

/* No single-person work: the leader plus at least (min_people − 1) crew (REFERENCE.md §1.5). */
static int
g_crew_enough(flow_ctx_t *c, fg_err_t *gate)
{
	json_t *tk = kb_find("ticket_kinds", "code", fg_jstr(c->row, "kind"));
	json_int_t min = tk ? json_integer_value(json_object_get(tk, "min_people")) : 2;
	json_int_t people = 1 + (json_int_t)json_array_size(json_object_get(c->row, "crew"));
	if (people >= (min ? min : 2))
		return 0;
	fg_err(gate, "gate_single_person");
	fg_err_detail_int(gate, "people", people);
	fg_err_detail_int(gate, "min", min ? min : 2);
	return -1;
}

static int
g_has_measures(flow_ctx_t *c, fg_err_t *gate)
{
	return json_array_size(json_object_get(c->row, "measures")) > 0 ? 0 : fg_err(gate, "ticket_no_measures");
}

/* Issuer, permitter and leader are different people (REFERENCE.md §1.5): each checks the others. */
static int
g_not_leader(flow_ctx_t *c, fg_err_t *gate)
{
	if (strcmp(c->actor->id, fg_jstr(c->row, "leader_id")) != 0)
		return 0;
	fg_err(gate, "signer_conflict");
	fg_err_detail_str(gate, "role", fg_jstr(c->transition, "signs"));
	return -1;
}

/* Permission only when every safety measure is in place, item by item (R3.5). */
static int
g_measures_done(flow_ctx_t *c, fg_err_t *gate)
{
	json_t *open = json_array(), *m;
	size_t i;
	json_array_foreach(json_object_get(c->row, "measures"), i, m) {
		if (json_is_null(json_object_get(m, "done_at")))
			json_array_append_new(open, json_pack("{s:O, s:O, s:O}", "id", json_object_get(m, "id"), "seq",
							   json_object_get(m, "seq"), "text", json_object_get(m, "text")));
	}
	if (json_array_size(open) == 0) {
		json_decref(open);
		return 0;
	}
	fg_err(gate, "ticket_measures_open");
	fg_err_detail(gate, "open", open);
	return -1;
}

/* Kinds that allow it are extended once (REFERENCE.md §1.5: 带电作业工作票 never). */
static int
g_extendable(flow_ctx_t *c, fg_err_t *gate)
{
	json_t *tk = kb_find("ticket_kinds", "code", fg_jstr(c->row, "kind"));
	json_int_t max = tk && json_is_true(json_object_get(tk, "extendable")) ? json_integer_value(json_object_get(tk, "max_extensions")) : 0;
	if (tk && json_is_true(json_object_get(tk, "extendable")) && !max)
		max = 1;
	if (json_integer_value(json_object_get(c->row, "extensions")) < max)
		return 0;
	fg_err(gate, "ticket_not_extendable");
	fg_err_detail_str(gate, "kind", fg_jstr(c->row, "kind"));
	fg_err_detail_int(gate, "max_extensions", max);
	return -1;
}

/* Termination needs at least one site photo (R3.5), each an image that was uploaded. */
static int
g_end_photos(flow_ctx_t *c, fg_err_t *gate)
{
	json_t *ids = json_object_get(c->body, "photo_ids"), *v;
	size_t i;
	if (json_array_size(ids) == 0)
		return fg_err(gate, "ticket_end_photo_missing");
	json_array_foreach(ids, i, v) {
		int rc;
		json_t *a = db_one(db_q(c->db, "SELECT content_type FROM attachments WHERE id = $1", "t", json_string_value(v)), &rc);
		bool image = a && strncmp(fg_jstr(a, "content_type"), "image/", 6) == 0;
		json_decref(a);
		if (!image) {
			fg_err(gate, "ticket_end_photo_missing");
			fg_err_detail_str(gate, "photo_id", json_string_value(v));
			return -1;
		}
	}
	return 0;
}

static int
e_sign(flow_ctx_t *c, fg_err_t *err)
{
	char *canon = tickets_canonical(c->db, c->id);
	if (!canon)
		return fg_err(err, "internal");
	int rc = signing_sign(c->db, c->actor->id, fg_jstr(c->body, "password"), "ticket", c->id, fg_jstr(c->transition, "signs"),
	    canon, err);
	free(canon);
	return rc;
}

static int
e_permitted(flow_ctx_t *c, fg_err_t *err)
{
	const char *method = fg_jstr(c->body, "permit_method");
	if (db_run(db_q(c->db, "UPDATE tickets SET permitter_id = $1, permitted_at = $2, permit_method = $3 WHERE id = $4",
		"titt", c->actor->id, fg_now_ms(), method ? method : "onsite", c->id)) != DB_DONE)
		return -1;
	return 0;
}

static int
e_extend(flow_ctx_t *c, fg_err_t *err)
{
	json_int_t hours = json_integer_value(json_object_get(c->body, "hours"));
	if (hours < 1 || hours > 24)
		return fg_err_field(err, "invalid_field", "hours", "1 to 24");
	return db_run(db_q(c->db, "UPDATE tickets SET planned_end = planned_end + $1, extensions = extensions + 1 WHERE id = $2",
		      "it", (int64_t)hours * 3600 * 1000, c->id)) == DB_DONE ? 0 : -1;
}

/* The end photos (ended_at and the note are the flow's stamps). */
static int
e_end_photos_saved(flow_ctx_t *c, fg_err_t *err)
{
	json_t *v;
	size_t i;
	json_array_foreach(json_object_get(c->body, "photo_ids"), i, v) {
		if (db_run(db_q(c->db,
			"INSERT INTO ticket_photos (ticket_id, attachment_id, purpose) VALUES ($1, $2, 'end') ON CONFLICT DO NOTHING",
			"tt", c->id, json_string_value(v))) != DB_DONE)
			return -1;
	}
	return 0;
}

const flow_guard_t ticket_guards[] = {
	{"ticket_crew_enough", g_crew_enough},
	{"ticket_has_measures", g_has_measures},
	{"ticket_issuer_not_leader", g_not_leader},
	{"ticket_permitter_not_leader", g_not_leader},
	{"ticket_measures_done", g_measures_done},
	{"ticket_extendable", g_extendable},
	{"ticket_end_photos", g_end_photos},
	{NULL, NULL},
};

const flow_effect_t ticket_effects[] = {
	{"ticket_sign", e_sign},
	{"ticket_stamp_permitted", e_permitted},
	{"ticket_extend", e_extend},
	{"ticket_end_photos_saved", e_end_photos_saved},
	{NULL, NULL},
};
