/* libFuzzer target: a crew's step readings (outside input from the phone) checked against SOP step definitions
 * of every kind of record (text, asset_no, reading, number, ratio, choice), required and optional. */
#include <stdint.h>
#include <stddef.h>
#include "core/http/http.h"
#include "fieldwork/steps/steps.h"

static const char defs_json[] =
    "[{\"key\":\"t\",\"type\":\"text\",\"required\":true},"
    "{\"key\":\"a\",\"type\":\"asset_no\",\"required\":false},"
    "{\"key\":\"r\",\"type\":\"reading\",\"required\":true},"
    "{\"key\":\"n\",\"type\":\"number\"},"
    "{\"key\":\"ct\",\"type\":\"ratio\",\"required\":false},"
    "{\"key\":\"c\",\"type\":\"choice\",\"required\":true,\"choices\":[{\"value\":\"yes\"},{\"value\":\"no\"}]}]";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *defs;
	if (!defs)
		defs = json_loads(defs_json, 0, NULL);
	json_t *j = NULL;
	fg_err_t e = FG_ERR_INIT;
	if (jbody_parse((const char *)data, size, &j, &e) == 0)
		(void)steps_check_records(defs, j, &e);
	json_decref(j);
	fg_err_clear(&e);
	return 0;
}
