/* Idempotency-Key storage (src/core/http/idempotency.c): claims, replays, reuse on another route, expiry and the
 * sweep, and what idem_end keeps — run against SQLite (a temp file) and PostgreSQL (FG_TEST_PG_URL, set by make
 * test; the group is reported skipped without it). The request side is a minimal req_t without a connection:
 * idem_end and the reply functions need none. Times are far in the past (2001) so the sweeps here reach only this
 * test's keys. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>
#include "core/base/util.h"
#include "core/db/db.h"
#include "unit_db.h"
#include "core/db/migrate.h"
#include "core/auth/users.h"
#include "core/http/http.h"
#include "core/http/idempotency.h"
#include "core/jobs/maintenance.h"

#define T0 INT64_C(1000000000000) /* 2001-09-09: older than anything but this test's keys */

static char user_a[37], user_b[37];

static int
make_user(db_t *db, char *id_out)
{
	char name[64];
	static int k;
	snprintf(name, sizeof name, "idem%lld%d", (long long)fg_now_ms() % 100000000, ++k);
	json_t *in = json_pack("{s:s, s:s, s:s, s:[s]}", "username", name, "password", "Right-pass-123", "display_name",
	    "幂等测试", "roles", "crew");
	json_t *out = NULL;
	fg_err_t e = FG_ERR_INIT;
	int rc = users_create(db, NULL, in, &out, &e);
	json_decref(in);
	if (rc != 0) {
		fprintf(stderr, "users_create: %s\n", e.code);
		fg_err_clear(&e);
		return -1;
	}
	snprintf(id_out, 37, "%s", json_string_value(json_object_get(out, "id")));
	json_decref(out);
	return 0;
}

