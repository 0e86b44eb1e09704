#include <string.h>
#include <stdio.h>
#include <sodium.h>
#include "core/base/util.h"
#include "shared/notify/notify_text.h"

static _Thread_local char missing_name[80];

static bool
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

int
notify_render(const char *tpl, json_t *params, char **out, const char **missing)
{
	fg_buf_t b;
	fg_buf_init(&b, NOTIFY_TEXT_MAX + 1);
	const char *p = tpl ? tpl : "";
	*out = NULL;
	*missing = NULL;
	while (*p) {
		const char *open = strstr(p, "{{");
		if (!open) {
			if (fg_buf_append(&b, p, strlen(p)) != 0)
				goto too_long;
			break;
		}
		size_t n = 0;
		while (n <= 64 && name_char(open[2 + n]))
			n++;
		if (n == 0 || n > 64 || open[2 + n] != '}' || open[3 + n] != '}') {
			/* not a placeholder: keep the braces as text */
			if (fg_buf_append(&b, p, (size_t)(open - p) + 2) != 0)
				goto too_long;
			p = open + 2;
			continue;
		}
		if (fg_buf_append(&b, p, (size_t)(open - p)) != 0)
			goto too_long;
		char name[65];
		memcpy(name, open + 2, n);
		name[n] = '\0';
		json_t *v = json_is_object(params) ? json_object_get(params, name) : NULL;
		char num[64];
		const char *text = NULL;
		if (json_is_string(v))
			text = json_string_value(v);
		else if (json_is_integer(v)) {
			snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
			text = num;
		} else if (json_is_real(v)) {
			snprintf(num, sizeof num, "%g", json_real_value(v));
			text = num;
		}
		if (!text) {
			snprintf(missing_name, sizeof missing_name, "%s", name);
			*missing = missing_name;
			fg_buf_free(&b);
			return -1;
		}
		if (fg_buf_append(&b, text, strlen(text)) != 0)
			goto too_long;
		p = open + 4 + n;
	}
	if (fg_buf_append(&b, "", 0) != 0) /* allocates and terminates even an empty text */
		goto too_long;
	*out = b.data; /* fg_buf owns a malloc'd block; the caller frees it */
	return 0;
too_long:
	fg_buf_free(&b);
	snprintf(missing_name, sizeof missing_name, "(text over %d bytes)", NOTIFY_TEXT_MAX);
	*missing = missing_name;
	return -1;
}

json_t *
notify_render_json(json_t *v, json_t *params, const char **missing)
{
	*missing = NULL;
	if (json_is_string(v)) {
		char *s;
		if (notify_render(json_string_value(v), params, &s, missing) != 0)
			return NULL;
		json_t *r = json_string(s);
		free(s);
		if (!r) /* not UTF-8: a parameter cut a character */
			*missing = "(not UTF-8)";
		return r;
	}
	if (json_is_object(v)) {
		json_t *o = json_object(), *x;
		const char *k;
		json_object_foreach(v, k, x) {
			json_t *r = notify_render_json(x, params, missing);
			if (!r) {
				json_decref(o);
				return NULL;
			}
			json_object_set_new(o, k, r);
		}
		return o;
	}
	if (json_is_array(v)) {
		json_t *a = json_array(), *x;
		size_t i;
		json_array_foreach(v, i, x) {
			json_t *r = notify_render_json(x, params, missing);
			if (!r) {
				json_decref(a);
				return NULL;
			}
			json_array_append_new(a, r);
		}
		return a;
	}
	return json_deep_copy(v);
}

