/* A period's fleet for the charger KPIs (kpis.h; kpis_internal.h): the chosen chargers and their connectors, read
 * from the database with the period's status reports, link events and sessions, then turned into spans
 * (kpis_calc.c). The sums per group and bucket are kpis.c's; this file is the only one of the KPIs that reads the
 * database.
 *
 * Cost: one pass over the period's rows, fetched a day at a time so PostgreSQL's result sets stay small; one
 * index seek per connector for its state before the period; memory in proportion to the period's status
 * changes. docs/api.md gives measured times. */
#include <stdlib.h>
#include <string.h>
#include "core/base/util.h"
#include "core/db/qb.h"
#include "charging/chargers/chargers.h"
#include "charging/kpis/kpis.h"
#include "charging/kpis/kpis_internal.h"

static char *
dup_col(db_stmt_t *st, int i)
{
	const char *s = db_col_text(st, i);
	return s ? fg_strdup(s) : NULL;
}

static kpis_chg_t *
find(kpis_fleet_t *f, const char *id)
{
	if (!id || !f->hcap)
		return NULL;
	for (size_t i = fg_fnv1a(id, strlen(id)) & (f->hcap - 1);; i = (i + 1) & (f->hcap - 1)) {
		if (!f->hash[i])
			return NULL;
		if (strcmp(f->v[f->hash[i] - 1].id, id) == 0)
			return &f->v[f->hash[i] - 1];
	}
}

static kpis_conn_t *
conn(kpis_chg_t *c, int id)
{
	for (size_t i = 0; i < c->nc; i++)
		if (c->c[i].id == id)
			return &c->c[i];
	if (id < 0 || id > 64)
		return NULL; /* a connector id no charger has: ignored */
	c->c = fg_realloc(c->c, (c->nc + 1) * sizeof *c->c);
	kpis_conn_t *k = &c->c[c->nc++];
	memset(k, 0, sizeof *k);
	k->id = id;
	k->initial = -1;
	k->group = -1;
	return k;
}

static void
add_mark(kpis_mark_t **v, size_t *n, size_t *cap, kpis_mark_t m)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*v = fg_realloc(*v, *cap * sizeof **v);
	}
	(*v)[(*n)++] = m;
}

void
kpis_fleet_free(kpis_fleet_t *f)
{
	for (size_t i = 0; i < f->n; i++) {
		kpis_chg_t *c = &f->v[i];
		free(c->cpid);
		free(c->name);
		free(c->station_id);
		free(c->station_name);
		free(c->vendor);
		free(c->model);
		free(c->links);
		kpis_spans_free(&c->online);
		for (size_t j = 0; j < c->nc; j++) {
			free(c->c[j].m);
			free(c->c[j].s);
			kpis_spans_free(&c->c[j].known);
			kpis_spans_free(&c->c[j].fault);
			kpis_spans_free(&c->c[j].charging);
		}
		free(c->c);
	}
	free(f->v);
	free(f->hash);
	memset(f, 0, sizeof *f);
}

/* The filters as SQL on the chargers table aliased c. */
static void
where_chargers(qb_t *q, const kpis_query_t *k)
{
	const char *cols[] = {"c.station_id", "c.vendor", "c.model"};
	const char *vals[] = {k->station_id, k->vendor, k->model};
	for (int i = 0; i < 3; i++) {
		if (vals[i] && *vals[i]) {
			qb_sql(q, " AND ");
			qb_sql(q, cols[i]);
			qb_sql(q, " = ");
			qb_text(q, vals[i]);
		}
	}
}

static bool
filtered(const kpis_query_t *k)
{
	return (k->station_id && *k->station_id) || (k->vendor && *k->vendor) || (k->model && *k->model);
}

/* " AND <col> IN (the chosen chargers)" when a filter is set */
static void
where_in(qb_t *q, const kpis_query_t *k, const char *col)
{
	if (!filtered(k))
		return;
	qb_sql(q, " AND ");
	qb_sql(q, col);
	qb_sql(q, " IN (SELECT c.id FROM chargers c WHERE 1 = 1");
	where_chargers(q, k);
	qb_sql(q, ")");
}