static int
setup(db_t *db, void **state)
{
	char err[256];
	if (migrate_run(db, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	if (make_user(db, user_a) != 0 || make_user(db, user_b) != 0)
		return -1;
	*state = db;
	return 0;
}

static int
open_sqlite(void **state)
{
	char err[256] = "";
	db_t *db = unit_open_sqlite("idem", err, sizeof err);
	if (!db) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return setup(db, state);
}

static int
open_pg(void **state)
{
	char err[256] = "";
	bool skip;
	db_t *pg = unit_open_pg(&skip, err, sizeof err);
	if (skip) {
		*state = NULL;
		return 0;
	}
	db_t *db = pg;
	if (!db) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return setup(db, state);
}

static int
close_db(void **state)
{
	db_close(*state);
	unit_remove_sqlite();
	return 0;
}

#define DB_OR_SKIP()                                                                                                   \
	db_t *db = *state;                                                                                             \
	if (!db)                                                                                                       \
		skip();

static void
new_key(char *out, size_t n)
{
	char id[37];
	fg_uuid7(id);
	snprintf(out, n, "k-%s", id);
}

/* The key's row as stored and committed ("-" when there is none): "status|body|created_at". */
static const char *
stored(db_t *db, const char *user, const char *key)
{
	static char out[512];
	int rc;
	json_t *row = db_one(db_q(db, "SELECT status, body, created_at FROM idempotency_keys WHERE user_id = $1 AND key = $2",
	    "tt", user, key), &rc);
	if (!row) {
		assert_int_equal(rc, DB_DONE);
		return "-";
	}
	json_t *body = json_object_get(row, "body");
	snprintf(out, sizeof out, "%lld|%s|%lld", (long long)json_integer_value(json_object_get(row, "status")),
	    json_is_null(body) ? "null" : json_string_value(body),
	    (long long)json_integer_value(json_object_get(row, "created_at")));
	json_decref(row);
	return out;
}

/* Claims and stores an answer in one committed transaction, as a keyed write that succeeded does. */
static void
answer(db_t *db, const char *user, const char *key, const char *method, const char *path, int64_t now, int status,
    const char *body)
{
	json_t *row = NULL;
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(idem_claim(db, user, key, method, path, now, &row), IDEM_CLAIMED);
	assert_null(row);
	assert_int_equal(idem_store(db, user, key, status, body), DB_DONE);
	assert_int_equal(db_commit(db), 0);
}

/* A claim in its own transaction, rolled back; the outcome, and *row when asked. */
static enum idem_claim
try_claim(db_t *db, const char *user, const char *key, const char *method, const char *path, int64_t now, json_t **out)
{
	json_t *row = NULL;
	assert_int_equal(db_begin(db), 0);
	enum idem_claim c = idem_claim(db, user, key, method, path, now, &row);
	db_rollback(db);
	if (c == IDEM_CLAIMED || c == IDEM_FAILED)
		assert_null(row);
	else
		assert_non_null(row);
	if (out)
		*out = row;
	else
		json_decref(row);
	return c;
}

static void
a_replay_gets_the_stored_answer(void **state)
{
	DB_OR_SKIP();
	char key[64];
	new_key(key, sizeof key);
	answer(db, user_a, key, "POST", "/api/v1/plans", T0, 201, "{\"id\":\"p1\",\"state\":\"draft\"}");
	json_t *row;
	assert_int_equal(try_claim(db, user_a, key, "POST", "/api/v1/plans", T0 + 1000, &row), IDEM_REPLAY);
	assert_int_equal(json_integer_value(json_object_get(row, "status")), 201);
	assert_string_equal(json_string_value(json_object_get(row, "body")), "{\"id\":\"p1\",\"state\":\"draft\"}");
	json_decref(row);
	/* the replay changed nothing: same answer, same birth */
	char want[128];
	snprintf(want, sizeof want, "201|{\"id\":\"p1\",\"state\":\"draft\"}|%lld", (long long)T0);
	assert_string_equal(stored(db, user_a, key), want);
	/* the request body is no part of the key (docs/api.md "Writes"): the same key on the same method and path
	 * replays whatever body the client sends with it */
	assert_int_equal(try_claim(db, user_a, key, "POST", "/api/v1/plans", T0 + 2000, NULL), IDEM_REPLAY);
	/* a 204 keeps no body */
	new_key(key, sizeof key);
	answer(db, user_a, key, "DELETE", "/api/v1/plans/p1", T0, 204, NULL);
	assert_int_equal(try_claim(db, user_a, key, "DELETE", "/api/v1/plans/p1", T0 + 1, &row), IDEM_REPLAY);
	assert_int_equal(json_integer_value(json_object_get(row, "status")), 204);
	assert_true(json_is_null(json_object_get(row, "body")));
	json_decref(row);
}

static void
the_same_key_on_another_route_is_a_reuse(void **state)
{
	DB_OR_SKIP();
	char key[64];
	new_key(key, sizeof key);
	answer(db, user_a, key, "POST", "/api/v1/plans/p1/actions/submit", T0, 200, "{}");
	json_t *row;
	assert_int_equal(try_claim(db, user_a, key, "POST", "/api/v1/plans/p2/actions/submit", T0 + 1, &row), IDEM_REUSED);
	assert_string_equal(json_string_value(json_object_get(row, "path")), "/api/v1/plans/p1/actions/submit");
	json_decref(row);
	assert_int_equal(try_claim(db, user_a, key, "PATCH", "/api/v1/plans/p1/actions/submit", T0 + 1, &row), IDEM_REUSED);
	assert_string_equal(json_string_value(json_object_get(row, "method")), "POST");
	json_decref(row);
	/* a key belongs to its user: another user's same key is a key of its own */
	assert_int_equal(try_claim(db, user_b, key, "POST", "/api/v1/plans/p2/actions/submit", T0 + 1, NULL), IDEM_CLAIMED);
	assert_string_equal(stored(db, user_b, key), "-"); /* rolled back */
}

static void
a_claim_and_its_answer_commit_or_vanish_together(void **state)
{
	DB_OR_SKIP();
	char key[64];
	new_key(key, sizeof key);
	/* claimed, then rolled back (a crash before the commit): the key is free again */
	assert_int_equal(try_claim(db, user_a, key, "POST", "/api/v1/x", T0, NULL), IDEM_CLAIMED);
	assert_string_equal(stored(db, user_a, key), "-");
	assert_int_equal(try_claim(db, user_a, key, "POST", "/api/v1/x", T0, NULL), IDEM_CLAIMED);
	/* a claim committed without an answer (only the old two-step scheme did that) is taken over, not waited on */
	json_t *row = NULL;
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(idem_claim(db, user_a, key, "POST", "/api/v1/x", T0, &row), IDEM_CLAIMED);
	assert_int_equal(db_commit(db), 0);
	char want[64];
	snprintf(want, sizeof want, "0|null|%lld", (long long)T0);
	assert_string_equal(stored(db, user_a, key), want);
	assert_int_equal(try_claim(db, user_a, key, "POST", "/api/v1/x", T0 + 5, NULL), IDEM_CLAIMED);
	assert_int_equal(db_run(db_q(db, "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2", "tt", user_a, key)),
	    DB_DONE);
}

static void
a_key_expires_after_its_lifetime_and_is_swept(void **state)
{
	DB_OR_SKIP();
	char old[64], young[64];
	new_key(old, sizeof old);
	new_key(young, sizeof young);
	answer(db, user_a, old, "POST", "/api/v1/tools", T0, 201, "{\"id\":\"t1\"}");
	answer(db, user_a, young, "POST", "/api/v1/tools", T0 + 10, 201, "{\"id\":\"t2\"}");
	/* live up to and including IDEM_TTL_MS after its first request */
	assert_int_equal(try_claim(db, user_a, old, "POST", "/api/v1/tools", T0 + IDEM_TTL_MS, NULL), IDEM_REPLAY);
	/* one millisecond later the same key is a new request, reclaimed in place */
	json_t *row = NULL;
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(idem_claim(db, user_a, old, "POST", "/api/v1/tools", T0 + IDEM_TTL_MS + 1, &row), IDEM_CLAIMED);
	char want[64];
	snprintf(want, sizeof want, "0|null|%lld", (long long)(T0 + IDEM_TTL_MS + 1)); /* no answer yet, a new birth */
	assert_string_equal(stored(db, user_a, old), want);
	db_rollback(db);
	/* even on another route: an expired key is no reuse */
	assert_int_equal(try_claim(db, user_a, old, "PUT", "/api/v1/other", T0 + IDEM_TTL_MS + 1, NULL), IDEM_CLAIMED);

	/* the sweep: at exactly the lifetime the key stays; past it, it goes and the younger one stays */
	maint_report_t rep;
	assert_int_equal(maint_sweep(db, T0 + IDEM_TTL_MS, IDEM_TTL_MS, &rep), 0);
	assert_string_not_equal(stored(db, user_a, old), "-");
	assert_int_equal(maint_sweep(db, T0 + IDEM_TTL_MS + 1, IDEM_TTL_MS, &rep), 0);
	assert_true(rep.keys >= 1);
	assert_string_equal(stored(db, user_a, old), "-");
	assert_string_not_equal(stored(db, user_a, young), "-");
	/* the sweep is audited */
	int rc;
	row = db_one(db_q(db, "SELECT action, entity FROM audit_log ORDER BY seq DESC LIMIT 1", ""), &rc);
	assert_non_null(row);
	assert_string_equal(json_string_value(json_object_get(row, "action")), "purge");
	json_decref(row);
	assert_int_equal(maint_sweep(db, T0 + 10 + IDEM_TTL_MS + 1, IDEM_TTL_MS, &rep), 0);
	assert_string_equal(stored(db, user_a, young), "-");
	/* swept, the key is simply new */
	assert_int_equal(try_claim(db, user_a, old, "POST", "/api/v1/tools", T0 + 2 * IDEM_TTL_MS, NULL), IDEM_CLAIMED);
}

/* A keyed request as the router runs it: idem_claim inside the transaction (idem_begin's part), a write by the
 * handler, its answer, idem_end. */
typedef struct {
	req_t r;
	char key[64];
	char marker[64];
} keyed_t;

static void
keyed_start(db_t *db, keyed_t *k, const char *user)
{
	memset(k, 0, sizeof *k);
	new_key(k->key, sizeof k->key);
	k->r.db = db;
	k->r.method = "POST";
	k->r.path = "/api/v1/things";
	k->r.lang = "en";
	k->r.authed = true;
	k->r.upload_fd = -1;
	snprintf(k->r.user.id, sizeof k->r.user.id, "%s", user);
	json_t *row = NULL;
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(idem_claim(db, user, k->key, k->r.method, k->r.path, fg_now_ms(), &row), IDEM_CLAIMED);
	k->r.idem_key = k->key;
	/* the handler's write, in a savepoint of its own as handlers do */
	new_key(k->marker, sizeof k->marker);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_run(db_q(db, "INSERT INTO settings (key, value) VALUES ($1, 'written')", "t", k->marker)), DB_DONE);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(db_depth(db), 1);
}

static bool
marker_kept(db_t *db, const char *marker)
{
	int rc;
	json_t *row = db_one(db_q(db, "SELECT value FROM settings WHERE key = $1", "t", marker), &rc);
	json_decref(row);
	return row != NULL;
}

static void
keyed_free(db_t *db, keyed_t *k)
{
	if (k->r.resp)
		MHD_destroy_response(k->r.resp);
	free(k->r.resp_copy);
	assert_int_equal(db_run(db_q(db, "DELETE FROM settings WHERE key = $1", "t", k->marker)), DB_DONE);
}

static void
idem_end_stores_the_answer_with_the_write(void **state)
{
	DB_OR_SKIP();
	keyed_t k;
	keyed_start(db, &k, user_a);
	http_json(&k.r, 201, json_pack("{s:s}", "id", "thing-1"));
	assert_non_null(k.r.resp_copy); /* kept because the request is keyed */
	idem_end(&k.r);
	assert_false(db_in_tx(db));
	assert_int_equal(k.r.status, 201);
	assert_true(marker_kept(db, k.marker));
	json_t *row;
	assert_int_equal(try_claim(db, user_a, k.key, "POST", "/api/v1/things", fg_now_ms(), &row), IDEM_REPLAY);
	assert_int_equal(json_integer_value(json_object_get(row, "status")), 201);
	assert_string_equal(json_string_value(json_object_get(row, "body")), "{\"id\":\"thing-1\"}");
	json_decref(row);
	keyed_free(db, &k);

	/* a 4xx is an answer too: kept, and replayed */
	keyed_start(db, &k, user_a);
	http_error_code(&k.r, "version_conflict");
	idem_end(&k.r);
	assert_false(db_in_tx(db));
	assert_int_equal(try_claim(db, user_a, k.key, "POST", "/api/v1/things", fg_now_ms(), &row), IDEM_REPLAY);
	assert_int_equal(json_integer_value(json_object_get(row, "status")), 409);
	assert_non_null(strstr(json_string_value(json_object_get(row, "body")), "\"version_conflict\""));
	json_decref(row);
	keyed_free(db, &k);
}

static void
a_5xx_keeps_neither_the_answer_nor_the_write(void **state)
{
	DB_OR_SKIP();
	keyed_t k;
	keyed_start(db, &k, user_a);
	http_error_code(&k.r, "internal");
	assert_int_equal(k.r.status, 500);
	idem_end(&k.r);
	assert_false(db_in_tx(db));
	assert_int_equal(k.r.status, 500); /* the client hears the failure */
	assert_string_equal(stored(db, user_a, k.key), "-");
	assert_false(marker_kept(db, k.marker));
	/* the key is free for the client's next try */
	assert_int_equal(try_claim(db, user_a, k.key, "POST", "/api/v1/things", fg_now_ms(), NULL), IDEM_CLAIMED);
	keyed_free(db, &k);

	keyed_start(db, &k, user_a);
	http_error_code(&k.r, "unavailable"); /* 503 */
	idem_end(&k.r);
	assert_string_equal(stored(db, user_a, k.key), "-");
	assert_false(marker_kept(db, k.marker));
	keyed_free(db, &k);
}

static void
a_handler_leaving_a_transaction_open_keeps_nothing(void **state)
{
	DB_OR_SKIP();
	keyed_t k;
	keyed_start(db, &k, user_a);
	assert_int_equal(db_begin(db), 0); /* the handler's savepoint, never closed */
	http_json(&k.r, 200, json_object());
	idem_end(&k.r);
	assert_false(db_in_tx(db));
	assert_int_equal(k.r.status, 500);
	assert_string_equal(stored(db, user_a, k.key), "-");
	assert_false(marker_kept(db, k.marker));
	keyed_free(db, &k);
}

static void
an_unkeyed_request_is_left_alone(void **state)
{
	DB_OR_SKIP();
	req_t r;
	memset(&r, 0, sizeof r);
	r.db = db;
	r.method = "POST";
	r.path = "/api/v1/things";
	r.lang = "en";
	r.status = 500;
	idem_end(&r); /* no key claimed: nothing to store, nothing to roll back */
	assert_false(db_in_tx(db));
	assert_int_equal(r.status, 500);
	assert_null(r.resp);
}

#define IDEM_TESTS                                                                                                     \
	cmocka_unit_test(a_replay_gets_the_stored_answer), cmocka_unit_test(the_same_key_on_another_route_is_a_reuse), \
	    cmocka_unit_test(a_claim_and_its_answer_commit_or_vanish_together),                                       \
	    cmocka_unit_test(a_key_expires_after_its_lifetime_and_is_swept),                                           \
	    cmocka_unit_test(idem_end_stores_the_answer_with_the_write),                                               \
	    cmocka_unit_test(a_5xx_keeps_neither_the_answer_nor_the_write),                                            \
	    cmocka_unit_test(a_handler_leaving_a_transaction_open_keeps_nothing), cmocka_unit_test(an_unkeyed_request_is_left_alone)

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {IDEM_TESTS};
	int failed = cmocka_run_group_tests_name("idempotency on SQLite", tests, open_sqlite, close_db);
	failed += cmocka_run_group_tests_name("idempotency on PostgreSQL", tests, open_pg, close_db);
	return failed;
}
