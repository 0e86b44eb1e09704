/* Unit tests of the OCPP gateway's pure parts: frame parsing, RFC 3339 times, the schema validator's error codes
 * (OCPP.md's CALLERROR table), answers' serialisation, and the charger key hash. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "core/base/embed.h"
#include "core/ocpp/ocpp_frame.h"
#include "core/ocpp/ocpp_schema.h"
#include "charging/chargers/chargers.h"

static int
parse(const char *s, ocpp_frame_t *f, ocpp_fault_t *ft)
{
	return ocpp_frame_parse(s, strlen(s), f, ft);
}

static void
frames_parse_and_fail_with_the_named_code(void **state)
{
	ocpp_frame_t f;
	ocpp_fault_t ft;
	assert_int_equal(parse("[2,\"id-1\",\"Heartbeat\",{}]", &f, &ft), 0);
	assert_int_equal(f.type, OCPP_CALL);
	assert_string_equal(f.id, "id-1");
	assert_string_equal(f.action, "Heartbeat");
	assert_true(json_is_object(f.payload));
	ocpp_frame_clear(&f);
	assert_int_equal(parse("[3,\"x\",{\"status\":\"Accepted\"}]", &f, &ft), 0);
	assert_int_equal(f.type, OCPP_CALLRESULT);
	ocpp_frame_clear(&f);
	assert_int_equal(parse("[4,\"x\",\"NotSupported\",\"no\",{}]", &f, &ft), 0);
	assert_string_equal(f.error_code, "NotSupported");
	assert_string_equal(f.error_desc, "no");
	ocpp_frame_clear(&f);
	/* bad frames: FormationViolation, with the id when it can be read, else "-1" */
	const char *bad[] = {"[2,\"a\",\"Heartbeat\",", "{}", "[2,\"a\"]", "[2,\"a\",\"Heartbeat\",[]]", "[\"2\",\"a\",\"H\",{}]",
	    "[2,\"\",\"Heartbeat\",{}]", "[2,\"a\",\"\",{}]", "[2,\"a\",\"Heartbeat\",{},{}]", "[3,\"a\"]", "[4,\"a\",1,\"\",{}]", NULL};
	for (int i = 0; bad[i]; i++) {
		assert_int_equal(parse(bad[i], &f, &ft), -1);
		assert_string_equal(ft.code, "FormationViolation");
		ocpp_frame_clear(&f);
	}
	assert_int_equal(parse("[2,\"a\",\"Heartbeat\",[]]", &f, &ft), -1);
	assert_string_equal(f.id, "a");
	assert_int_equal(parse("[2,\"a\",\"Heartbeat\",", &f, &ft), -1);
	assert_string_equal(f.id, "-1");
	/* an unknown message type is ignored */
	assert_int_equal(parse("[9,\"a\",{}]", &f, &ft), 1);
	ocpp_frame_clear(&f);
}

static void
answers_are_compact_arrays(void **state)
{
	char *s = ocpp_frame_error("m1", "NotImplemented", NULL);
	assert_string_equal(s, "[4,\"m1\",\"NotImplemented\",\"\",{}]");
	free(s);
	s = ocpp_frame_result("m2", NULL);
	assert_string_equal(s, "[3,\"m2\",{}]");
	free(s);
	json_t *p = json_pack("{s:s}", "type", "Soft");
	s = ocpp_frame_call("m3", "Reset", p);
	assert_string_equal(s, "[2,\"m3\",\"Reset\",{\"type\":\"Soft\"}]");
	free(s);
	json_decref(p);
}

static void
times_parse_rfc3339(void **state)
{
	int64_t ms;
	assert_true(ocpp_parse_time("1970-01-01T00:00:00Z", &ms));
	assert_int_equal(ms, 0);
	assert_true(ocpp_parse_time("2026-12-01T07:35:16.123Z", &ms));
	assert_int_equal(ms, 1796110516123LL);
	assert_true(ocpp_parse_time("2026-12-01T15:35:16.123+08:00", &ms));
	assert_int_equal(ms, 1796110516123LL);
	assert_true(ocpp_parse_time("2024-02-29T00:00:00.5Z", &ms));
	assert_int_equal(ms % 1000, 500);
	assert_false(ocpp_parse_time("2023-02-29T00:00:00Z", &ms));
	assert_false(ocpp_parse_time("2026-12-01 07:35", &ms));
	assert_false(ocpp_parse_time("2026-12-01T07:35:16", &ms)); /* no zone */
	assert_false(ocpp_parse_time("2026-13-01T07:35:16Z", &ms));
	assert_false(ocpp_parse_time("yesterday", &ms));
	char out[32];
	ocpp_format_time(1796110516123LL, out);
	assert_string_equal(out, "2026-12-01T07:35:16.123Z");
}