static int
load_chargers(db_t *db, const kpis_query_t *k, kpis_fleet_t *f, fg_err_t *err)
{
	qb_t q;
	qb_init(&q, "SELECT c.id, c.charge_point_id, c.name, c.station_id, s.name AS station_name, c.vendor, c.model, "
		    "c.connector_count, c.rated_power_kw, c.heartbeat_interval, c.last_seen_at, c.online, c.created_at, "
		    "(SELECT MIN(l.at) FROM charger_status_log l WHERE l.charger_id = c.id) AS first_status "
		    "FROM chargers c LEFT JOIN stations s ON s.id = c.station_id WHERE 1 = 1");
	where_chargers(&q, k);
	qb_sql(&q, " ORDER BY c.id");
	db_stmt_t *st = qb_prepare(db, &q);
	qb_free(&q);
	if (!st)
		return fg_err(err, "internal");
	size_t cap = 0;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		if (f->n == KPIS_MAX_CHARGERS) {
			db_finalize(st);
			fg_err_field(err, "invalid_query", "station_id", "more than 20000 chargers: filter by station, vendor or model");
			return -1;
		}
		if (f->n == cap) {
			cap = cap ? cap * 2 : 64;
			f->v = fg_realloc(f->v, cap * sizeof *f->v);
		}
		kpis_chg_t *c = &f->v[f->n++];
		memset(c, 0, sizeof *c);
		fg_fmt(c->id, sizeof c->id, "%s", db_col_text(st, 0));
		c->cpid = dup_col(st, 1);
		c->name = dup_col(st, 2);
		c->station_id = dup_col(st, 3);
		c->station_name = dup_col(st, 4);
		c->vendor = dup_col(st, 5);
		c->model = dup_col(st, 6);
		c->connector_count = (int)db_col_int(st, 7);
		c->rated_kw = db_col_null(st, 8) ? 0 : db_col_int(st, 8);
		c->hb_ms = db_col_int(st, 9) * 1000;
		c->last_seen = db_col_null(st, 10) ? 0 : db_col_int(st, 10);
		c->online_flag = (int)db_col_int(st, 11);
		c->created = db_col_int(st, 12);
		c->first_status = db_col_null(st, 13) ? INT64_MAX : db_col_int(st, 13);
		c->link_initial = 0; /* before its first connect a charger was offline */
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return fg_err(err, "internal");
	f->hcap = 16;
	while (f->hcap < f->n * 2)
		f->hcap *= 2;
	f->hash = fg_calloc(f->hcap, sizeof *f->hash);
	for (size_t i = 0; i < f->n; i++) {
		size_t h = fg_fnv1a(f->v[i].id, strlen(f->v[i].id)) & (f->hcap - 1);
		while (f->hash[h])
			h = (h + 1) & (f->hcap - 1);
		f->hash[h] = i + 1;
		for (int j = 1; j <= f->v[i].connector_count && j <= 64; j++)
			(void)conn(&f->v[i], j);
	}
	return 0;
}

/* Runs q row by row; fn gets each. 0 or -1 (internal). */
typedef void (*row_fn)(kpis_fleet_t *f, db_stmt_t *st, void *arg);

static int
each_row(db_t *db, qb_t *q, kpis_fleet_t *f, row_fn fn, void *arg, fg_err_t *err)
{
	db_stmt_t *st = qb_prepare(db, q);
	qb_free(q);
	if (!st)
		return fg_err(err, "internal");
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		fn(f, st, arg);
	db_finalize(st);
	return rc == DB_DONE ? 0 : fg_err(err, "internal");
}

static void
status_initial_row(kpis_fleet_t *f, db_stmt_t *st, void *arg)
{
	kpis_chg_t *c = find(f, db_col_text(st, 0));
	kpis_conn_t *k = c ? conn(c, (int)db_col_int(st, 1)) : NULL;
	if (k && db_col_text(st, 2)) /* NULL: no report before the period */
		k->initial = strcmp(db_col_text(st, 2), "Faulted") == 0;
}

