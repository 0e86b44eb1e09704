/* libFuzzer target: what the collection system sends (outside input, POST /metering/collection/events and /daily)
 * and a staff member's CSV of the same events (POST /metering/collection/imports): the three parsers of
 * src/metering/collection/collection_parse.c over the same bytes. */
#include <stdint.h>
#include <stddef.h>
#include "metering/collection/collection_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *events = NULL, *errors = NULL, *items = NULL;
	fg_err_t e = FG_ERR_INIT;
	if (collection_parse_batch((const char *)data, size, &events, &errors, &e) == 0) {
		json_decref(events);
		json_decref(errors);
	}
	fg_err_clear(&e);
	events = errors = NULL;
	if (collection_parse_csv((const char *)data, size, &events, &errors, &e) == 0) {
		json_decref(events);
		json_decref(errors);
	}
	fg_err_clear(&e);
	if (collection_parse_daily((const char *)data, size, &items, &e) == 0)
		json_decref(items);
	fg_err_clear(&e);
	return 0;
}
