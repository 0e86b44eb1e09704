/* A ticket an auditor can check without fieldgrid's database (issue 9, finding 6): the export carries the signed
 * content (the canonical object of tickets_canonical) and, per signature, the signer, the algorithm, the public
 * key, the signature and the exact bytes signed; the offline check rebuilds those bytes from the content and
 * the signature's own fields, so an edit anywhere that matters makes it fail. The printed ticket's QR code carries
 * the compact form of the same (tickets_qr_payload). The formats are specified in docs/api.md. */
#include <string.h>
#include <sodium.h>
#include "core/base/util.h"
#include "core/auth/signing.h"
#include "fieldwork/tickets/tickets.h"

json_t *
tickets_verification(db_t *db, const char *id)
{
	char *canon = tickets_canonical(db, id);
	if (!canon)
		return NULL;
	json_t *v = signing_verify(db, "ticket", id, canon);
	free(canon);
	if (!v)
		return NULL;
	int rc;
	json_t *t = db_one(db_q(db, "SELECT number FROM tickets WHERE id = $1", "t", id), &rc);
	char *qr = tickets_qr_payload(id, fg_jstr(t, "number"), v);
	json_object_set_new(v, "qr_payload", json_string(qr));
	free(qr);
	json_decref(t);
	return v;
}

/* FGT1|<ticket id>|<number>|<content hash>|<role>,<signer id>,<signed_at>,<public key b64>,<signature b64>|…
 * '|' and ',' never occur in ids, roles, numbers, hex or base64, so the fields need no escaping. */
char *
tickets_qr_payload(const char *id, const char *number, json_t *verification)
{
	fg_buf_t b;
	fg_buf_init(&b, 1 << 16);
	char head[256];
	int n = snprintf(head, sizeof head, "FGT1|%s|%s|%s", id, number ? number : "", fg_jstr(verification, "content_hash"));
	(void)fg_buf_append(&b, head, (size_t)n);
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(verification, "signatures"), i, s) {
		const char *parts[] = {"|", fg_jstr(s, "role"), ",", fg_jstr(s, "signer_id"), ",", NULL, ",", fg_jstr(s, "public_key"), ",",
		    fg_jstr(s, "signature")};
		char at[24];
		snprintf(at, sizeof at, "%lld", (long long)json_integer_value(json_object_get(s, "signed_at")));
		parts[5] = at;
		for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++)
			if (parts[k])
				(void)fg_buf_append(&b, parts[k], strlen(parts[k]));
	}
	(void)fg_buf_append(&b, "", 1);
	return b.data;
}

json_t *
tickets_export(db_t *db, const char *id)
{
	char *canon = tickets_canonical(db, id);
	if (!canon)
		return NULL;
	json_t *content = json_loads(canon, 0, NULL);
	free(canon);
	json_t *v = tickets_verification(db, id), *rec = tickets_get(db, id);
	if (!content || !v || !rec) {
		json_decref(content);
		json_decref(v);
		json_decref(rec);
		return NULL;
	}
	/* the record's own signature list repeats the verification's; keep one */
	json_object_del(rec, "signatures");
	json_t *out = json_pack("{s:s, s:I, s:s, s:o, s:O, s:O, s:O, s:O, s:O, s:o, s:O}", "format", "fieldgrid-ticket-export-v1",
	    "exported_at", (json_int_t)fg_now_ms(), "entity", "ticket", "ticket", content, "canonical",
	    json_object_get(v, "canonical"), "content_hash", json_object_get(v, "content_hash"), "signature_format",
	    json_object_get(v, "format"), "signatures", json_object_get(v, "signatures"), "valid_on_server",
	    json_object_get(v, "valid"), "record", rec, "qr_payload", json_object_get(v, "qr_payload"));
	json_decref(v);
	return out;
}

/* The record is for reading; its fields that are also signed must agree with the signed content, so an edit of
 * the readable copy cannot pass unnoticed either. */
static const char *
record_differs(json_t *ticket, json_t *rec)
{
	static const char *const keys[] = {"id", "number", "plan_id", "kind", "leader_id", "place", "content", "risk_level",
	    "outage_scope", "live_parts", "planned_start", NULL};
	if (!rec)
		return NULL;
	for (int i = 0; keys[i]; i++) {
		json_t *a = json_object_get(ticket, keys[i]), *b = json_object_get(rec, keys[i]);
		if (b && !json_equal(a ? a : json_null(), b))
			return keys[i];
	}
	return NULL;
}

