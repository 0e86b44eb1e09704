/* The loops over the module table that are not the router's, the flow engine's or the scheduler's own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/log.h"
#include "core/module/module.h"

/* The bus's subscriber tables, in the table's order (events_set_subscribers). */
static const fg_subscription_t *subscriptions[128];

int
module_start_all(void)
{
	int k = 0;
	FG_EACH_MODULE(m) if (m->subscriptions && k < (int)(sizeof subscriptions / sizeof *subscriptions) - 1) subscriptions[k++] = m->subscriptions;
	subscriptions[k] = NULL;
	events_set_subscribers(subscriptions); /* before any start hook: a module's start may already emit */
	int n = 0;
	for (; fg_modules[n]; n++) {
		if (fg_modules[n]->start && fg_modules[n]->start() != 0) {
			log_error("module %s: start-up failed", fg_modules[n]->name);
			while (n-- > 0)
				if (fg_modules[n]->stop)
					fg_modules[n]->stop();
			return -1;
		}
	}
	return 0;
}

void
module_stop_all(void)
{
	int n = 0;
	while (fg_modules[n])
		n++;
	while (n-- > 0) /* the reverse of start-up */
		if (fg_modules[n]->stop)
			fg_modules[n]->stop();
}

void
module_request_start(db_t *db)
{
	FG_EACH_MODULE(m) if (m->request_start) m->request_start(db);
}

void
module_me(db_t *db, const auth_user_t *u, json_t *me)
{
	FG_EACH_MODULE(m) if (m->me) m->me(db, u, me);
}

const errcat_t *
module_errcat_find(const char *code)
{
	FG_EACH_MODULE(m)
		for (const errcat_t *c = m->errors; c && c->code; c++)
			if (strcmp(c->code, code) == 0)
				return c;
	return NULL;
}

json_t *
module_queue(db_t *db, const auth_user_t *u, int limit)
{
	fg_queue_t q = {.kinds = json_array(), .limit = limit};
	FG_EACH_MODULE(m) if (m->queue) {
		q.module = m->name;
		m->queue(db, u, &q);
	}
	json_int_t total = 0;
	json_t *k;
	size_t i;
	json_array_foreach(q.kinds, i, k) total += json_integer_value(json_object_get(k, "count"));
	return json_pack("{s:o, s:I, s:i}", "kinds", q.kinds, "total", total, "limit", limit);
}

void
module_queue_add(fg_queue_t *q, const char *kind, const char *path, int64_t count, json_t *items)
{
	if (count <= 0) {
		json_decref(items);
		return;
	}
	json_array_append_new(q->kinds, json_pack("{s:s, s:s, s:I, s:s, s:o}", "kind", kind, "module", q->module ? q->module : "",
					      "count", (json_int_t)count, "path", path, "items", items ? items : json_array()));
}

/* "{id}" in a path template replaced by id (ids are our own: no escaping needed beyond what the UI does) */
static json_t *
item_path(const char *tmpl, const char *id)
{
	const char *at = strstr(tmpl, "{id}");
	if (!at)
		return json_string(tmpl);
	size_t n = strlen(tmpl) + strlen(id) + 1;
	char *s = malloc(n);
	if (!s)
		return json_string(tmpl);
	snprintf(s, n, "%.*s%s%s", (int)(at - tmpl), tmpl, id, at + 4);
	json_t *j = json_string(s);
	free(s);
	return j;
}

int64_t
module_queue_qb(fg_queue_t *q, db_t *db, const char *kind, const char *path, const char *tmpl, qb_t *qb)
{
	qb_sql(qb, " LIMIT ");
	qb_int(qb, q->limit);
	int rc;
	json_t *rows = db_all(qb_prepare(db, qb), &rc);
	qb_free(qb);
	if (!rows) {
		log_error("queue %s: %s", kind, db_errmsg(db));
		return -1;
	}
	int64_t count = 0;
	json_t *items = json_array(), *row;
	size_t i;
	json_array_foreach(rows, i, row) {
		count = json_integer_value(json_object_get(row, "n"));
		const char *id = json_string_value(json_object_get(row, "id"));
		const char *link = json_string_value(json_object_get(row, "link"));
		json_t *it = json_pack("{s:O, s:O, s:O, s:O}", "id", json_object_get(row, "id"), "title",
		    json_object_get(row, "title") ? json_object_get(row, "title") : json_null(), "subtitle",
		    json_object_get(row, "subtitle") ? json_object_get(row, "subtitle") : json_null(), "at",
		    json_object_get(row, "at") ? json_object_get(row, "at") : json_null());
		json_object_set_new(it, "path", item_path(tmpl, link ? link : id ? id : ""));
		json_array_append_new(items, it);
	}
	json_decref(rows);
	module_queue_add(q, kind, path, count, items);
	return count;
}
