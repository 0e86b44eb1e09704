/* OCPP-J frame parsing and serialising: pure functions (see ocpp_frame.h). Every size a peer controls is bounded
 * here: ids to 36 characters, actions to 64, descriptions to 255; the message itself is capped by the gateway
 * (wslay max message length) before it reaches us. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "core/base/util.h"
#include "core/ocpp/ocpp_frame.h"

static int
fault(ocpp_fault_t *ft, const char *code, const char *desc)
{
	ft->code = code;
	fg_fmt(ft->desc, sizeof ft->desc, "%s", desc);
	return -1;
}

void
ocpp_frame_clear(ocpp_frame_t *f)
{
	json_decref(f->payload);
	f->payload = NULL;
}

int
ocpp_frame_parse(const char *data, size_t len, ocpp_frame_t *f, ocpp_fault_t *ft)
{
	memset(f, 0, sizeof *f);
	ft->code = NULL;
	ft->desc[0] = 0;
	snprintf(f->id, sizeof f->id, "%s", "-1"); /* the id a CALLERROR uses when the frame's own cannot be read */
	json_error_t je;
	json_t *a = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (!a)
		return fault(ft, "FormationViolation", "not valid JSON");
	int rc = -1;
	if (!json_is_array(a) || json_array_size(a) < 3) {
		/* try to name the id anyway so the charger can correlate the error */
		json_t *id = json_is_array(a) ? json_array_get(a, 1) : NULL;
		if (json_is_string(id) && json_string_length(id) >= 1 && json_string_length(id) <= OCPP_ID_MAX)
			fg_fmt(f->id, sizeof f->id, "%s", json_string_value(id));
		fault(ft, "FormationViolation", "a message is a JSON array [type, id, …]");
		goto out;
	}
	json_t *t = json_array_get(a, 0), *id = json_array_get(a, 1);
	if (!json_is_integer(t)) {
		fault(ft, "FormationViolation", "MessageTypeNumber must be an integer");
		goto out;
	}
	json_int_t type = json_integer_value(t);
	if (type != OCPP_CALL && type != OCPP_CALLRESULT && type != OCPP_CALLERROR) {
		rc = 1; /* OCPP-J §4.1.3: an unknown type is ignored */
		goto out;
	}
	if (!json_is_string(id) || json_string_length(id) < 1 || json_string_length(id) > OCPP_ID_MAX ||
	    strlen(json_string_value(id)) != json_string_length(id)) {
		fault(ft, "FormationViolation", "MessageId must be a string of 1 to 36 characters");
		goto out;
	}
	fg_fmt(f->id, sizeof f->id, "%s", json_string_value(id));
	f->type = (int)type;
	size_t n = json_array_size(a);
	if (type == OCPP_CALL) {
		json_t *act = json_array_get(a, 2), *p = json_array_get(a, 3);
		if (n != 4) {
			fault(ft, "FormationViolation", "a CALL has 4 elements");
			goto out;
		}
		if (!json_is_string(act) || json_string_length(act) < 1 || json_string_length(act) > OCPP_ACTION_MAX ||
		    strlen(json_string_value(act)) != json_string_length(act)) {
			fault(ft, "FormationViolation", "Action must be a non-empty string");
			goto out;
		}
		fg_fmt(f->action, sizeof f->action, "%s", json_string_value(act));
		if (!json_is_object(p)) {
			fault(ft, "FormationViolation", "the payload must be a JSON object");
			goto out;
		}
		f->payload = json_incref(p);
	} else if (type == OCPP_CALLRESULT) {
		json_t *p = json_array_get(a, 2);
		if (n != 3 || !json_is_object(p)) {
			fault(ft, "FormationViolation", "a CALLRESULT is [3, id, {payload}]");
			goto out;
		}
		f->payload = json_incref(p);
	} else {
		json_t *code = json_array_get(a, 2), *desc = json_array_get(a, 3), *det = json_array_get(a, 4);
		if (n < 4 || n > 5 || !json_is_string(code) || !json_is_string(desc) || (det && !json_is_object(det))) {
			fault(ft, "FormationViolation", "a CALLERROR is [4, id, code, description, {details}]");
			goto out;
		}
		fg_fmt(f->error_code, sizeof f->error_code, "%s", json_string_value(code));
		fg_fmt(f->error_desc, sizeof f->error_desc, "%s", json_string_value(desc));
		f->payload = det ? json_incref(det) : json_object();
	}
	rc = 0;
out:
	json_decref(a);
	if (rc != 0)
		f->type = rc == 1 ? 0 : f->type;
	return rc;
}

static char *
dump(json_t *a)
{
	char *s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

char *
ocpp_frame_call(const char *id, const char *action, json_t *payload)
{
	return dump(json_pack("[i, s, s, O]", OCPP_CALL, id, action, payload ? payload : json_object()));
}

char *
ocpp_frame_result(const char *id, json_t *payload)
{
	json_t *p = payload ? json_incref(payload) : json_object();
	return dump(json_pack("[i, s, o]", OCPP_CALLRESULT, id, p));
}

char *
ocpp_frame_error(const char *id, const char *code, const char *desc)
{
	return dump(json_pack("[i, s, s, s, {}]", OCPP_CALLERROR, id, code, desc ? desc : ""));
}

static bool
digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool
ocpp_parse_time(const char *s, int64_t *ms)
{
	int Y, M, D, h, m, sec, frac = 0;
	if (!s || strlen(s) < 19 || strlen(s) > 40)
		return false;
	if (!digits(s, 4, &Y) || s[4] != '-' || !digits(s + 5, 2, &M) || s[7] != '-' || !digits(s + 8, 2, &D) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s + 11, 2, &h) || s[13] != ':' ||
	    !digits(s + 14, 2, &m) || s[16] != ':' || !digits(s + 17, 2, &sec))
		return false;
	const char *p = s + 19;
	if (*p == '.') {
		int nd = 0;
		p++;
		while (*p >= '0' && *p <= '9') {
			if (nd < 3)
				frac = frac * 10 + (*p - '0');
			nd++;
			p++;
		}
		if (nd == 0)
			return false;
		for (; nd < 3; nd++)
			frac *= 10;
	}
	int off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 || om > 59)
			return false;
		off = (oh * 60 + om) * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return false;
	}
	if (*p || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60 || Y < 1970)
		return false;
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0;
	if (D > mdays[M - 1] + (M == 2 && leap))
		return false;
	/* days from civil (Howard Hinnant) */
	int y = Y - (M <= 2);
	int era = y / 400;
	int yoe = y - era * 400;
	int doy = (153 * (M + (M > 2 ? -3 : 9)) + 2) / 5 + D - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = (int64_t)era * 146097 + doe - 719468;
	*ms = ((days * 86400 + h * 3600 + m * 60 + (sec > 59 ? 59 : sec)) - (int64_t)off * 60) * 1000 + frac;
	return true;
}

void
ocpp_format_time(int64_t ms, char out[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	char buf[64];
	snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
	    tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100, tm.tm_sec % 100, (int)(ms % 1000 + 1000) % 1000);
	memcpy(out, buf, 31);
	out[31] = 0;
}
