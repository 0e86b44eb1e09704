/* Unit tests of the charger KPIs' pure part (src/charging/kpis/kpis_calc.c): time-weighted spans from status
 * reports, overlapping spells, spells open at the period's start or end, a charger that never reported, clock
 * skew and out-of-order reports, fault counts per bucket, session outcomes and Asia/Shanghai days. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "charging/kpis/kpis.h"

#define H_MS (3600LL * 1000)
#define DAY (24 * H_MS)
/* 2026-11-30 00:00 Asia/Shanghai */
#define D0 1795968000000LL

static kpis_mark_t
mk(int64_t at, int on)
{
	return (kpis_mark_t){at, at + 1000, on};
}

static void
availability_of_a_connector_faulted_six_hours_of_a_day_is_75_percent(void **state)
{
	kpis_mark_t m[] = {mk(D0, 0), mk(D0 + 6 * H_MS, 1), mk(D0 + 12 * H_MS, 0)};
	kpis_spans_t known = {0}, fault = {0};
	kpis_state_spans(m, 3, -1, D0, D0 + DAY, &known, &fault);
	assert_int_equal(kpis_spans_within(&known, D0, D0 + DAY), DAY);
	assert_int_equal(kpis_spans_within(&fault, D0, D0 + DAY), 6 * H_MS);
	double avail = 100.0 * (double)(DAY - 6 * H_MS) / (double)DAY;
	assert_true(avail > 74.999 && avail < 75.001);
	kpis_faults_t f;
	kpis_fault_stats(&fault, false, D0, D0 + DAY, D0, D0 + DAY, &f);
	assert_int_equal(f.faults, 1);
	assert_int_equal(f.repairs, 1);
	assert_int_equal(f.repair_s, 6 * 3600);
	kpis_spans_free(&known);
	kpis_spans_free(&fault);
}

static void
overlapping_spells_of_a_connector_and_the_whole_charger_count_once(void **state)
{
	/* connector 1 Faulted 02:00–06:00; connector 0 (the whole charger) Faulted 04:00–08:00 and 10:00–11:00 */
	kpis_mark_t c1[] = {mk(D0, 0), mk(D0 + 2 * H_MS, 1), mk(D0 + 6 * H_MS, 0)};
	kpis_mark_t c0[] = {mk(D0 + 4 * H_MS, 1), mk(D0 + 8 * H_MS, 0), mk(D0 + 10 * H_MS, 1), mk(D0 + 11 * H_MS, 0)};
	kpis_spans_t k1 = {0}, f1 = {0}, k0 = {0}, f0 = {0};
	kpis_state_spans(c1, 3, -1, D0, D0 + DAY, &k1, &f1);
	kpis_state_spans(c0, 4, -1, D0, D0 + DAY, &k0, &f0);
	kpis_spans_union(&f1, &f0);
	assert_int_equal(f1.n, 2);
	assert_int_equal(kpis_spans_within(&f1, D0, D0 + DAY), 7 * H_MS); /* 02–08 and 10–11 */
	kpis_faults_t f;
	kpis_fault_stats(&f1, false, D0, D0 + DAY, D0, D0 + DAY, &f);
	assert_int_equal(f.faults, 2);
	assert_int_equal(f.repair_s, 7 * 3600);
	/* the same spell reported twice (Faulted, Faulted) is one spell */
	kpis_mark_t twice[] = {mk(D0 + H_MS, 1), mk(D0 + 2 * H_MS, 1), mk(D0 + 3 * H_MS, 0)};
	kpis_spans_t kt = {0}, ft = {0};
	kpis_state_spans(twice, 3, 0, D0, D0 + DAY, &kt, &ft);
	assert_int_equal(ft.n, 1);
	assert_int_equal(kpis_spans_within(&ft, D0, D0 + DAY), 2 * H_MS);
	kpis_spans_free(&k1);
	kpis_spans_free(&f1);
	kpis_spans_free(&k0);
	kpis_spans_free(&f0);
	kpis_spans_free(&kt);
	kpis_spans_free(&ft);
}

