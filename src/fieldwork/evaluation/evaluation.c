#include <math.h>
#include <string.h>
#include "core/base/util.h"
#include "core/audit/audit.h"
#include "fieldwork/evaluation/evaluation.h"

static json_t *
decode(json_t *row, const char *key)
{
	json_t *v = json_loads(json_string_value(json_object_get(row, key)), JSON_DECODE_ANY, NULL);
	json_object_set_new(row, key, v ? v : json_null());
	return row;
}

json_t *
evaluation_model_get(db_t *db, const char *id)
{
	int rc;
	json_t *m = db_one(db_q(db, "SELECT id, name, tree, created_by, created_at, updated_at, version FROM evaluation_models "
				    "WHERE id = $1", "t", id), &rc);
	return m ? decode(m, "tree") : NULL;
}

int
evaluation_model_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	json_t *tree = json_object_get(in, "tree");
	const char *name = json_string_value(json_object_get(in, "name"));
	if (!*name)
		return fg_err_field(err, "invalid_field", "name", "must not be empty");
	if (evaluation_check_tree(tree, err))
		return -1;
	char id[37], *t = json_dumps(tree, JSON_COMPACT);
	int64_t now = fg_now_ms();
	fg_uuid7(id);
	int rc = db_begin(db) == 0 ? db_run(db_q(db,
		"INSERT INTO evaluation_models (id, name, tree, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
		"ttttii", id, name, t, actor_id, now, now)) : DB_ERR;
	free(t);
	json_t *after = rc == DB_DONE ? evaluation_model_get(db, id) : NULL;
	if (!after || audit_write(db, actor_id, "create", "evaluation_model", id, NULL, after) != 0 || db_commit(db) != 0) {
		json_decref(after);
		return db_fail(db, err);
	}
	*out = after;
	return 0;
}

int
evaluation_models(db_t *db, json_t **out, fg_err_t *err)
{
	int rc;
	json_t *rows = db_all(db_prepare(db, "SELECT id, name, tree, created_at, version FROM evaluation_models ORDER BY id"), &rc);
	if (!rows)
		return fg_err(err, "internal");
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) decode(r, "tree");
	*out = json_pack("{s:o}", "items", rows);
	return 0;
}

int
evaluation_score(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err)
{
	static const char *const types[] = {"team", "person", "plan", NULL};
	const char *type = json_string_value(json_object_get(in, "subject_type"));
	const char *period = json_string_value(json_object_get(in, "period"));
	int i;
	for (i = 0; types[i] && strcmp(types[i], type) != 0; i++)
		;
	if (!types[i])
		return fg_err_field(err, "invalid_field", "subject_type", "team, person or plan");
	if (strlen(period) < 4 || strlen(period) > 10)
		return fg_err_field(err, "invalid_field", "period", "e.g. 2026-11 or 2026-Q4");
	json_t *model = evaluation_model_get(db, json_string_value(json_object_get(in, "model_id")));
	if (!model)
		return fg_err_field(err, "invalid_field", "model_id", "no such evaluation model");
	json_t *result = NULL;
	if (evaluation_compute(json_object_get(model, "tree"), json_object_get(in, "scores"), &result, err)) {
		json_decref(model);
		return -1;
	}
	json_decref(model);
	char id[37], *sc = json_dumps(json_object_get(in, "scores"), JSON_COMPACT | JSON_SORT_KEYS),
			 *bd = json_dumps(json_object_get(result, "breakdown"), JSON_COMPACT | JSON_SORT_KEYS);
	fg_uuid7(id);
	int rc = db_begin(db) == 0 ? db_run(db_q(db,
		"INSERT INTO evaluation_scores (id, model_id, subject_type, subject_id, period, scores, q_x100, breakdown, "
		"scored_by, scored_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
		"tttttti" "tti", id, json_string_value(json_object_get(in, "model_id")), type,
		json_string_value(json_object_get(in, "subject_id")), period, sc, (int64_t)llround(json_number_value(json_object_get(result, "q")) * 100),
		bd, actor_id, fg_now_ms())) : DB_ERR;
	free(sc);
	free(bd);
	if (rc == DB_CONFLICT) {
		json_decref(result);
		fg_err(err, "evaluation_exists");
		return db_fail(db, err);
	}
	json_object_set_new(result, "id", json_string(id));
	json_object_set(result, "subject_type", json_object_get(in, "subject_type"));
	json_object_set(result, "subject_id", json_object_get(in, "subject_id"));
	json_object_set(result, "period", json_object_get(in, "period"));
	json_object_set(result, "model_id", json_object_get(in, "model_id"));
	if (rc != DB_DONE || audit_write(db, actor_id, "score", "evaluation", id, NULL, result) != 0 || db_commit(db) != 0) {
		json_decref(result);
		return db_fail(db, err);
	}
	*out = result;
	return 0;
}

int
evaluation_scores(db_t *db, const char *model_id, const char *period, json_t **out, fg_err_t *err)
{
	int rc;
	json_t *rows = db_all(db_q(db,
	    "SELECT id, model_id, subject_type, subject_id, period, scores, q_x100, breakdown, scored_by, scored_at "
	    "FROM evaluation_scores WHERE model_id = $1 AND (CAST($2 AS TEXT) IS NULL OR period = $2) ORDER BY q_x100 DESC, id",
	    "tt", model_id, period), &rc);
	if (!rows)
		return fg_err(err, "internal");
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		decode(decode(r, "scores"), "breakdown");
		json_object_set_new(r, "q", json_real((double)json_integer_value(json_object_get(r, "q_x100")) / 100.0));
		json_object_del(r, "q_x100");
	}
	*out = json_pack("{s:o}", "items", rows);
	return 0;
}
