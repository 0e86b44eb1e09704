/* Parsers of the collection system's input (collection_parse.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/base/csv.h"
#include "core/base/sheet.h"
#include "metering/collection/collection_parse.h"

static const char *const kinds[] = {"reverse_energy", "cover_opened", "clock_error", "voltage_loss", "current_loss",
    "communication_failure", "abnormal_consumption", NULL};

bool
collection_kind_known(const char *kind)
{
	for (int i = 0; kind && kinds[i]; i++)
		if (strcmp(kind, kinds[i]) == 0)
			return true;
	return false;
}

/* an identifier of the collection system: 1..max bytes of letters, digits, - _ . : (asset and point numbers,
 * event ids); nothing that could be read as markup or a path */
static bool
ident_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_' ||
			c == '.' || c == ':'))
			return false;
	}
	return true;
}

/* text: valid UTF-8 (jansson guarantees it), 1..max bytes, no control characters */
static bool
text_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* 2000-01-01 .. 2199-12-31 in epoch ms: a reading time outside is a broken clock, not a fact */
#define AT_MIN 946684800000LL
#define AT_MAX 7258118399999LL

int
collection_event_check(json_t *in, json_t **out, fg_err_t *err)
{
	static const char *const allowed[] = {"event_id", "kind", "signal", "point_no", "terminal_no", "transformer_area",
	    "occurred_at", "detail", NULL};
	*out = NULL;
	if (!json_is_object(in))
		return fg_err_field(err, "invalid_field", "event", "an object");
	const char *k;
	json_t *v;
	json_object_foreach(in, k, v) {
		bool ok = false;
		for (int i = 0; allowed[i]; i++)
			ok = ok || strcmp(k, allowed[i]) == 0;
		if (!ok)
			return fg_err_field(err, "unknown_field", k, "not a field of an event");
	}
	static const char *const required[] = {"event_id", "kind", "point_no", "occurred_at", NULL};
	for (int i = 0; required[i]; i++)
		if (!json_object_get(in, required[i]) || json_is_null(json_object_get(in, required[i])))
			return fg_err_field(err, "missing_field", required[i], "required");
	const char *id = json_string_value(json_object_get(in, "event_id"));
	if (!ident_ok(id, 64))
		return fg_err_field(err, "invalid_field", "event_id", "1 to 64 letters, digits, - _ . :");
	const char *kind = json_string_value(json_object_get(in, "kind"));
	if (!collection_kind_known(kind))
		return fg_err_field(err, "invalid_field", "kind", "an event kind of data/metering/collection_kinds.json");
	json_t *sj = json_object_get(in, "signal");
	const char *signal = sj && !json_is_null(sj) ? json_string_value(sj) : "alarm";
	if (!signal || (strcmp(signal, "alarm") != 0 && strcmp(signal, "restored") != 0))
		return fg_err_field(err, "invalid_field", "signal", "alarm or restored");
	const char *point = json_string_value(json_object_get(in, "point_no"));
	if (!ident_ok(point, 32))
		return fg_err_field(err, "invalid_field", "point_no", "1 to 32 letters, digits, - _ . :");
	json_t *tj = json_object_get(in, "terminal_no"), *aj = json_object_get(in, "transformer_area"),
	       *dj = json_object_get(in, "detail");
	const char *term = tj && !json_is_null(tj) ? json_string_value(tj) : NULL;
	if (tj && !json_is_null(tj) && !ident_ok(term, 32))
		return fg_err_field(err, "invalid_field", "terminal_no", "1 to 32 letters, digits, - _ . :");
	const char *area = aj && !json_is_null(aj) ? json_string_value(aj) : NULL;
	if (aj && !json_is_null(aj) && !text_ok(area, 64))
		return fg_err_field(err, "invalid_field", "transformer_area", "1 to 64 bytes of text");
	const char *detail = dj && !json_is_null(dj) ? json_string_value(dj) : NULL;
	if (dj && !json_is_null(dj) && !text_ok(detail, 500))
		return fg_err_field(err, "invalid_field", "detail", "1 to 500 bytes of text");
	json_t *at = json_object_get(in, "occurred_at");
	if (!json_is_integer(at) || json_integer_value(at) < AT_MIN || json_integer_value(at) > AT_MAX)
		return fg_err_field(err, "invalid_field", "occurred_at", "epoch milliseconds, 2000 to 2199");
	*out = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:I, s:s?}", "event_id", id, "kind", kind, "signal", signal,
	    "point_no", point, "terminal_no", term, "transformer_area", area, "occurred_at", json_integer_value(at),
	    "detail", detail);
	return *out ? 0 : fg_err(err, "internal");
}

