#ifndef FG_METERPROC_REFUND_H
#define FG_METERPROC_REFUND_H
#include <jansson.h>
#include "core/base/err.h"

/* The energy to refund or back-charge (退补电量) after a metering error (REFERENCE.md §4.4, 供电营业规则 arts. 79–81),
 * computed without a database or HTTP: a pure function of its inputs, so the unit tests hold it to hand-worked cases
 * (tests/unit/test_meterproc_refund.c).
 *
 * Exact arithmetic: every input is a decimal string (or an integer) read as an exact fraction; the formula is
 * evaluated on fractions (128-bit numerator and denominator, reduced) and rounded ONCE at the end, half away from
 * zero: to the watt-hour (delta_kwh, 3 decimals) and, from the same exact value, to the kilowatt-hour that a bill
 * carries (delta_kwh_billed). No floating point touches an amount.
 *
 * Sign: delta > 0 the customer was under-billed (back-charge, 补收: direction "charge"); delta < 0 over-billed
 * (refund, 退还: direction "refund").
 *
 * in: {cause, from, to (YYYY-MM-DD: the last test or installation → the correction; for voltage_drop the
 * connection or load increase → the correction), and per cause:
 *   out_of_tolerance: energy_kwh (recorded over from→to), error_percent (the measured error, signed: + runs fast)
 *       ΔE = −(E/2)·e/(100+e)   — half the period (assumed even consumption, so half the energy), against zero
 *       error: the true energy is E·100/(100+e), the difference E·e/(100+e).
 *   wiring: energy_kwh (recorded over from→to, the full period) and correction_factor K, or correct_power and
 *       measured_power (K = P_correct / P_measured):   ΔE = E·(K − 1)
 *   voltage_drop: energy_kwh, measured_drop_percent d, allowed_drop_percent a:   ΔE = E·(d − a)/(100 − d)
 *       (the meter saw (1 − d/100) of the voltage; billed at the allowed drop it would have seen (1 − a/100))
 *   pt_fuse: method "normal_month": energy_kwh (recorded while blown, from→to), normal_month_kwh, normal_month_days:
 *       ΔE = normal_month_kwh · days / normal_month_days − E;  method "calculated": energy_kwh, correction_factor K
 *       (e.g. 3/2 for one phase of three lost): ΔE = E·(K − 1)
 *   multiplier: reading_diff R (register units over from→to), correct_multiplier Mc, wrong_multiplier Mw:
 *       ΔE = R·(Mc − Mw)}
 * out: {cause, inputs, period {from, to, days, affected_days, basis}, formula, steps [{label_zh, label_en, value}],
 *       delta_kwh (string, 3 decimals), delta_wh (integer), delta_kwh_billed (string, whole kWh), direction, rounding}.
 * Refusals: invalid_field / missing_field with details.field. */
int meterproc_refund_calc(json_t *in, json_t **out, fg_err_t *err);

#endif