static void
a_spell_open_at_the_start_is_no_new_fault_but_its_repair_counts(void **state)
{
	kpis_mark_t m[] = {mk(D0 + 3 * H_MS, 0)};
	kpis_spans_t known = {0}, fault = {0};
	kpis_state_spans(m, 1, 1, D0, D0 + DAY, &known, &fault);
	assert_int_equal(kpis_spans_within(&fault, D0, D0 + DAY), 3 * H_MS);
	assert_int_equal(kpis_spans_within(&known, D0, D0 + DAY), DAY);
	kpis_faults_t f;
	kpis_fault_stats(&fault, true, D0, D0 + DAY, D0, D0 + DAY, &f);
	assert_int_equal(f.faults, 0);
	assert_int_equal(f.repairs, 1);
	assert_int_equal(f.repair_s, 3 * 3600); /* counted from the period's start */
	/* a fresh fault reported exactly at the start is a new one */
	kpis_mark_t m2[] = {mk(D0, 1), mk(D0 + H_MS, 0)};
	kpis_spans_t k2 = {0}, f2 = {0};
	kpis_state_spans(m2, 2, 0, D0, D0 + DAY, &k2, &f2);
	kpis_fault_stats(&f2, false, D0, D0 + DAY, D0, D0 + DAY, &f);
	assert_int_equal(f.faults, 1);
	kpis_spans_free(&known);
	kpis_spans_free(&fault);
	kpis_spans_free(&k2);
	kpis_spans_free(&f2);
}

static void
a_spell_open_at_the_end_is_a_fault_without_a_repair(void **state)
{
	kpis_mark_t m[] = {mk(D0 + 20 * H_MS, 1)};
	kpis_spans_t known = {0}, fault = {0};
	kpis_state_spans(m, 1, 0, D0, D0 + DAY, &known, &fault);
	assert_int_equal(kpis_spans_within(&fault, D0, D0 + DAY), 4 * H_MS);
	kpis_faults_t f;
	kpis_fault_stats(&fault, false, D0, D0 + DAY, D0, D0 + DAY, &f);
	assert_int_equal(f.faults, 1);
	assert_int_equal(f.repairs, 0);
	/* split in day buckets over two days: the fault belongs to day 1, the repair on day 2 to day 2 */
	kpis_mark_t m2[] = {mk(D0 + 20 * H_MS, 1), mk(D0 + DAY + 2 * H_MS, 0)};
	kpis_spans_t k2 = {0}, f2 = {0};
	kpis_state_spans(m2, 2, 0, D0, D0 + 2 * DAY, &k2, &f2);
	kpis_fault_stats(&f2, false, D0, D0 + 2 * DAY, D0, D0 + DAY, &f);
	assert_int_equal(f.faults, 1);
	assert_int_equal(f.repairs, 0);
	assert_int_equal(kpis_spans_within(&f2, D0, D0 + DAY), 4 * H_MS);
	kpis_fault_stats(&f2, false, D0, D0 + 2 * DAY, D0 + DAY, D0 + 2 * DAY, &f);
	assert_int_equal(f.faults, 0);
	assert_int_equal(f.repairs, 1);
	assert_int_equal(f.repair_s, 6 * 3600);
	assert_int_equal(kpis_spans_within(&f2, D0 + DAY, D0 + 2 * DAY), 2 * H_MS);
	kpis_spans_free(&known);
	kpis_spans_free(&fault);
	kpis_spans_free(&k2);
	kpis_spans_free(&f2);
}

static void
a_charger_that_never_reported_has_no_known_time(void **state)
{
	kpis_spans_t known = {0}, on = {0};
	kpis_state_spans(NULL, 0, -1, D0, D0 + DAY, &known, &on);
	assert_int_equal(known.n, 0);
	assert_int_equal(kpis_spans_within(&known, D0, D0 + DAY), 0);
	/* an earlier report carries over a whole day without any new one */
	kpis_state_spans(NULL, 0, 0, D0, D0 + DAY, &known, &on);
	assert_int_equal(kpis_spans_within(&known, D0, D0 + DAY), DAY);
	assert_int_equal(kpis_spans_within(&on, D0, D0 + DAY), 0);
	/* the first report at 06:00: only 18 h are known */
	kpis_spans_t k2 = {0}, f2 = {0};
	kpis_mark_t m[] = {mk(D0 + 6 * H_MS, 0)};
	kpis_state_spans(m, 1, -1, D0, D0 + DAY, &k2, &f2);
	assert_int_equal(kpis_spans_within(&k2, D0, D0 + DAY), 18 * H_MS);
	kpis_spans_free(&known);
	kpis_spans_free(&on);
	kpis_spans_free(&k2);
	kpis_spans_free(&f2);
}