static void
status_row(kpis_fleet_t *f, db_stmt_t *st, void *arg)
{
	kpis_chg_t *c = find(f, db_col_text(st, 0));
	kpis_conn_t *k = c ? conn(c, (int)db_col_int(st, 1)) : NULL;
	if (k)
		add_mark(&k->m, &k->n, &k->cap,
		    (kpis_mark_t){db_col_int(st, 3), db_col_int(st, 4), strcmp(db_col_text(st, 2), "Faulted") == 0});
}

static void
link_initial_row(kpis_fleet_t *f, db_stmt_t *st, void *arg)
{
	kpis_chg_t *c = find(f, db_col_text(st, 0));
	if (c && db_col_text(st, 1))
		c->link_initial = strcmp(db_col_text(st, 1), "connected") == 0;
}

static void
link_row(kpis_fleet_t *f, db_stmt_t *st, void *arg)
{
	kpis_chg_t *c = find(f, db_col_text(st, 0));
	if (c) /* our own clock: at is also the receipt */
		add_mark(&c->links, &c->nl, &c->lcap,
		    (kpis_mark_t){db_col_int(st, 2), db_col_int(st, 2), strcmp(db_col_text(st, 1), "connected") == 0});
}

static void
session_row(kpis_fleet_t *f, db_stmt_t *st, void *arg)
{
	int64_t H = *(int64_t *)arg;
	kpis_chg_t *c = find(f, db_col_text(st, 0));
	kpis_conn_t *k = c && !db_col_null(st, 1) && db_col_int(st, 1) > 0 ? conn(c, (int)db_col_int(st, 1)) : NULL;
	if (!k)
		return;
	kpis_session_t s = {
		.start = db_col_int(st, 3),
		.stop = db_col_null(st, 4) ? 0 : db_col_int(st, 4),
		.energy_wh = db_col_null(st, 6) ? -1 : db_col_int(st, 6),
		.accepted = db_col_text(st, 2) && strcmp(db_col_text(st, 2), "Accepted") == 0,
		.reason = db_col_text(st, 5),
	};
	if (k->ns == k->scap) {
		k->scap = k->scap ? k->scap * 2 : 4;
		k->s = fg_realloc(k->s, k->scap * sizeof *k->s);
	}
	k->s[k->ns++] = (kpis_sess_t){s.start, kpis_session_span(&s, H), kpis_session_outcome(&s), s.accepted, s.energy_wh};
}

/* Everything the period needs, from the database. */
static int
load(db_t *db, const kpis_query_t *k, int64_t L, int64_t H, kpis_fleet_t *f, fg_err_t *err)
{
	if (load_chargers(db, k, f, err))
		return -1;
	qb_t q;
	/* each connector's last report before L (one index seek each, charger_status_log_conn) */
	qb_init(&q, "SELECT k.charger_id, k.connector_id, (SELECT x.status FROM charger_status_log x WHERE x.charger_id = "
		    "k.charger_id AND x.connector_id = k.connector_id AND x.at < ");
	qb_int(&q, L);
	qb_sql(&q, " ORDER BY x.at DESC LIMIT 1) AS status FROM connectors k WHERE 1 = 1");
	where_in(&q, k, "k.charger_id");
	if (each_row(db, &q, f, status_initial_row, NULL, err))
		return -1;
	qb_init(&q, "SELECT c.id, (SELECT x.kind FROM charger_events x WHERE x.charger_id = c.id AND x.kind IN ('connected', "
		    "'disconnected') AND x.at < ");
	qb_int(&q, L);
	qb_sql(&q, " ORDER BY x.at DESC LIMIT 1) AS kind FROM chargers c WHERE 1 = 1");
	where_chargers(&q, k);
	if (each_row(db, &q, f, link_initial_row, NULL, err))
		return -1;
	/* the period a day at a time */
	for (int64_t a = L; a < H; a += KPIS_DAY_MS) {
		int64_t b = a + KPIS_DAY_MS < H ? a + KPIS_DAY_MS : H;
		qb_init(&q, "SELECT charger_id, connector_id, status, at, received_at FROM charger_status_log WHERE at >= ");
		qb_int(&q, a);
		qb_sql(&q, " AND at < ");
		qb_int(&q, b);
		where_in(&q, k, "charger_id");
		if (each_row(db, &q, f, status_row, NULL, err))
			return -1;
		qb_init(&q, "SELECT charger_id, kind, at FROM charger_events WHERE kind IN ('connected', 'disconnected') AND at >= ");
		qb_int(&q, a);
		qb_sql(&q, " AND at < ");
		qb_int(&q, b);
		where_in(&q, k, "charger_id");
		if (each_row(db, &q, f, link_row, NULL, err))
			return -1;
	}
	/* sessions that started in the period, or up to 48 h before it (still charging into it); an orphan Stop has
	 * no start_at, so the range leaves it out (and the covering index charge_transactions_start serves it) */
	qb_init(&q, "SELECT charger_id, connector_id, id_tag_status, start_at, stop_at, stop_reason, energy_wh "
		    "FROM charge_transactions WHERE start_at >= ");
	qb_int(&q, L - KPIS_OPEN_SESSION_MS);
	qb_sql(&q, " AND start_at < ");
	qb_int(&q, H);
	where_in(&q, k, "charger_id");
	return each_row(db, &q, f, session_row, &H, err);
}

