/* Storage, audit chain and account rules, run against SQLite (a temp file) and PostgreSQL (FG_TEST_PG_URL,
 * set by make test; the group is reported skipped without it). */
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
#include "core/db/db_impl.h"
#include "core/audit/audit.h"
#include "core/auth/users.h"
#include "core/auth/login.h"
#include "core/auth/session.h"
#include "core/auth/devices.h"
#include "shared/org/org.h"


static int
open_sqlite(void **state)
{
	char err[256] = "";
	db_t *db = unit_open_sqlite("store", err, sizeof err);
	if (!db || migrate_run(db, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	*state = db;
	return 0;
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
	if (!db || migrate_run(db, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	*state = db;
	return 0;
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
uniq(char *out, size_t n, const char *prefix)
{
	static int k;
	snprintf(out, n, "%s%lld%d", prefix, (long long)fg_now_ms() % 100000000, ++k);
}

static void
placeholders_bind_by_number_on_both_engines(void **state)
{
	DB_OR_SKIP();
	int rc;
	/* SQLite numbers $N by first appearance; the driver must make $2 mean the second value anyway */
	json_t *row = db_one(db_q(db, "SELECT $2 || '-' || $1 AS v", "tt", "A", "B"), &rc);
	assert_non_null(row);
	assert_string_equal(json_string_value(json_object_get(row, "v")), "B-A");
	json_decref(row);
	char *q = db_sqlite_rewrite("SELECT '$1', $2 FROM t WHERE a = $10");
	assert_string_equal(q, "SELECT '$1', ?2 FROM t WHERE a = ?10");
	free(q);
}

static void
unique_violation_is_a_conflict(void **state)
{
	DB_OR_SKIP();
	char id[37];
	fg_uuid7(id);
	assert_int_equal(db_run(db_q(db, "INSERT INTO settings (key, value) VALUES ($1, 'a')", "t", id)), DB_DONE);
	assert_int_equal(db_run(db_q(db, "INSERT INTO settings (key, value) VALUES ($1, 'b')", "t", id)), DB_CONFLICT);
	int rc;
	json_t *row = db_one(db_q(db, "SELECT value FROM settings WHERE key = $1", "t", id), &rc);
	assert_string_equal(json_string_value(json_object_get(row, "value")), "a");
	json_decref(row);
}

static bool
has_key(db_t *db, const char *key)
{
	int rc;
	json_t *row = db_one(db_q(db, "SELECT value FROM settings WHERE key = $1", "t", key), &rc);
	json_decref(row);
	return row != NULL;
}

/* db_begin nests as savepoints: an inner part rolled back (even after a failed statement, which on PostgreSQL
 * aborts the transaction up to the savepoint) leaves the outer work, and only the outer commit keeps it. */
static void
transactions_nest_as_savepoints(void **state)
{
	DB_OR_SKIP();
	char a[37], b[37], c[37];
	fg_uuid7(a);
	fg_uuid7(b);
	fg_uuid7(c);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_run(db_q(db, "INSERT INTO settings (key, value) VALUES ($1, 'outer')", "t", a)), DB_DONE);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_run(db_q(db, "INSERT INTO settings (key, value) VALUES ($1, 'inner')", "t", b)), DB_DONE);
	assert_int_equal(db_run(db_q(db, "INSERT INTO settings (key, value) VALUES ($1, 'dup')", "t", a)), DB_CONFLICT);
	db_rollback(db); /* the inner part only */
	assert_true(db_in_tx(db));
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_run(db_q(db, "INSERT INTO settings (key, value) VALUES ($1, 'inner2')", "t", c)), DB_DONE);
	assert_int_equal(db_commit(db), 0); /* released into the outer transaction */
	assert_true(db_in_tx(db));
	assert_int_equal(db_commit(db), 0);
	assert_false(db_in_tx(db));
	assert_true(has_key(db, a));
	assert_false(has_key(db, b));
	assert_true(has_key(db, c));
	/* an outer rollback takes the committed inner part with it */
	char d[37];
	fg_uuid7(d);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_run(db_q(db, "INSERT INTO settings (key, value) VALUES ($1, 'x')", "t", d)), DB_DONE);
	assert_int_equal(db_commit(db), 0);
	db_rollback(db);
	assert_false(db_in_tx(db));
	assert_false(has_key(db, d));
}

/* db_after_commit: effects outside the database follow the outermost commit, and vanish with a rollback */
static void
hook_count(db_t *d, void *arg)
{
	(void)d;
	(*(int *)arg) += 1;
}

static void
hook_drop(void *arg)
{
	(*(int *)arg) += 100;
}

static void
effects_wait_for_the_outermost_commit(void **state)
{
	DB_OR_SKIP();
	int now = 0, later = 0, gone = 0, kept = 0;
	db_after_commit(db, hook_count, &now, hook_drop); /* no transaction: at once */
	assert_int_equal(now, 1);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_begin(db), 0);
	db_after_commit(db, hook_count, &later, hook_drop);
	assert_int_equal(db_commit(db), 0); /* a savepoint released: not yet */
	assert_int_equal(later, 0);
	assert_int_equal(db_begin(db), 0);
	db_after_commit(db, hook_count, &gone, hook_drop);
	db_rollback(db); /* that savepoint rolled back: its effect is dropped, not run */
	assert_int_equal(gone, 100);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(later, 1);
	assert_int_equal(gone, 100);
	/* an outer rollback drops what a released savepoint had registered */
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_begin(db), 0);
	db_after_commit(db, hook_count, &kept, hook_drop);
	assert_int_equal(db_commit(db), 0);
	db_rollback(db);
	assert_int_equal(kept, 100);
	assert_false(db_in_tx(db));
}