static json_t *
error_item(const char *where, json_int_t n, json_t *in, fg_err_t *e)
{
	json_t *d = e->details;
	const char *id = json_string_value(json_object_get(in, "event_id"));
	json_t *item = json_pack("{s:I, s:s?, s:s, s:O?, s:O?}", where, n, "event_id", id, "code", e->code ? e->code : "internal",
	    "field", json_object_get(d, "field"), "reason", json_object_get(d, "reason"));
	fg_err_clear(e);
	return item;
}

int
collection_parse_batch(const char *data, size_t len, json_t **events, json_t **errors, fg_err_t *err)
{
	*events = *errors = NULL;
	json_error_t je;
	json_t *arr = len ? json_loadb(data, len, JSON_REJECT_DUPLICATES, &je) : NULL;
	if (!json_is_array(arr)) {
		json_decref(arr);
		fg_err(err, "invalid_json");
		fg_err_detail_str(err, "reason", "a JSON array of events");
		return -1;
	}
	if (json_array_size(arr) > COLLECTION_BATCH_MAX) {
		fg_err(err, "collection_batch_too_large");
		fg_err_detail_int(err, "limit", COLLECTION_BATCH_MAX);
		fg_err_detail_int(err, "count", (long long)json_array_size(arr));
		json_decref(arr);
		return -1;
	}
	*events = json_array();
	*errors = json_array();
	size_t i;
	json_t *in;
	json_array_foreach(arr, i, in) {
		json_t *ev = NULL;
		fg_err_t e = FG_ERR_INIT;
		if (collection_event_check(in, &ev, &e) == 0) {
			json_object_set_new(ev, "index", json_integer((json_int_t)i));
			json_array_append_new(*events, ev);
		} else
			json_array_append_new(*errors, error_item("index", (json_int_t)i, in, &e));
	}
	json_decref(arr);
	return 0;
}

/* "YYYY-MM-DD HH:MM[:SS]" in Asia/Shanghai (UTC+8, no summer time) → epoch ms; -1 when malformed */
static long long
shanghai_ms(const char *s)
{
	int y, mo, d, h, mi, se = 0, n = 0;
	size_t len = strlen(s);
	if (len == 16) {
		if (sscanf(s, "%4d-%2d-%2d %2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 || n != 16)
			return -1;
	} else if (len == 19) {
		if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &n) != 6 || n != 19)
			return -1;
	} else
		return -1;
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 2000 || y > 2199 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap) || h > 23 || mi > 59 ||
	    se > 59 || h < 0 || mi < 0 || se < 0)
		return -1;
	/* days from civil (Howard Hinnant's algorithm) */
	int yy = y - (mo <= 2);
	long long era = yy / 400, yoe = yy - era * 400, doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
	return ((days * 86400 + h * 3600 + mi * 60 + se) - 8 * 3600) * 1000LL;
}

int
collection_parse_csv(const char *data, size_t len, json_t **events, json_t **errors, fg_err_t *err)
{
	static const char *const cols[] = {"event_id", "kind", "signal", "point_no", "terminal_no", "transformer_area",
	    "occurred_at", "detail", NULL};
	*events = *errors = NULL;
	const char *text, *enc;
	size_t tlen;
	char *owned = NULL;
	if (csv_decode(data, len, &text, &tlen, &owned, &enc, err) != 0)
		return -1;
	sheet_t s;
	memset(&s, 0, sizeof s);
	int rc = csv_parse(text, tlen, &s, err);
	free(owned);
	if (rc != 0) {
		sheet_free(&s);
		return -1;
	}
	int at[8];
	for (int c = 0; c < 8; c++)
		at[c] = -1;
	for (int c = 0; s.nrows > 0 && c < s.ncols; c++) {
		const sheet_cell_t *h = sheet_cell(&s, 0, c);
		for (int k = 0; h && h->text && cols[k]; k++)
			if (strcmp(h->text, cols[k]) == 0 && at[k] < 0)
				at[k] = c;
	}
	json_t *missing = json_array();
	for (int k = 0; cols[k]; k++)
		if (at[k] < 0 && (k == 0 || k == 1 || k == 3 || k == 6))
			json_array_append_new(missing, json_string(cols[k]));
	if (json_array_size(missing) || s.nrows - 1 > COLLECTION_FILE_MAX_ROWS) {
		if (json_array_size(missing)) {
			fg_err(err, "collection_file_columns");
			fg_err_detail(err, "missing", missing);
		} else {
			json_decref(missing);
			fg_err(err, "collection_batch_too_large");
			fg_err_detail_int(err, "limit", COLLECTION_FILE_MAX_ROWS);
			fg_err_detail_int(err, "count", s.nrows - 1);
		}
		sheet_free(&s);
		return -1;
	}
	json_decref(missing);
	*events = json_array();
	*errors = json_array();
	for (int r = 1; r < s.nrows; r++) {
		json_t *in = json_object();
		fg_err_t e = FG_ERR_INIT;
		for (int k = 0; cols[k]; k++) {
			const sheet_cell_t *c = at[k] >= 0 ? sheet_cell(&s, r, at[k]) : NULL;
			if (!c || !c->text || !*c->text)
				continue;
			if (k == 6) { /* occurred_at: digits (epoch ms) or a Shanghai date and time */
				char *end;
				long long ms = strtoll(c->text, &end, 10);
				if (*end || end == c->text)
					ms = shanghai_ms(c->text);
				if (ms < 0) {
					fg_err_field(&e, "invalid_field", "occurred_at", "epoch ms or YYYY-MM-DD HH:MM[:SS] (Asia/Shanghai)");
					break;
				}
				json_object_set_new(in, cols[k], json_integer(ms));
			} else
				json_object_set_new(in, cols[k], json_string(c->text));
		}
		json_t *ev = NULL;
		if (!e.code && collection_event_check(in, &ev, &e) == 0) {
			json_object_set_new(ev, "row", json_integer(s.rownum[r]));
			json_array_append_new(*events, ev);
		} else
			json_array_append_new(*errors, error_item("row", s.rownum[r], in, &e));
		json_decref(in);
	}
	sheet_free(&s);
	return 0;
}