static kpis_conn_t *
conn0(kpis_chg_t *c)
{
	for (size_t i = 0; i < c->nc; i++)
		if (c->c[i].id == 0)
			return &c->c[i];
	return NULL;
}

static int
sess_cmp(const void *x, const void *y)
{
	const kpis_sess_t *a = x, *b = y;
	return a->start < b->start ? -1 : a->start > b->start;
}

/* The spans of every connector and charger over [L, H). */
static void
spans(kpis_fleet_t *f, int64_t L, int64_t H)
{
	for (size_t i = 0; i < f->n; i++) {
		kpis_chg_t *c = &f->v[i];
		int64_t first = c->created < c->first_status ? c->created : c->first_status;
		c->lo = first > L ? first : L;
		if (c->lo > H)
			c->lo = H;
		kpis_spans_t kn = {0};
		kpis_state_spans(c->links, c->nl, c->link_initial, L, H, &kn, &c->online);
		kpis_spans_free(&kn);
		/* still connected at the end: trust it only while the charger was heard from (a crashed server writes no
		 * disconnect; the live board's rule) */
		if (c->online.n && c->online.v[c->online.n - 1].b == H && c->last_seen) {
			int64_t until = c->last_seen + 2 * c->hb_ms + CHARGERS_ONLINE_GRACE_MS;
			kpis_span_t *last = &c->online.v[c->online.n - 1];
			if (until < last->b)
				last->b = until > last->a ? until : last->a;
		}
		for (size_t j = 0; j < c->nc; j++) {
			kpis_conn_t *k = &c->c[j];
			kpis_state_spans(k->m, k->n, k->initial, L, H, &k->known, &k->fault);
			if (k->ns > 1)
				qsort(k->s, k->ns, sizeof *k->s, sess_cmp);
			for (size_t s = 0; s < k->ns; s++) /* a refused tag charges nothing */
				if (k->s[s].accepted)
					kpis_spans_add(&k->charging, k->s[s].span.a, k->s[s].span.b);
			kpis_spans_norm(&k->charging);
		}
		kpis_conn_t *z = conn0(c);
		c->real = 0;
		for (size_t j = 0; j < c->nc; j++) {
			kpis_conn_t *k = &c->c[j];
			if (k->id == 0)
				continue;
			c->real++;
			k->open_at_start = k->initial == 1;
			if (z) { /* connector 0 Faulted: the whole charger, every connector is down */
				kpis_spans_union(&k->fault, &z->fault);
				kpis_spans_union(&k->known, &z->fault);
				k->open_at_start = k->open_at_start || z->initial == 1;
			}
		}
	}
}

int
kpis_fleet_load(db_t *db, const kpis_query_t *k, int64_t L, int64_t H, kpis_fleet_t *f, fg_err_t *err)
{
	if (load(db, k, L, H, f, err)) {
		kpis_fleet_free(f);
		return -1;
	}
	spans(f, L, H);
	return 0;
}
