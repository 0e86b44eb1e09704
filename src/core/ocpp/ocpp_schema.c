/* A JSON Schema subset interpreter for the OCPP 1.6J schemas (see ocpp_schema.h). */
#include <string.h>
#include "core/base/util.h"
#include "core/ocpp/ocpp_schema.h"

static json_t *schemas;

int
ocpp_schema_load_text(const char *text, size_t len)
{
	json_error_t je;
	json_t *s = json_loadb(text, len, 0, &je);
	if (!json_is_object(s)) {
		json_decref(s);
		return -1;
	}
	json_decref(schemas);
	schemas = s;
	return 0;
}

const json_t *
ocpp_schema_get(const char *action, bool conf)
{
	char key[OCPP_ACTION_MAX + 8];
	if (!schemas || !action || !fg_fmt(key, sizeof key, "%s.%s", action, conf ? "conf" : "req"))
		return NULL;
	return json_object_get(schemas, key);
}

static int
bad(ocpp_fault_t *ft, const char *code, const char *path, const char *what)
{
	ft->code = code;
	fg_fmt(ft->desc, sizeof ft->desc, "%s: %s", *path ? path : "payload", what);
	return -1;
}

static bool
is_type(const json_t *v, const char *type)
{
	if (strcmp(type, "string") == 0)
		return json_is_string(v);
	if (strcmp(type, "integer") == 0)
		return json_is_integer(v);
	if (strcmp(type, "number") == 0)
		return json_is_number(v);
	if (strcmp(type, "boolean") == 0)
		return json_is_boolean(v);
	if (strcmp(type, "object") == 0)
		return json_is_object(v);
	if (strcmp(type, "array") == 0)
		return json_is_array(v);
	return true;
}

/* UTF-8 characters, as maxLength counts them */
static size_t
chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

static int
check(const json_t *sc, const json_t *v, char *path, size_t cap, int depth, ocpp_fault_t *ft)
{
	if (depth > 16)
		return bad(ft, "FormationViolation", path, "nested too deeply");
	const char *type = json_string_value(json_object_get(sc, "type"));
	if (type && !is_type(v, type)) {
		char what[64];
		fg_fmt(what, sizeof what, "must be %s %s", strchr("aeiou", type[0]) ? "an" : "a", type);
		return bad(ft, "TypeConstraintViolation", path, what);
	}
	json_t *en = json_object_get(sc, "enum");
	if (json_is_array(en)) {
		size_t i;
		json_t *x;
		bool ok = false;
		json_array_foreach(en, i, x) ok |= json_equal(x, (json_t *)v);
		if (!ok)
			return bad(ft, "PropertyConstraintViolation", path, "not one of the allowed values");
	}
	if (json_is_string(v)) {
		json_t *ml = json_object_get(sc, "maxLength");
		if (json_is_integer(ml) && chars(json_string_value(v), json_string_length(v)) > (size_t)json_integer_value(ml)) {
			char what[48];
			fg_fmt(what, sizeof what, "longer than %lld characters", (long long)json_integer_value(ml));
			return bad(ft, "PropertyConstraintViolation", path, what);
		}
		const char *fmt = json_string_value(json_object_get(sc, "format"));
		int64_t ms;
		if (fmt && strcmp(fmt, "date-time") == 0 && !ocpp_parse_time(json_string_value(v), &ms))
			return bad(ft, "PropertyConstraintViolation", path, "not an RFC 3339 date-time");
	}
	if (json_is_object(v)) {
		json_t *props = json_object_get(sc, "properties"), *req = json_object_get(sc, "required"), *x;
		size_t i, plen = strlen(path);
		json_array_foreach(req, i, x) {
			if (json_is_string(x) && !json_object_get(v, json_string_value(x))) {
				fg_fmt(path + plen, cap - plen, "%s%s", plen ? "." : "", json_string_value(x));
				return bad(ft, "OccurenceConstraintViolation", path, "required");
			}
		}
		const char *k;
		json_t *val;
		json_object_foreach((json_t *)v, k, val) {
			json_t *ps = json_object_get(props, k);
			fg_fmt(path + plen, cap - plen, "%s%s", plen ? "." : "", k);
			if (!ps) {
				if (json_is_false(json_object_get(sc, "additionalProperties")))
					return bad(ft, "FormationViolation", path, "not a property of this message");
				continue;
			}
			if (check(ps, val, path, cap, depth + 1, ft) != 0)
				return -1;
		}
		path[plen] = 0;
	}
	if (json_is_array(v)) {
		json_t *items = json_object_get(sc, "items"), *mi = json_object_get(sc, "minItems"), *x;
		size_t i, plen = strlen(path);
		if (json_is_integer(mi) && json_array_size(v) < (size_t)json_integer_value(mi))
			return bad(ft, "OccurenceConstraintViolation", path, "too few items");
		if (json_is_object(items)) {
			json_array_foreach((json_t *)v, i, x) {
				fg_fmt(path + plen, cap - plen, "[%zu]", i);
				if (check(items, x, path, cap, depth + 1, ft) != 0)
					return -1;
			}
		}
		path[plen] = 0;
	}
	return 0;
}

int
ocpp_schema_check(const json_t *schema, const json_t *value, ocpp_fault_t *ft)
{
	char path[128] = "";
	ft->code = NULL;
	ft->desc[0] = 0;
	if (!schema)
		return 0;
	return check(schema, value, path, sizeof path, 0, ft);
}
