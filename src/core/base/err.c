#include "core/base/err.h"

static json_t *
details(fg_err_t *e)
{
	if (!e->details)
		e->details = json_object();
	return e->details;
}

int
fg_err(fg_err_t *e, const char *code)
{
	e->code = code;
	return -1;
}

int
fg_err_field(fg_err_t *e, const char *code, const char *field, const char *reason)
{
	e->code = code;
	if (field)
		json_object_set_new(details(e), "field", json_string(field));
	if (reason)
		json_object_set_new(details(e), "reason", json_string(reason));
	return -1;
}

void
fg_err_detail_str(fg_err_t *e, const char *key, const char *val)
{
	json_object_set_new(details(e), key, val ? json_string(val) : json_null());
}

void
fg_err_detail_int(fg_err_t *e, const char *key, long long val)
{
	json_object_set_new(details(e), key, json_integer(val));
}

void
fg_err_detail(fg_err_t *e, const char *key, json_t *val)
{
	json_object_set_new(details(e), key, val);
}

void
fg_err_clear(fg_err_t *e)
{
	json_decref(e->details);
	e->details = NULL;
	e->code = NULL;
}

int
fg_err_not_found(fg_err_t *e, const char *entity, const char *id)
{
	fg_err(e, "not_found");
	fg_err_detail_str(e, "entity", entity);
	fg_err_detail_str(e, "id", id);
	return -1;
}
