/* Charger KPIs (kpis.h, docs/api.md "Charger KPIs"): reads one period of the status log, the link events and
 * the sessions, turns them into spans per connector (kpis_calc.c) and sums them per group and bucket.
 *
 * Cost: one pass over the period's rows, fetched a day at a time so PostgreSQL's result sets stay small; one
 * index seek per connector for its state before the period; memory in proportion to the period's status
 * changes. docs/api.md gives measured times. */
#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "core/db/qb.h"
#include "charging/chargers/chargers.h"
#include "charging/kpis/kpis.h"

#define DAY_MS 86400000LL
#define MONTH_S (30.0 * 86400) /* a charger-month */

typedef struct {
	int64_t start;
	kpis_span_t span;
	int outcome; /* kpis_session_outcome */
	bool accepted;
	int64_t energy_wh;
} sess_t;

typedef struct {
	int id;
	int initial; /* state before the period: -1 unknown, 0, 1 Faulted */
	kpis_mark_t *m;
	size_t n, cap;
	kpis_spans_t known, fault, charging;
	bool open_at_start;
	sess_t *s;
	size_t ns, scap;
	int group;
} conn_t;

typedef struct {
	char id[40];
	char *cpid, *name, *station_id, *station_name, *vendor, *model;
	int connector_count;
	int64_t rated_kw; /* 0: not set */
	int64_t hb_ms, last_seen, created, first_status;
	int online_flag;
	int64_t lo; /* the charger's window starts here */
	int link_initial;
	kpis_mark_t *links;
	size_t nl, lcap;
	kpis_spans_t online;
	conn_t *c;
	size_t nc;
	int real; /* connectors above 0 */
} chg_t;

typedef struct {
	chg_t *v;
	size_t n;
	size_t *hash; /* open addressing: index + 1, 0 empty */
	size_t hcap;
} fleet_t;

/* the sums one group × bucket collects */
typedef struct {
	int64_t chargers, guns, last_charger;
	int64_t window_s, known_s, fault_s, faults, repairs, repair_s;
	int64_t charger_window_s, online_s, charging_s;
	int64_t attempts, successes, open_sessions, sessions, energy_wh, rated_energy_wh;
	double capacity_wh;
} acc_t;

static char *
dup_col(db_stmt_t *st, int i)
{
	const char *s = db_col_text(st, i);
	return s ? fg_strdup(s) : NULL;
}