/* db_lock_row / db_lock_where (no lost update, issue 9): on PostgreSQL the row is locked until the transaction
 * ends, so a second connection cannot lock it (lock_timeout bounds its wait); other rows stay free. On SQLite the
 * call is a no-op because the write transaction itself keeps every other writer out: a second connection cannot
 * even begin one. Outside a transaction the call is refused on both engines. */
static void
a_locked_row_keeps_other_writers_out(void **state)
{
	DB_OR_SKIP();
	char k1[37], k2[37], err[256];
	fg_uuid7(k1);
	fg_uuid7(k2);
	assert_int_equal(db_run(db_q(db, "INSERT INTO settings (key, value) VALUES ($1, 'a'), ($2, 'b')", "tt", k1, k2)), DB_DONE);
	assert_int_not_equal(db_lock_where(db, "settings", "key", k1, NULL), 0); /* no transaction: refused */
	db_t *other = db_open(db_kind(db) == DB_PG ? getenv("FG_TEST_PG_URL") : unit_sqlite_path, err, sizeof err);
	assert_non_null(other);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_lock_where(db, "settings", "key", k1, NULL), 0);
	if (db_kind(db) == DB_PG) {
		assert_int_equal(db_exec(other, "SET lock_timeout = '50ms'"), 0);
		assert_int_equal(db_begin(other), 0);
		assert_int_not_equal(db_lock_where(other, "settings", "key", k1, NULL), 0); /* held by the first */
		db_rollback(other);
		assert_int_equal(db_begin(other), 0);
		assert_int_equal(db_lock_where(other, "settings", "key", k2, NULL), 0); /* another row: free */
		db_rollback(other);
	} else {
		assert_int_equal(db_exec(other, "PRAGMA busy_timeout = 1"), 0);
		assert_int_equal(db_begin(other), DB_BUSY); /* the first writer holds the only write lock */
	}
	db_rollback(db);
	assert_int_equal(db_begin(other), 0); /* released with the transaction */
	assert_int_equal(db_lock_where(other, "settings", "key", k1, NULL), 0);
	db_rollback(other);
	db_close(other);
}

/* db_lock_row_ahead (the flow engine's lock) and db_begin on PostgreSQL are not waited for: they go to the server
 * with the next statement, in its round trip. The lock still holds from that statement to the end of the
 * transaction; a lock that fails fails that statement (which did not run), with the lock's message; a transaction
 * that ran nothing commits. On SQLite the lock is db_lock_row's no-op. */
