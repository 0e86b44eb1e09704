#include <string.h>
#include "core/http/routes.h"
#include "shared/notify/notify.h"

static void
list(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	const char *u = http_query(r, "unread");
	int rc = notify_list(r->db, r->user.id, u && strcmp(u, "true") == 0, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
mark_read(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	if (notify_read(r->db, r->user.id, r->params[0], &e) != 0) {
		http_error(r, &e);
		return;
	}
	http_no_content(r);
}

/* The daily job, on demand (admins; the server also runs it every hour). */
static void
run(req_t *r)
{
	int added = notify_reminders(r->db);
	if (added < 0) {
		http_error_code(r, "internal");
		return;
	}
	http_json(r, 200, json_pack("{s:i}", "added", added));
}

const route_t notify_routes[] = {
	{"GET", "/api/v1/notifications", list, "", 0, .ok = "200"},
	{"POST", "/api/v1/notifications/{id}/actions/read", mark_read, "", 0, .ok = "204"},
	{"POST", "/api/v1/reminders/actions/run", run, "reminders.run", 0, .ok = "200"},
	{0},
};
