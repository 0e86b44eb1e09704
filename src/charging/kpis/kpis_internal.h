#ifndef FG_KPIS_INTERNAL_H
#define FG_KPIS_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/base/err.h"
#include "core/db/db.h"
#include "charging/kpis/kpis.h"

/* Internal to the charger KPIs: kpis_fleet.c reads a period into a fleet (the database side), kpis.c sums it per
 * group and bucket (kpis_calc.c is the pure interval arithmetic both use). */

#define KPIS_DAY_MS 86400000LL

typedef struct {
	int64_t start;
	kpis_span_t span;
	int outcome; /* kpis_session_outcome */
	bool accepted;
	int64_t energy_wh;
} kpis_sess_t;

typedef struct {
	int id;
	int initial; /* state before the period: -1 unknown, 0, 1 Faulted */
	kpis_mark_t *m;
	size_t n, cap;
	kpis_spans_t known, fault, charging;
	bool open_at_start;
	kpis_sess_t *s;
	size_t ns, scap;
	int group;
} kpis_conn_t;

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
	kpis_conn_t *c;
	size_t nc;
	int real; /* connectors above 0 */
} kpis_chg_t;

typedef struct {
	kpis_chg_t *v;
	size_t n;
	size_t *hash; /* open addressing: index + 1, 0 empty */
	size_t hcap;
} kpis_fleet_t;

/* The chargers the query chooses over [L, H), with their spans; on failure f is freed. Errors: invalid_query
 * (more than KPIS_MAX_CHARGERS), internal. */
int kpis_fleet_load(db_t *db, const kpis_query_t *k, int64_t L, int64_t H, kpis_fleet_t *f, fg_err_t *err);
void kpis_fleet_free(kpis_fleet_t *f);

#endif