static void
a_lock_sent_ahead_holds_and_fails_with_the_next_statement(void **state)
{
	DB_OR_SKIP();
	char id[37], err[256];
	fg_uuid7(id);
	assert_int_equal(db_exec(db, "CREATE TABLE IF NOT EXISTS unit_ahead (id TEXT PRIMARY KEY, v TEXT)"), 0);
	assert_int_equal(db_run(db_q(db, "INSERT INTO unit_ahead (id, v) VALUES ($1, 'a')", "t", id)), DB_DONE);
	assert_int_not_equal(db_lock_row_ahead(db, "unit_ahead", id), 0); /* no transaction: refused */
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_commit(db), 0); /* ran nothing */
	assert_false(db_in_tx(db));
	db_t *other = db_open(db_kind(db) == DB_PG ? getenv("FG_TEST_PG_URL") : unit_sqlite_path, err, sizeof err);
	assert_non_null(other);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_lock_row_ahead(db, "unit_ahead", id), 0);
	int rc;
	json_t *row = db_one(db_q(db, "SELECT v FROM unit_ahead WHERE id = $1", "t", id), &rc);
	assert_non_null(row);
	assert_string_equal(json_string_value(json_object_get(row, "v")), "a");
	json_decref(row);
	if (db_kind(db) == DB_PG) {
		assert_int_equal(db_exec(other, "SET lock_timeout = '50ms'"), 0);
		assert_int_equal(db_begin(other), 0);
		assert_int_not_equal(db_lock_row(other, "unit_ahead", id), 0); /* held by the first */
		db_rollback(other);
	}
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(db_begin(other), 0); /* released with the transaction */
	assert_int_equal(db_lock_row(other, "unit_ahead", id), 0);
	db_rollback(other);
	db_close(other);
	/* a lock that fails: the statement it went with fails with the lock's message, and a rollback recovers */
	assert_int_equal(db_begin(db), 0);
	db_errclear(db);
	assert_int_equal(db_lock_row_ahead(db, "unit_no_such_table", id), 0);
	row = db_one(db_prepare(db, "SELECT 1 AS one"), &rc);
	if (db_kind(db) == DB_PG) {
		assert_null(row);
		assert_int_equal(rc, DB_ERR);
		assert_non_null(strstr(db_errmsg(db), "unit_no_such_table"));
	} else {
		assert_non_null(row);
		assert_int_equal(rc, DB_ROW);
	}
	json_decref(row);
	db_rollback(db);
	assert_true(has_key(db, "nothing") == false); /* the connection works again */
}

static void
migrations_run_once(void **state)
{
	DB_OR_SKIP();
	char err[256];
	assert_int_equal(migrate_run(db, err, sizeof err), 0);
	assert_true(migrate_current(db) >= 1);
}

static void
rollback_leaves_nothing_behind(void **state)
{
	DB_OR_SKIP();
	char id[37];
	int rc;
	fg_uuid7(id);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_run(db_q(db, "INSERT INTO settings (key, value) VALUES ($1, 'x')", "t", id)), DB_DONE);
	db_rollback(db);
	json_t *row = db_one(db_q(db, "SELECT value FROM settings WHERE key = $1", "t", id), &rc);
	assert_null(row);
	assert_int_equal(rc, DB_DONE);
}

static json_t *
make_user(db_t *db, const char *username, const char *role)
{
	json_t *in = json_pack("{s:s, s:s, s:s, s:[s]}", "username", username, "password", "Right-pass-123",
	    "display_name", "测试人员", "roles", role);
	json_t *out = NULL;
	fg_err_t e = FG_ERR_INIT;
	int rc = users_create(db, NULL, in, &out, &e);
	json_decref(in);
	if (rc != 0)
		fail_msg("users_create: %s", e.code);
	return out;
}

static const char *
try_login(db_t *db, const char *user, const char *pw, json_t **out)
{
	static char code[64];
	fg_err_t e = FG_ERR_INIT;
	*out = NULL;
	if (login_password(db, user, pw, NULL, out, &e) == 0)
		return "ok";
	snprintf(code, sizeof code, "%s", e.code);
	fg_err_clear(&e);
	return code;
}

