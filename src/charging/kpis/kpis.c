/* Charger KPIs (kpis.h, docs/api.md "Charger KPIs"): the table and the trend. A period's fleet comes from
 * kpis_fleet.c (the rows read and turned into spans); here each connector is put in its group and its spans are
 * summed per group and bucket into the metrics. */
#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/log.h"
#include "core/base/util.h"
#include "charging/kpis/kpis.h"
#include "charging/kpis/kpis_internal.h"

#define MONTH_S (30.0 * 86400) /* a charger-month */

/* the sums one group × bucket collects */
typedef struct {
	int64_t chargers, guns, last_charger;
	int64_t window_s, known_s, fault_s, faults, repairs, repair_s;
	int64_t charger_window_s, online_s, charging_s;
	int64_t attempts, successes, open_sessions, sessions, energy_wh, rated_energy_wh;
	double capacity_wh;
} acc_t;

/* ---------- groups ---------- */

static const char *const groupings[] = {"station", "vendor", "model", "charger", "connector", NULL};

static const char *
nz(const char *s)
{
	return s ? s : "";
}

/* The group a connector belongs to: key and (when made) its descriptive fields. */
static void
group_key(const char *by, const kpis_chg_t *c, const kpis_conn_t *k, char *key, size_t n, json_t **meta)
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
assign_groups(kpis_fleet_t *f, const char *by, size_t max, size_t *ng, size_t *total)
{
	json_t *index = json_object();
	group_t *g = NULL;
	size_t n = 0, cap = 0;
	char key[300];
	for (size_t i = 0; i < f->n; i++) {
		for (size_t j = 0; j < f->v[i].nc; j++) {
			kpis_conn_t *k = &f->v[i].c[j];
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
			kpis_conn_t *k = &f->v[i].c[j];
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
accumulate(acc_t *a, int64_t charger_ix, const kpis_chg_t *c, const kpis_conn_t *k, int64_t L, int64_t H, int64_t lo, int64_t hi)
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
		const kpis_sess_t *x = &k->s[s];
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
	if ((to - *L) / KPIS_DAY_MS + 1 > KPIS_MAX_DAYS)
		return fg_err_field(err, "invalid_query", "to", "at most 366 days from from");
	int64_t now = fg_now_ms();
	if (*L > now)
		return fg_err_field(err, "invalid_query", "from", "not after today");
	*Hp = to + KPIS_DAY_MS;
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
	kpis_fleet_t f = {0};
	int64_t t0 = fg_now_ms();
	if (kpis_fleet_load(db, &q, L, H, &f, err))
		return -1;
	size_t ng, total;
	group_t *g = assign_groups(&f, q.group_by, KPIS_MAX_ROWS, &ng, &total);
	acc_t *acc = fg_calloc(ng ? ng : 1, sizeof *acc), all = {0};
	for (size_t i = 0; i < f.n; i++)
		for (size_t j = 0; j < f.v[i].nc; j++) {
			kpis_conn_t *k = &f.v[i].c[j];
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
	kpis_fleet_free(&f);
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
	kpis_fleet_t f = {0};
	if (kpis_fleet_load(db, q, L, H, &f, err)) {
		free(b);
		return -1;
	}
	size_t ng = 1, total = 1;
	group_t *g = NULL;
	if (q->group_by)
		g = assign_groups(&f, q->group_by, KPIS_MAX_SERIES, &ng, &total);
	acc_t *acc = fg_calloc((ng ? ng : 1) * nb, sizeof *acc);
	for (size_t i = 0; i < f.n; i++)
		for (size_t j = 0; j < f.v[i].nc; j++) {
			kpis_conn_t *k = &f.v[i].c[j];
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
	kpis_fleet_free(&f);
	malloc_trim(0);
	return 0;
}
