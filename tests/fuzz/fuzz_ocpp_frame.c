/* libFuzzer target: one WebSocket text message from a charger, as the gateway handles it before anything touches
 * the database: frame parsing (ocpp_frame_parse), the payload checked against the OCPP 1.6 schema of its action
 * (ocpp_schema_check), times parsed, and the answer frames serialised. Must never crash, leak or read out of
 * bounds, whatever the bytes. Reads data/ocpp/ocpp16.json (build.sh runs from the repository root). */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/ocpp/ocpp_frame.h"
#include "core/ocpp/ocpp_schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
load(void)
{
	static int done;
	if (done++)
		return;
	FILE *f = fopen("data/ocpp/ocpp16.json", "rb");
	if (!f) {
		fprintf(stderr, "fuzz_ocpp_frame: run from the repository root (data/ocpp/ocpp16.json)\n");
		abort();
	}
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	if (ocpp_schema_load_text(buf, n) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	load();
	ocpp_frame_t f;
	ocpp_fault_t ft;
	int rc = ocpp_frame_parse((const char *)data, size, &f, &ft);
	char *out = NULL;
	if (rc == 0 && f.type == OCPP_CALL) {
		const json_t *req = ocpp_schema_get(f.action, false);
		if (req && ocpp_schema_check(req, f.payload, &ft) != 0)
			out = ocpp_frame_error(f.id, ft.code, ft.desc);
		else
			out = ocpp_frame_result(f.id, f.payload);
	} else if (rc == 0) {
		/* an answer to one of our CALLs: checked against each .conf schema it might answer */
		const char *acts[] = {"Reset", "GetConfiguration", "RemoteStartTransaction", "GetDiagnostics"};
		for (int i = 0; i < 4; i++)
			(void)ocpp_schema_check(ocpp_schema_get(acts[i], true), f.payload, &ft);
		out = ocpp_frame_call(f.id, "Reset", f.payload);
	} else if (rc < 0) {
		out = ocpp_frame_error(f.id, ft.code, ft.desc);
	}
	free(out);
	ocpp_frame_clear(&f);
	/* the RFC 3339 parser sees the raw bytes too */
	char t[48];
	size_t n = size < sizeof t - 1 ? size : sizeof t - 1;
	memcpy(t, data, n);
	t[n] = 0;
	int64_t ms;
	if (ocpp_parse_time(t, &ms)) {
		char back[32];
		ocpp_format_time(ms, back);
	}
	return 0;
}
