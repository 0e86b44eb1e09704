/* 退补电量 (src/metering/meterproc/meterproc_refund.c) against cases worked by hand, one or more per cause of
 * REFERENCE.md §4.4, and the rounding (once, half away from zero). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include "metering/meterproc/meterproc_refund.h"

static json_t *
calc(const char *text)
{
	json_t *in = json_loads(text, 0, NULL), *out = NULL;
	assert_non_null(in);
	fg_err_t e = FG_ERR_INIT;
	int rc = meterproc_refund_calc(in, &out, &e);
	if (rc != 0)
		fail_msg("refused: %s", e.code);
	json_decref(in);
	return out;
}

static const char *
s(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void
refused(const char *text, const char *code, const char *field)
{
	json_t *in = json_loads(text, 0, NULL), *out = NULL;
	fg_err_t e = FG_ERR_INIT;
	assert_int_equal(meterproc_refund_calc(in, &out, &e), -1);
	assert_null(out);
	assert_string_equal(e.code, code);
	assert_string_equal(json_string_value(json_object_get(e.details, "field")), field);
	fg_err_clear(&e);
	json_decref(in);
}

/* Meter 4 % fast, 12 000 kWh recorded from the last test 2026-01-01 to the correction 2026-07-01 (181 days):
 * half the period (90.5 days), so half the energy, 6 000 kWh; true energy 6 000·100/104, over-billed
 * 6 000·4/104 = 230.769230… kWh → refund 230.769 kWh (billed: 231). */
static void
out_of_tolerance_fast(void **state)
{
	(void)state;
	json_t *r = calc("{\"cause\":\"out_of_tolerance\",\"from\":\"2026-01-01\",\"to\":\"2026-07-01\",\"energy_kwh\":\"12000\",\"error_percent\":\"4.0\"}");
	assert_string_equal(s(r, "delta_kwh"), "-230.769");
	assert_int_equal(json_integer_value(json_object_get(r, "delta_wh")), -230769);
	assert_string_equal(s(r, "delta_kwh_billed"), "-231");
	assert_string_equal(s(r, "direction"), "refund");
	json_t *p = json_object_get(r, "period");
	assert_int_equal(json_integer_value(json_object_get(p, "days")), 181);
	assert_string_equal(s(p, "affected_days"), "90.5");
	assert_string_equal(s(p, "basis"), "half");
	json_t *st = json_object_get(r, "steps");
	assert_string_equal(s(json_array_get(st, 0), "value"), "6000.000");
	assert_string_equal(s(json_array_get(st, 1), "value"), "0.038462"); /* 4/104 */
	json_decref(r);
}

/* 3 % slow, 10 000 kWh over the period: half 5 000; under-billed 5 000·3/97 = 154.639175… → charge 154.639 (155). */
static void
out_of_tolerance_slow(void **state)
{
	(void)state;
	json_t *r = calc("{\"cause\":\"out_of_tolerance\",\"from\":\"2025-12-01\",\"to\":\"2026-06-01\",\"energy_kwh\":\"10000\",\"error_percent\":\"-3\"}");
	assert_string_equal(s(r, "delta_kwh"), "154.639");
	assert_string_equal(s(r, "delta_kwh_billed"), "155");
	assert_string_equal(s(r, "direction"), "charge");
	json_decref(r);
}

/* Wiring: the full period. K = 1.732 (a reversed phase on a 3-phase 3-wire meter, entered): 5 000·0.732 = 3 660;
 * K from the powers 2.5 kW correct over 2 kW measured = 1.25: 5 000·0.25 = 1 250. */
