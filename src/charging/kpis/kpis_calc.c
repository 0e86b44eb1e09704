/* The pure part of the charger KPIs (kpis.h): time-weighted interval arithmetic over status reports, link
 * events and sessions. No database, no clock: tests/unit/test_kpis.c drives it with made-up timelines. */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include "core/base/day.h"
#include "core/base/util.h"
#include "charging/kpis/kpis.h"

#define DAY_MS 86400000LL
#define SHANGHAI_MS (8LL * 3600 * 1000)

void
kpis_spans_add(kpis_spans_t *s, int64_t a, int64_t b)
{
	if (b <= a)
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = fg_realloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = (kpis_span_t){a, b};
}

void
kpis_spans_free(kpis_spans_t *s)
{
	free(s->v);
	memset(s, 0, sizeof *s);
}

static int
span_cmp(const void *x, const void *y)
{
	const kpis_span_t *a = x, *b = y;
	return a->a < b->a ? -1 : a->a > b->a ? 1 : (a->b < b->b ? -1 : a->b > b->b);
}

void
kpis_spans_norm(kpis_spans_t *s)
{
	if (s->n < 2)
		return;
	qsort(s->v, s->n, sizeof *s->v, span_cmp);
	size_t w = 0;
	for (size_t i = 1; i < s->n; i++) {
		if (s->v[i].a <= s->v[w].b) { /* overlapping or touching: one spell */
			if (s->v[i].b > s->v[w].b)
				s->v[w].b = s->v[i].b;
		} else {
			s->v[++w] = s->v[i];
		}
	}
	s->n = w + 1;
}

void
kpis_spans_union(kpis_spans_t *dst, const kpis_spans_t *src)
{
	for (size_t i = 0; i < src->n; i++)
		kpis_spans_add(dst, src->v[i].a, src->v[i].b);
	kpis_spans_norm(dst);
}

int64_t
kpis_spans_within(const kpis_spans_t *s, int64_t lo, int64_t hi)
{
	/* normalised spans are ordered by both ends: skip to the first ending after lo (a trend asks once per bucket) */
	size_t l = 0, r = s->n;
	while (l < r) {
		size_t m = l + (r - l) / 2;
		if (s->v[m].b <= lo)
			l = m + 1;
		else
			r = m;
	}
	int64_t t = 0;
	for (size_t i = l; i < s->n && s->v[i].a < hi; i++) {
		int64_t a = s->v[i].a > lo ? s->v[i].a : lo, b = s->v[i].b < hi ? s->v[i].b : hi;
		if (b > a)
			t += b - a;
	}
	return t;
}

int64_t
kpis_mark_time(const kpis_mark_t *m)
{
	return m->at > m->recv + KPIS_SKEW_MS ? m->recv : m->at;
}

static int
mark_cmp(const void *x, const void *y)
{
	const kpis_mark_t *a = x, *b = y;
	int64_t ta = kpis_mark_time(a), tb = kpis_mark_time(b);
	if (ta != tb)
		return ta < tb ? -1 : 1;
	return a->recv < b->recv ? -1 : a->recv > b->recv;
}

void
kpis_state_spans(kpis_mark_t *m, size_t n, int initial, int64_t lo, int64_t hi, kpis_spans_t *known, kpis_spans_t *on)
{
	if (hi <= lo)
		return;
	if (n > 1)
		qsort(m, n, sizeof *m, mark_cmp);
	int cur = initial;
	int64_t since = lo;
	for (size_t i = 0; i < n; i++) {
		int64_t t = kpis_mark_time(&m[i]);
		t = t < lo ? lo : t > hi ? hi : t;
		if (cur >= 0) {
			kpis_spans_add(known, since, t);
			if (cur == 1)
				kpis_spans_add(on, since, t);
		}
		cur = m[i].on ? 1 : 0;
		since = t;
	}
	if (cur >= 0) {
		kpis_spans_add(known, since, hi);
		if (cur == 1)
			kpis_spans_add(on, since, hi);
	}
	kpis_spans_norm(known);
	kpis_spans_norm(on);
}

void
kpis_fault_stats(const kpis_spans_t *fault, bool open_at_start, int64_t L, int64_t H, int64_t lo, int64_t hi,
    kpis_faults_t *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < fault->n; i++) {
		const kpis_span_t *s = &fault->v[i];
		if (s->a >= lo && s->a < hi && !(open_at_start && s->a == L))
			out->faults++;
		if (s->b >= lo && s->b < hi && s->b < H) {
			out->repairs++;
			out->repair_s += (s->b - (s->a > L ? s->a : L)) / 1000;
		}
	}
}

/* Stop reasons (OCPP 1.6 Reason) that mean the session broke off rather than ended as the user wanted. */
static const char *const failed_reasons[] = {"EmergencyStop", "PowerLoss", "Reboot", "HardReset", "SoftReset",
    "UnlockCommand", "DeAuthorized", "Other", NULL};

int
kpis_session_outcome(const kpis_session_t *s)
{
	if (!s->stop)
		return -1;
	if (!s->accepted || s->energy_wh <= 0 || s->stop - s->start < KPIS_MIN_SESSION_MS)
		return 0;
	for (int i = 0; s->reason && failed_reasons[i]; i++)
		if (strcmp(s->reason, failed_reasons[i]) == 0)
			return 0;
	return 1;
}

kpis_span_t
kpis_session_span(const kpis_session_t *s, int64_t H)
{
	int64_t end = s->stop ? s->stop : s->start + KPIS_OPEN_SESSION_MS;
	if (!s->stop && end > H)
		end = H;
	return (kpis_span_t){s->start, end > s->start ? end : s->start};
}

/* days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil) */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

bool
kpis_day_start(const char *day, int64_t *ms)
{
	if (!day || !day_valid(day))
		return false;
	int y = atoi(day), m = atoi(day + 5), d = atoi(day + 8);
	*ms = days_from_civil(y, (unsigned)m, (unsigned)d) * DAY_MS - SHANGHAI_MS;
	return true;
}

void
kpis_day_of(int64_t ms, char out[11])
{
	int y;
	unsigned m, d;
	civil_from_days(floor_div(ms + SHANGHAI_MS, DAY_MS), &y, &m, &d);
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, m % 100u, d % 100u);
}

int64_t
kpis_next_bucket(int64_t t, const char *interval)
{
	int64_t days = floor_div(t + SHANGHAI_MS, DAY_MS);
	if (strcmp(interval, "week") == 0) {
		int64_t wd = ((days + 3) % 7 + 7) % 7; /* 1970-01-01 was a Thursday; Monday = 0 */
		return (days + 7 - wd) * DAY_MS - SHANGHAI_MS;
	}
	if (strcmp(interval, "month") == 0) {
		int y;
		unsigned m, d;
		civil_from_days(days, &y, &m, &d);
		return days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) * DAY_MS - SHANGHAI_MS;
	}
	return (days + 1) * DAY_MS - SHANGHAI_MS;
}
