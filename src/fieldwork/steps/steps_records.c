/* Checks the readings a crew records for an SOP step against the step's definition (data/kb/sops.json). Pure:
 * no database, so the fuzz target drives it with any JSON. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "core/base/util.h"
#include "fieldwork/steps/steps.h"

static int
bad_record(fg_err_t *err, const char *key, const char *reason)
{
	char field[96];
	fg_fmt(field, sizeof field, "records.%s", key);
	return fg_err_field(err, "invalid_field", field, reason);
}

static bool
asset_no_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 4 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

/* "200/5" (primary/secondary amperes) or a plain number */
static bool
ratio_ok(json_t *v)
{
	if (json_is_number(v))
		return json_number_value(v) > 0;
	double a, b;
	char tail;
	return json_is_string(v) && sscanf(json_string_value(v), "%lf/%lf%c", &a, &b, &tail) == 2 && a > 0 && b > 0;
}

int
steps_check_records(json_t *defs, json_t *records, fg_err_t *err)
{
	const char *key;
	json_t *v, *d;
	size_t i;
	if (!json_is_object(records))
		return fg_err_field(err, "invalid_field", "records", "an object of the step's readings");
	json_object_foreach(records, key, v) {
		bool known = false;
		json_array_foreach(defs, i, d) known |= strcmp(fg_jstr(d, "key"), key) == 0;
		if (!known)
			return bad_record(err, key, "this step does not record it");
	}
	json_array_foreach(defs, i, d) {
		const char *k = fg_jstr(d, "key"), *type = fg_jstr(d, "type");
		v = json_object_get(records, k);
		if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v))) {
			if (json_is_true(json_object_get(d, "required")))
				return bad_record(err, k, "required by the SOP step");
			continue;
		}
		if (strcmp(type, "text") == 0) {
			if (!json_is_string(v) || strlen(json_string_value(v)) > 500)
				return bad_record(err, k, "text up to 500 bytes");
		} else if (strcmp(type, "asset_no") == 0) {
			if (!json_is_string(v) || !asset_no_ok(json_string_value(v)))
				return bad_record(err, k, "asset number: 4-32 letters, digits or -");
		} else if (strcmp(type, "reading") == 0 || strcmp(type, "number") == 0) {
			if (!json_is_number(v) || (strcmp(type, "reading") == 0 && json_number_value(v) < 0))
				return bad_record(err, k, strcmp(type, "reading") == 0 ? "a register reading (number ≥ 0)" : "a number");
		} else if (strcmp(type, "ratio") == 0) {
			if (!ratio_ok(v))
				return bad_record(err, k, "a ratio such as 200/5");
		} else if (strcmp(type, "choice") == 0) {
			bool ok = false;
			json_t *c;
			size_t j;
			json_array_foreach(json_object_get(d, "choices"), j, c) ok |= json_is_string(v) && strcmp(fg_jstr(c, "value"), json_string_value(v)) == 0;
			if (!ok)
				return bad_record(err, k, "one of the step's choices");
		}
	}
	return 0;
}