static void
five_failures_lock_even_the_right_password(void **state)
{
	DB_OR_SKIP();
	char name[64];
	json_t *out;
	uniq(name, sizeof name, "lock");
	json_t *u = make_user(db, name, "crew");
	for (int i = 0; i < LOGIN_MAX_FAILURES; i++)
		assert_string_equal(try_login(db, name, "Wrong-pass-123", &out), "invalid_credentials");
	fg_err_t e = FG_ERR_INIT;
	assert_int_equal(login_password(db, name, "Right-pass-123", NULL, &out, &e), -1);
	assert_string_equal(e.code, "account_locked");
	json_int_t retry = json_integer_value(json_object_get(e.details, "retry_after"));
	assert_true(retry > 0 && retry <= LOGIN_LOCK_MS / 1000);
	fg_err_clear(&e);
	/* an admin's enable lifts the lock */
	json_t *after = NULL;
	assert_int_equal(users_set_disabled(db, NULL, json_string_value(json_object_get(u, "id")), false, &after, &e), 0);
	json_decref(after);
	assert_string_equal(try_login(db, name, "Right-pass-123", &out), "ok");
	json_decref(out);
	assert_string_equal(try_login(db, "no-such-user", "Right-pass-123", &out), "invalid_credentials");
	json_decref(u);
}

static void
disabling_a_user_ends_its_sessions(void **state)
{
	DB_OR_SKIP();
	char name[64];
	json_t *out, *after;
	auth_user_t me;
	fg_err_t e = FG_ERR_INIT;
	uniq(name, sizeof name, "dis");
	json_t *u = make_user(db, name, "leader");
	assert_string_equal(try_login(db, name, "Right-pass-123", &out), "ok");
	char token[SESSION_TOKEN_LEN];
	snprintf(token, sizeof token, "%s", json_string_value(json_object_get(out, "token")));
	json_decref(out);
	assert_int_equal(session_resolve(db, token, &me, &e), 0);
	assert_string_equal(me.username, name);
	assert_true(me.roles != 0);
	assert_int_equal(users_set_disabled(db, NULL, me.id, true, &after, &e), 0);
	assert_true(json_is_true(json_object_get(after, "disabled")));
	json_decref(after);
	assert_int_equal(session_resolve(db, token, &me, &e), -1);
	assert_string_equal(e.code, "unauthenticated");
	fg_err_clear(&e);
	assert_string_equal(try_login(db, name, "Right-pass-123", &out), "account_disabled");
	json_decref(u);
}

static void
a_revoked_device_token_is_refused(void **state)
{
	DB_OR_SKIP();
	char name[64];
	json_t *out, *dev = NULL, *rev = NULL;
	auth_user_t me, again;
	fg_err_t e = FG_ERR_INIT;
	uniq(name, sizeof name, "dev");
	json_t *u = make_user(db, name, "crew");
	assert_string_equal(try_login(db, name, "Right-pass-123", &out), "ok");
	assert_int_equal(session_resolve(db, json_string_value(json_object_get(out, "token")), &me, &e), 0);
	json_decref(out);
	assert_int_equal(devices_register(db, &me, "华为 Mate 60", "android", &dev, &e), 0);
	const char *dtoken = json_string_value(json_object_get(dev, "token"));
	const char *did = json_string_value(json_object_get(json_object_get(dev, "device"), "id"));
	assert_int_equal(session_resolve(db, dtoken, &again, &e), 0);
	assert_string_equal(again.device_id, did);
	assert_int_equal(devices_revoke(db, &me, false, did, &rev, &e), 0);
	assert_false(json_is_null(json_object_get(rev, "revoked_at")));
	assert_int_equal(session_resolve(db, dtoken, &again, &e), -1);
	assert_string_equal(e.code, "device_revoked");
	fg_err_clear(&e);
	assert_int_equal(session_resolve(db, "forged-token", &again, &e), -1);
	assert_string_equal(e.code, "unauthenticated");
	fg_err_clear(&e);
	json_decref(dev);
	json_decref(rev);
	json_decref(u);
}

