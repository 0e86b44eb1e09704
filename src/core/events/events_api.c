/* HTTP glue of the event bus: admins see the deliveries that failed and retry them (docs/api.md "Domain events"). */
#include <string.h>
#include "core/http/http.h"
#include "core/events/events.h"

static void
failed_list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int limit;
	const char *cursor, *state = http_query(r, "state");
	if (state && strcmp(state, "retrying") != 0 && strcmp(state, "parked") != 0 && strcmp(state, "delivered") != 0) {
		fg_err_field(&e, "invalid_query", "state", "retrying, parked or delivered");
		http_error(r, &e);
		return;
	}
	if (http_paging(r, &limit, &cursor))
		return;
	int rc = events_failed_list(r->db, state, cursor, limit, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
failed_get(req_t *r)
{
	http_entity(r, events_delivery_get(r->db, r->params[0]), "event_delivery", r->params[0]);
}

static void
failed_retry(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = events_delivery_retry(r->db, r->user.id, r->params[0], &out, &e);
	http_result(r, 200, rc, out, &e);
}

const route_t event_routes[] = {
	{"GET", "/api/v1/events/failed", failed_list, "events.admin", 0, .resp = "list:"},
	{"GET", "/api/v1/events/failed/{id}", failed_get, "events.admin", 0, .ok = "200"},
	{"POST", "/api/v1/events/failed/{id}/actions/retry", failed_retry, "events.admin", 0,
	    .errors = HTTP_ERRORS("invalid_transition")},
	{0},
};
