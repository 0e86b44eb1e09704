/* libFuzzer target: an evaluation model tree and its scores, as a client sends them ({"tree":[…],"scores":{…}}):
 * deep or wide trees, odd weights, NaN-free JSON numbers at the edges. */
#include <stdint.h>
#include <stddef.h>
#include "core/http/http.h"
#include "fieldwork/evaluation/evaluation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = NULL, *out = NULL;
	fg_err_t e = FG_ERR_INIT;
	if (jbody_parse((const char *)data, size, &j, &e) == 0 &&
	    evaluation_compute(json_object_get(j, "tree"), json_object_get(j, "scores"), &out, &e) == 0)
		json_decref(out);
	json_decref(j);
	fg_err_clear(&e);
	return 0;
}
