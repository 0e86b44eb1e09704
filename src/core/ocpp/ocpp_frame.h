#ifndef FG_OCPP_FRAME_H
#define FG_OCPP_FRAME_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <jansson.h>

/* OCPP-J 1.6 frames (OCPP-J §4), pure functions: no I/O, no globals, no database. The gateway, the unit tests
 * and the libFuzzer target (tests/fuzz/fuzz_ocpp_frame.c) call the same code.
 *
 *   CALL        [2, "<id>", "<Action>", {payload}]
 *   CALLRESULT  [3, "<id>", {payload}]
 *   CALLERROR   [4, "<id>", "<errorCode>", "<description>", {details}] */

enum ocpp_msg_type { OCPP_CALL = 2, OCPP_CALLRESULT = 3, OCPP_CALLERROR = 4 };

#define OCPP_ID_MAX 36
#define OCPP_ACTION_MAX 64

typedef struct {
	int type;                     /* enum ocpp_msg_type; 0 when the frame is not understood */
	char id[OCPP_ID_MAX + 1];     /* "" when the frame has no usable id */
	char action[OCPP_ACTION_MAX + 1];
	json_t *payload;              /* CALL/CALLRESULT payload, CALLERROR details (owned) */
	char error_code[48];          /* CALLERROR received */
	char error_desc[256];
} ocpp_frame_t;

/* What a frame that cannot be handled must be answered with. */
typedef struct {
	const char *code; /* NULL: no error; else an OCPP 1.6 error code (legacy spelling OccurenceConstraintViolation) */
	char desc[160];
} ocpp_fault_t;

/* Parses one text message. Returns:
 *   0  a frame (f filled; the caller owns f->payload: ocpp_frame_clear)
 *   -1 a bad frame: fault says which CALLERROR; f->id holds the message id, or "-1" when none could be read
 *      (the OCPP 2.0.1 convention; 1.6 names none)
 *   1  a frame to ignore (unknown MessageTypeNumber, OCPP-J §4.1.3) */
int ocpp_frame_parse(const char *data, size_t len, ocpp_frame_t *f, ocpp_fault_t *fault);
void ocpp_frame_clear(ocpp_frame_t *f);

/* Serialised frames (malloc'ed, compact JSON). payload/details may be NULL for {}. */
char *ocpp_frame_call(const char *id, const char *action, json_t *payload);
char *ocpp_frame_result(const char *id, json_t *payload);
char *ocpp_frame_error(const char *id, const char *code, const char *desc);

/* RFC 3339 date-time ("2026-12-01T07:35:16.123Z", offsets allowed) → epoch ms. false when malformed. */
bool ocpp_parse_time(const char *s, int64_t *ms);
/* epoch ms → "YYYY-MM-DDTHH:MM:SS.mmmZ". out: 32 bytes. */
void ocpp_format_time(int64_t ms, char out[32]);

#endif
