#include "core/http/routes.h"
#include "fieldwork/evaluation/evaluation.h"

static const jfield_t model_spec[] = {
	{"name", JF_STRING, JF_REQUIRED, 100},
	{"tree", JF_ANY, JF_REQUIRED, 0},
	{NULL, 0, 0, 0},
};

static const jfield_t score_spec[] = {
	{"model_id", JF_STRING, JF_REQUIRED, 64},
	{"subject_type", JF_STRING, JF_REQUIRED, 10},
	{"subject_id", JF_STRING, JF_REQUIRED, 64},
	{"period", JF_STRING, JF_REQUIRED, 10},
	{"scores", JF_OBJECT, JF_REQUIRED, 0},
	{NULL, 0, 0, 0},
};

static void
create_model(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, model_spec))
		return;
	int rc = evaluation_model_create(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
models(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = evaluation_models(r->db, &out, &e);
	http_result(r, 200, rc, out, &e);
}

static void
model(req_t *r)
{
	http_entity(r, evaluation_model_get(r->db, r->params[0]), "evaluation_model", r->params[0]);
}

static void
score(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	if (http_body(r, score_spec))
		return;
	int rc = evaluation_score(r->db, r->user.id, r->json, &out, &e);
	http_result(r, 201, rc, out, &e);
}

static void
scores(req_t *r)
{
	fg_err_t e = FG_ERR_INIT;
	json_t *out = NULL;
	int rc = evaluation_scores(r->db, r->params[0], http_query(r, "period"), &out, &e);
	http_result(r, 200, rc, out, &e);
}

const route_t evaluation_routes[] = {
	{"GET", "/api/v1/evaluation-models", models, "supervision.read", 0, .ok = "200"},
	{"POST", "/api/v1/evaluation-models", create_model, "supervision.write", 0, .body = model_spec, .ok = "201"},
	{"GET", "/api/v1/evaluation-models/{id}", model, "supervision.read", 0, .ok = "200"},
	{"GET", "/api/v1/evaluation-models/{id}/scores", scores, "supervision.read", 0, .standby = true, .ok = "200"},
	{"POST", "/api/v1/evaluations", score, "supervision.write", 0, .body = score_spec, .ok = "201",
	    .errors = HTTP_ERRORS("evaluation_exists")},
	{0},
};
