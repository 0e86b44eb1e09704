/* Quantitative evaluation (量化考评, R3.12): Q = Σ K_i·P_i over the top indicators, each upper indicator
 * UI_i = Σ ε_j·LI_j over its lower ones, down to leaves scored 0–100. A model is a tree of
 * {"id","name","weight","children":[…]}; at every level the weights sum to 1. Pure functions: no database, so
 * the model and scores from a client are fuzzed as they come. */
#include <math.h>
#include <string.h>
#include "core/base/util.h"
#include "fieldwork/evaluation/evaluation.h"

#define MAX_DEPTH 6
#define MAX_NODES 400

static int
check_level(json_t *nodes, const char *path, int depth, json_t *ids, int *count, fg_err_t *err)
{
	double sum = 0;
	size_t i;
	json_t *n;
	if (!json_is_array(nodes) || json_array_size(nodes) == 0)
		return fg_err_field(err, "invalid_field", "tree", "each level is a non-empty list of indicators");
	if (depth > MAX_DEPTH)
		return fg_err_field(err, "invalid_field", "tree", "at most 6 levels");
	json_array_foreach(nodes, i, n) {
		const char *id = json_string_value(json_object_get(n, "id"));
		const char *name = json_string_value(json_object_get(n, "name"));
		json_t *w = json_object_get(n, "weight"), *kids = json_object_get(n, "children");
		if (++*count > MAX_NODES)
			return fg_err_field(err, "invalid_field", "tree", "at most 400 indicators");
		if (!json_is_object(n) || !id || !*id || strlen(id) > 64 || !name || !*name)
			return fg_err_field(err, "invalid_field", "tree", "each indicator has an id and a name");
		if (json_object_get(ids, id)) {
			fg_err_field(err, "invalid_field", "tree", "indicator ids are unique");
			fg_err_detail_str(err, "id", id);
			return -1;
		}
		json_object_set_new(ids, id, json_true());
		if (!json_is_number(w) || json_number_value(w) < 0 || json_number_value(w) > 1 || isnan(json_number_value(w)))
			return fg_err_field(err, "invalid_field", "tree", "weights are numbers from 0 to 1");
		sum += json_number_value(w);
		if (kids && !json_is_null(kids) && check_level(kids, id, depth + 1, ids, count, err))
			return -1;
	}
	if (fabs(sum - 1.0) > 1e-6) {
		fg_err_field(err, "invalid_field", "tree", "the weights of one level sum to 1");
		fg_err_detail_str(err, "level", path);
		fg_err_detail(err, "sum", json_real(sum));
		return -1;
	}
	return 0;
}

int
evaluation_check_tree(json_t *tree, fg_err_t *err)
{
	json_t *ids = json_object();
	int count = 0;
	int rc = check_level(tree, "top", 1, ids, &count, err);
	json_decref(ids);
	return rc;
}

/* The value of one node: its leaf score, or the weighted sum of its children; breakdown gets every node. */
static int
value(json_t *n, json_t *scores, json_t *breakdown, double *out, fg_err_t *err)
{
	const char *id = json_string_value(json_object_get(n, "id"));
	json_t *kids = json_object_get(n, "children");
	double v = 0;
	if (json_array_size(kids) > 0) {
		size_t i;
		json_t *k;
		json_array_foreach(kids, i, k) {
			double kv;
			if (value(k, scores, breakdown, &kv, err))
				return -1;
			v += json_number_value(json_object_get(k, "weight")) * kv;
		}
	} else {
		json_t *s = json_object_get(scores, id);
		if (!json_is_number(s) || json_number_value(s) < 0 || json_number_value(s) > 100 || isnan(json_number_value(s))) {
			char field[96];
			fg_fmt(field, sizeof field, "scores.%s", id);
			return fg_err_field(err, s ? "invalid_field" : "missing_field", field, "a score from 0 to 100");
		}
		v = json_number_value(s);
	}
	json_object_set_new(breakdown, id, json_real(round(v * 100) / 100));
	*out = v;
	return 0;
}

int
evaluation_compute(json_t *tree, json_t *scores, json_t **out, fg_err_t *err)
{
	if (evaluation_check_tree(tree, err))
		return -1;
	if (!json_is_object(scores))
		return fg_err_field(err, "invalid_field", "scores", "an object of leaf indicator id → score");
	json_t *breakdown = json_object(), *n;
	double q = 0;
	size_t i;
	json_array_foreach(tree, i, n) {
		double v;
		if (value(n, scores, breakdown, &v, err)) {
			json_decref(breakdown);
			return -1;
		}
		q += json_number_value(json_object_get(n, "weight")) * v;
	}
	*out = json_pack("{s:f, s:o}", "q", round(q * 100) / 100, "breakdown", breakdown);
	return 0;
}