static void
org_parent_cannot_be_a_descendant(void **state)
{
	DB_OR_SKIP();
	fg_err_t e = FG_ERR_INIT;
	json_t *co = NULL, *dep = NULL, *team = NULL, *out = NULL;
	json_t *in = json_pack("{s:s, s:s}", "name", "公司", "kind", "company");
	assert_int_equal(org_create(db, NULL, in, &co, &e), 0);
	json_decref(in);
	in = json_pack("{s:s, s:s, s:O}", "name", "营销部", "kind", "department", "parent_id", json_object_get(co, "id"));
	assert_int_equal(org_create(db, NULL, in, &dep, &e), 0);
	json_decref(in);
	in = json_pack("{s:s, s:s, s:O}", "name", "装表一班", "kind", "team", "parent_id", json_object_get(dep, "id"));
	assert_int_equal(org_create(db, NULL, in, &team, &e), 0);
	json_decref(in);
	assert_true(org_within(db, json_string_value(json_object_get(team, "id")), json_string_value(json_object_get(co, "id"))));
	in = json_pack("{s:i, s:O}", "version", 1, "parent_id", json_object_get(team, "id"));
	assert_int_equal(org_update(db, NULL, json_string_value(json_object_get(co, "id")), in, &out, &e), -1);
	assert_string_equal(e.code, "org_unit_cycle");
	fg_err_clear(&e);
	json_decref(in);
	in = json_pack("{s:i, s:s}", "version", 7, "name", "x");
	assert_int_equal(org_update(db, NULL, json_string_value(json_object_get(co, "id")), in, &out, &e), -1);
	assert_string_equal(e.code, "version_conflict");
	assert_int_equal(json_integer_value(json_object_get(e.details, "current_version")), 1);
	fg_err_clear(&e);
	json_decref(in);
	json_decref(co);
	json_decref(dep);
	json_decref(team);
}

static int
verify(db_t *db, audit_report_t *rep)
{
	return audit_verify(db, rep);
}

/* Runs last in its group: it tampers with the chain, checks each kind of tampering is named, and undoes it. */
static void
audit_chain_detects_change_removal_and_insertion(void **state)
{
	DB_OR_SKIP();
	audit_report_t rep;
	int rc;
	assert_int_equal(db_begin(db), 0);
	json_t *after = json_pack("{s:s, s:s}", "name", "装表接电一班", "password", "must-not-be-stored");
	assert_int_equal(audit_write(db, NULL, "create", "test", "t1", NULL, after), 0);
	assert_int_equal(audit_write(db, NULL, "update", "test", "t1", after, after), 0);
	json_decref(after);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(verify(db, &rep), 0);
	assert_true(rep.checked >= 2);

	json_t *last = db_one(db_prepare(db, "SELECT seq, after_json FROM audit_log ORDER BY seq DESC LIMIT 1"), &rc);
	int64_t seq = json_integer_value(json_object_get(last, "seq"));
	char *orig = fg_strdup(json_string_value(json_object_get(last, "after_json")));
	json_decref(last);
	assert_null(strstr(orig, "must-not-be-stored")); /* secrets never reach the log */

	/* changed */
	assert_int_equal(db_run(db_q(db, "UPDATE audit_log SET after_json = $1 WHERE seq = $2", "ti", "{\"name\":\"x\"}", seq - 1)), DB_DONE);
	assert_int_equal(verify(db, &rep), 1);
	assert_int_equal(rep.broken_seq, seq - 1);
	assert_int_equal(db_run(db_q(db, "UPDATE audit_log SET after_json = $1 WHERE seq = $2", "ti", orig, seq - 1)), DB_DONE);
	assert_int_equal(verify(db, &rep), 0);

	/* removed from the end */
	json_t *row = db_one(db_q(db, "SELECT * FROM audit_log WHERE seq = $1", "i", seq), &rc);
	assert_int_equal(db_run(db_q(db, "DELETE FROM audit_log WHERE seq = $1", "i", seq)), DB_DONE);
	assert_int_equal(verify(db, &rep), 1);
	assert_int_equal(rep.broken_seq, seq);
	assert_int_equal(db_run(db_q(db,
			     "INSERT INTO audit_log (seq, at, actor_id, action, entity, entity_id, before_json, after_json, prev_hash, hash) "
			     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
			     "iitttttttt", json_integer_value(json_object_get(row, "seq")),
			     json_integer_value(json_object_get(row, "at")), json_string_value(json_object_get(row, "actor_id")),
			     json_string_value(json_object_get(row, "action")), json_string_value(json_object_get(row, "entity")),
			     json_string_value(json_object_get(row, "entity_id")), json_string_value(json_object_get(row, "before_json")),
			     json_string_value(json_object_get(row, "after_json")), json_string_value(json_object_get(row, "prev_hash")),
			     json_string_value(json_object_get(row, "hash")))),
	    DB_DONE);
	assert_int_equal(verify(db, &rep), 0);

	/* inserted after the end, with a correctly computed hash: the head gives it away */
	char h[65];
	audit_hash(seq + 1, 1, NULL, "create", "test", "t2", NULL, NULL, json_string_value(json_object_get(row, "hash")), h);
	assert_int_equal(db_run(db_q(db,
			     "INSERT INTO audit_log (seq, at, action, entity, entity_id, prev_hash, hash) VALUES ($1, 1, 'create', 'test', 't2', $2, $3)",
			     "itt", seq + 1, json_string_value(json_object_get(row, "hash")), h)),
	    DB_DONE);
	assert_int_equal(verify(db, &rep), 1);
	assert_int_equal(db_run(db_q(db, "DELETE FROM audit_log WHERE seq = $1", "i", seq + 1)), DB_DONE);
	assert_int_equal(verify(db, &rep), 0);
	json_decref(row);
	free(orig);
}

