#include <string.h>
#include "core/http/http.h"

static size_t
utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static const char *
type_reason(enum jf_type t)
{
	switch (t) {
	case JF_STRING: return "must be a string";
	case JF_INT: return "must be an integer";
	case JF_BOOL: return "must be true or false";
	case JF_STRINGS: return "must be a list of strings";
	case JF_OBJECT: return "must be an object";
	default: return "invalid";
	}
}

static bool
type_ok(json_t *v, const jfield_t *f)
{
	size_t i;
	json_t *x;
	switch (f->type) {
	case JF_STRING:
		return json_is_string(v) && utf8_chars(json_string_value(v)) <= (f->max_len ? f->max_len : 1000);
	case JF_INT:
		return json_is_integer(v);
	case JF_BOOL:
		return json_is_boolean(v);
	case JF_OBJECT:
		return json_is_object(v);
	case JF_STRINGS:
		if (!json_is_array(v) || json_array_size(v) > 100)
			return false;
		json_array_foreach(v, i, x) if (!json_is_string(x) || strlen(json_string_value(x)) > 200) return false;
		return true;
	default:
		return true;
	}
}

int
jbody_check(json_t *body, const jfield_t *spec, fg_err_t *err)
{
	const char *key;
	json_t *v;
	json_object_foreach(body, key, v) {
		const jfield_t *f;
		for (f = spec; f->name && strcmp(f->name, key) != 0; f++)
			;
		if (!f->name)
			return fg_err_field(err, "unknown_field", key, NULL);
	}
	for (const jfield_t *f = spec; f->name; f++) {
		v = json_object_get(body, f->name);
		if (!v || json_is_null(v)) {
			if (f->flags & JF_REQUIRED)
				return fg_err_field(err, "missing_field", f->name, NULL);
			if (v && !(f->flags & JF_NULLABLE))
				return fg_err_field(err, "invalid_field", f->name, "must not be null");
			continue;
		}
		if (!type_ok(v, f)) {
			const char *why = type_reason(f->type);
			if (f->type == JF_STRING && json_is_string(v))
				why = "too long";
			return fg_err_field(err, "invalid_field", f->name, why);
		}
	}
	return 0;
}

int
jbody_parse(const char *data, size_t len, json_t **out, fg_err_t *err)
{
	json_error_t je;
	*out = NULL;
	if (len == 0) { /* action endpoints take no body: treat it as {} */
		*out = json_object();
		return 0;
	}
	json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (j && json_is_object(j)) {
		*out = j;
		return 0;
	}
	fg_err(err, "invalid_json");
	fg_err_detail_str(err, "reason", j ? "the body must be a JSON object" : je.text);
	if (!j) {
		fg_err_detail_int(err, "line", je.line);
		fg_err_detail_int(err, "column", je.column);
		fg_err_detail_int(err, "position", je.position);
	}
	json_decref(j);
	return -1;
}