static void
wiring(void **state)
{
	(void)state;
	json_t *r = calc("{\"cause\":\"wiring\",\"from\":\"2026-02-01\",\"to\":\"2026-05-01\",\"energy_kwh\":\"5000\",\"correction_factor\":\"1.732\"}");
	assert_string_equal(s(r, "delta_kwh"), "3660.000");
	assert_string_equal(s(json_object_get(r, "period"), "basis"), "full");
	assert_string_equal(s(json_object_get(r, "period"), "affected_days"), "89.0");
	json_decref(r);
	r = calc("{\"cause\":\"wiring\",\"from\":\"2026-02-01\",\"to\":\"2026-05-01\",\"energy_kwh\":\"5000\",\"correct_power\":\"2.5\",\"measured_power\":\"2\"}");
	assert_string_equal(s(r, "delta_kwh"), "1250.000");
	assert_string_equal(s(json_array_get(json_object_get(r, "steps"), 1), "value"), "1.250000");
	json_decref(r);
	/* K below 1: the wrong wiring over-registered → refund: 900·(0.5 − 1) = −450 */
	r = calc("{\"cause\":\"wiring\",\"from\":\"2026-02-01\",\"to\":\"2026-03-01\",\"energy_kwh\":\"900\",\"correction_factor\":\"0.5\"}");
	assert_string_equal(s(r, "delta_kwh"), "-450.000");
	assert_string_equal(s(r, "direction"), "refund");
	json_decref(r);
}

/* Voltage drop 0.75 % measured against 0.25 % allowed, 100 000 kWh recorded: 100 000·0.5/99.25 = 503.778337… */
static void
voltage_drop(void **state)
{
	(void)state;
	json_t *r = calc("{\"cause\":\"voltage_drop\",\"from\":\"2024-06-01\",\"to\":\"2026-06-01\",\"energy_kwh\":\"100000\","
			 "\"measured_drop_percent\":\"0.75\",\"allowed_drop_percent\":\"0.25\"}");
	assert_string_equal(s(r, "delta_kwh"), "503.778");
	assert_string_equal(s(r, "delta_kwh_billed"), "504");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "period"), "days")), 730);
	json_decref(r);
}

/* PT fuse blown 2026-03-01 → 2026-03-11 (10 days), 400 kWh recorded: a normal month of 3 000 kWh over 30 days gives
 * 1 000 kWh due → charge 600; calculated with K = 1.5 (one of three phases lost) on 800 kWh → 400. */
static void
pt_fuse(void **state)
{
	(void)state;
	json_t *r = calc("{\"cause\":\"pt_fuse\",\"method\":\"normal_month\",\"from\":\"2026-03-01\",\"to\":\"2026-03-11\","
			 "\"energy_kwh\":\"400\",\"normal_month_kwh\":\"3000\",\"normal_month_days\":30}");
	assert_string_equal(s(r, "delta_kwh"), "600.000");
	assert_string_equal(s(json_array_get(json_object_get(r, "steps"), 0), "value"), "1000.000");
	json_decref(r);
	r = calc("{\"cause\":\"pt_fuse\",\"method\":\"calculated\",\"from\":\"2026-03-01\",\"to\":\"2026-03-11\",\"energy_kwh\":\"800\",\"correction_factor\":\"1.5\"}");
	assert_string_equal(s(r, "delta_kwh"), "400.000");
	json_decref(r);
	refused("{\"cause\":\"pt_fuse\",\"from\":\"2026-03-01\",\"to\":\"2026-03-11\",\"energy_kwh\":\"800\"}", "invalid_field", "method");
}

/* Multiplier: CT 300/5 (60) billed as 200/5 (40), register advance 1 234.5: 1 234.5·20 = 24 690 to charge; the other
 * way round, 100·(40 − 60) = −2 000 to refund. */
