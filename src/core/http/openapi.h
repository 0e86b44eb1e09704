#ifndef FG_OPENAPI_H
#define FG_OPENAPI_H
#include "core/http/http.h"

/* The OpenAPI 3.1 document of every route (openapi.c), built on first use and kept for the process. */
const char *openapi_document(void);
/* GET /api/v1/openapi.json */
void openapi_serve(req_t *r);

#endif
