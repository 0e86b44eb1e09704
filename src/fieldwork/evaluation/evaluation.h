#ifndef FG_EVALUATION_H
#define FG_EVALUATION_H
#include <jansson.h>
#include "core/base/err.h"
#include "core/db/db.h"

/* Quantitative evaluation (R3.12). */

/* Checks a model tree: ids unique, names present, weights 0–1 summing to 1 per level, ≤ 6 levels, ≤ 400 nodes. */
int evaluation_check_tree(json_t *tree, fg_err_t *err);
/* out: {"q": Σ K·P, "breakdown": {indicator id: value}}; every leaf needs a score 0–100 (field scores.<id>). */
int evaluation_compute(json_t *tree, json_t *scores, json_t **out, fg_err_t *err);

json_t *evaluation_model_get(db_t *db, const char *id);
int evaluation_model_create(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
int evaluation_models(db_t *db, json_t **out, fg_err_t *err);
/* in: model_id, subject_type (team|person|plan), subject_id, period (YYYY-MM or YYYY-Qn), scores {}. */
int evaluation_score(db_t *db, const char *actor_id, json_t *in, json_t **out, fg_err_t *err);
int evaluation_scores(db_t *db, const char *model_id, const char *period, json_t **out, fg_err_t *err);

#endif