static void
multiplier(void **state)
{
	(void)state;
	json_t *r = calc("{\"cause\":\"multiplier\",\"from\":\"2026-01-01\",\"to\":\"2026-04-01\",\"reading_diff\":\"1234.5\",\"correct_multiplier\":60,\"wrong_multiplier\":40}");
	assert_string_equal(s(r, "delta_kwh"), "24690.000");
	assert_string_equal(s(r, "direction"), "charge");
	assert_string_equal(s(json_array_get(json_object_get(r, "steps"), 1), "value"), "49380.000");
	json_decref(r);
	r = calc("{\"cause\":\"multiplier\",\"from\":\"2026-01-01\",\"to\":\"2026-04-01\",\"reading_diff\":\"100\",\"correct_multiplier\":40,\"wrong_multiplier\":60}");
	assert_string_equal(s(r, "delta_kwh"), "-2000.000");
	json_decref(r);
}

/* One rounding, half away from zero: 0.0005 kWh is half a watt-hour → ±0.001; the bill's whole kWh → 0. */
static void
rounding(void **state)
{
	(void)state;
	json_t *r = calc("{\"cause\":\"multiplier\",\"from\":\"2026-01-01\",\"to\":\"2026-01-02\",\"reading_diff\":\"0.0005\",\"correct_multiplier\":2,\"wrong_multiplier\":1}");
	assert_string_equal(s(r, "delta_kwh"), "0.001");
	assert_string_equal(s(r, "delta_kwh_billed"), "0");
	json_decref(r);
	r = calc("{\"cause\":\"multiplier\",\"from\":\"2026-01-01\",\"to\":\"2026-01-02\",\"reading_diff\":\"0.0005\",\"correct_multiplier\":1,\"wrong_multiplier\":2}");
	assert_string_equal(s(r, "delta_kwh"), "-0.001");
	assert_int_equal(json_integer_value(json_object_get(r, "delta_wh")), -1);
	json_decref(r);
	/* 2.5 kWh to the bill rounds to 3, −2.5 to −3 */
	r = calc("{\"cause\":\"multiplier\",\"from\":\"2026-01-01\",\"to\":\"2026-01-02\",\"reading_diff\":\"2.5\",\"correct_multiplier\":2,\"wrong_multiplier\":1}");
	assert_string_equal(s(r, "delta_kwh_billed"), "3");
	json_decref(r);
}

static void
refusals(void **state)
{
	(void)state;
	refused("{\"cause\":\"magic\"}", "invalid_field", "cause");
	refused("{\"cause\":\"wiring\",\"from\":\"2026-02-30\",\"to\":\"2026-03-01\"}", "invalid_field", "from");
	refused("{\"cause\":\"wiring\",\"from\":\"2026-03-01\",\"to\":\"2026-03-01\"}", "invalid_field", "to");
	refused("{\"cause\":\"wiring\",\"from\":\"2026-02-01\",\"to\":\"2026-03-01\",\"correction_factor\":\"1.2\"}", "missing_field", "energy_kwh");
	refused("{\"cause\":\"out_of_tolerance\",\"from\":\"2026-02-01\",\"to\":\"2026-03-01\",\"energy_kwh\":1.5,\"error_percent\":\"2\"}",
	    "invalid_field", "energy_kwh"); /* a JSON float is refused: amounts are exact text */
	refused("{\"cause\":\"out_of_tolerance\",\"from\":\"2026-02-01\",\"to\":\"2026-03-01\",\"energy_kwh\":\"1.23456\",\"error_percent\":\"2\"}",
	    "invalid_field", "energy_kwh");
	refused("{\"cause\":\"voltage_drop\",\"from\":\"2026-02-01\",\"to\":\"2026-03-01\",\"energy_kwh\":\"10\",\"measured_drop_percent\":\"0.2\",\"allowed_drop_percent\":\"0.25\"}",
	    "invalid_field", "allowed_drop_percent");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(out_of_tolerance_fast), cmocka_unit_test(out_of_tolerance_slow), cmocka_unit_test(wiring),
	    cmocka_unit_test(voltage_drop), cmocka_unit_test(pt_fuse), cmocka_unit_test(multiplier), cmocka_unit_test(rounding),
	    cmocka_unit_test(refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
