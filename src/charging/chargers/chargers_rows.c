/* What the charger ledger's tables share (the chargers module, chargers_internal.h): the versioned, audited update
 * and its version check, the end of an audited create, and small helpers, so that stations, chargers and id tags
 * are written one way. */
#include <string.h>
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "charging/chargers/chargers_internal.h"

bool
chg_one_of(const char *v, const char *const *set)
{
	for (; v && *set; set++)
		if (strcmp(v, *set) == 0)
			return true;
	return false;
}

/* UPDATE table SET version = version + 1, updated_at = now, <each field present in `in`> WHERE id = id */
static int
update_fields(db_t *db, const char *table, const char *id, json_t *in, const char *const *text_fields,
    const char *const *int_fields)
{
	qb_t q;
	qb_init(&q, "UPDATE ");
	qb_sql(&q, table);
	qb_sql(&q, " SET version = version + 1, updated_at = ");
	qb_int(&q, fg_now_ms());
	for (int pass = 0; pass < 2; pass++) {
		const char *const *fields = pass ? int_fields : text_fields;
		for (int i = 0; fields && fields[i]; i++) {
			json_t *v = json_object_get(in, fields[i]);
			if (!v)
				continue;
			qb_sql(&q, ", ");
			qb_sql(&q, fields[i]);
			qb_sql(&q, " = ");
			if (json_is_null(v))
				qb_sql(&q, "NULL");
			else if (pass)
				qb_int(&q, json_is_boolean(v) ? json_is_true(v) : json_integer_value(v));
			else
				qb_text(&q, json_string_value(v));
		}
	}
	qb_sql(&q, " WHERE id = ");
	qb_text(&q, id);
	int rc = db_run(qb_prepare(db, &q));
	qb_free(&q);
	return rc;
}

int
chg_begin_row(db_t *db, const char *table, const char *entity, const char *id, json_t *(*get)(db_t *, const char *),
    json_t **before, fg_err_t *err)
{
	if (db_begin(db) != 0)
		return db_fail(db, err);
	if (db_lock_row(db, table, id) != 0)
		return db_fail(db, err);
	*before = get(db, id);
	if (!*before) {
		fg_err_not_found(err, entity, id);
		return db_fail(db, err);
	}
	return 0;
}

int
chg_versioned_update(db_t *db, const char *actor_id, const char *table, const char *entity, json_t *(*get)(db_t *, const char *),
    const char *id, json_t *in, const char *const *text, const char *const *ints, const char *conflict_code,
    const char *conflict_field, json_t **out, fg_err_t *err)
{
	json_t *before;
	if (chg_begin_row(db, table, entity, id, get, &before, err))
		return -1;
	if (db_check_version(before, in, err)) {
		json_decref(before);
		return db_fail(db, err);
	}
	int rc = update_fields(db, table, id, in, text, ints);
	if (rc == DB_CONFLICT && conflict_code)
		fg_err_field(err, conflict_code, conflict_field, NULL);
	if (rc != DB_DONE) {
		json_decref(before);
		return db_fail(db, err);
	}
	return audit_commit(db, actor_id, "update", entity, id, before, get(db, id), out, err);
}

int
chg_version_is(json_t *row, int64_t version, fg_err_t *err)
{
	json_t *in = json_pack("{s:I}", "version", (json_int_t)version);
	int rc = db_check_version(row, in, err);
	json_decref(in);
	return rc;
}

int
chg_create_commit(db_t *db, const char *actor_id, int rc, const char *entity, const char *id,
    json_t *(*get)(db_t *, const char *), const char *conflict_code, const char *conflict_field, json_t **out,
    fg_err_t *err)
{
	if (rc == DB_CONFLICT && conflict_code) {
		fg_err_field(err, conflict_code, conflict_field, NULL);
		return db_fail(db, err);
	}
	return audit_commit(db, actor_id, "create", entity, id, NULL, rc == DB_DONE ? get(db, id) : NULL, out, err);
}

void
chg_charger_id_where(qb_t *q, const void *filter)
{
	qb_sql(q, " AND charger_id = ");
	qb_text(q, filter);
}