int
tickets_verify_export(json_t *exp, json_t **report)
{
	json_t *ticket = json_object_get(exp, "ticket"), *sigs = json_object_get(exp, "signatures");
	json_t *out = json_array();
	const char *problem = NULL;
	char hash[65] = "";
	char *canon = json_is_object(ticket) ? json_dumps(ticket, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	const char *fmt = fg_jstr(exp, "format");
	if (!fmt || strcmp(fmt, "fieldgrid-ticket-export-v1") != 0)
		problem = "not a fieldgrid-ticket-export-v1 document";
	else if (!canon || !fg_jstr(ticket, "id"))
		problem = "no signed ticket content";
	else if (json_array_size(sigs) == 0)
		problem = "no signatures";
	if (canon) {
		signing_hash(canon, hash);
		if (!problem && fg_jstr(exp, "canonical") && strcmp(fg_jstr(exp, "canonical"), canon) != 0)
			problem = "the canonical text differs from the ticket content";
		if (!problem && fg_jstr(exp, "content_hash") && strcmp(fg_jstr(exp, "content_hash"), hash) != 0)
			problem = "content_hash differs from the SHA-256 of the ticket content";
	}
	const char *field = problem ? NULL : record_differs(ticket, json_object_get(exp, "record"));
	bool all = !problem && !field;
	size_t i;
	json_t *s;
	json_array_foreach(problem ? NULL : sigs, i, s) {
		json_t *signer = json_object_get(s, "signer");
		const char *role = fg_jstr(s, "role"), *signer_id = fg_jstr(signer, "id") ? fg_jstr(signer, "id") : fg_jstr(s, "signer_id");
		json_t *at = json_object_get(s, "signed_at");
		const char *reason = NULL;
		if (!role || !signer_id || !json_is_integer(at))
			reason = "incomplete";
		else if (!fg_jstr(s, "algorithm") || strcmp(fg_jstr(s, "algorithm"), "Ed25519") != 0)
			reason = "unknown_algorithm";
		else {
			char *m = signing_message("ticket", fg_jstr(ticket, "id"), role, signer_id, json_integer_value(at), hash);
			if (signing_check_b64(m, fg_jstr(s, "public_key"), fg_jstr(s, "signature")) != 0) {
				/* genuine over the bytes it names, but those are not this content: the ticket was changed */
				size_t len = 0, cap = fg_jstr(s, "signed_bytes") ? strlen(fg_jstr(s, "signed_bytes")) : 0;
				unsigned char *raw = fg_malloc(cap + 1);
				bool genuine = cap && sodium_base642bin(raw, cap, fg_jstr(s, "signed_bytes"), cap, NULL, &len, NULL,
						      sodium_base64_VARIANT_ORIGINAL) == 0;
				if (genuine) {
					raw[len] = 0;
					genuine = strlen((char *)raw) == len && signing_check_b64((char *)raw, fg_jstr(s, "public_key"),
											fg_jstr(s, "signature")) == 0;
				}
				free(raw);
				reason = genuine ? "content_changed" : "signature_invalid";
			} else if (fg_jstr(s, "signed_text") && strcmp(fg_jstr(s, "signed_text"), m) != 0) {
				reason = "signed_text_differs";
			}
			free(m);
		}
		json_t *row = json_pack("{s:I, s:s?, s:s?, s:O?, s:O?, s:b}", "index", (json_int_t)i, "role", role, "signer_id",
		    signer_id, "signer_name", json_object_get(signer, "name"), "key_id", json_object_get(s, "key_id"), "valid",
		    !reason);
		if (reason) {
			json_object_set_new(row, "reason", json_string(reason));
			all = false;
		}
		json_array_append_new(out, row);
	}
	*report = json_pack("{s:b, s:s, s:o}", "valid", all, "content_hash", hash, "signatures", out);
	if (problem)
		json_object_set_new(*report, "problem", json_string(problem));
	if (field)
		json_object_set_new(*report, "problem", json_sprintf("record.%s differs from the signed ticket content", field));
	free(canon);
	return all ? 0 : -1;
}
