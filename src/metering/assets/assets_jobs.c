/* Field work's finished jobs in the ledger (assets.h assets_on_finished): what the crew recorded in the SOP steps
 * becomes the assets' moves, and what was issued to the job and not installed is due back.
 *
 * The crew's finish is never refused or undone here (the subscriber runs after the order is done, in its own
 * savepoint, and records instead of failing): the job happened on site, and a record the ledger cannot apply — an
 * unknown asset number, a meter never issued — says the books are wrong, not the work. Such a record becomes a
 * discrepancy the metering centre resolves (GET /api/v1/metering-discrepancies); assets issued to the order and not
 * installed are listed as returns due and their holder and the keepers are told. Blocking the finish would leave the
 * ticket, the plan and the customer's clock waiting on a stock-room correction. */
#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "shared/notify/notify.h"
#include "fieldwork/interface/work_orders.h"
#include "fieldwork/interface/work_results.h"
#include "metering/assets/assets.h"
#include "metering/assets/assets_int.h"

/* A record's value as text: readings may have been recorded as numbers. buf: room for a number. */
static const char *
text(json_t *records, const char *key, char *buf, size_t n)
{
	json_t *v = json_object_get(records, key);
	if (json_is_string(v))
		return *json_string_value(v) ? json_string_value(v) : NULL;
	if (json_is_integer(v)) {
		fg_fmt(buf, n, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		fg_fmt(buf, n, "%.4f", json_real_value(v));
		/* 12345.6700 → 12345.67 */
		char *e = buf + strlen(buf) - 1;
		while (e > buf && *e == '0')
			*e-- = '\0';
		if (*e == '.')
			*e = '\0';
		return buf;
	}
	return NULL;
}

/* Seal and CT numbers as the crew types them: separated by commas, spaces, semicolons, "，", "、" or "；". The
 * numbers, as a JSON array. */
static json_t *
split(const char *s)
{
	json_t *out = json_array();
	if (!s)
		return out;
	char *c = fg_strdup(s);
	static const char *const wide[] = {"\xef\xbc\x8c", "\xe3\x80\x81", "\xef\xbc\x9b", NULL};
	for (int i = 0; wide[i]; i++)
		for (char *p = strstr(c, wide[i]); p; p = strstr(p, wide[i]))
			memset(p, ' ', 3);
	char *save = NULL;
	for (char *t = strtok_r(c, " ,;\t\r\n", &save); t; t = strtok_r(NULL, " ,;\t\r\n", &save))
		json_array_append_new(out, json_string(t));
	free(c);
	return out;
}

typedef struct {
	db_t *db;
	const char *actor_id, *order_id, *point_no;
	int applied, flagged;
	bool failed; /* a database error: the subscriber fails and the bus retries it */
} run_t;

static void
flag(run_t *r, const char *asset_no, const char *key, const char *move, const char *problem, const char *reading)
{
	char id[37];
	fg_uuid7(id);
	json_t *d = json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s?}", "id", id, "work_order_id", r->order_id, "point_no",
	    r->point_no, "asset_no", asset_no, "record_key", key, "move", move, "problem", problem, "reading", reading);
	if (db_run(db_q(r->db, "INSERT INTO metering_discrepancies (id, work_order_id, point_no, asset_no, record_key, move, problem, "
			       "reading, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", "tttttttti", id, r->order_id,
		    r->point_no, asset_no, key, move, problem, reading, fg_now_ms())) != DB_DONE ||
	    audit_write(r->db, r->actor_id, "create", "metering_discrepancy", id, NULL, d) != 0)
		r->failed = true;
	json_decref(d);
	r->flagged++;
}

static void
one(run_t *r, const char *key, const char *asset_no, bool install, const char *reading, const char *position,
    const char *reason)
{
	if (r->failed || !asset_no || !*asset_no)
		return;
	if (install && !r->point_no) { /* nowhere to put it: the order names no metering point */
		flag(r, asset_no, key, "install", "metering_point_unknown", reading);
		return;
	}
	fg_err_t e = FG_ERR_INIT;
	int rc = install ? assets_install(r->db, r->actor_id, asset_no, r->point_no, r->order_id, reading, position, &e)
			 : assets_remove(r->db, r->actor_id, asset_no, r->order_id, reading, reason, &e);
	if (rc == 0)
		r->applied++;
	else if (!e.code || strcmp(e.code, "internal") == 0)
		r->failed = true;
	else
		flag(r, asset_no, key, install ? "install" : "remove", strcmp(e.code, "not_found") == 0 ? "unknown_asset" : e.code, reading);
	fg_err_clear(&e);
}

