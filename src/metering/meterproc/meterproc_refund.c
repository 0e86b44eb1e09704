/* 退补电量 (meterproc_refund.h): exact fractions, one rounding at the end. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include "metering/meterproc/meterproc_refund.h"

typedef __int128 i128;

/* An exact fraction n/d, d > 0, kept reduced. Inputs are bounded (12 integer digits, 4 decimals), so a formula of a
 * few products stays far inside 128 bits. */
typedef struct {
	i128 n, d;
	bool ok;
} q_t;

static i128
gcd(i128 a, i128 b)
{
	if (a < 0)
		a = -a;
	while (b) {
		i128 t = a % b;
		a = b;
		b = t;
	}
	return a ? a : 1;
}

static q_t
q_make(i128 n, i128 d)
{
	if (d == 0)
		return (q_t){0, 1, false};
	if (d < 0) {
		n = -n;
		d = -d;
	}
	i128 g = gcd(n, d);
	return (q_t){n / g, d / g, true};
}

static q_t
q_int(long long v)
{
	return q_make(v, 1);
}

static q_t
q_mul(q_t a, q_t b)
{
	if (!a.ok || !b.ok)
		return (q_t){0, 1, false};
	q_t x = q_make(a.n, b.d), y = q_make(b.n, a.d); /* cross-reduce first: smaller products */
	return q_make(x.n * y.n, x.d * y.d);
}

static q_t
q_div(q_t a, q_t b)
{
	if (!b.ok || b.n == 0)
		return (q_t){0, 1, false};
	return q_mul(a, q_make(b.d, b.n));
}

static q_t
q_add(q_t a, q_t b)
{
	if (!a.ok || !b.ok)
		return (q_t){0, 1, false};
	i128 g = gcd(a.d, b.d);
	return q_make(a.n * (b.d / g) + b.n * (a.d / g), a.d / g * b.d);
}

static q_t
q_sub(q_t a, q_t b)
{
	b.n = -b.n;
	return q_add(a, b);
}

/* n/d × scale rounded half away from zero to an integer. */
static i128
q_round(q_t a, i128 scale)
{
	i128 n = a.n * scale, d = a.d;
	i128 q = n / d, r = n % d;
	if (r < 0)
		r = -r;
	if (2 * r >= d)
		q += n < 0 ? -1 : 1;
	return q;
}

/* The value with `dec` decimals ("-123.457"), rounded half away from zero. */
static void
q_text(q_t a, int dec, char *out, size_t n)
{
	i128 scale = 1;
	for (int i = 0; i < dec; i++)
		scale *= 10;
	i128 v = q_round(a, scale);
	bool neg = v < 0;
	if (neg)
		v = -v;
	long long ip = (long long)(v / scale), fp = (long long)(v % scale);
	if (dec)
		snprintf(out, n, "%s%lld.%0*lld", neg ? "-" : "", ip, dec, fp);
	else
		snprintf(out, n, "%s%lld", neg ? "-" : "", ip);
}

/* A decimal as people write it: optional sign, up to 12 integer digits, up to 4 decimals; or a JSON integer. */
static int
q_parse(json_t *v, q_t *out)
{
	if (json_is_integer(v)) {
		long long x = json_integer_value(v);
		if (x > 999999999999LL || x < -999999999999LL)
			return -1;
		*out = q_int(x);
		return 0;
	}
	const char *s = json_string_value(v);
	if (!s)
		return -1;
	bool neg = false;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	i128 n = 0, d = 1;
	int ints = 0, decs = 0;
	for (; isdigit((unsigned char)*s); s++, ints++)
		n = n * 10 + (*s - '0');
	if (*s == '.') {
		for (s++; isdigit((unsigned char)*s); s++, decs++) {
			n = n * 10 + (*s - '0');
			d *= 10;
		}
		if (!decs)
			return -1;
	}
	if (*s || !ints || ints > 12 || decs > 4)
		return -1;
	*out = q_make(neg ? -n : n, d);
	return 0;
}

/* YYYY-MM-DD → days since 1970-01-01 (proleptic Gregorian; H. Hinnant's days_from_civil). */
static int
day_of(const char *s, long *days)
{
	int y, m, d;
	char tail;
	if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
		return -1;
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	*days = era * 146097 + doe - 719468;
	return 0;
}

typedef struct {
	json_t *in, *inputs, *steps;
	fg_err_t *err;
} calc_t;

/* A required decimal input: read exactly, echoed in the working's inputs. */
static int
need(calc_t *c, const char *key, q_t *v)
{
	json_t *x = json_object_get(c->in, key);
	if (!x || json_is_null(x) || (json_is_string(x) && !*json_string_value(x)))
		return fg_err_field(c->err, "missing_field", key, "a decimal number, as text (\"123.45\")");
	if (q_parse(x, v) != 0)
		return fg_err_field(c->err, "invalid_field", key, "a decimal number: up to 12 digits and 4 decimals");
	json_object_set(c->inputs, key, x);
	return 0;
}

