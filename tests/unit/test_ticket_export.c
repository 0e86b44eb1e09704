/* Unit tests of the offline ticket check (issue 9): the published signed form, the canonical JSON it hashes, the
 * PEM key, and tickets_verify_export refusing each kind of tampering, all with no database. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>
#include "core/auth/signing.h"
#include "fieldwork/tickets/tickets.h"

static unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];

static void
signed_form_is_the_documented_text(void **state)
{
	char *m = signing_message("ticket", "T1", "issuer", "U1", 1765000000123LL, "ab12");
	assert_string_equal(m, "fieldgrid-signature-v1\nticket\nT1\nissuer\nU1\n1765000000123\nab12");
	free(m);
	/* canonical JSON: sorted keys, no spaces, UTF-8 as itself, '/' unescaped, control characters escaped */
	json_t *o = json_pack("{s:i, s:s, s:n}", "b", 1, "a", "中/\n\x1f", "c");
	char *c = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(c, "{\"a\":\"中/\\n\\u001F\",\"b\":1,\"c\":null}");
	free(c);
	json_decref(o);
	/* the PEM openssl reads: SubjectPublicKeyInfo of Ed25519 always starts MCowBQYDK2VwAyEA */
	char *pem = signing_pem(pk);
	assert_non_null(strstr(pem, "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA"));
	free(pem);
}

/* An export of one ticket signed by one key, as fieldgrid ticket export writes it. */
static json_t *
make_export(void)
{
	json_t *ticket = json_pack("{s:s, s:s, s:s, s:I, s:[{s:s}]}", "id", "T1", "number", "DY20261206-0001", "place",
	    "临澜市和平街 7 号", "planned_start", (json_int_t)1765000000000LL, "crew", "user_id", "U2");
	char *canon = json_dumps(ticket, JSON_COMPACT | JSON_SORT_KEYS), hash[65];
	signing_hash(canon, hash);
	json_t *sigs = json_array();
	const char *roles[] = {"issuer", "permitter"};
	for (int i = 0; i < 2; i++) {
		char *m = signing_message("ticket", "T1", roles[i], "U1", 1765000000000LL + i, hash);
		unsigned char sig[crypto_sign_BYTES];
		crypto_sign_detached(sig, NULL, (const unsigned char *)m, strlen(m), sk);
		char *pkb = signing_b64(pk, sizeof pk), *sb = signing_b64(sig, sizeof sig),
		     *mb = signing_b64((const unsigned char *)m, strlen(m));
		json_array_append_new(sigs, json_pack("{s:s, s:{s:s, s:s, s:s}, s:I, s:s, s:s, s:s, s:s, s:s}", "role", roles[i],
						"signer", "id", "U1", "name", "张三", "role", roles[i], "signed_at",
						(json_int_t)(1765000000000LL + i), "algorithm", "Ed25519", "public_key", pkb, "signature", sb,
						"signed_bytes", mb, "signed_text", m));
		free(pkb);
		free(sb);
		free(mb);
		free(m);
	}
	json_t *exp = json_pack("{s:s, s:o, s:s, s:s, s:o, s:{s:s, s:s}}", "format", "fieldgrid-ticket-export-v1", "ticket",
	    ticket, "canonical", canon, "content_hash", hash, "signatures", sigs, "record", "id", "T1", "place",
	    "临澜市和平街 7 号");
	free(canon);
	return exp;
}

static const char *
reason_of(json_t *rep, size_t i)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(rep, "signatures"), i), "reason"));
}

static void
export_verifies_and_each_tampering_fails(void **state)
{
	json_t *exp = make_export(), *rep = NULL;
	assert_int_equal(tickets_verify_export(exp, &rep), 0);
	assert_true(json_is_true(json_object_get(rep, "valid")));
	json_decref(rep);

	/* the signed content changed (and the forger rewrote canonical/hash/record to match): every signature fails */
	json_object_set_new(json_object_get(exp, "ticket"), "place", json_string("另一地点"));
	json_object_del(exp, "canonical");
	json_object_del(exp, "content_hash");
	json_object_del(exp, "record");
	assert_int_equal(tickets_verify_export(exp, &rep), -1);
	assert_string_equal(reason_of(rep, 0), "content_changed");
	assert_string_equal(reason_of(rep, 1), "content_changed");
	json_decref(rep);
	json_decref(exp);

	/* one signature's time moved: that one alone */
	exp = make_export();
	json_t *s1 = json_array_get(json_object_get(exp, "signatures"), 1);
	json_object_set_new(s1, "signed_at", json_integer(1765000000999LL));
	assert_int_equal(tickets_verify_export(exp, &rep), -1);
	assert_null(reason_of(rep, 0));
	assert_non_null(reason_of(rep, 1));
	json_decref(rep);
	json_decref(exp);

	/* the readable record edited */
	exp = make_export();
	json_object_set_new(json_object_get(exp, "record"), "place", json_string("另一地点"));
	assert_int_equal(tickets_verify_export(exp, &rep), -1);
	assert_non_null(strstr(json_string_value(json_object_get(rep, "problem")), "record.place"));
	json_decref(rep);
	json_decref(exp);

	/* a forged signature, another algorithm, no signatures at all */
	exp = make_export();
	json_t *s0 = json_array_get(json_object_get(exp, "signatures"), 0);
	json_object_set_new(s0, "signature", json_string("AAAA"));
	json_object_set_new(s1 = json_array_get(json_object_get(exp, "signatures"), 1), "algorithm", json_string("RSA"));
	assert_int_equal(tickets_verify_export(exp, &rep), -1);
	assert_string_equal(reason_of(rep, 0), "signature_invalid");
	assert_string_equal(reason_of(rep, 1), "unknown_algorithm");
	json_decref(rep);
	json_object_set_new(exp, "signatures", json_array());
	assert_int_equal(tickets_verify_export(exp, &rep), -1);
	json_decref(rep);
	json_decref(exp);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	crypto_sign_keypair(pk, sk);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(signed_form_is_the_documented_text),
		cmocka_unit_test(export_verifies_and_each_tampering_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