static void
out_of_order_reports_and_a_clock_ahead_are_put_right(void **state)
{
	/* reports arrive shuffled (an offline queue replayed after newer ones): the charger's times order them */
	kpis_mark_t m[] = {mk(D0 + 12 * H_MS, 0), mk(D0, 0), mk(D0 + 6 * H_MS, 1)};
	m[2].recv = D0 + 13 * H_MS; /* the 06:00 Faulted came last, with the replayed queue */
	kpis_spans_t known = {0}, fault = {0};
	kpis_state_spans(m, 3, -1, D0, D0 + DAY, &known, &fault);
	assert_int_equal(kpis_spans_within(&fault, D0, D0 + DAY), 6 * H_MS);
	kpis_spans_free(&known);
	kpis_spans_free(&fault);
	/* a clock an hour ahead: the Faulted report received at 10:00 says 11:00; it counts at 10:00 */
	kpis_mark_t s[] = {mk(D0, 0), {D0 + 11 * H_MS, D0 + 10 * H_MS, 1}, mk(D0 + 12 * H_MS, 0)};
	assert_int_equal(kpis_mark_time(&s[1]), D0 + 10 * H_MS);
	kpis_spans_t k2 = {0}, f2 = {0};
	kpis_state_spans(s, 3, -1, D0, D0 + DAY, &k2, &f2);
	assert_int_equal(kpis_spans_within(&f2, D0, D0 + DAY), 2 * H_MS);
	/* a little ahead (within KPIS_SKEW_MS) is believed */
	kpis_mark_t near = {D0 + 2 * 60 * 1000, D0, 1};
	assert_int_equal(kpis_mark_time(&near), D0 + 2 * 60 * 1000);
	/* a report from before the period only sets the state at its start */
	kpis_mark_t old[] = {mk(D0 - 5 * H_MS, 1), mk(D0 + H_MS, 0)};
	kpis_spans_t k3 = {0}, f3 = {0};
	kpis_state_spans(old, 2, -1, D0, D0 + DAY, &k3, &f3);
	assert_int_equal(kpis_spans_within(&f3, D0, D0 + DAY), H_MS);
	/* equal times: the later receipt wins */
	kpis_mark_t tie[] = {{D0 + H_MS, D0 + H_MS + 5, 0}, {D0 + H_MS, D0 + H_MS + 1, 1}};
	kpis_spans_t k4 = {0}, f4 = {0};
	kpis_state_spans(tie, 2, 0, D0, D0 + DAY, &k4, &f4);
	assert_int_equal(kpis_spans_within(&f4, D0, D0 + DAY), 0);
	kpis_spans_free(&k2);
	kpis_spans_free(&f2);
	kpis_spans_free(&k3);
	kpis_spans_free(&f3);
	kpis_spans_free(&k4);
	kpis_spans_free(&f4);
}

static void
spans_merge_and_measure(void **state)
{
	kpis_spans_t s = {0};
	kpis_spans_add(&s, 50, 60);
	kpis_spans_add(&s, 10, 20);
	kpis_spans_add(&s, 15, 30);
	kpis_spans_add(&s, 30, 40); /* touching */
	kpis_spans_add(&s, 70, 70); /* empty */
	kpis_spans_norm(&s);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[0].a, 10);
	assert_int_equal(s.v[0].b, 40);
	assert_int_equal(kpis_spans_within(&s, 0, 100), 40);
	assert_int_equal(kpis_spans_within(&s, 35, 55), 10);
	assert_int_equal(kpis_spans_within(&s, 0, 5), 0);
	assert_int_equal(kpis_spans_within(&s, 40, 50), 0); /* the gap between them */
	assert_int_equal(kpis_spans_within(&s, 55, 100), 5);
	assert_int_equal(kpis_spans_within(&s, 10, 11), 1);
	kpis_spans_t none = {0};
	assert_int_equal(kpis_spans_within(&none, 0, 100), 0);
	kpis_spans_free(&s);
}

