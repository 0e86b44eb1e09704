#ifndef FG_KPIS_H
#define FG_KPIS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"

/* Charger KPIs (R4.4, REFERENCE.md §7.4; the exact formulas are in docs/api.md "Charger KPIs"): per connector
 * time-weighted availability, online rate, faults per charger-month and per gun, MTTR, MTBF, charge success
 * rate, time and energy utilisation, sessions and energy, grouped by station, vendor, model, charger or
 * connector, over Asia/Shanghai days.
 *
 * kpis_calc.c is the pure part (interval arithmetic over status reports, link events and sessions; no
 * database), unit-tested in tests/unit/test_kpis.c. kpis_fleet.c reads the period from the database, kpis.c sums
 * the groups; kpis_xlsx.c writes the table as a workbook; kpis_api.c is the HTTP glue. */

/* ---------- interval arithmetic (kpis_calc.c) ---------- */

/* Half-open [a, b) in epoch ms. */
typedef struct {
	int64_t a, b;
} kpis_span_t;

typedef struct {
	kpis_span_t *v;
	size_t n, cap;
} kpis_spans_t;

void kpis_spans_add(kpis_spans_t *s, int64_t a, int64_t b); /* empty spans (b <= a) are dropped */
void kpis_spans_free(kpis_spans_t *s);
/* Sorts and merges overlapping or touching spans: afterwards they are disjoint and in order. */
void kpis_spans_norm(kpis_spans_t *s);
/* dst ∪= src, normalised. */
void kpis_spans_union(kpis_spans_t *dst, const kpis_spans_t *src);
/* Length of s ∩ [lo, hi) (s normalised). */
int64_t kpis_spans_within(const kpis_spans_t *s, int64_t lo, int64_t hi);

/* A report that changes a state: a StatusNotification (on = Faulted) or a link event (on = connected). */
typedef struct {
	int64_t at;   /* the sender's clock (the charger's timestamp) */
	int64_t recv; /* when we received it */
	int on;       /* 1 / 0 */
} kpis_mark_t;

/* A charger clock more than this ahead of our receipt is wrong: the report counts at its receipt. */
#define KPIS_SKEW_MS (5 * 60 * 1000)
/* The time a report counts at: its own timestamp (a replayed offline queue reports the past truthfully), unless
 * that lies more than KPIS_SKEW_MS after we received it. */
int64_t kpis_mark_time(const kpis_mark_t *m);

/* From the reports of one connector (or the link events of one charger) inside [lo, hi), in any order, and the
 * state before lo (initial: -1 unknown, 0 off, 1 on): known gets the time the state is known, on the time it
 * is on. Reports are ordered by kpis_mark_time, then receipt; times are clamped into [lo, hi). Sorts m. */
void kpis_state_spans(kpis_mark_t *m, size_t n, int initial, int64_t lo, int64_t hi, kpis_spans_t *known,
    kpis_spans_t *on);

/* Fault figures of one connector over a bucket [lo, hi) of the whole range [L, H), from its normalised fault
 * spans. open_at_start: a spell was already open at L (it is not a new fault of the range). */
typedef struct {
	int64_t faults;   /* spells that began inside the bucket */
	int64_t repairs;  /* spells that ended inside the bucket (before H) */
	int64_t repair_s; /* their length in seconds, counted from L at the earliest */
} kpis_faults_t;
void kpis_fault_stats(const kpis_spans_t *fault, bool open_at_start, int64_t L, int64_t H, int64_t lo, int64_t hi,
    kpis_faults_t *out);

/* One charging session, as the KPIs read it. */
typedef struct {
	int64_t start, stop; /* stop 0: never stopped */
	int64_t energy_wh;   /* -1 unknown */
	bool accepted;       /* the id tag was Accepted at StartTransaction */
	const char *reason;  /* stop reason (NULL: none) */
} kpis_session_t;
/* An unstopped session counts as charging for at most this long. */
#define KPIS_OPEN_SESSION_MS (48LL * 3600 * 1000)
/* A successful session lasted at least this long. */
#define KPIS_MIN_SESSION_MS (60 * 1000)
/* 1 success, 0 failed, -1 still open (neither). */
int kpis_session_outcome(const kpis_session_t *s);
/* The session's charging span, [start, stop) or [start, min(H, start + KPIS_OPEN_SESSION_MS)) when open. */
kpis_span_t kpis_session_span(const kpis_session_t *s, int64_t H);

/* Asia/Shanghai days: "YYYY-MM-DD" → epoch ms of its 00:00 (UTC+8, no daylight saving since 1991). */
bool kpis_day_start(const char *day, int64_t *ms);
/* The Asia/Shanghai date of an instant. out: 11 bytes. */
void kpis_day_of(int64_t ms, char out[11]);
/* The start of the bucket after the one holding day start t: interval "day", "week" (Monday) or "month". */
int64_t kpis_next_bucket(int64_t t, const char *interval);

/* ---------- the KPIs (kpis.c) ---------- */

#define KPIS_MAX_DAYS 366
#define KPIS_MAX_ROWS 2000      /* rows of one answer; more are cut off with "truncated" */
#define KPIS_MAX_CHARGERS 20000 /* chargers one query may cover */
#define KPIS_MAX_SERIES 10      /* groups drawn by the trend */

typedef struct {
	const char *from, *to; /* YYYY-MM-DD, inclusive */
	const char *group_by;  /* station | vendor | model | charger | connector (default station) */
	const char *station_id, *vendor, *model;
} kpis_query_t;

/* The table: {from, to, group_by, window {from_ms, to_ms}, rows [...], total {...}, truncated}. Each row holds
 * every KPI and its numerator and denominator. Refusals: invalid_query (field named: from, to, group_by,
 * kpis_too_many_chargers). */
int kpis_table(db_t *db, const kpis_query_t *q, json_t **out, fg_err_t *err);
/* One KPI per bucket (interval day | week | month) for each group (the first KPIS_MAX_SERIES), or for all when
 * group_by is NULL: {metric, interval, buckets [day], series [{key, label, values [..], num [..], den [..]}]}. */
int kpis_trend(db_t *db, const kpis_query_t *q, const char *metric, const char *interval, json_t **out,
    fg_err_t *err);
/* Whether metric names a KPI the trend draws. */
bool kpis_metric_known(const char *metric);

/* The table as an .xlsx workbook (kpis_xlsx.c): sheet 1 the rows with Chinese headers, sheet 2 the
 * definitions. buf: malloc'd. */
int kpis_xlsx(db_t *db, const kpis_query_t *q, unsigned char **buf, size_t *len, fg_err_t *err);
/* The workbook from a table kpis_table made. */
int kpis_xlsx_of(json_t *table, unsigned char **buf, size_t *len, fg_err_t *err);

#endif