/* db_bulk_rows: sets of rows, NULLs kept; a set refused on a taken key fails the load (SQLite: at that set, whose
 * rows are undone with its statement; PostgreSQL: at the COPY's end), and the rollback leaves nothing. */
static void
bulk_rows_load_sets_or_fail_whole(void **state)
{
	DB_OR_SKIP();
	char k1[64], k2[64], k3[64];
	uniq(k1, sizeof k1, "bulk-a-");
	uniq(k2, sizeof k2, "bulk-b-");
	uniq(k3, sizeof k3, "bulk-c-");
	static const char *const cols[] = {"key", "value"};
	assert_int_equal(db_begin(db), 0);
	db_bulk_t *b = db_bulk_begin(db, "settings", cols, 2);
	assert_non_null(b);
	const char *set1[] = {k1, "one", k2, "two"};
	assert_int_equal(db_bulk_rows(b, set1, 2), 0);
	assert_int_equal(db_bulk_rows(b, set1, 0), 0); /* an empty set is nothing */
	const char *row3[] = {k3, "three"};
	assert_int_equal(db_bulk_row(b, row3), 0);
	int64_t n = 0;
	assert_int_equal(db_bulk_end(b, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(db_commit(db), 0);
	int rc;
	json_t *row = db_one(db_q(db, "SELECT value FROM settings WHERE key = $1", "t", k2), &rc);
	assert_string_equal(json_string_value(json_object_get(row, "value")), "two");
	json_decref(row);

	char k4[64], k5[64];
	uniq(k4, sizeof k4, "bulk-d-");
	uniq(k5, sizeof k5, "bulk-e-");
	assert_int_equal(db_begin(db), 0);
	b = db_bulk_begin(db, "settings", cols, 2);
	const char *good[] = {k4, "four"}, *taken[] = {k5, "five", k1, "again"};
	assert_int_equal(db_bulk_rows(b, good, 1), 0);
	rc = db_bulk_rows(b, taken, 2);
	assert_int_equal(db_bulk_end(b, NULL), DB_CONFLICT);
	assert_int_equal(rc, db_kind(db) == DB_SQLITE ? DB_CONFLICT : 0);
	db_rollback(db);
	assert_false(has_key(db, k4));
	assert_false(has_key(db, k5));
	assert_true(has_key(db, k1));
}

#define STORE_TESTS                                                                                                    \
	cmocka_unit_test(placeholders_bind_by_number_on_both_engines), cmocka_unit_test(unique_violation_is_a_conflict), \
	    cmocka_unit_test(bulk_rows_load_sets_or_fail_whole),                                                         \
	    cmocka_unit_test(migrations_run_once), cmocka_unit_test(transactions_nest_as_savepoints), cmocka_unit_test(effects_wait_for_the_outermost_commit), \
	    cmocka_unit_test(a_locked_row_keeps_other_writers_out), cmocka_unit_test(a_lock_sent_ahead_holds_and_fails_with_the_next_statement), cmocka_unit_test(rollback_leaves_nothing_behind),                     \
	    cmocka_unit_test(five_failures_lock_even_the_right_password),                                                \
	    cmocka_unit_test(disabling_a_user_ends_its_sessions), cmocka_unit_test(a_revoked_device_token_is_refused),   \
	    cmocka_unit_test(org_parent_cannot_be_a_descendant),                                                         \
	    cmocka_unit_test(audit_chain_detects_change_removal_and_insertion)

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {STORE_TESTS};
	int failed = cmocka_run_group_tests_name("store on SQLite", tests, open_sqlite, close_db);
	failed += cmocka_run_group_tests_name("store on PostgreSQL", tests, open_pg, close_db);
	return failed;
}