static int
receipt_one(json_t *in, const char *where, json_t *items, fg_err_t *err)
{
	char field[64];
	if (!json_is_object(in)) {
		fg_err_field(err, "invalid_field", where, "a receipt is an object");
		return -1;
	}
	const char *k;
	json_t *v;
	json_object_foreach(in, k, v) {
		if (strcmp(k, "message_id") && strcmp(k, "status") && strcmp(k, "error") && strcmp(k, "at")) {
			snprintf(field, sizeof field, "%s.%.40s", where, k);
			fg_err_field(err, "unknown_field", field, "not a receipt field");
			return -1;
		}
	}
	json_t *id = json_object_get(in, "message_id"), *st = json_object_get(in, "status");
	json_t *e = json_object_get(in, "error"), *at = json_object_get(in, "at");
	const char *bad = NULL, *why = NULL;
	if (!json_is_string(id) || json_string_length(id) == 0 || json_string_length(id) > 128)
		bad = "message_id", why = "a string of 1 to 128 characters";
	else if (!json_is_string(st) ||
		 (strcmp(json_string_value(st), "delivered") != 0 && strcmp(json_string_value(st), "failed") != 0))
		bad = "status", why = "delivered or failed";
	else if (e && !json_is_null(e) && (!json_is_string(e) || json_string_length(e) > 500))
		bad = "error", why = "a string of at most 500 characters";
	else if (at && !json_is_null(at) && (!json_is_integer(at) || json_integer_value(at) < 0))
		bad = "at", why = "epoch milliseconds";
	if (bad) {
		snprintf(field, sizeof field, "%s.%s", where, bad);
		fg_err_field(err, "invalid_field", field, why);
		return -1;
	}
	json_array_append_new(items, json_pack("{s:O, s:O, s:O, s:O}", "message_id", id, "status", st, "error",
					     e && json_is_string(e) ? e : json_null(), "at", at && json_is_integer(at) ? at : json_null()));
	return 0;
}

int
notify_receipt_parse(const char *body, size_t len, json_t **items, fg_err_t *err)
{
	*items = NULL;
	json_error_t je;
	json_t *j = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &je);
	if (!j || !json_is_object(j)) {
		json_decref(j);
		fg_err(err, "invalid_json");
		fg_err_detail_str(err, "reason", j ? "the body is not a JSON object" : je.text);
		return -1;
	}
	json_t *out = json_array();
	json_t *list = json_object_get(j, "receipts");
	int rc = 0;
	if (list) {
		if (json_object_size(j) != 1 || !json_is_array(list) || json_array_size(list) == 0 ||
		    json_array_size(list) > NOTIFY_RECEIPTS_MAX) {
			rc = fg_err_field(err, "invalid_field", "receipts", "an array of 1 to 100 receipts, alone in the body");
		} else {
			size_t i;
			json_t *x;
			json_array_foreach(list, i, x) {
				char where[32];
				snprintf(where, sizeof where, "receipts[%zu]", i);
				if ((rc = receipt_one(x, where, out, err)) != 0)
					break;
			}
		}
	} else
		rc = receipt_one(j, "receipt", out, err);
	json_decref(j);
	if (rc != 0) {
		json_decref(out);
		return -1;
	}
	*items = out;
	return 0;
}

void
notify_signature(const char *key, const char *timestamp, const char *body, size_t len, char out[65])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)timestamp, strlen(timestamp));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)(body ? body : ""), len);
	crypto_auth_hmacsha256_final(&st, mac);
	fg_hex(mac, sizeof mac, out);
}

bool
notify_signature_ok(const char *key, const char *timestamp, const char *body, size_t len, const char *sig_hex)
{
	if (!key || !*key || !timestamp || !sig_hex || strlen(sig_hex) != 64)
		return false;
	char want[65];
	notify_signature(key, timestamp, body, len, want);
	char got[65];
	for (int i = 0; i < 64; i++) /* the sender may write upper-case hex */
		got[i] = (char)(sig_hex[i] >= 'A' && sig_hex[i] <= 'F' ? sig_hex[i] + 32 : sig_hex[i]);
	got[64] = '\0';
	return sodium_memcmp(want, got, 64) == 0;
}

void
notify_mask_phone(const char *s, char *out, size_t n)
{
	size_t l = s ? strlen(s) : 0;
	if (l < 7)
		snprintf(out, n, "****");
	else
		snprintf(out, n, "%.3s****%s", s, s + l - 4);
}

void
notify_mask_secret(const char *s, char *out, size_t n)
{
	size_t l = s ? strlen(s) : 0;
	if (l == 0)
		snprintf(out, n, "%s", "");
	else if (l < 12)
		snprintf(out, n, "****");
	else
		snprintf(out, n, "****%s", s + l - 2);
}

bool
notify_param_sensitive(const char *name)
{
	static const char *const names[] = {"code", "password", "otp", NULL};
	for (int i = 0; names[i]; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}