static const char *
check(const char *action, const char *payload)
{
	static ocpp_fault_t ft;
	json_t *p = json_loads(payload, 0, NULL);
	assert_non_null(p);
	int rc = ocpp_schema_check(ocpp_schema_get(action, false), p, &ft);
	json_decref(p);
	return rc == 0 ? "ok" : ft.code;
}

static void
schema_faults_follow_the_callerror_table(void **state)
{
	const embed_file_t *f = embed_find("data/ocpp/ocpp16.json");
	assert_non_null(f);
	assert_int_equal(ocpp_schema_load_text(f->data, f->len), 0);
	assert_null(ocpp_schema_get("FlyToTheMoon", false));
	assert_non_null(ocpp_schema_get("Reset", true));
	assert_string_equal(check("Heartbeat", "{}"), "ok");
	assert_string_equal(check("StatusNotification", "{\"connectorId\":1,\"errorCode\":\"NoError\",\"status\":\"Available\"}"), "ok");
	assert_string_equal(check("StatusNotification", "{\"connectorId\":\"1\",\"errorCode\":\"NoError\",\"status\":\"Available\"}"),
	    "TypeConstraintViolation");
	assert_string_equal(check("StatusNotification", "{\"connectorId\":1,\"status\":\"Available\"}"), "OccurenceConstraintViolation");
	assert_string_equal(check("StatusNotification", "{\"connectorId\":1,\"errorCode\":\"Oops\",\"status\":\"Available\"}"),
	    "PropertyConstraintViolation");
	assert_string_equal(check("Authorize", "{\"idTag\":\"123456789012345678901\"}"), "PropertyConstraintViolation");
	assert_string_equal(check("Authorize", "{\"idTag\":\"中文卡号\"}"), "ok"); /* characters, not bytes */
	assert_string_equal(check("Heartbeat", "{\"x\":1}"), "FormationViolation");
	assert_string_equal(check("StartTransaction", "{\"connectorId\":1,\"idTag\":\"T\",\"meterStart\":1,\"timestamp\":\"nope\"}"),
	    "PropertyConstraintViolation");
	assert_string_equal(check("MeterValues", "{\"connectorId\":1,\"meterValue\":[{\"timestamp\":\"2026-01-01T00:00:00Z\","
					       "\"sampledValue\":[{\"value\":1}]}]}"), "TypeConstraintViolation");
	assert_string_equal(check("Reset", "{\"type\":\"Warm\"}"), "PropertyConstraintViolation");
	assert_string_equal(check("RemoteStartTransaction", "{\"idTag\":\"A\",\"chargingProfile\":{\"chargingProfileId\":1,"
						 "\"stackLevel\":0,\"chargingProfilePurpose\":\"TxProfile\",\"chargingProfileKind\":\"Absolute\","
						 "\"chargingSchedule\":{\"chargingRateUnit\":\"W\",\"chargingSchedulePeriod\":[{\"startPeriod\":0,"
						 "\"limit\":7000.5}]}}}"), "ok");
}

static void
charger_keys_verify_only_themselves(void **state)
{
	/* b2$ salt $ BLAKE2b-256(salt ‖ key), the format chargers_keys.c writes */
	assert_false(chargers_key_ok(NULL, "k", 1));
	assert_false(chargers_key_ok("", "k", 1));
	assert_false(chargers_key_ok("$argon2id$v=19$m=65536", "k", 1));
	assert_false(chargers_key_ok("b2$zz$00", "k", 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(frames_parse_and_fail_with_the_named_code),
		cmocka_unit_test(answers_are_compact_arrays),
		cmocka_unit_test(times_parse_rfc3339),
		cmocka_unit_test(schema_faults_follow_the_callerror_table),
		cmocka_unit_test(charger_keys_verify_only_themselves),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