static void
step(calc_t *c, const char *zh, const char *en, q_t v, int dec)
{
	char buf[64];
	q_text(v, dec, buf, sizeof buf);
	json_array_append_new(c->steps, json_pack("{s:s, s:s, s:s}", "label_zh", zh, "label_en", en, "value", buf));
}

int
meterproc_refund_calc(json_t *in, json_t **out, fg_err_t *err)
{
	const char *cause = json_string_value(json_object_get(in, "cause"));
	static const char *const causes[] = {"out_of_tolerance", "wiring", "voltage_drop", "pt_fuse", "multiplier", NULL};
	int ci = -1;
	for (int i = 0; cause && causes[i]; i++)
		if (strcmp(cause, causes[i]) == 0)
			ci = i;
	if (ci < 0)
		return fg_err_field(err, "invalid_field", "cause", "out_of_tolerance, wiring, voltage_drop, pt_fuse or multiplier");
	const char *from = json_string_value(json_object_get(in, "from")), *to = json_string_value(json_object_get(in, "to"));
	long d0, d1;
	if (day_of(from, &d0) != 0)
		return fg_err_field(err, "invalid_field", "from", "YYYY-MM-DD: the last test or installation (or the connection)");
	if (day_of(to, &d1) != 0)
		return fg_err_field(err, "invalid_field", "to", "YYYY-MM-DD: the correction");
	if (d1 <= d0)
		return fg_err_field(err, "invalid_field", "to", "after from");
	long days = d1 - d0;
	calc_t c = {in, json_object(), json_array(), err};
	q_t E = q_int(0), delta = q_int(0), affected = q_int(days);
	const char *basis = "full", *formula = "";
	int rc = 0;
	switch (ci) {
	case 0: { /* out of tolerance: half the period, against zero error */
		q_t e;
		if ((rc = need(&c, "energy_kwh", &E)) || (rc = need(&c, "error_percent", &e)))
			break;
		if (!(e.n > -100 * e.d)) { /* −100 % or below: no energy recorded at all — not an error to correct this way */
			rc = fg_err_field(err, "invalid_field", "error_percent", "above -100");
			break;
		}
		basis = "half";
		formula = "ΔE = −(E/2)·e/(100+e)";
		affected = q_make(days, 2);
		q_t half = q_mul(E, q_make(1, 2));
		step(&c, "受影响期间（全期的一半）记录电量 E/2", "Energy recorded over the affected half period E/2", half, 3);
		q_t f = q_div(e, q_add(q_int(100), e));
		step(&c, "误差折算系数 e/(100+e)", "Error factor e/(100+e)", f, 6);
		delta = q_sub(q_int(0), q_mul(half, f));
		break;
	}
	case 1: { /* wiring: the full period, correct ÷ measured power */
		q_t K;
		if ((rc = need(&c, "energy_kwh", &E)))
			break;
		if (json_object_get(in, "correction_factor") && !json_is_null(json_object_get(in, "correction_factor"))) {
			if ((rc = need(&c, "correction_factor", &K)))
				break;
		} else {
			q_t pc, pm;
			if ((rc = need(&c, "correct_power", &pc)) || (rc = need(&c, "measured_power", &pm)))
				break;
			if (pm.n == 0) {
				rc = fg_err_field(err, "invalid_field", "measured_power", "not zero");
				break;
			}
			K = q_div(pc, pm);
		}
		if (K.n <= 0) {
			rc = fg_err_field(err, "invalid_field", "correction_factor", "above 0");
			break;
		}
		formula = "ΔE = E·(K − 1), K = P正确 / P错误";
		step(&c, "全期记录电量 E", "Energy recorded over the full period E", E, 3);
		step(&c, "更正系数 K", "Correction factor K", K, 6);
		delta = q_mul(E, q_sub(K, q_int(1)));
		break;
	}
	case 2: { /* excess secondary voltage drop: against the allowed drop */
		q_t d, a;
		if ((rc = need(&c, "energy_kwh", &E)) || (rc = need(&c, "measured_drop_percent", &d)) ||
		    (rc = need(&c, "allowed_drop_percent", &a)))
			break;
		if (d.n < 0 || !(d.n < 100 * d.d)) {
			rc = fg_err_field(err, "invalid_field", "measured_drop_percent", "0 to below 100");
			break;
		}
		if (a.n < 0 || q_sub(d, a).n < 0) {
			rc = fg_err_field(err, "invalid_field", "allowed_drop_percent", "0 to the measured drop");
			break;
		}
		formula = "ΔE = E·(d − a)/(100 − d)";
		step(&c, "接入至改正期间记录电量 E", "Energy recorded from connection to correction E", E, 3);
		q_t f = q_div(q_sub(d, a), q_sub(q_int(100), d));
		step(&c, "超差压降折算系数 (d−a)/(100−d)", "Excess drop factor (d−a)/(100−d)", f, 6);
		delta = q_mul(E, f);
		break;
	}
	case 3: { /* PT fuse blown: a normal month, or a calculated factor */
		const char *method = json_string_value(json_object_get(in, "method"));
		if (!method || (strcmp(method, "normal_month") != 0 && strcmp(method, "calculated") != 0)) {
			rc = fg_err_field(err, "invalid_field", "method", "normal_month or calculated");
			break;
		}
		json_object_set_new(c.inputs, "method", json_string(method));
		if ((rc = need(&c, "energy_kwh", &E)))
			break;
		if (strcmp(method, "normal_month") == 0) {
			q_t nm, nd;
			if ((rc = need(&c, "normal_month_kwh", &nm)) || (rc = need(&c, "normal_month_days", &nd)))
				break;
			if (nd.n <= 0) {
				rc = fg_err_field(err, "invalid_field", "normal_month_days", "above 0");
				break;
			}
			formula = "ΔE = 正常月电量 × 失压天数 / 正常月天数 − E";
			q_t should = q_mul(q_div(nm, nd), q_int(days));
			step(&c, "按正常月推算应计电量", "Energy due by the normal month", should, 3);
			step(&c, "熔断期间记录电量 E", "Energy recorded while blown E", E, 3);
			delta = q_sub(should, E);
		} else {
			q_t K;
			if ((rc = need(&c, "correction_factor", &K)))
				break;
			if (K.n <= 0) {
				rc = fg_err_field(err, "invalid_field", "correction_factor", "above 0");
				break;
			}
			formula = "ΔE = E·(K − 1)";
			step(&c, "熔断期间记录电量 E", "Energy recorded while blown E", E, 3);
			step(&c, "更正系数 K", "Correction factor K", K, 6);
			delta = q_mul(E, q_sub(K, q_int(1)));
		}
		basis = "records";
		break;
	}
	case 4: { /* wrong multiplier: the difference of the multipliers on the register's advance */
		q_t R, mc, mw;
		if ((rc = need(&c, "reading_diff", &R)) || (rc = need(&c, "correct_multiplier", &mc)) ||
		    (rc = need(&c, "wrong_multiplier", &mw)))
			break;
		if (mc.n <= 0 || mw.n <= 0) {
			rc = fg_err_field(err, "invalid_field", mc.n <= 0 ? "correct_multiplier" : "wrong_multiplier", "above 0");
			break;
		}
		formula = "ΔE = R·(M正确 − M错误)";
		basis = "records";
		step(&c, "抄见示数差 R", "Register advance R", R, 4);
		step(&c, "已计费电量 R·M错误", "Energy billed R·M_wrong", q_mul(R, mw), 3);
		step(&c, "应计费电量 R·M正确", "Energy due R·M_correct", q_mul(R, mc), 3);
		delta = q_mul(R, q_sub(mc, mw));
		break;
	}
	}
	if (rc != 0 || !delta.ok) {
		json_decref(c.inputs);
		json_decref(c.steps);
		return rc ? rc : fg_err_field(err, "invalid_field", "cause", "the inputs give no finite result");
	}
	char kwh[64], billed[64], aff[32];
	q_text(delta, 3, kwh, sizeof kwh);
	q_text(delta, 0, billed, sizeof billed);
	q_text(affected, 1, aff, sizeof aff);
	step(&c, "退补电量 ΔE（正为补收，负为退还）", "Energy to settle ΔE (+ back-charge, − refund)", delta, 3);
	long long wh = (long long)q_round(delta, 1000);
	json_object_set_new(c.inputs, "from", json_string(from));
	json_object_set_new(c.inputs, "to", json_string(to));
	*out = json_pack("{s:s, s:o, s:{s:s, s:s, s:I, s:s, s:s}, s:s, s:o, s:s, s:I, s:s, s:s, s:s}", "cause", cause, "inputs",
	    c.inputs, "period", "from", from, "to", to, "days", (json_int_t)days, "affected_days", aff, "basis", basis, "formula",
	    formula, "steps", c.steps, "delta_kwh", kwh, "delta_wh", (json_int_t)wh, "delta_kwh_billed", billed, "direction",
	    wh > 0 ? "charge" : wh < 0 ? "refund" : "none", "rounding",
	    "exact fractions, rounded once, half away from zero: delta_kwh to 0.001 kWh, delta_kwh_billed to 1 kWh");
	return 0;
}