/* CTs and PTs listed in one record: phases A, B, C in the order written (two: A and C, the V connection). */
static void
transformers(run_t *r, json_t *records, const char *key)
{
	json_t *nos = split(fg_jstr(records, key));
	size_t n = json_array_size(nos), i;
	json_t *v;
	json_array_foreach(nos, i, v) {
		const char *pos = n == 2 ? (i == 0 ? "A" : "C") : n <= 3 ? (const char *[]){"A", "B", "C"}[i] : NULL;
		one(r, key, json_string_value(v), true, NULL, pos, NULL);
	}
	json_decref(nos);
}

static void
seals(run_t *r, json_t *records, const char *key, bool apply)
{
	json_t *nos = split(fg_jstr(records, key));
	size_t i;
	json_t *v;
	json_array_foreach(nos, i, v) one(r, key, json_string_value(v), apply, NULL, NULL, apply ? NULL : "job");
	json_decref(nos);
}

/* The holder and the keepers hear of what must come back; once per order and person. */
static void
returns_due(run_t *r, const char *number)
{
	json_t *due = assets_returns_due(r->db, r->order_id);
	if (!due) {
		r->failed = true;
		return;
	}
	json_t *items = json_object_get(due, "items");
	size_t n = json_array_size(items);
	if (n) {
		char title[200], body[600], key[120];
		fg_fmt(title, sizeof title, "工单 %s 有 %zu 件计量资产未装出，请退库", number ? number : r->order_id, n);
		size_t len = 0;
		body[0] = '\0';
		size_t i;
		json_t *a;
		json_array_foreach(items, i, a) {
			if (len + 60 >= sizeof body)
				break;
			len += (size_t)snprintf(body + len, sizeof body - len, "%s%s(%s)", i ? "、" : "应退：", fg_jstr(a, "asset_no"), fg_jstr(a, "kind"));
		}
		json_t *users = json_array();
		json_array_foreach(items, i, a) if (fg_jstr(a, "holder_id")) json_array_append_new(users, json_string(fg_jstr(a, "holder_id")));
		static const char *const roles[] = {"tool_keeper", "metering", NULL};
		for (int k = 0; roles[k]; k++) {
			json_t *us = notify_role_users(r->db, roles[k]);
			json_t *u;
			json_array_foreach(us, i, u) json_array_append_new(users, json_string(fg_jstr(u, "id")));
			json_decref(us);
		}
		json_t *u;
		json_array_foreach(users, i, u) {
			fg_fmt(key, sizeof key, "metering_returns_due:%s:%s", r->order_id, json_string_value(u));
			if (notify_add(r->db, json_string_value(u), "metering_returns_due", title, body, "work_order", r->order_id, key) < 0)
				r->failed = true;
		}
		json_decref(users);
	}
	json_decref(due);
}

int
assets_on_finished(db_t *db, const fg_event_t *ev, fg_err_t *err)
{
	json_t *order = work_orders_get(db, ev->entity_id);
	if (!order)
		return fg_err(err, "internal");
	json_t *res = work_order_results(db, ev->entity_id);
	if (!res) {
		json_decref(order);
		return fg_err(err, "internal");
	}
	json_t *rec = json_object_get(res, "records");
	const char *kind = fg_jstr(order, "kind");
	const char *point = fg_jstr(order, "metering_point_no");
	run_t r = {db, ev->actor_id, ev->entity_id, point && *point ? point : NULL, 0, 0, false};
	char b1[40], b2[40];
	/* out first, then in: the new meter takes the place the old one leaves */
	one(&r, "old_meter_asset_no", text(rec, "old_meter_asset_no", b1, sizeof b1), false,
	    text(rec, "old_reading_total", b2, sizeof b2), NULL, kind);
	one(&r, "old_part_asset_no", text(rec, "old_part_asset_no", b1, sizeof b1), false, NULL, NULL, kind);
	seals(&r, rec, "old_seal_nos", false);
	one(&r, "new_meter_asset_no", text(rec, "new_meter_asset_no", b1, sizeof b1), true,
	    text(rec, "new_reading_total", b2, sizeof b2), NULL, NULL);
	transformers(&r, rec, "ct_asset_nos");
	transformers(&r, rec, "pt_asset_nos");
	if (kind && strcmp(kind, "terminal_install") == 0) /* elsewhere terminal_asset_no names the one already there */
		one(&r, "terminal_asset_no", text(rec, "terminal_asset_no", b1, sizeof b1), true, NULL, NULL, NULL);
	one(&r, "new_part_asset_no", text(rec, "new_part_asset_no", b1, sizeof b1), true, NULL, NULL, NULL);
	seals(&r, rec, "new_seal_nos", true);
	if (!r.failed)
		returns_due(&r, fg_jstr(order, "number"));
	json_decref(order);
	json_decref(res);
	return r.failed ? fg_err(err, "internal") : 0;
}
