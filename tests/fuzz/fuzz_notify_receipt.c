/* libFuzzer target: the SMS gateway's delivery-receipt callback body (outside input, POST /notify/receipts/sms) and
 * the template filler over the same bytes as a template ({{placeholders}} cut anywhere, nested braces, long texts). */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "shared/notify/notify_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *items = NULL;
	fg_err_t e = FG_ERR_INIT;
	if (notify_receipt_parse((const char *)data, size, &items, &e) == 0)
		json_decref(items);
	fg_err_clear(&e);
	char *tpl = malloc(size + 1);
	if (!tpl)
		return 0;
	memcpy(tpl, data, size);
	tpl[size] = '\0';
	json_t *params = json_pack("{s:s, s:i, s:f}", "code", "123456", "minutes", 5, "x", 1.5);
	char *out = NULL;
	const char *missing;
	if (notify_render(tpl, params, &out, &missing) == 0)
		free(out);
	json_decref(params);
	free(tpl);
	return 0;
}