static uint64_t
hash_id(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static chg_t *
find(fleet_t *f, const char *id)
{
	if (!id || !f->hcap)
		return NULL;
	for (size_t i = hash_id(id) & (f->hcap - 1);; i = (i + 1) & (f->hcap - 1)) {
		if (!f->hash[i])
			return NULL;
		if (strcmp(f->v[f->hash[i] - 1].id, id) == 0)
			return &f->v[f->hash[i] - 1];
	}
}

static conn_t *
conn(chg_t *c, int id)
{
	for (size_t i = 0; i < c->nc; i++)
		if (c->c[i].id == id)
			return &c->c[i];
	if (id < 0 || id > 64)
		return NULL; /* a connector id no charger has: ignored */
	c->c = fg_realloc(c->c, (c->nc + 1) * sizeof *c->c);
	conn_t *k = &c->c[c->nc++];
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

static void
fleet_free(fleet_t *f)
{
	for (size_t i = 0; i < f->n; i++) {
		chg_t *c = &f->v[i];
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
load_chargers(db_t *db, const kpis_query_t *k, fleet_t *f, fg_err_t *err)
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
		chg_t *c = &f->v[f->n++];
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
		size_t h = hash_id(f->v[i].id) & (f->hcap - 1);
		while (f->hash[h])
			h = (h + 1) & (f->hcap - 1);
		f->hash[h] = i + 1;
		for (int j = 1; j <= f->v[i].connector_count && j <= 64; j++)
			(void)conn(&f->v[i], j);
	}
	return 0;
}

/* Runs q row by row; fn gets each. 0 or -1 (internal). */
typedef void (*row_fn)(fleet_t *f, db_stmt_t *st, void *arg);

static int
each_row(db_t *db, qb_t *q, fleet_t *f, row_fn fn, void *arg, fg_err_t *err)
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
status_initial_row(fleet_t *f, db_stmt_t *st, void *arg)
{
	chg_t *c = find(f, db_col_text(st, 0));
	conn_t *k = c ? conn(c, (int)db_col_int(st, 1)) : NULL;
	if (k && db_col_text(st, 2)) /* NULL: no report before the period */
		k->initial = strcmp(db_col_text(st, 2), "Faulted") == 0;
}

static void
status_row(fleet_t *f, db_stmt_t *st, void *arg)
{
	chg_t *c = find(f, db_col_text(st, 0));
	conn_t *k = c ? conn(c, (int)db_col_int(st, 1)) : NULL;
	if (k)
		add_mark(&k->m, &k->n, &k->cap,
		    (kpis_mark_t){db_col_int(st, 3), db_col_int(st, 4), strcmp(db_col_text(st, 2), "Faulted") == 0});
}

static void
link_initial_row(fleet_t *f, db_stmt_t *st, void *arg)
{
	chg_t *c = find(f, db_col_text(st, 0));
	if (c && db_col_text(st, 1))
		c->link_initial = strcmp(db_col_text(st, 1), "connected") == 0;
}

static void
link_row(fleet_t *f, db_stmt_t *st, void *arg)
{
	chg_t *c = find(f, db_col_text(st, 0));
	if (c) /* our own clock: at is also the receipt */
		add_mark(&c->links, &c->nl, &c->lcap,
		    (kpis_mark_t){db_col_int(st, 2), db_col_int(st, 2), strcmp(db_col_text(st, 1), "connected") == 0});
}

static void
session_row(fleet_t *f, db_stmt_t *st, void *arg)
{
	int64_t H = *(int64_t *)arg;
	chg_t *c = find(f, db_col_text(st, 0));
	conn_t *k = c && !db_col_null(st, 1) && db_col_int(st, 1) > 0 ? conn(c, (int)db_col_int(st, 1)) : NULL;
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
	k->s[k->ns++] = (sess_t){s.start, kpis_session_span(&s, H), kpis_session_outcome(&s), s.accepted, s.energy_wh};
}

/* Everything the period needs, from the database. */
static int
load(db_t *db, const kpis_query_t *k, int64_t L, int64_t H, fleet_t *f, fg_err_t *err)
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
	for (int64_t a = L; a < H; a += DAY_MS) {
		int64_t b = a + DAY_MS < H ? a + DAY_MS : H;
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

static conn_t *
conn0(chg_t *c)
{
	for (size_t i = 0; i < c->nc; i++)
		if (c->c[i].id == 0)
			return &c->c[i];
	return NULL;
}

static int
sess_cmp(const void *x, const void *y)
{
	const sess_t *a = x, *b = y;
	return a->start < b->start ? -1 : a->start > b->start;
}

/* The spans of every connector and charger over [L, H). */
static void
spans(fleet_t *f, int64_t L, int64_t H)
{
	for (size_t i = 0; i < f->n; i++) {
		chg_t *c = &f->v[i];
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
			conn_t *k = &c->c[j];
			kpis_state_spans(k->m, k->n, k->initial, L, H, &k->known, &k->fault);
			if (k->ns > 1)
				qsort(k->s, k->ns, sizeof *k->s, sess_cmp);
			for (size_t s = 0; s < k->ns; s++) /* a refused tag charges nothing */
				if (k->s[s].accepted)
					kpis_spans_add(&k->charging, k->s[s].span.a, k->s[s].span.b);
			kpis_spans_norm(&k->charging);
		}
		conn_t *z = conn0(c);
		c->real = 0;
		for (size_t j = 0; j < c->nc; j++) {
			conn_t *k = &c->c[j];
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

/* ---------- groups ---------- */

static const char *const groupings[] = {"station", "vendor", "model", "charger", "connector", NULL};

static const char *
nz(const char *s)
{
	return s ? s : "";
}

/* The group a connector belongs to: key and (when made) its descriptive fields. */
static void
group_key(const char *by, const chg_t *c, const conn_t *k, char *key, size_t n, json_t **meta)
{
	if (strcmp(by, "station") == 0) {
		fg_fmt(key, n, "%s", nz(c->station_id));
		if (meta)
			*meta = json_pack("{s:s?, s:s?, s:s}", "station_id", c->station_id, "station_name", c->station_name, "label",
			    c->station_name ? c->station_name : "");
	} else if (strcmp(by, "vendor") == 0) {
		fg_fmt(key, n, "%s", nz(c->vendor));
		if (meta)
			*meta = json_pack("{s:s?, s:s}", "vendor", c->vendor, "label", nz(c->vendor));
	} else if (strcmp(by, "model") == 0) {
		fg_fmt(key, n, "%s\x1f%s", nz(c->vendor), nz(c->model));
		if (meta) {
			char label[240];
			fg_fmt(label, sizeof label, "%s%s%s", nz(c->vendor), c->vendor && c->model ? " " : "", nz(c->model));
			*meta = json_pack("{s:s?, s:s?, s:s}", "vendor", c->vendor, "model", c->model, "label", label);
		}
	} else {
		bool per_conn = strcmp(by, "connector") == 0;
		if (per_conn)
			fg_fmt(key, n, "%s#%d", c->id, k->id);
		else
			fg_fmt(key, n, "%s", c->id);
		if (meta) {
			char label[120];
			if (per_conn)
				fg_fmt(label, sizeof label, "%s #%d", nz(c->cpid), k->id);
			else
				fg_fmt(label, sizeof label, "%s", nz(c->cpid));
			*meta = json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s}", "charger_id", c->id, "charge_point_id", c->cpid,
			    "station_id", c->station_id, "station_name", c->station_name, "vendor", c->vendor, "model", c->model,
			    "label", label);
			if (per_conn)
				json_object_set_new(*meta, "connector_id", json_integer(k->id));
		}
	}
}

typedef struct {
	json_t *meta; /* the row's descriptive fields */
	char *key;
} group_t;

static int
group_cmp(const void *x, const void *y)
{
	const group_t *a = x, *b = y;
	int c = strcmp(json_string_value(json_object_get(a->meta, "label")), json_string_value(json_object_get(b->meta, "label")));
	return c ? c : strcmp(a->key, b->key);
}

/* Assigns every connector its group (-1: past max). Returns the groups, sorted by label; *ng their number and
 * *total how many there were before the cut. */
static group_t *
assign_groups(fleet_t *f, const char *by, size_t max, size_t *ng, size_t *total)
{
	json_t *index = json_object();
	group_t *g = NULL;
	size_t n = 0, cap = 0;
	char key[300];
	for (size_t i = 0; i < f->n; i++) {
		for (size_t j = 0; j < f->v[i].nc; j++) {
			conn_t *k = &f->v[i].c[j];
			if (k->id == 0)
				continue;
			group_key(by, &f->v[i], k, key, sizeof key, NULL);
			if (json_object_get(index, key))
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				g = fg_realloc(g, cap * sizeof *g);
			}
			group_key(by, &f->v[i], k, key, sizeof key, &g[n].meta);
			g[n].key = fg_strdup(key);
			json_object_set_new(index, key, json_integer(0));
			n++;
		}
	}
	if (n)
		qsort(g, n, sizeof *g, group_cmp);
	*total = n;
	if (n > max) {
		for (size_t i = max; i < n; i++) {
			json_decref(g[i].meta);
			free(g[i].key);
		}
		n = max;
	}
	for (size_t i = 0; i < n; i++)
		json_object_set_new(index, g[i].key, json_integer((json_int_t)i + 1));
	for (size_t i = 0; i < f->n; i++) {
		for (size_t j = 0; j < f->v[i].nc; j++) {
			conn_t *k = &f->v[i].c[j];
			if (k->id == 0)
				continue;
			group_key(by, &f->v[i], k, key, sizeof key, NULL);
			k->group = (int)json_integer_value(json_object_get(index, key)) - 1;
		}
	}
	json_decref(index);
	*ng = n;
	return g;
}

static void
groups_free(group_t *g, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_decref(g[i].meta);
		free(g[i].key);
	}
	free(g);
}

/* Adds one connector's bucket [lo, hi) to a. */
static void
accumulate(acc_t *a, int64_t charger_ix, const chg_t *c, const conn_t *k, int64_t L, int64_t H, int64_t lo, int64_t hi)
{
	int64_t wlo = c->lo > lo ? c->lo : lo, whi = hi < H ? hi : H;
	int64_t win = whi > wlo ? whi - wlo : 0;
	if (a->last_charger != charger_ix + 1) { /* the charger's own figures once per group */
		a->last_charger = charger_ix + 1;
		a->chargers++;
		a->charger_window_s += win / 1000;
		a->online_s += win ? kpis_spans_within(&c->online, wlo, whi) / 1000 : 0;
	}
	a->guns++;
	a->window_s += win / 1000;
	a->known_s += kpis_spans_within(&k->known, lo, hi) / 1000;
	a->fault_s += kpis_spans_within(&k->fault, lo, hi) / 1000;
	kpis_faults_t fs;
	kpis_fault_stats(&k->fault, k->open_at_start, L, H, lo, hi, &fs);
	a->faults += fs.faults;
	a->repairs += fs.repairs;
	a->repair_s += fs.repair_s;
	a->charging_s += win ? kpis_spans_within(&k->charging, wlo, whi) / 1000 : 0;
	size_t s = 0, r = k->ns; /* sessions are ordered by start (spans()): the bucket's first */
	while (s < r) {
		size_t m = s + (r - s) / 2;
		if (k->s[m].start < lo)
			s = m + 1;
		else
			r = m;
	}
	for (; s < k->ns && k->s[s].start < hi; s++) {
		const sess_t *x = &k->s[s];
		if (x->start >= H)
			break;
		a->attempts++;
		if (x->outcome == 1)
			a->successes++;
		else if (x->outcome < 0)
			a->open_sessions++;
		if (x->accepted)
			a->sessions++;
		if (x->energy_wh > 0) {
			a->energy_wh += x->energy_wh;
			if (c->rated_kw)
				a->rated_energy_wh += x->energy_wh;
		}
	}
	if (c->rated_kw && c->real)
		a->capacity_wh += (double)c->rated_kw * 1000.0 * ((double)win / 3600000.0) / c->real;
}

static json_t *
ratio(double num, double den, double scale, int digits)
{
	if (den <= 0)
		return json_null();
	double p = pow(10, digits);
	return json_real(round(num / den * scale * p) / p);
}

/* The KPI named metric of a, with its numerator and denominator. */
static json_t *
metric_of(const acc_t *a, const char *m, double *num, double *den)
{
	double n = 0, d = 0, scale = 1;
	int digits = 2;
	if (strcmp(m, "availability") == 0)
		n = (double)(a->known_s - a->fault_s), d = (double)a->known_s, scale = 100;
	else if (strcmp(m, "online") == 0)
		n = (double)a->online_s, d = (double)a->charger_window_s, scale = 100;
	else if (strcmp(m, "fault_rate") == 0)
		n = (double)a->faults, d = (double)a->charger_window_s / MONTH_S, digits = 3;
	else if (strcmp(m, "faults_per_gun") == 0)
		n = (double)a->faults, d = (double)a->guns, digits = 3;
	else if (strcmp(m, "mttr") == 0)
		n = (double)a->repair_s / 3600.0, d = (double)a->repairs;
	else if (strcmp(m, "mtbf") == 0)
		n = (double)(a->known_s - a->fault_s) / 3600.0, d = (double)a->faults;
	else if (strcmp(m, "success") == 0)
		n = (double)a->successes, d = (double)(a->attempts - a->open_sessions), scale = 100;
	else if (strcmp(m, "time_util") == 0)
		n = (double)a->charging_s, d = (double)a->window_s, scale = 100;
	else if (strcmp(m, "energy_util") == 0)
		n = (double)a->rated_energy_wh, d = a->capacity_wh, scale = 100;
	else if (strcmp(m, "sessions") == 0)
		n = (double)a->sessions, d = 1, digits = 0;
	else if (strcmp(m, "energy") == 0)
		n = (double)a->energy_wh / 1000.0, d = 1, digits = 3;
	if (num)
		*num = n;
	if (den)
		*den = d;
	return ratio(n, d, scale, digits);
}

static const char *const metrics[] = {"availability", "online", "fault_rate", "faults_per_gun", "mttr", "mtbf", "success",
    "time_util", "energy_util", "sessions", "energy", NULL};

bool
kpis_metric_known(const char *m)
{
	for (int i = 0; m && metrics[i]; i++)
		if (strcmp(m, metrics[i]) == 0)
			return true;
	return false;
}

static json_t *
row_json(const acc_t *a, json_t *meta)
{
	json_t *r = meta ? json_deep_copy(meta) : json_object();
	json_object_set_new(r, "chargers", json_integer(a->chargers));
	json_object_set_new(r, "connectors", json_integer(a->guns));
	json_object_set_new(r, "availability_pct", metric_of(a, "availability", NULL, NULL));
	json_object_set_new(r, "online_pct", metric_of(a, "online", NULL, NULL));
	json_object_set_new(r, "faults", json_integer(a->faults));
	json_object_set_new(r, "fault_rate", metric_of(a, "fault_rate", NULL, NULL));
	json_object_set_new(r, "faults_per_gun", metric_of(a, "faults_per_gun", NULL, NULL));
	json_object_set_new(r, "mttr_h", metric_of(a, "mttr", NULL, NULL));
	json_object_set_new(r, "mtbf_h", metric_of(a, "mtbf", NULL, NULL));
	json_object_set_new(r, "success_pct", metric_of(a, "success", NULL, NULL));
	json_object_set_new(r, "time_util_pct", metric_of(a, "time_util", NULL, NULL));
	json_object_set_new(r, "energy_util_pct", metric_of(a, "energy_util", NULL, NULL));
	json_object_set_new(r, "sessions", json_integer(a->sessions));
	json_object_set_new(r, "energy_kwh", ratio((double)a->energy_wh, 1000, 1, 3));
	/* the raw figures, so a reader can check every KPI */
	json_object_set_new(r, "window_s", json_integer(a->window_s));
	json_object_set_new(r, "status_known_s", json_integer(a->known_s));
	json_object_set_new(r, "fault_s", json_integer(a->fault_s));
	json_object_set_new(r, "operating_s", json_integer(a->known_s - a->fault_s));
	json_object_set_new(r, "charger_window_s", json_integer(a->charger_window_s));
	json_object_set_new(r, "online_s", json_integer(a->online_s));
	json_object_set_new(r, "charger_months", ratio((double)a->charger_window_s, MONTH_S, 1, 4));
	json_object_set_new(r, "repairs", json_integer(a->repairs));
	json_object_set_new(r, "repair_s", json_integer(a->repair_s));
	json_object_set_new(r, "attempts", json_integer(a->attempts));
	json_object_set_new(r, "successes", json_integer(a->successes));
	json_object_set_new(r, "open_sessions", json_integer(a->open_sessions));
	json_object_set_new(r, "charging_s", json_integer(a->charging_s));
	json_object_set_new(r, "energy_wh", json_integer(a->energy_wh));
	json_object_set_new(r, "rated_energy_wh", json_integer(a->rated_energy_wh));
	json_object_set_new(r, "rated_capacity_wh", json_integer((json_int_t)llround(a->capacity_wh)));
	return r;
}

/* from, to → [L, H) with H at most now; checks the range and the grouping. */
static int
period(const kpis_query_t *q, bool need_group, int64_t *L, int64_t *Hp, int64_t *H, fg_err_t *err)
{
	int64_t to;
	if (!kpis_day_start(q->from, L))
		return fg_err_field(err, "invalid_query", "from", "a day YYYY-MM-DD");
	if (!kpis_day_start(q->to, &to))
		return fg_err_field(err, "invalid_query", "to", "a day YYYY-MM-DD");
	if (to < *L)
		return fg_err_field(err, "invalid_query", "to", "not before from");
	if ((to - *L) / DAY_MS + 1 > KPIS_MAX_DAYS)
		return fg_err_field(err, "invalid_query", "to", "at most 366 days from from");
	int64_t now = fg_now_ms();
	if (*L > now)
		return fg_err_field(err, "invalid_query", "from", "not after today");
	*Hp = to + DAY_MS;
	*H = *Hp < now ? *Hp : now;
	if (need_group || q->group_by) {
		bool ok = false;
		for (int i = 0; q->group_by && groupings[i]; i++)
			ok = ok || strcmp(q->group_by, groupings[i]) == 0;
		if (!ok)
			return fg_err_field(err, "invalid_query", "group_by", "station, vendor, model, charger or connector");
	}
	return 0;
}

int
kpis_table(db_t *db, const kpis_query_t *q0, json_t **out, fg_err_t *err)
{
	kpis_query_t q = *q0;
	if (!q.group_by)
		q.group_by = "station";
	int64_t L, Hp, H;
	if (period(&q, true, &L, &Hp, &H, err))
		return -1;
	fleet_t f = {0};
	int64_t t0 = fg_now_ms();
	if (load(db, &q, L, H, &f, err)) {
		fleet_free(&f);
		return -1;
	}
	spans(&f, L, H);
	size_t ng, total;
	group_t *g = assign_groups(&f, q.group_by, KPIS_MAX_ROWS, &ng, &total);
	acc_t *acc = fg_calloc(ng ? ng : 1, sizeof *acc), all = {0};
	for (size_t i = 0; i < f.n; i++)
		for (size_t j = 0; j < f.v[i].nc; j++) {
			conn_t *k = &f.v[i].c[j];
			if (k->id == 0)
				continue;
			if (k->group >= 0)
				accumulate(&acc[k->group], (int64_t)i, &f.v[i], k, L, H, L, H);
			accumulate(&all, (int64_t)i, &f.v[i], k, L, H, L, H);
		}
	json_t *rows = json_array();
	for (size_t i = 0; i < ng; i++) {
		json_t *r = row_json(&acc[i], g[i].meta);
		json_object_set_new(r, "key", json_string(g[i].key));
		json_array_append_new(rows, r);
	}
	char lo[11], hi[11];
	kpis_day_of(L, lo);
	kpis_day_of(Hp - 1, hi);
	*out = json_pack("{s:s, s:s, s:s, s:{s:I, s:I}, s:o, s:o, s:b, s:I, s:I}", "from", lo, "to", hi, "group_by", q.group_by,
	    "window", "from_ms", (json_int_t)L, "to_ms", (json_int_t)H, "rows", rows, "total", row_json(&all, NULL),
	    "truncated", total > ng, "groups", (json_int_t)total, "took_ms", (json_int_t)(fg_now_ms() - t0));
	log_info("kpis: %zu chargers, %zu groups, %lld ms", f.n, total, (long long)(fg_now_ms() - t0));
	free(acc);
	groups_free(g, ng);
	fleet_free(&f);
	malloc_trim(0); /* a big period's arrays go back to the system, not to this worker thread's arena */
	return 0;
}

int
kpis_trend(db_t *db, const kpis_query_t *q, const char *metric, const char *interval, json_t **out, fg_err_t *err)
{
	if (!kpis_metric_known(metric))
		return fg_err_field(err, "invalid_query", "metric",
		    "availability, online, fault_rate, faults_per_gun, mttr, mtbf, success, time_util, energy_util, sessions or energy");
	if (!interval)
		interval = "day";
	if (strcmp(interval, "day") && strcmp(interval, "week") && strcmp(interval, "month"))
		return fg_err_field(err, "invalid_query", "interval", "day, week or month");
	int64_t L, Hp, H;
	if (period(q, false, &L, &Hp, &H, err))
		return -1;
	int64_t *b = NULL;
	size_t nb = 0;
	for (int64_t t = L; t < Hp; t = kpis_next_bucket(t, interval)) {
		b = fg_realloc(b, (nb + 2) * sizeof *b);
		b[nb++] = t;
	}
	b[nb] = Hp;
	fleet_t f = {0};
	if (load(db, q, L, H, &f, err)) {
		fleet_free(&f);
		free(b);
		return -1;
	}
	spans(&f, L, H);
	size_t ng = 1, total = 1;
	group_t *g = NULL;
	if (q->group_by)
		g = assign_groups(&f, q->group_by, KPIS_MAX_SERIES, &ng, &total);
	acc_t *acc = fg_calloc((ng ? ng : 1) * nb, sizeof *acc);
	for (size_t i = 0; i < f.n; i++)
		for (size_t j = 0; j < f.v[i].nc; j++) {
			conn_t *k = &f.v[i].c[j];
			int gi = q->group_by ? k->group : 0;
			if (k->id == 0 || gi < 0)
				continue;
			for (size_t x = 0; x < nb; x++)
				accumulate(&acc[(size_t)gi * nb + x], (int64_t)i, &f.v[i], k, L, H, b[x], b[x + 1]);
		}
	json_t *buckets = json_array(), *series = json_array();
	for (size_t x = 0; x < nb; x++) {
		char d[11];
		kpis_day_of(b[x], d);
		json_array_append_new(buckets, json_string(d));
	}
	for (size_t i = 0; i < ng; i++) {
		json_t *vals = json_array(), *nums = json_array(), *dens = json_array();
		for (size_t x = 0; x < nb; x++) {
			double n = 0, d = 0;
			json_array_append_new(vals, b[x] < H ? metric_of(&acc[i * nb + x], metric, &n, &d) : json_null());
			json_array_append_new(nums, json_real(b[x] < H ? n : 0));
			json_array_append_new(dens, json_real(b[x] < H ? d : 0));
		}
		json_t *s = g ? json_deep_copy(g[i].meta) : json_pack("{s:s}", "label", "");
		json_object_set_new(s, "key", json_string(g ? g[i].key : "all"));
		json_object_set_new(s, "values", vals);
		json_object_set_new(s, "num", nums);
		json_object_set_new(s, "den", dens);
		json_array_append_new(series, s);
	}
	*out = json_pack("{s:s, s:s, s:s?, s:o, s:o, s:I, s:b}", "metric", metric, "interval", interval, "group_by", q->group_by,
	    "buckets", buckets, "series", series, "groups", (json_int_t)total, "truncated", total > ng);
	free(acc);
	free(b);
	if (g)
		groups_free(g, ng);
	fleet_free(&f);
	malloc_trim(0);
	return 0;
}
