/* The application flow's own guards (data/flows/application.json): the document checklist and holds. */
#include <string.h>
#include "core/base/util.h"
#include "customer/applications/applications.h"

/* The documents the stage reached needs are in (received or accepted). At `accept` a fast-path application
 * (special user, emergency) passes with documents still to come: 容缺受理, recorded on the application. */
static int
documents_complete(flow_ctx_t *c, fg_err_t *gate)
{
	if (strcmp(c->action, "accept") == 0 && json_is_true(json_object_get(c->row, "fast_path")))
		return 0;
	json_t *missing = applications_documents_missing(c->db, c->id);
	/* submitting the design: the drawings are what the design review needs, whatever the stage list says */
	if (!json_array_size(missing)) {
		json_decref(missing);
		missing = NULL;
		if (strcmp(c->action, "submit_design") != 0)
			return 0;
		json_t *d;
		size_t i;
		json_array_foreach(json_object_get(c->row, "documents"), i, d) {
			const char *st = json_string_value(json_object_get(d, "status"));
			if (strcmp(json_string_value(json_object_get(d, "at")), "design_review") == 0 && st &&
			    strcmp(st, "received") != 0 && strcmp(st, "accepted") != 0) {
				missing = json_pack("[{s:O, s:O, s:O}]", "type", json_object_get(d, "type"), "name_zh",
				    json_object_get(d, "name_zh"), "name_en", json_object_get(d, "name_en"));
				break;
			}
		}
		if (!missing)
			return 0;
	}
	fg_err(gate, "application_documents_missing");
	fg_err_detail(gate, "missing", missing);
	return -1;
}

static int
not_held(flow_ctx_t *c, fg_err_t *gate)
{
	if (!json_string_value(json_object_get(c->row, "hold_reason")))
		return 0;
	fg_err(gate, "application_on_hold");
	fg_err_detail(gate, "hold_reason", json_incref(json_object_get(c->row, "hold_reason")));
	return -1;
}

static int
held(flow_ctx_t *c, fg_err_t *gate)
{
	if (json_string_value(json_object_get(c->row, "hold_reason")))
		return 0;
	fg_err(gate, "application_not_on_hold");
	return -1;
}

const flow_guard_t applications_guards[] = {
	{"application_documents_complete", documents_complete},
	{"application_not_held", not_held},
	{"application_held", held},
	{NULL, NULL},
};