static bool
date_ok(const char *s)
{
	if (!s || strlen(s) != 10)
		return false;
	char buf[20];
	snprintf(buf, sizeof buf, "%s 00:00", s);
	return shanghai_ms(buf) >= 0;
}

int
collection_parse_daily(const char *data, size_t len, json_t **items, fg_err_t *err)
{
	*items = NULL;
	json_error_t je;
	json_t *body = len ? json_loadb(data, len, JSON_REJECT_DUPLICATES, &je) : NULL;
	json_t *arr = json_object_get(body, "items");
	if (!json_is_object(body) || json_object_size(body) != 1 || !json_is_array(arr)) {
		json_decref(body);
		fg_err(err, "invalid_json");
		fg_err_detail_str(err, "reason", "an object {\"items\": [...]}");
		return -1;
	}
	if (json_array_size(arr) > COLLECTION_DAILY_MAX) {
		fg_err(err, "collection_batch_too_large");
		fg_err_detail_int(err, "limit", COLLECTION_DAILY_MAX);
		fg_err_detail_int(err, "count", (long long)json_array_size(arr));
		json_decref(body);
		return -1;
	}
	json_t *out = json_array(), *it;
	size_t i;
	char field[64];
	json_array_foreach(arr, i, it) {
		const char *k, *bad = NULL, *code = "invalid_field", *reason = NULL;
		json_t *v;
		if (!json_is_object(it)) {
			bad = "";
			reason = "an object";
		}
		json_object_foreach(it, k, v) if (!bad && strcmp(k, "date") && strcmp(k, "transformer_area") &&
						   strcmp(k, "expected") && strcmp(k, "collected")) {
			bad = k;
			code = "unknown_field";
			reason = "not a field of a daily figure";
		}
		const char *date = json_string_value(json_object_get(it, "date"));
		const char *area = json_string_value(json_object_get(it, "transformer_area"));
		json_t *ex = json_object_get(it, "expected"), *co = json_object_get(it, "collected");
		if (bad) {
		} else if (!date_ok(date))
			bad = "date", reason = "YYYY-MM-DD";
		else if (!text_ok(area, 64))
			bad = "transformer_area", reason = "1 to 64 bytes of text";
		else if (!json_is_integer(ex) || json_integer_value(ex) < 0 || json_integer_value(ex) > 100000000)
			bad = "expected", reason = "a count, 0 or more";
		else if (!json_is_integer(co) || json_integer_value(co) < 0 || json_integer_value(co) > json_integer_value(ex))
			bad = "collected", reason = "a count, 0 to expected";
		if (bad) {
			snprintf(field, sizeof field, "items[%zu]%s%.40s", i, *bad ? "." : "", bad);
			fg_err_field(err, code, field, reason);
			json_decref(out);
			json_decref(body);
			return -1;
		}
		json_array_append_new(out, json_pack("{s:s, s:s, s:O, s:O}", "date", date, "transformer_area", area, "expected",
		    ex, "collected", co));
	}
	json_decref(body);
	*items = out;
	return 0;
}