static void
sessions_succeed_only_when_accepted_charged_and_ended_normally(void **state)
{
	kpis_session_t ok = {D0, D0 + H_MS, 12000, true, "Local"};
	assert_int_equal(kpis_session_outcome(&ok), 1);
	kpis_session_t ev = {D0, D0 + H_MS, 12000, true, "EVDisconnected"};
	assert_int_equal(kpis_session_outcome(&ev), 1);
	kpis_session_t noenergy = {D0, D0 + H_MS, 0, true, "Local"};
	assert_int_equal(kpis_session_outcome(&noenergy), 0);
	kpis_session_t quick = {D0, D0 + 30 * 1000, 10, true, "EVDisconnected"};
	assert_int_equal(kpis_session_outcome(&quick), 0);
	kpis_session_t estop = {D0, D0 + H_MS, 5000, true, "EmergencyStop"};
	assert_int_equal(kpis_session_outcome(&estop), 0);
	kpis_session_t invalid = {D0, D0 + H_MS, 5000, false, "Local"};
	assert_int_equal(kpis_session_outcome(&invalid), 0);
	kpis_session_t open = {D0, 0, -1, true, NULL};
	assert_int_equal(kpis_session_outcome(&open), -1);
	kpis_span_t sp = kpis_session_span(&open, D0 + 2 * H_MS);
	assert_int_equal(sp.b - sp.a, 2 * H_MS);
	sp = kpis_session_span(&open, D0 + 100 * H_MS);
	assert_int_equal(sp.b - sp.a, KPIS_OPEN_SESSION_MS);
	kpis_session_t back = {D0, D0 - 5, 1, true, "Local"}; /* stop before start (clock): no time */
	sp = kpis_session_span(&back, D0 + DAY);
	assert_int_equal(sp.b - sp.a, 0);
}

static void
shanghai_days_and_buckets(void **state)
{
	int64_t ms;
	assert_true(kpis_day_start("2026-11-30", &ms));
	assert_int_equal(ms, D0); 
	assert_false(kpis_day_start("2026-02-30", &ms));
	assert_false(kpis_day_start("yesterday", &ms));
	char d[11];
	kpis_day_of(D0, d);
	assert_string_equal(d, "2026-11-30");
	kpis_day_of(D0 - 1, d);
	assert_string_equal(d, "2026-11-29");
	assert_int_equal(kpis_next_bucket(D0, "day"), D0 + DAY);
	/* 2026-11-30 is a Monday: the next week starts 7 days later; from Wednesday 12-02 it is 12-07 */
	assert_int_equal(kpis_next_bucket(D0, "week"), D0 + 7 * DAY);
	assert_int_equal(kpis_next_bucket(D0 + 2 * DAY, "week"), D0 + 7 * DAY);
	int64_t dec1, jan1;
	assert_true(kpis_day_start("2026-12-01", &dec1));
	assert_true(kpis_day_start("2027-01-01", &jan1));
	assert_int_equal(kpis_next_bucket(D0, "month"), dec1);
	assert_int_equal(kpis_next_bucket(dec1 + 5 * DAY, "month"), jan1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(availability_of_a_connector_faulted_six_hours_of_a_day_is_75_percent),
		cmocka_unit_test(overlapping_spells_of_a_connector_and_the_whole_charger_count_once),
		cmocka_unit_test(a_spell_open_at_the_start_is_no_new_fault_but_its_repair_counts),
		cmocka_unit_test(a_spell_open_at_the_end_is_a_fault_without_a_repair),
		cmocka_unit_test(a_charger_that_never_reported_has_no_known_time),
		cmocka_unit_test(out_of_order_reports_and_a_clock_ahead_are_put_right),
		cmocka_unit_test(spans_merge_and_measure),
		cmocka_unit_test(sessions_succeed_only_when_accepted_charged_and_ended_normally),
		cmocka_unit_test(shanghai_days_and_buckets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
