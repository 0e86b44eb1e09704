/* libFuzzer target: a request body as the router parses it (jbody_parse), then validated against the field
 * specs the endpoints use. Must never crash, leak or read out of bounds, whatever the bytes. */
#include <stdint.h>
#include <stddef.h>
#include "core/http/http.h"

static const jfield_t user_spec[] = {
	{"username", JF_STRING, JF_REQUIRED, 64},
	{"password", JF_STRING, JF_REQUIRED, 256},
	{"display_name", JF_STRING, JF_REQUIRED, 64},
	{"roles", JF_STRINGS, JF_REQUIRED, 0},
	{"org_unit_id", JF_STRING, JF_NULLABLE, 64},
	{"version", JF_INT, 0, 0},
	{"disabled", JF_BOOL, 0, 0},
	{"extra", JF_OBJECT, 0, 0},
	{NULL, 0, 0, 0},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = NULL;
	fg_err_t e = FG_ERR_INIT;
	if (jbody_parse((const char *)data, size, &j, &e) == 0) {
		(void)jbody_check(j, user_spec, &e);
		json_decref(j);
	}
	fg_err_clear(&e);
	return 0;
}
